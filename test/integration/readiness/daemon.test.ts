import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PairReadiness } from "../../../src/readiness/render.js";
import type { CutoverPlan } from "../../../src/runtime/plan.js";
import type { AuditEntry } from "../../../src/ports/state.js";
import { execCli } from "../daemon/daemon.js";
import { PAIR, startDaemonWorld, waitFor, type DaemonWorld } from "../daemon/world.js";

/** `apim-dr run` keeps readiness current (every readiness.intervalSeconds: 5 s in config/sim.yaml) and serves it. */
describe("continuous readiness in the daemon", () => {
  let world: DaemonWorld;
  const readiness = async () => (await world.api(`/pairs/${PAIR}/readiness`)).json() as PairReadiness;
  const check = (r: PairReadiness, name: string) => r.checks.find((c) => c.check === name)!;

  beforeAll(async () => {
    world = await startDaemonWorld();
    await world.daemon.start();
    // The readiness of a pair counts its newest backup: take one as an operator would after deploying.
    expect((await world.cli(["backup", "--pair", PAIR, "--yes", "--json"])).code).toBe(0);
  }, 180_000);
  afterAll(() => world?.stop());

  it("serves every check READY for the healthy world, exports it and shows it in status", async () => {
    const ready = await waitFor("every check READY", async () => {
      const r = await world.api(`/pairs/${PAIR}/readiness`);
      if (r.status !== 200) return undefined;
      const body = r.json() as PairReadiness;
      return body.status === "READY" ? body : undefined;
    }, 60_000);
    expect(ready.checks.map((c) => c.check)).toContain("signals");
    expect(check(ready, "signals").evidence).toMatch(/eventHubs .*, probes \d+ s ago/);
    const metrics = (await world.api("/metrics")).text;
    expect(metrics).toContain('apim_dr_readiness{pair="contoso",check="drift"} 1');
    const status = await world.cli(["status", "--pair", PAIR]);
    expect(status.stdout).toMatch(/readiness: 13\/13 READY \(checked /);
  }, 90_000);

  it("a protocol setting changed on the standby is reported within one interval: API, metric, status, audit", async () => {
    await world.sim.breakPrecondition("protocol-setting");
    const r = await waitFor("drift NOT READY", async () => {
      const body = await readiness();
      return check(body, "drift").status === "NOT READY" ? body : undefined;
    }, 30_000);
    expect(check(r, "drift").evidence).toBe("1 difference(s) in settings no backup carries: Security.Protocols.Tls11: apim-contoso-weu False, apim-contoso-neu True");
    expect((await world.api("/metrics")).text).toContain('apim_dr_readiness{pair="contoso",check="drift"} 0');
    expect((await world.cli(["status", "--pair", PAIR])).stdout).toMatch(/readiness: 12\/13 READY; NOT READY: drift/);
    const audit = (await world.api(`/audit?pair=${PAIR}`)).json() as { entries: AuditEntry[] };
    const entry = audit.entries.find((e) => e.type === "readiness" && e.detail?.check === "drift");
    expect(entry).toMatchObject({ verdict: "NOT READY", detail: { check: "drift", from: "READY", to: "NOT READY" }, reason: expect.stringContaining("Tls11") });
  }, 60_000);

  it("apim-dr plan shows the backup, restore, DNS change and the NOT READY check, changing nothing", async () => {
    const before = world.sim.stats();
    const run = await world.cli(["plan", "--pair", PAIR]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^failover contoso: from apim-contoso-weu \(westeurope\) to apim-contoso-neu \(northeurope\)/);
    expect(run.stdout).toMatch(/newest backup: apim-contoso-weu-\S+\.apimbackup, \d+ min old, RPO 60 min met, expires 20/);
    expect(run.stdout).toMatch(/expected restore: 30 s \(default readiness.expectedRestoreMinutes \(0.5 min\): no restore seen yet\)/);
    expect(run.stdout).toContain("DNS: CNAME api.contoso.example apim-contoso-weu.azure-api.net -> apim-contoso-neu.azure-api.net (TTL 60 s)");
    expect(run.stdout).toMatch(/NOT READY: drift: 1 difference/);
    const json = JSON.parse((await world.cli(["plan", "--pair", PAIR, "--json"])).stdout) as CutoverPlan;
    expect(json.notReady?.map((c) => c.check)).toEqual(["drift"]);
    expect(json.dns).toEqual({ record: "api.contoso.example", from: "apim-contoso-weu.azure-api.net", to: "apim-contoso-neu.azure-api.net", ttlSeconds: 60 });
    const after = world.sim.stats();
    expect(after.dns).toEqual(before.dns);
    expect(Object.values(after.services).map((s) => s.restores.started)).toEqual(Object.values(before.services).map((s) => s.restores.started));
  }, 60_000);

  it("apim-dr check (no daemon) exits 1 naming the NOT READY check and its fix, 0 once repaired, 2 for bad usage", async () => {
    const env = { ...process.env, ...world.daemon.env };
    const broken = await execCli(["check", "--config", world.daemon.configPath], env);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/drift\s+NOT READY\s+1 difference\(s\)/);
    expect(broken.stdout).toMatch(/fix: make apim-contoso-neu match apim-contoso-weu/);
    await world.sim.repair();
    const repaired = await execCli(["check", "--config", world.daemon.configPath, "--json", "--pair", PAIR], env);
    expect(repaired.code).toBe(0);
    expect((JSON.parse(repaired.stdout) as PairReadiness).status).toBe("READY");
    const bad = await execCli(["check", "--config", world.daemon.configPath, "--pair", "nope"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("no pair named 'nope'");
  }, 120_000);
});
