import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAIR, startDaemonWorld, waitFor, type DaemonWorld } from "./world.js";

describe("apim-dr run survives kill -9 and SIGTERM", () => {
  let world: DaemonWorld;
  beforeAll(async () => {
    // A restore long enough to kill the daemon in the middle of it.
    world = await startDaemonWorld({ sim: { restoreDurationMs: 8_000 } });
    await world.daemon.start();
    world.sim.change(world.primaryName, 1);
    await world.waitForPair("the change-triggered backup", (p) => p.backup.latest !== null, 60_000);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it("kill -9 during failingOver.restoring, then a restart completes the failover with exactly one restore", async () => {
    // The operator starts the failover and stops watching with Ctrl-C during the restore: only the watch stops.
    const failover = world.cliRunning(["failover", "--pair", PAIR, "--planned", "--yes", "--reason", "restart drill"]);
    await waitFor("the CLI to show the restore in progress", () => (/^ {2}failingOver\.restoring — /m.test(failover.output().stdout) ? true : undefined), 60_000, () => failover.output().stdout);
    failover.interrupt();
    expect(await failover.exited).toBe(0);
    expect(failover.output().stdout.trimEnd().split("\n").at(-1)).toBe("stopped watching; the controller carries on (see 'apim-dr status')");
    expect(failover.output().stderr).toBe("");
    // Kill only once the started restore is durably recorded: that is the state a crash must resume from.
    await waitFor(
      "the persisted snapshot to hold the running restore",
      async () => {
        const snapshot = await world.persistedSnapshot();
        return snapshot?.context.operation?.kind === "restore" ? snapshot : undefined;
      },
      60_000,
    );
    expect((await world.pair()).state).toBe("failingOver.restoring");
    const killed = await world.daemon.signal("SIGKILL");
    expect(killed).toEqual({ code: null, signal: "SIGKILL" });
    const during = world.sim.stats().services[world.standbyName]!.restores;
    expect(during).toEqual({ started: 1, succeeded: 0, failed: 0 });

    await world.daemon.start();
    expect(world.daemon.logLines().some((l) => l.msg === `pair ${PAIR} resumed in failingOver.restoring`)).toBe(true);
    const done = await world.waitForPair("the resumed failover to finish", (p) => p.state === "failedOver", 90_000);
    expect(done.activeRegion).toBe("northeurope");
    const stats = world.sim.stats();
    expect(stats.services[world.standbyName]!.restores).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: world.sim.services.standby.gatewayHost, writes: 1 });
  });

  it("SIGTERM while idle exits 0 after persisting, and a restart resumes in failedOver without acting again", async () => {
    const before = world.daemon.output.length;
    const exit = await world.daemon.signal("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    const shutdown = world.daemon.output.slice(before);
    expect(shutdown).toContain('"msg":"stopped; state persisted"');
    expect(shutdown).not.toMatch(/"level":50/);

    await world.daemon.start();
    expect(world.daemon.logLines().some((l) => l.msg === `pair ${PAIR} resumed in failedOver`)).toBe(true);
    const pair = await world.pair();
    expect(pair).toMatchObject({ state: "failedOver", activeRegion: "northeurope", accepts: ["failback", "pause", "backup"] });
    const status = await world.cli(["status", "--pair", PAIR]);
    expect(status.stdout.split("\n")[0]).toBe(`${PAIR}: failedOver   active region: northeurope`);
    const stats = world.sim.stats();
    expect(stats.services[world.standbyName]!.restores.started).toBe(1);
    expect(stats.dns["api.contoso.example"]!.writes).toBe(1);
  });

  it("SIGTERM during failingBack.restoringPrimary exits 0, and a restart finishes the failback with one restore of the primary", async () => {
    const accepted = await world.api(`/pairs/${PAIR}/failback`, { method: "POST", body: { reason: "restart drill, way back" } });
    expect(accepted.status).toBe(202);
    await world.waitForPair("the restore into the primary", (p) => p.state === "failingBack.restoringPrimary" && p.operation?.kind === "restore", 60_000);
    const exit = await world.daemon.signal("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await world.persistedSnapshot())?.context.operation).toMatchObject({ kind: "restore", step: "failingBack.restoringPrimary" });
    expect(world.sim.stats().services[world.primaryName]!.restores).toEqual({ started: 1, succeeded: 0, failed: 0 });

    await world.daemon.start();
    const done = await world.waitForPair("the resumed failback to finish", (p) => p.state === "monitoring.healthy", 90_000);
    expect(done.activeRegion).toBe("westeurope");
    const stats = world.sim.stats();
    expect(stats.services[world.primaryName]!.restores).toEqual({ started: 1, succeeded: 1, failed: 0 });
    expect(stats.services[world.standbyName]!.restores.started).toBe(1);
    expect(stats.dns["api.contoso.example"]).toMatchObject({ cname: world.sim.services.primary.gatewayHost, writes: 2 });
  });
});
