import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PairStatus } from "../../../src/server/controller-api.js";
import { PAIR, startDaemonWorld, waitFor, type DaemonWorld } from "./world.js";

/** The value of one Prometheus sample, or undefined when the exposition has no such line. */
function sample(metrics: string, line: RegExp): number | undefined {
  const match = new RegExp(`^${line.source} (\\S+)$`, "m").exec(metrics);
  return match ? Number(match[1]) : undefined;
}

describe("apim-dr run: admin API and logs", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    world = await startDaemonWorld();
    await world.daemon.start();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("announces its admin URL in exactly one line and answers /healthz", async () => {
    const announcements = world.daemon.output.split("\n").filter((l) => l.includes("admin api listening on"));
    expect(announcements).toHaveLength(1);
    expect(announcements[0]).toContain(`admin api listening on ${world.daemon.url}`);
    expect(world.daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await world.api("/healthz");
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: "ok", problems: [] });
  });

  it("GET /pairs and /pairs/contoso describe the pair: state, region, health per region, backup against the RPO", async () => {
    const list = (await world.api("/pairs")).json() as { pairs: PairStatus[] };
    expect(list.pairs.map((p) => p.name)).toEqual([PAIR]);

    // A configuration change on the primary triggers a backup; the pair then reports it against the RPO.
    world.sim.change(world.primaryName, 1);
    const pair = await world.waitForPair("the change-triggered backup to show in the pair status", (p) => p.backup.latest !== null, 60_000);
    expect(world.sim.stats().services[world.primaryName]!.backups.succeeded).toBe(1);
    expect(pair).toMatchObject({
      name: PAIR,
      state: "monitoring.healthy",
      activeRegion: "westeurope",
      backup: { latest: expect.stringMatching(/\.apimbackup$/), rpoMs: 3_600_000, breached: false, unbackedChanges: 0, reason: expect.stringMatching(/^within RPO: /), protects: "apim-contoso-weu", unverified: [] },
      health: {
        primary: { region: "westeurope", verdict: "healthy", reason: expect.stringContaining("independent sources report healthy") },
        standby: { region: "northeurope", verdict: "healthy" },
        observerImpaired: false,
      },
      operation: null,
      accepts: ["failover", "pause", "backup"],
    });
    expect(pair.backup.ageMs).toBeGreaterThanOrEqual(0);
    expect(pair.backup.ageMs).toBeLessThan(pair.backup.rpoMs);
    expect(list.pairs[0]).toMatchObject({ name: PAIR, state: "monitoring.healthy" });

    const unknown = await world.api("/pairs/fabrikam");
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ error: "no pair named 'fabrikam'; known pairs: contoso" });
  });

  it("refuses operator calls without the bearer token or with a wrong one (401), through the API and the CLI", async () => {
    const none = await world.api(`/pairs/${PAIR}/pause`, { method: "POST", token: false });
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ error: "missing bearer token: send 'Authorization: Bearer <token>' (the CLI reads APIM_DR_ADMIN_TOKEN)" });
    const wrong = await world.api(`/pairs/${PAIR}/pause`, { method: "POST", token: `${world.token}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: "invalid bearer token: it does not match the controller's APIM_DR_ADMIN_TOKEN" });

    const cliWrong = await world.cli(["pause", "--pair", PAIR, "--yes"], { APIM_DR_ADMIN_TOKEN: "not-the-token" });
    expect(cliWrong.code).toBe(1);
    expect(cliWrong.stderr.trim()).toBe("apim-dr pause: invalid bearer token: it does not match the controller's APIM_DR_ADMIN_TOKEN");
    const cliNone = await world.cli(["pause", "--pair", PAIR, "--yes"], { APIM_DR_ADMIN_TOKEN: "" });
    expect(cliNone.code).toBe(2);
    expect(cliNone.stderr.trim()).toBe("apim-dr pause: APIM_DR_ADMIN_TOKEN is not set: export the controller's admin token before running 'pause'");
    expect((await world.pair()).state).toBe("monitoring.healthy");
  });

  it("sends nothing when the CLI cannot ask for confirmation and --yes is missing", async () => {
    const run = await world.cli(["failover", "--pair", PAIR, "--reason", "no confirmation"]);
    expect(run.code).toBe(2);
    expect(run.stdout.split("\n")[0]).toBe(`failover ${PAIR}: from apim-contoso-weu (westeurope) to apim-contoso-neu (northeurope)`);
    expect(run.stderr.trim()).toBe(`apim-dr failover: not a terminal, so nothing was asked or sent: pass --yes to failover ${PAIR}`);
    expect((await world.pair()).state).toBe("monitoring.healthy");
    expect((await world.cli(["audit", "--pair", PAIR, "--json"])).stdout).not.toContain("operator.failoverRequested");
  });

  it("answers 409 with the current state and the accepted actions for an event the state does not take", async () => {
    const failback = await world.api(`/pairs/${PAIR}/failback`, { method: "POST", body: { reason: "testing 409", actor: "alice" } });
    expect(failback.status).toBe(409);
    expect(failback.json()).toEqual({
      error: "operator alice requested a failback, but traffic is not on the standby: nothing to fail back",
      state: "monitoring.healthy",
      accepts: ["failover", "pause", "backup"],
    });
    const approve = await world.api(`/pairs/${PAIR}/approve`, { method: "POST" });
    expect(approve.status).toBe(409);
    expect(approve.json()).toEqual({ error: "'approve' is not accepted in state monitoring.healthy", state: "monitoring.healthy", accepts: ["failover", "pause", "backup"] });

    const cli = await world.cli(["resume", "--pair", PAIR, "--yes"]);
    expect(cli.code).toBe(1);
    expect(cli.stdout.trim()).toBe(""); // a refused action shows no plan

    expect(cli.stderr.trim()).toBe("apim-dr resume: 'resume' is not accepted in state monitoring.healthy (state monitoring.healthy; accepts: failover, pause, backup)");
  });

  it("GET /metrics exposes state, backup age and RPO, failovers, last decision and signal counters", async () => {
    const res = await world.api("/metrics");
    expect(res.status).toBe(200);
    expect(res.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    const metrics = res.text;
    expect(sample(metrics, /apim_dr_pair_state\{pair="contoso",state="monitoring\.healthy"\}/)).toBe(1);
    expect(sample(metrics, /apim_dr_pair_active_region\{pair="contoso",region="westeurope"\}/)).toBe(1);
    expect(sample(metrics, /apim_dr_rpo_seconds\{pair="contoso"\}/)).toBe(3600);
    expect(sample(metrics, /apim_dr_rpo_breached\{pair="contoso"\}/)).toBe(0);
    const age = sample(metrics, /apim_dr_backup_age_seconds\{pair="contoso"\}/)!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(3600);
    expect(sample(metrics, /apim_dr_failovers_total\{pair="contoso"\}/)).toBe(0);
    for (const source of ["probe", "resourceHealth"]) expect(sample(metrics, new RegExp(`apim_dr_signals_received_total\\{source="${source}"\\}`))).toBeGreaterThan(0);
    expect(metrics).toMatch(/^# TYPE apim_dr_events_dead_lettered_total counter$/m);

    // An operator decision shows as the last decision, labelled with its verdict and state.
    expect((await world.api(`/pairs/${PAIR}/pause`, { method: "POST", body: { reason: "metrics check" } })).status).toBe(202);
    const paused = (await world.api("/metrics")).text;
    expect(sample(paused, /apim_dr_pair_state\{pair="contoso",state="paused"\}/)).toBe(1);
    const decidedAt = sample(paused, /apim_dr_last_decision_timestamp_seconds\{pair="contoso",verdict="paused",state="monitoring"\}/);
    expect(decidedAt).toBe(Date.parse((await world.pair()).lastDecision!.at) / 1000);
    expect((await world.api(`/pairs/${PAIR}/resume`, { method: "POST" })).status).toBe(202);
  });

  it("counts a malformed Event Hubs event as received and dead-lettered, not decoded", async () => {
    const read = async () => {
      const m = (await world.api("/metrics")).text;
      return { received: sample(m, /apim_dr_events_received_total/)!, decoded: sample(m, /apim_dr_events_decoded_total/)!, deadLettered: sample(m, /apim_dr_events_dead_lettered_total/)! };
    };
    // The simulator publishes its own events too (e.g. the backup's Administrative record): wait for quiet first.
    let before = await read();
    before = await waitFor("the event counters to settle", async () => {
      const now = await read();
      const same = JSON.stringify(now) === JSON.stringify(before);
      before = now;
      return same ? now : undefined;
    }, 30_000);
    world.sim.eventHubs.publish(world.sim.eventHubName, "{ this is not an Azure payload");
    const after = await waitFor("the dead-letter counter to move", async () => {
      const now = await read();
      return now.deadLettered > before.deadLettered ? now : undefined;
    }, 30_000, () => JSON.stringify(before));
    expect(after).toEqual({ received: before.received + 1, decoded: before.decoded, deadLettered: before.deadLettered + 1 });
    expect((await world.pair()).state).toBe("monitoring.healthy");
  });

  it("answers bad input with 400, never 500, and 200 concurrent GET /audit all succeed", async () => {
    const malformed = await world.api("/pairs/%E0%A4%A");
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toEqual({ error: "malformed percent-encoding in the path '/pairs/%E0%A4%A': encode each byte as %XX (UTF-8)" });
    const traversal = await world.api("/audit?pair=../../x");
    expect(traversal.status).toBe(400);
    expect((traversal.json() as { error: string }).error).toMatch(/^'\.\.\/\.\.\/x' is not a pair name/);

    const expected = ((await world.api(`/audit?pair=${PAIR}`)).json() as { entries: unknown[] }).entries.length;
    const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => world.api(i % 2 ? `/audit?pair=${PAIR}` : "/audit")));
    expect(burst.map((r) => r.status)).toEqual(Array(200).fill(200));
    for (const r of burst) expect((r.json() as { entries: unknown[] }).entries.length).toBeGreaterThanOrEqual(expected);
  });

  it("cuts a mutating request with a valid token whose body never completes, with 408 within seconds", async () => {
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${world.daemon.url}/pairs/${PAIR}/pause`, { method: "POST", headers: { authorization: `Bearer ${world.token}`, "content-length": "1000" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.write('{"reason":');
    });
    expect(status).toBe(408);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await world.pair()).state).toBe("monitoring.healthy");
  });

  it("writes JSON log lines only, none of them carrying a secret", () => {
    const lines = world.daemon.output.split("\n").filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    const logs = world.daemon.logLines();
    expect(logs.every((l) => l.name === "apim-dr" && typeof l.msg === "string" && typeof l.level === "number")).toBe(true);
    const sharedAccessKey = /SharedAccessKey=([^;]+)/.exec(world.sim.eventHubsConnectionString)![1]!;
    expect(world.daemon.output).not.toContain(world.sim.storage.accountKey);
    expect(world.daemon.output).not.toContain(sharedAccessKey);
    expect(world.daemon.output).not.toContain(world.token);
  });
});
