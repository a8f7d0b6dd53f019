import { describe, expect, it } from "vitest";
import { MAX_LISTS_PER_SECOND, ProvisioningWatch, type WatchWake } from "../../../src/azure/apim-provisioning-watch.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import { ManualClock, settle } from "../../support/fakes/clock.js";

/** A resource group whose services' provisioningState the test sets; counts the lists. */
function fakeGroup() {
  const states = new Map<string, string>();
  let failing: Error | null = null;
  const calls: string[] = [];
  return {
    states,
    calls,
    fail(error: Error | null) {
      failing = error;
    },
    list: (subscriptionId: string, resourceGroup: string) => {
      calls.push(`${subscriptionId}/${resourceGroup}`);
      return failing ? Promise.reject(failing) : Promise.resolve(new Map(states));
    },
  };
}

function pending(promise: Promise<WatchWake>) {
  const box: { value?: WatchWake } = {};
  void promise.then((v) => (box.value = v));
  return box;
}

describe("ProvisioningWatch", () => {
  it("wakes an operation once its service leaves Updating, with one list a second for every service of the group", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    for (const name of ["apim-a", "apim-b", "apim-c"]) group.states.set(name, "Updating");
    const watch = new ProvisioningWatch(group.list, clock, 1_000);
    const a = watch.follow("sub", "rg", "APIM-A");
    const b = watch.follow("sub", "rg", "apim-b");
    const c = watch.follow("sub", "rg", "apim-c");
    await settle();
    expect(a.watching).toBe(true);

    const waits = [a, b, c].map((w) => pending(w.next(30_000)));
    await clock.advance(3_000);
    expect(waits.map((w) => w.value)).toEqual([undefined, undefined, undefined]);

    group.states.set("apim-b", "Succeeded");
    await clock.advance(1_000);
    expect(waits.map((w) => w.value)).toEqual([undefined, "left-updating", undefined]);
    // One list per second for the group, whatever the number of services followed.
    expect(group.calls).toHaveLength(5);
    for (const w of [a, b, c]) w.dispose();
  });

  it("lists again after half the interval once a list sees one operation end while others still run, within the subscription's budget", async () => {
    const run = async (groups: string[]) => {
      const clock = new ManualClock();
      const t0 = clock.now();
      const group = fakeGroup();
      const listedAt: number[] = [];
      const watch = new ProvisioningWatch((sub, rg) => (rg === "rg" && listedAt.push(clock.now() - t0), group.list(sub, rg)), clock, 500);
      for (const name of ["apim-a", "apim-b", "apim-c"]) group.states.set(name, "Updating");
      const watches = ["apim-a", "apim-b", "apim-c"].map((name) => watch.follow("sub", "rg", name));
      for (const [i, rg] of groups.entries()) watches.push(watch.follow("sub", rg, `apim-other-${i}`));
      await settle();
      await clock.advance(900);
      group.states.set("apim-a", "Succeeded"); // seen by the list at 1000: b and c still run
      await clock.advance(200);
      group.states.set("apim-b", "Succeeded"); // seen by the next list: c still runs
      await clock.advance(900);
      for (const w of watches) w.dispose();
      return listedAt;
    };
    expect(await run([])).toEqual([0, 500, 1000, 1250, 1500, 2000]);
    // With a second resource group of the subscription listing too, the 4 lists a second are taken: no list comes sooner.
    expect(await run(["rg-2"])).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it("keeps the lists of one subscription within MAX_LISTS_PER_SECOND however many resource groups run operations; another subscription has its own", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    const watch = new ProvisioningWatch(group.list, clock, 500);
    // 20 standbys, each in its own resource group, restoring at once; one more in another subscription.
    const watches = Array.from({ length: 20 }, (_, i) => watch.follow("sub", `rg-${i}`, `apim-${i}`));
    watches.push(watch.follow("other-sub", "rg-0", "apim-x"));
    await settle();
    const first = group.calls.length;
    await clock.advance(60_000);
    const perSubscription = (sub: string) => group.calls.slice(first).filter((c) => c.startsWith(`${sub}/`)).length;
    // 20 groups at 4 lists a second share 240 lists a minute (each group every 5 s); the lone group lists every 500 ms.
    expect(perSubscription("sub")).toBe(MAX_LISTS_PER_SECOND * 60);
    expect(perSubscription("other-sub")).toBe(120);
    for (const w of watches) w.dispose();
  });

  it("wakes for a service that is seen idle at first sight, then stops waking it until it is seen Updating again", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    group.states.set("apim-a", "Succeeded"); // a backup that does not show in provisioningState, or already over
    const watch = new ProvisioningWatch(group.list, clock, 1_000);
    const a = watch.follow("sub", "rg", "apim-a");
    await settle();
    expect(await a.next(30_000)).toBe("left-updating");
    expect(a.watching).toBe(false);

    // Still running according to its poll: the watch cannot see it, so the caller's own pace (here 2 s) decides.
    const second = pending(a.next(2_000));
    await clock.advance(1_999);
    expect(second.value).toBeUndefined();
    await clock.advance(1);
    expect(second.value).toBe("fallback");

    group.states.set("apim-a", "Updating");
    await clock.advance(1_000);
    expect(a.watching).toBe(true);
    group.states.set("apim-a", "Failed");
    const third = pending(a.next(30_000));
    await clock.advance(1_000);
    expect(third.value).toBe("left-updating");
    a.dispose();
  });

  it("stops watching (own pace) while the list fails or leaves the service out, and stops listing when nothing is followed", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    group.states.set("apim-a", "Updating");
    const watch = new ProvisioningWatch(group.list, clock, 1_000);
    const a = watch.follow("sub", "rg", "apim-a");
    await settle();
    expect(a.watching).toBe(true);

    group.fail(new AzureOperationError("503 ServiceUnavailable", "ServiceUnavailable", 503, true));
    await clock.advance(1_000);
    expect(a.watching).toBe(false);
    group.fail(null);
    await clock.advance(1_000);
    expect(a.watching).toBe(true);
    group.states.delete("apim-a");
    await clock.advance(1_000);
    expect(a.watching).toBe(false);

    a.dispose();
    const lists = group.calls.length;
    await clock.advance(5_000);
    expect(group.calls).toHaveLength(lists);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("throws the caller's abort reason from a wait", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    group.states.set("apim-a", "Updating");
    const watch = new ProvisioningWatch(group.list, clock, 1_000);
    const a = watch.follow("sub", "rg", "apim-a");
    const stop = new AbortController();
    const wait = a.next(30_000, stop.signal);
    stop.abort(new Error("controller stopping"));
    await expect(wait).rejects.toThrow("controller stopping");
    a.dispose();
  });

  it("does not list a group again for an hour once its list is refused for good (403), leaving its operations to their own pace", async () => {
    const clock = new ManualClock();
    const group = fakeGroup();
    group.states.set("apim-a", "Updating");
    group.fail(new AzureOperationError("AuthorizationFailed", "AuthorizationFailed", 403, false));
    const watch = new ProvisioningWatch(group.list, clock, 1_000);
    const a = watch.follow("sub", "rg", "apim-a");
    await clock.advance(10_000);
    expect(group.calls).toHaveLength(1);
    expect(a.watching).toBe(false);
    group.fail(null);
    await clock.advance(3_600_000);
    expect(a.watching).toBe(true);
    a.dispose();
  });
});
