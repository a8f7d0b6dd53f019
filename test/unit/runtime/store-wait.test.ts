import { describe, expect, it } from "vitest";
import { StoreWait } from "../../../src/runtime/store-wait.js";
import { ManualClock, settle } from "../../support/fakes/index.js";

/** A store write the test completes by hand. */
function pendingWrite() {
  let done: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (done = resolve));
  return { promise, done };
}

describe("waiting for a change to be stored before the event stream moves on", () => {
  it("waits once per outage: after a timed-out wait, later changes move on at once until the store answers", async () => {
    const clock = new ManualClock();
    const wait = new StoreWait(clock, 5_000);

    const stuck = pendingWrite();
    const first = wait.wait(() => stuck.promise);
    await settle();
    await clock.advance(5_000);
    expect(await first).toBe("timedOut");

    // The store still does not answer: no second 5 s hold of the partition's intake.
    let writesAsked = 0;
    expect(
      await wait.wait(() => {
        writesAsked++;
        return new Promise(() => undefined);
      }),
    ).toBe("skipped");
    expect(writesAsked).toBe(0);

    // The store answers again: the next change is waited for as before.
    stuck.done();
    await settle();
    expect(await wait.wait(async () => undefined)).toBe("stored");
    const slow = pendingWrite();
    const again = wait.wait(() => slow.promise);
    await settle();
    await clock.advance(5_000);
    expect(await again).toBe("timedOut");
  });
});
