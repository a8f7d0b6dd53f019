import { describe, expect, it } from "vitest";
import { systemClock } from "../../../src/ports/clock.js";

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
