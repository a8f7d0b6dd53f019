import { describe, expect, it } from "vitest";
import { getEventListeners } from "node:events";
import { repeatEvery, settlesWithin, systemClock } from "../../../src/ports/clock.js";
import { ManualClock } from "../../support/fakes/clock.js";

describe("systemClock", () => {
  it("a sleep longer than setTimeout's 24.8-day limit does not end early", async () => {
    const controller = new AbortController();
    const outcome = systemClock()
      .sleep(31 * 24 * 60 * 60_000, controller.signal)
      .then(
        () => "resolved",
        (reason: unknown) => String(reason),
      );
    // A single overflowing timer would fire after 1 ms; give it many times that before aborting.
    await new Promise((r) => setTimeout(r, 50));
    controller.abort("aborted");
    expect(await outcome).toBe("aborted");
  });

  it("a short sleep resolves, and a scaled clock sleeps scaled time", async () => {
    const clock = systemClock(1000);
    const before = clock.now();
    await clock.sleep(5_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(5_000);
  });
});

describe("abort listeners (a long-running controller must not pile them up on its stop signal)", () => {
  const listeners = (signal: AbortSignal) => getEventListeners(signal, "abort").length;

  it("a sleep that resolves removes its listener; one that is aborted leaves none either", async () => {
    const stop = new AbortController();
    const clock = systemClock();
    const sleeping = clock.sleep(0, stop.signal);
    expect(listeners(stop.signal)).toBe(1);
    await sleeping;
    expect(listeners(stop.signal)).toBe(0);

    const aborted = clock.sleep(60_000, stop.signal).catch(() => "aborted");
    stop.abort();
    expect(await aborted).toBe("aborted");
    expect(listeners(stop.signal)).toBe(0);
  });

  it("repeatEvery holds at most one listener on the signal however many rounds it runs, and none once stopped", async () => {
    const stop = new AbortController();
    let rounds = 0;
    let most = 0;
    const loop = repeatEvery(
      systemClock(),
      0,
      stop.signal,
      () => {
        rounds++;
        most = Math.max(most, listeners(stop.signal));
        if (rounds === 200) stop.abort();
      },
      () => undefined,
    );
    await loop;
    expect(rounds).toBe(200);
    expect(most).toBe(0); // between rounds the sleep has resolved and taken its listener away
    expect(listeners(stop.signal)).toBe(0);
  });

  it("settlesWithin leaves no listener behind, whether the promise wins or the time runs out", async () => {
    const clock = new ManualClock();
    const pendingBefore = clock.pendingSleeps;
    expect(await settlesWithin(clock, 1_000, Promise.resolve())).toBe(true);
    expect(clock.pendingSleeps).toBe(pendingBefore);
  });
});
