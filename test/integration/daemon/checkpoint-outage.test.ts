import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpProxy } from "../../support/tcp-proxy.js";
import { checkpointedUpTo, decodedEvents, enqueued, sendHealthSignals } from "./intake.js";
import { startDaemonWorld, waitFor, type DaemonWorld } from "./world.js";

/**
 * issue 14, item 5: the checkpoint store (the state account's blob endpoint, here behind a proxy the test cuts) does
 * not answer. The daemon keeps receiving and evaluating: health signals are taken in and a configuration change gets
 * its backup while the account is cut; once it answers again the checkpoints catch up with everything received.
 */
describe("Event Hubs intake while the checkpoint account is unreachable", () => {
  let world: DaemonWorld;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    world = await startDaemonWorld({
      stateStoreEndpoint: async (sim) => {
        const azurite = new URL(sim.storage.blobEndpoint);
        proxy = await startTcpProxy({ host: azurite.hostname, port: Number(azurite.port) });
        return `http://127.0.0.1:${proxy.port}${azurite.pathname}`;
      },
    });
    await world.daemon.start();
    await world.waitForPair("monitoring", (p) => p.state === "monitoring.healthy", 60_000);
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

    proxy.down();
    world.sim.change(world.primaryName, 1);
    const sent = await sendHealthSignals(world.sim, 30);
    // Evaluated while cut: every event sent was taken in, and the change got its backup.
    await waitFor("the events sent while cut to be taken in", async () => ((await decodedEvents(world)) >= decodedBefore + 30 ? true : undefined), 60_000, () => `decoded ${decodedBefore} before the cut`);
    await waitFor("the change-triggered backup while cut", () => (backups() > backupsBefore ? true : undefined), 90_000);
    world.sim.change(world.primaryName, 1);
    await waitFor("the second change's backup while cut", () => (backups() > backupsBefore + 1 ? true : undefined), 90_000);
    expect(await checkpointedUpTo(world.sim, sent)).toBe(false); // nothing got through to the account

    proxy.up();
    const all = enqueued(world.sim);
    await waitFor("the checkpoints to catch up", async () => ((await checkpointedUpTo(world.sim, all)) ? true : undefined), 120_000);
    expect((await world.pair()).health.primary.verdict).toBe("healthy");
  }, 360_000);
});
