import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointedUpTo, deadLetteredEvents, decodedEvents, enqueued, sendHealthSignals } from "./intake.js";
import { startDaemonWorld, waitFor, type DaemonWorld } from "./world.js";

/**
 * issue 14, item 5: after kill -9 the restarted daemon (same owner id) takes its partitions back and evaluates every
 * event sent after the restart. Speed is measured by `npm run bench:intake-restart`, not here.
 */
describe("Event Hubs intake after kill -9 and a restart", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    world = await startDaemonWorld();
    await world.daemon.start();
    await world.waitForPair("monitoring", (p) => p.state === "monitoring.healthy", 60_000);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("every event sent after the restart is evaluated: none lost", async () => {
    // Intake runs and has checkpointed everything so far.
    const before = await sendHealthSignals(world.sim, 8);
    await waitFor("the first events to be checkpointed", async () => ((await checkpointedUpTo(world.sim, enqueued(world.sim))) ? true : undefined), 60_000);
    expect(await decodedEvents(world)).toBeGreaterThanOrEqual(8);
    expect(before.size).toBeGreaterThan(1); // spread over several partitions

    expect((await world.daemon.signal("SIGKILL")).signal).toBe("SIGKILL");
    await world.daemon.start();
    const sent = await sendHealthSignals(world.sim, 30);

    // Checkpointed past every event sent: the new process handled each of them (a partition is read in order).
    await waitFor("the events sent after the restart to be checkpointed", async () => ((await checkpointedUpTo(world.sim, sent)) ? true : undefined), 120_000, () => `sent up to ${JSON.stringify([...sent])}`);
    expect(await decodedEvents(world)).toBeGreaterThanOrEqual(30);
    expect(await deadLetteredEvents(world)).toBe(0);
    // It took its partitions back under its own owner id, not after the old claims expired.
    const released = world.daemon.logLines().filter((l) => String(l.msg).includes("cannot release this replica's partitions"));
    expect(released).toEqual([]);
    const pair = await world.pair();
    expect(pair.health.primary.verdict).toBe("healthy");
  }, 240_000);
});
