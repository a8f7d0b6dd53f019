import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/ports/state.js";
import { PAIR, sleep, startDaemonWorld, waitFor, type DaemonWorld } from "./world.js";

describe("apim-dr run replays the hub after a restart without moving a verdict backwards", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    world = await startDaemonWorld();
    await world.daemon.start();
    world.sim.change(world.primaryName, 1);
    await world.waitForPair("the change-triggered backup", (p) => p.backup.latest !== null, 60_000);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("a whole outage and its recovery, still unconsumed in the hub at the restart, end healthy: no escalation, no failover", async () => {
    expect((await world.daemon.signal("SIGTERM")).code).toBe(0);

    // While the controller is down the primary region goes down and comes back; Azure reports both on the hub.
    const publishedBefore = world.sim.eventHubs.stats().published;
    await world.sim.fault("region-outage", { region: world.sim.services.primary.region }, { managementPlane: "down" });
    await sleep(3_000); // the Resource Health reports of the outage (2 s lag)
    world.sim.clearFault("region-outage", { region: world.sim.services.primary.region });
    await sleep(7_000); // and of the recovery, Service Health included (5 s lag)
    expect(world.sim.eventHubs.stats().published - publishedBefore).toBeGreaterThanOrEqual(10);

    const restartedAt = new Date().toISOString();
    await world.daemon.start();
    await waitFor("the replay to finish", () => (world.daemon.logLines().some((l) => typeof l.msg === "string" && l.msg.startsWith("event stream replay done")) ? true : undefined), 60_000);
    const settled = await world.waitForPair("the primary to be judged healthy", (p) => p.health.primary.verdict === "healthy", 60_000);
    await sleep(5_000); // anything the replay could still set off would show by now (3 s confirmation window)

    const pair = await world.pair();
    expect(pair.state).toBe("monitoring.healthy");
    expect(settled.health.primary.reason).toMatch(/^healthy: /);
    const audit = ((await world.api(`/audit?pair=${PAIR}`)).json() as { entries: AuditEntry[] }).entries;
    const since = audit.filter((e) => e.at >= restartedAt);
    expect(since.filter((e) => e.type === "transition").map((e) => `${e.state}: ${e.reason}`)).toEqual([]);
    const stats = world.sim.stats();
    expect(stats.services[world.standbyName]!.restores.started).toBe(0);
    expect(stats.dns["api.contoso.example"]!.writes).toBe(0);
  });
});
