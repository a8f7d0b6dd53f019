import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/ports/state.js";
import type { PairStatus } from "../../../src/server/controller-api.js";
import { PAIR, startDaemonWorld, type DaemonWorld } from "./world.js";

const lines = (text: string) => text.split("\n").filter((l) => l.trim());

describe("apim-dr failover, status, failback and audit against a running daemon", () => {
  let world: DaemonWorld;
  let primaryHost: string;
  let standbyHost: string;
  beforeAll(async () => {
    world = await startDaemonWorld();
    primaryHost = world.sim.services.primary.gatewayHost;
    standbyHost = world.sim.services.standby.gatewayHost;
    await world.daemon.start();
    // A planned failover restores the newest backup: let a configuration change produce one.
    world.sim.change(world.primaryName, 1);
    await world.waitForPair("the change-triggered backup", (p) => p.backup.latest !== null, 60_000);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("failover --planned --yes shows the plan, then progress until failedOver, and the standby serves", async () => {
    const run = await world.cli(["failover", "--pair", PAIR, "--planned", "--yes", "--reason", "planned maintenance of westeurope"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out.slice(0, 5)).toEqual([
      `failover ${PAIR}: from apim-contoso-weu (westeurope) to apim-contoso-neu (northeurope)`,
      // A planned failover loses nothing: it backs the primary up first.
      expect.stringMatching(
        /^ {2}backup: a fresh backup of apim-contoso-weu first \(planned failover: taking a fresh backup of the primary first, so no change is lost; if the primary's management plane does not answer: backup apim-contoso-weu-\S+\.apimbackup is .+ old, within the RPO of 1h\)$/,
      ),
      "  restore: into apim-contoso-neu",
      "  verify: apim-contoso-neu's gateway answers for api.contoso.example",
      `  DNS: CNAME api.contoso.example ${primaryHost} -> ${standbyHost} (TTL 60 s)`,
    ]);
    expect(out[5]).toBe(`failover accepted: ${PAIR} is now failingOver.checkingBackup`);
    const progress = out.slice(6, -1);
    expect(progress.some((l) => l.startsWith("  failingOver.takingFreshBackup — "))).toBe(true);
    expect(progress.some((l) => l.startsWith("  failingOver.restoring — "))).toBe(true);
    expect(progress.at(-1)).toMatch(/^ {2}failedOver/);
    expect(out.at(-1)).toMatch(/^contoso: failedOver — cutover verified, the standby serves traffic: CNAME api → apim-contoso-neu\.azure-api\.net; gateway \S+ answered HTTP 200 for api\.contoso\.example/);

    const stats = world.sim.stats();
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: standbyHost, writes: 1 });
    expect(stats.services[world.standbyName]!.restores).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(stats.services[world.standbyName]!.restoredFromServiceId).toBe(world.sim.services.primary.id);
    expect(stats.services[world.primaryName]!.restores.started).toBe(0);
    // The standby holds the primary's newest revision: the fresh backup was restored.
    expect(stats.services[world.standbyName]!.restoredFromRevision).toBe(stats.services[world.primaryName]!.revision);
  });

  it("status shows the failed-over pair in text and as JSON, and /metrics counts the failover", async () => {
    const text = await world.cli(["status"]);
    expect(text.code).toBe(0);
    const out = lines(text.stdout);
    expect(out[0]).toBe(`${PAIR}: failedOver   active region: northeurope`);
    expect(out).toContain("  accepts: failback, pause, backup");
    expect(out.find((l) => l.startsWith("  last decision: "))).toMatch(/^ {2}last decision: failedOver — cutover verified, the standby serves traffic/);
    // Backups now protect the standby, which serves traffic; its state is the backup restored into it.
    expect(out.find((l) => l.startsWith("  backup of "))).toMatch(/^ {2}backup of apim-contoso-neu: apim-contoso-weu-\S+\.apimbackup, age \d+s \/ RPO /);

    const all = await world.cli(["status", "--json"]);
    expect(all.code).toBe(0);
    const { pairs } = JSON.parse(all.stdout) as { pairs: PairStatus[] };
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ name: PAIR, state: "failedOver", activeRegion: "northeurope", accepts: ["failback", "pause", "backup"], lastDecision: { verdict: "failedOver", state: "failingOver.verifyingCutover" } });
    const one = await world.cli(["status", "--pair", PAIR, "--json"]);
    expect(JSON.parse(one.stdout)).toMatchObject({ name: PAIR, state: "failedOver" });

    const metrics = (await world.api("/metrics")).text;
    expect(metrics).toMatch(/^apim_dr_failovers_total\{pair="contoso"\} 1$/m);
    expect(metrics).toMatch(/^apim_dr_pair_state\{pair="contoso",state="failedOver"\} 1$/m);
    expect(metrics).toMatch(/^apim_dr_pair_active_region\{pair="contoso",region="northeurope"\} 1$/m);
    // Settled: no operation in flight.
    expect(pairs[0]!.operation).toBeNull();
  });

  it("failback --yes runs end to end back to monitoring: 2 restores and 2 DNS writes in total", async () => {
    const run = await world.cli(["failback", "--pair", PAIR, "--yes", "--reason", "maintenance over"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out.slice(0, 5)).toEqual([
      `failback ${PAIR}: from apim-contoso-neu (northeurope) back to apim-contoso-weu (westeurope)`,
      "  backup: a fresh backup of apim-contoso-neu first (it serves traffic: every change made while failed over is kept)",
      "  restore: into apim-contoso-weu (its configuration is replaced)",
      "  verify: apim-contoso-weu's gateway answers for api.contoso.example",
      `  DNS: CNAME api.contoso.example ${standbyHost} -> ${primaryHost} (TTL 60 s)`,
    ]);
    expect(out[5]).toBe(`failback accepted: ${PAIR} is now failingBack.checkingPrimary`);
    expect(out.some((l) => l.startsWith("  failingBack.restoringPrimary — "))).toBe(true);
    expect(out.at(-1)).toMatch(/^contoso: monitoring\.healthy — failback verified, the primary serves traffic: CNAME api → apim-contoso-weu\.azure-api\.net/);

    const stats = world.sim.stats();
    const restores = Object.values(stats.services).reduce((n, s) => n + s.restores.started, 0);
    expect(restores).toBe(2);
    expect(stats.services[world.primaryName]!.restores).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(stats.services[world.primaryName]!.restoredFromServiceId).toBe(world.sim.services.standby.id);
    expect(stats.services[world.standbyName]!.backups.succeeded).toBe(1);
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: primaryHost, writes: 2 });
    expect(await world.pair()).toMatchObject({ state: "monitoring.healthy", activeRegion: "westeurope", accepts: ["failover", "pause", "backup"] });
  });

  it("audit --pair shows the operator commands with their reasons and every transition, in order", async () => {
    const text = await world.cli(["audit", "--pair", PAIR]);
    expect(text.code).toBe(0);
    const out = lines(text.stdout);
    const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}contoso {2}/;
    expect(out.every((l) => at.test(l))).toBe(true);
    const body = out.map((l) => l.replace(at, ""));
    expect(body).toContain("operator by ops-tester: monitoring.healthy — operator.failoverRequested — planned maintenance of westeurope");
    expect(body).toContain("operator by ops-tester: failedOver — operator.failbackRequested — maintenance over");
    expect(body).toContain("decision: monitoring — failover — operator ops-tester requested a planned failover (planned maintenance of westeurope): starting failover (operator failovers are not braked)");

    const json = await world.cli(["audit", "--pair", PAIR, "--json"]);
    const entries = lines(json.stdout).map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.every((e) => e.pair === PAIR)).toBe(true);
    // From the operator's request on (health may have wavered before it on a loaded machine: that is not this test's concern).
    const trail = entries
      .filter((e) => e.type === "transition" || e.type === "operator")
      .map((e) => (e.type === "operator" ? `operator ${e.verdict}` : e.state))
      .filter((_, i, all) => i >= all.indexOf("operator operator.failoverRequested"));
    expect(trail).toEqual([
      "operator operator.failoverRequested",
      "failingOver.checkingBackup",
      "failingOver.takingFreshBackup",
      "failingOver.restoring",
      "failingOver.verifyingStandby",
      "failingOver.switchingDns",
      "failingOver.verifyingCutover",
      "failedOver",
      "operator operator.failbackRequested",
      "failingBack.checkingPrimary",
      "failingBack.backingUpActive",
      "failingBack.restoringPrimary",
      "failingBack.verifyingPrimary",
      "failingBack.switchingDnsBack",
      "failingBack.verifyingCutover",
      "monitoring.healthy",
    ]);
    expect(entries.find((e) => e.type === "transition" && e.state === "failingOver.checkingBackup")?.detail).toEqual({ from: "monitoring.healthy" });
  });

  it("audit names the Azure operation of each backup and restore the failover and failback started", async () => {
    const entries = lines((await world.cli(["audit", "--pair", PAIR, "--json"])).stdout).map((l) => JSON.parse(l) as AuditEntry);
    // The operations the failover and failback started (the scheduled and change-triggered backups run in monitoring).
    const operations = entries.filter((e) => e.type === "operation" && /^failing/.test(e.state ?? "") && e.verdict !== "backupCompleted");
    expect(operations.map((e) => [e.state, e.verdict])).toEqual([
      ["failingOver.takingFreshBackup", "backupStarted"],
      ["failingOver.restoring", "restoreStarted"],
      ["failingBack.backingUpActive", "backupStarted"],
      ["failingBack.restoringPrimary", "restoreStarted"],
    ]);
    // The ARM operation URL of the simulator's management endpoint, which an operator can look up.
    for (const op of operations) expect(op.operationId?.startsWith(world.sim.armEndpoint)).toBe(true);
    const text = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(text.filter((l) => / operation: failingOver\.restoring — restoreStarted — restore \S+ on \S+apim-contoso-neu \[https:\/\//.test(l))).toHaveLength(1);
  });
});
