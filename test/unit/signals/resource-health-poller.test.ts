import { describe, expect, it, vi } from "vitest";
import { ResourceHealthPoller } from "../../../src/signals/pollers/resource-health-poller.js";
import { runPoller } from "../../../src/signals/pollers/poll-loop.js";
import { systemClock, type Clock } from "../../../src/ports/clock.js";
import { AzureOperationError } from "../../../src/ports/errors.js";

const clock: Clock = { now: () => Date.UTC(2026, 11, 1, 9, 0, 0), sleep: async () => undefined };
const WEU = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu";
const NEU = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-neu";

describe("Resource Health poller", () => {
  it("stamps its reads as the controller's own ARM channel, and turns a read that fails into an 'unreachable' signal", async () => {
    const errors: string[] = [];
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
      ],
      {
        clock,
        onError: (error, serviceId) => errors.push(`${serviceId}: ${(error as Error).message}`),
        resourceHealth: {
          currentAvailability: async (id) => {
            if (id === WEU) throw new Error("503 ServiceUnavailable");
            return { state: "Available", summary: "fine" };
          },
        },
      },
    );
    const [weu, neu] = await poller.pollOnce();
    expect(weu).toMatchObject({ channel: "arm", status: "unknown", attributes: { unreachable: true }, summary: "Resource Health API unreachable: 503 ServiceUnavailable" });
    expect(neu).toMatchObject({ channel: "arm", status: "healthy", source: "resourceHealth" });
    expect(errors).toEqual([`${WEU}: 503 ServiceUnavailable`]);
  });

  it("reads every service of a resource group with one list a round, and a service the list leaves out on its own", async () => {
    const OTHER_GROUP = "/subscriptions/s/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-dr";
    const lists: string[] = [];
    const single: string[] = [];
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
        { serviceId: OTHER_GROUP, region: "northeurope" },
      ],
      {
        clock,
        resourceHealth: {
          currentAvailability: async (id) => {
            single.push(id);
            return { state: "Available", summary: "fine" };
          },
          availabilityInGroup: async (subscriptionId, resourceGroup) => {
            lists.push(`${subscriptionId}/${resourceGroup}`);
            // rg lists WEU (down) but not NEU; rg-dr lists its service
            if (resourceGroup === "rg") return new Map([[WEU.toLowerCase(), { state: "Unavailable", cause: "PlatformInitiated", reasonType: "Unplanned", summary: "down" }]]);
            return new Map([[OTHER_GROUP.toLowerCase(), { state: "Degraded", summary: "slow" }]]);
          },
        },
      },
    );
    const [weu, neu, other] = await poller.pollOnce();
    expect(lists.sort()).toEqual(["s/rg", "s/rg-dr"]);
    expect(single).toEqual([NEU]);
    expect(weu).toMatchObject({ status: "unhealthy", resourceId: WEU, attributes: { state: "Unavailable", cause: "PlatformInitiated", reasonType: "Unplanned" } });
    expect(neu).toMatchObject({ status: "healthy", resourceId: NEU });
    expect(other).toMatchObject({ status: "degraded", resourceId: OTHER_GROUP });
  });

  it("reads the services of a group whose list failed one by one, and stops listing a group refused for good for an hour", async () => {
    let now = Date.UTC(2026, 11, 1, 9, 0, 0);
    const movingClock: Clock = { now: () => now, sleep: async () => undefined };
    let lists = 0;
    let single = 0;
    let listError: Error = new Error("429 TooManyRequests");
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
      ],
      {
        clock: movingClock,
        resourceHealth: {
          currentAvailability: async () => {
            single++;
            return { state: "Available", summary: "fine" };
          },
          availabilityInGroup: async () => {
            lists++;
            throw listError;
          },
        },
      },
    );
    // A transient failure: this round falls back to reads per service, the next round lists again.
    expect((await poller.pollOnce()).map((s) => s.status)).toEqual(["healthy", "healthy"]);
    expect([lists, single]).toEqual([1, 2]);
    // Refused (Reader on the services only, not on their group): read per service, and not listed again for an hour.
    listError = new AzureOperationError("listing the Resource Health of resource group rg failed: AuthorizationFailed", "AuthorizationFailed", 403, false);
    await poller.pollOnce();
    expect([lists, single]).toEqual([2, 4]);
    now += 59 * 60_000;
    await poller.pollOnce();
    expect([lists, single]).toEqual([2, 6]);
    now += 2 * 60_000;
    await poller.pollOnce();
    expect(lists).toBe(3);
  });
});

describe("Resource Health poller: a suspicion brings the next round forward", () => {
  const hubRecord = (resourceId: string, observedAt = "2026-12-01T09:00:00.000Z") =>
    ({ id: `rh:${observedAt}`, kind: "health", channel: "eventHubs", source: "resourceHealth", resourceId, region: "westeurope", status: "unhealthy", observedAt, summary: "Unavailable" }) as const;

  async function started(state: { current: "Available" | "Unavailable" }) {
    const reads: number[] = [];
    const abort = new AbortController();
    const poller = new ResourceHealthPoller([{ serviceId: WEU, region: "westeurope" }], {
      clock: systemClock(),
      intervalMs: 3_600_000,
      resourceHealth: {
        currentAvailability: async () => {
          reads.push(Date.now());
          return { state: state.current, summary: state.current };
        },
      },
    });
    const emitted: string[] = [];
    const done = runPoller(poller, { intervalMs: 3_600_000, clock: systemClock(), signal: abort.signal, emit: (s) => emitted.push(s.status), early: poller.early });
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    return { poller, reads, emitted, stop: () => (abort.abort(), done) };
  }

  it("reads at once (not an hour later) when the hub says a service it read healthy is unhealthy, once per source and interval", async () => {
    const state: { current: "Available" | "Unavailable" } = { current: "Available" };
    const run = await started(state);
    state.current = "Unavailable";
    run.poller.suspect(hubRecord(WEU));
    await vi.waitFor(() => expect(run.emitted).toEqual(["healthy", "unhealthy"]));
    // Read down now: nothing left to confirm, whatever else arrives.
    run.poller.suspect(hubRecord(WEU, "2026-12-01T09:00:05.000Z"));
    await new Promise((r) => setTimeout(r, 700));
    expect(run.reads).toHaveLength(2);
    await run.stop();
  });

  it("is not brought forward by its own reads, by other services, or twice by one source within an interval", async () => {
    const state = { current: "Available" as const };
    const run = await started(state);
    run.poller.suspect({ ...hubRecord(WEU), channel: "arm" });
    run.poller.suspect(hubRecord(NEU));
    run.poller.suspect({ ...hubRecord(WEU), status: "degraded" });
    await new Promise((r) => setTimeout(r, 700));
    expect(run.reads).toHaveLength(1);
    run.poller.suspect(hubRecord(WEU));
    await vi.waitFor(() => expect(run.reads).toHaveLength(2));
    // Still read healthy, but this source already asked this interval: a forged flood costs one read, not one per event.
    for (let i = 0; i < 20; i++) run.poller.suspect(hubRecord(WEU, `2026-12-01T09:00:${String(10 + i).padStart(2, "0")}.000Z`));
    await new Promise((r) => setTimeout(r, 700));
    expect(run.reads).toHaveLength(2);
    // Another channel (the controller's own probes) is new evidence.
    run.poller.suspect({ ...hubRecord(WEU), channel: "probe", source: "probe" });
    await vi.waitFor(() => expect(run.reads).toHaveLength(3));
    await run.stop();
  });
});
