import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { startTcpProxy } from "../../support/tcp-proxy.js";
import { checkpointedUpTo, decodedEvents, enqueued, sendHealthSignals } from "./intake.js";
import { startDaemonWorldWithCuttableStore, waitFor, type DaemonWorld } from "./world.js";

/**
 * issue 14, item 5: the checkpoint store (the state account's blob endpoint, here behind a proxy the test cuts) does
 * not answer: connections are accepted and never answered, as when packets are dropped, so every request waits for
 * its timeout. The daemon keeps receiving and evaluating: health signals are taken in and configuration changes get
 * their backups while the account is cut; once it answers again the checkpoints catch up with everything received.
 */
describe("Event Hubs intake while the checkpoint account is unreachable", () => {
  let world: DaemonWorld;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    ({ world, proxy } = await startDaemonWorldWithCuttableStore());
  });
  afterAll(async () => {
    await world?.stop();
    await proxy?.close();
  });

  const backups = () => world.sim.stats().services[world.primaryName]!.backups.succeeded;

  it("keeps evaluating change and health signals while cut, and checkpoints catch up afterwards", async () => {
    await sendHealthSignals(world.sim, 4);
    await waitFor("intake to be checkpointed", async () => ((await checkpointedUpTo(world.sim, enqueued(world.sim))) ? true : undefined), 60_000);
    const decodedBefore = await decodedEvents(world);
    const backupsBefore = backups();

    proxy.down({ silent: true });
    world.sim.change(world.primaryName, 1);
    const sent = await sendHealthSignals(world.sim, 30);
    // Evaluated while cut: every event sent was taken in, and the change got its backup.
    await waitFor("the events sent while cut to be taken in", async () => ((await decodedEvents(world)) >= decodedBefore + 30 ? true : undefined), 60_000, () => `decoded ${decodedBefore} before the cut`);
    await waitFor("the change-triggered backup while cut", () => (backups() > backupsBefore ? true : undefined), 90_000);
    world.sim.change(world.primaryName, 1);
    await waitFor("the second change's backup while cut", () => (backups() > backupsBefore + 1 ? true : undefined), 90_000);
    expect(await checkpointedUpTo(world.sim, sent)).toBe(false); // nothing got through to the account
    // The stream waited for a change to be stored once, not again for every later batch carrying a change.
    const waits = world.daemon.logLines().filter((l) => String(l.msg).startsWith("a configuration change is not yet stored"));
    expect(waits.map((l) => l.msg)).toEqual([
      "a configuration change is not yet stored with the pair state (the state store does not answer); the event stream moves on without waiting for the store again until it answers",
    ]);

    proxy.up();
    const all = enqueued(world.sim);
    await waitFor("the checkpoints to catch up", async () => ((await checkpointedUpTo(world.sim, all)) ? true : undefined), 120_000);
    expect((await world.pair()).health.primary.verdict).toBe("healthy");
  }, 360_000);
});
