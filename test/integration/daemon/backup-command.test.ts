import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIR, startDaemonWorld, type DaemonWorld } from "./world.js";

const lines = (text: string) => text.split("\n").filter((l) => l.trim());

describe("apim-dr backup", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    // A slow restore keeps the failover of the second test in failingOver.restoring long enough to ask.
    world = await startDaemonWorld({ sim: { restoreDurationMs: 30_000 } });
    await world.daemon.start();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("protects a fresh install at once: backs up the active instance, shows progress, and status then counts it", async () => {
    expect((await world.pair()).backup).toMatchObject({ latest: null, breached: true, protects: "apim-contoso-weu" });
    const before = world.sim.stats().services[world.primaryName]!.backups.succeeded;
    const result = await world.cli(["backup", "--pair", PAIR, "--yes", "--reason", "first backup"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out[0]).toBe(`backup ${PAIR}: a backup of the active instance apim-contoso-weu into container apim-backups now`);
    expect(out[1]).toBe(`backup accepted: ${PAIR} is now monitoring.healthy`);
    expect(out.at(-1)).toMatch(/^contoso: backup apim-contoso-weu-\d{8}T\d{9}Z\.apimbackup of apim-contoso-weu completed; within RPO: /);
    expect(world.sim.stats().services[world.primaryName]!.backups.succeeded).toBe(before + 1);
    const status = await world.pair();
    expect(status.backup).toMatchObject({ breached: false, unbackedChanges: 0, unverified: [] });
    const audit = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(audit.some((l) => l.includes("operator.backupRequested") && l.includes("first backup"))).toBe(true);
  });

  it("refuses a backup while a failover drives the services, naming the state", async () => {
    await world.sim.fault("region-outage", { region: "westeurope" }, { managementPlane: "down" });
    await world.waitForPair("the restore to start", (p) => p.state === "failingOver.restoring", 60_000);
    const result = await world.cli(["backup", "--pair", PAIR, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no backup while the pair is failingOver\.restoring: a failover or failback drives the services .*\(state failingOver\.restoring; accepts: abort\)/);
  });
});
