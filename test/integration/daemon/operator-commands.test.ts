import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIR, startDaemonWorld, type DaemonWorld } from "./world.js";

const lines = (text: string) => text.split("\n").filter((l) => l.trim());

/** Reads back a duration as the controller writes it (`2h`, `2h 1m`, `45s`, …) in ms. */
function durationMs(text: string): number {
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 };
  return [...text.matchAll(/(\d+)([dhms])/g)].reduce((sum, [, n, u]) => sum + Number(n) * unit[u!]!, 0);
}
const PRIMARY_REGION = "westeurope";
const STANDBY_REGION = "northeurope";

/** A daemon watching the simulator, with one change-triggered backup taken (a failover needs one). */
async function startedWithBackup(): Promise<DaemonWorld> {
  const world = await startDaemonWorld();
  await world.daemon.start();
  world.sim.change(world.primaryName, 1);
  await world.waitForPair("the change-triggered backup", (p) => p.backup.latest !== null, 60_000);
  return world;
}

describe("apim-dr pause and resume", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    world = await startedWithBackup();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("a paused pair keeps observing signals but takes no action on a primary outage", async () => {
    const pause = await world.cli(["pause", "--pair", PAIR, "--yes", "--reason", "change freeze"]);
    expect(pause.stderr).toBe("");
    expect(pause.code).toBe(0);
    expect(lines(pause.stdout)).toEqual([`pause ${PAIR}: keep observing signals, take no automatic action until resumed`, `pause accepted: ${PAIR} is now paused`]);
    expect(await world.pair()).toMatchObject({ state: "paused", accepts: ["resume", "backup"], lastDecision: { verdict: "paused", reason: "operator paused the pair: change freeze" } });

    await world.sim.fault("region-outage", { region: PRIMARY_REGION });
    const seen = await world.waitForPair("the primary's outage to be confirmed while paused", (p) => p.health.primary.verdict === "unhealthy", 60_000);
    expect(seen.state).toBe("paused");
    const stats = world.sim.stats();
    expect(stats.services[world.standbyName]!.restores.started).toBe(0);
    expect(stats.dns["api.contoso.example"]!.writes).toBe(0);
    const status = await world.cli(["status", "--pair", PAIR]);
    expect(lines(status.stdout)[0]).toBe(`${PAIR}: paused   active region: ${PRIMARY_REGION}`);
    expect(lines(status.stdout)[1]).toMatch(/^ {2}primary westeurope: unhealthy — /);
  });

  it("resume while the primary's outage is still confirmed starts the failover at once", async () => {
    const resume = await world.cli(["resume", "--pair", PAIR, "--yes", "--reason", "freeze over"]);
    expect(resume.stderr).toBe("");
    expect(resume.code).toBe(0);
    const out = lines(resume.stdout);
    expect(out[0]).toBe(`resume ${PAIR}: automatic action resumes`);
    expect(out[1]).toBe(`resume accepted: ${PAIR} is now failingOver.checkingBackup`);
    expect(out.at(-1)).toMatch(/^contoso: failedOver — cutover verified, the standby serves traffic/);
    const audit = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(audit.some((l) => l.endsWith("operator by ops-tester: paused — operator.resumed — freeze over"))).toBe(true);
    expect(world.sim.stats().services[world.standbyName]!.restores.started).toBe(1);
  });

  it("refused requests are audited with who, what and why: 409 for a state that does not accept it, 401 for a wrong token (never the token)", async () => {
    const notNow = await world.cli(["approve", "--pair", PAIR, "--yes", "--reason", "looks fine"]);
    expect(notNow.code).toBe(1);
    const badToken = await world.cli(["pause", "--pair", PAIR, "--yes", "--actor", "mallory"], { APIM_DR_ADMIN_TOKEN: "wrong-token-4711" });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain("invalid bearer token");

    const audit = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(audit.some((l) => /operator by ops-tester: failedOver — refused approve \(409\) — .*not accepted/.test(l))).toBe(true);
    expect(audit.some((l) => / operator by mallory \(claimed, no valid token\): failedOver — refused pause \(401\) — invalid bearer token/.test(l))).toBe(true);
    const json = (await world.cli(["audit", "--pair", PAIR, "--json"])).stdout;
    expect(json).toContain('"requestReason":"looks fine"');
    expect(json).not.toContain("wrong-token-4711");
  });
});

describe("apim-dr abort on a pair waiting in awaitingOperator", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    world = await startedWithBackup();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("both regions down: the pair waits for an operator, and abort returns it to monitoring without touching DNS", async () => {
    // Standby first: were the primary confirmed down first, a failover would start and stop on the standby instead.
    await world.sim.fault("region-outage", { region: STANDBY_REGION });
    await world.waitForPair("the standby's outage to be confirmed", (p) => p.health.standby.verdict === "unhealthy", 60_000);
    await world.sim.fault("region-outage", { region: PRIMARY_REGION });
    const waiting = await world.waitForPair("awaitingOperator on both regions down", (p) => p.state === "awaitingOperator", 60_000);
    expect(waiting.lastDecision).toMatchObject({ verdict: "escalate", reason: expect.stringMatching(/^both regions are unhealthy: no failover, no DNS change; an operator must decide: /) });
    expect(waiting.accepts).toEqual(["approve", "abort"]);

    const abort = await world.cli(["abort", "--pair", PAIR, "--yes", "--reason", "both regions down, handled by hand"]);
    expect(abort.stderr).toBe("");
    expect(abort.code).toBe(0);
    expect(lines(abort.stdout)).toEqual([`abort ${PAIR}: stop the pending step in awaitingOperator; traffic stays on ${PRIMARY_REGION}`, `abort accepted: ${PAIR} is now monitoring.suspect`]);
    const stats = world.sim.stats();
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: world.sim.services.primary.gatewayHost, writes: 0 });
    expect(Object.values(stats.services).map((s) => s.restores.started)).toEqual([0, 0]);

    const audit = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(audit.some((l) => l.endsWith("operator by ops-tester: awaitingOperator — operator.aborted — both regions down, handled by hand"))).toBe(true);
  });

  it("the standby recovering first while the primary is still down starts no failover: the abort's word holds", async () => {
    world.sim.clearFault("region-outage", { region: STANDBY_REGION });
    const held = await world.waitForPair("the held decision once the standby is healthy again", (p) => p.lastDecision?.verdict === "held", 60_000);
    expect(held.state).toBe("monitoring.suspect");
    expect(held.health.standby.verdict).toBe("healthy");
    expect(held.lastDecision?.reason).toMatch(/but an operator took over at \S+ while the primary was unhealthy \(abort, or approving no action\): no automatic failover until the primary is healthy again or an operator requests one$/);
    const stats = world.sim.stats();
    expect(Object.values(stats.services).map((s) => s.restores.started)).toEqual([0, 0]);
    expect(stats.dns["api.contoso.example"]!.writes).toBe(0);
  });
});

// A world of its own: what the both-regions-down test leaves behind (verdicts still recovering, the flaps of a dual
// outage) must not decide how this pair starts.
describe("apim-dr approve on a pair waiting in awaitingOperator for an RPO breach", () => {
  let world: DaemonWorld;
  /** No backup of this world is older than this (before any clock shift). */
  let worldStarted = 0;
  beforeAll(async () => {
    worldStarted = Date.now();
    world = await startedWithBackup();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("an RPO breach with the primary unreachable waits for approval; approve restores the stale backup and fails over", async () => {
    // The only backup is now 2 h old (RPO 60 min) and the primary's management plane is gone: no fresh backup possible.
    await world.sim.fault("clock-shift", {}, { byMs: 2 * 3_600_000 });
    await world.sim.fault("region-outage", { region: PRIMARY_REGION }, { managementPlane: "down" });
    const waiting = await world.waitForPair("awaitingOperator on the RPO breach", (p) => p.state === "awaitingOperator", 90_000);
    const reason = /^backup apim-contoso-weu-\S+ is (.+) old, older than the RPO of 1h; the primary's management plane does not answer \(.+\): approve to restore it \(data-loss window (.+)\)$/.exec(waiting.lastDecision?.reason ?? "");
    expect(reason, waiting.lastDecision?.reason).not.toBeNull();
    // The backup's age is the shift plus however long this test has run; the window it states is that age.
    const age = durationMs(reason![1]!);
    expect(reason![2]).toBe(reason![1]);
    expect(age).toBeGreaterThanOrEqual(2 * 3_600_000);
    expect(age).toBeLessThanOrEqual(2 * 3_600_000 + (Date.now() - worldStarted));
    expect(world.sim.stats().services[world.standbyName]!.restores.started).toBe(0);

    const approve = await world.cli(["approve", "--pair", PAIR, "--yes", "--reason", "accepting 2 h of configuration loss"]);
    expect(approve.stderr).toBe("");
    expect(approve.code).toBe(0);
    const out = lines(approve.stdout);
    expect(out[0]).toBe(`approve ${PAIR}: ${waiting.lastDecision!.reason}`);
    // The reason shows hours and minutes; the window is the same age rounded to the minute.
    const windowMin = Number(/^ {2}accepting a data-loss window of (\d+) min$/.exec(out[1] ?? "")?.[1]);
    expect([Math.floor(age / 60_000), Math.floor(age / 60_000) + 1]).toContain(windowMin);
    expect(out[2]).toMatch(/^approve accepted: contoso is now failingOver\./);
    expect(out.at(-1)).toMatch(/^contoso: failedOver — cutover verified, the standby serves traffic/);

    const stats = world.sim.stats();
    expect(stats.services[world.standbyName]!.restores).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: world.sim.services.standby.gatewayHost, writes: 1 });
    const audit = lines((await world.cli(["audit", "--pair", PAIR])).stdout);
    expect(audit.some((l) => l.endsWith("operator by ops-tester: awaitingOperator — operator.approved — accepting 2 h of configuration loss"))).toBe(true);
  });
});
