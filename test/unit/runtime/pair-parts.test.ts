import { describe, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { defaultHealthSettings } from "../../../src/health/config.js";
import { initialContext } from "../../../src/machine/context.js";
import type { UnstampedEvent } from "../../../src/machine/types.js";
import { HealthFeed } from "../../../src/runtime/health-feed.js";
import { OperatorCommands } from "../../../src/runtime/operator-commands.js";
import { pairMachine, type PairMachine } from "../../../src/runtime/pair-machine.js";
import { pairStatus } from "../../../src/runtime/status-view.js";
import type { BackupView } from "../../../src/runtime/backup-coordinator.js";
import { ManualClock, pairSettings } from "../../support/fakes/index.js";
import { pair as healthPair, sig } from "../health/fixtures.js";
import { validDocument } from "../config/valid-config.js";
import { healthyPair, sendAndSettle, startedPair } from "../machine/helpers.js";

/** A machine that only listens: what the health feed tells it. */
function listeningMachine(): PairMachine & { sent: UnstampedEvent[] } {
  const context = initialContext(pairSettings());
  const sent: UnstampedEvent[] = [];
  return { sent, context: () => context, hasTag: () => false, state: () => "monitoring.healthy", send: (e) => sent.push(e), record: () => {}, tryEvent: () => ({ changes: false, decision: null }) };
}

const effectivePair = () => effectiveConfig(validateConfig(validDocument()), "/etc/apim-dr").pairs[0]!;

const backupView: BackupView = { backupName: null, backupAgeMs: null, rpoMs: 3_600_000, breached: true, unbackedChanges: 0, reason: "no backup", protects: "apim-contoso-weu", unverified: [], running: null, lastError: null };

describe("health feed", () => {
  it("tells the machine each verdict change once, and shows what the machine stored until it has judged", () => {
    const clock = new ManualClock();
    const machine = listeningMachine();
    const feed = new HealthFeed(defaultHealthSettings, healthPair, machine, clock);
    expect(feed.view().primary).toEqual({ verdict: "unknown", reason: machine.context().health.primary.reason, since: null });
    for (const side of ["primary", "standby"] as const) feed.observe(sig("probe", side, "healthy", 0), false);
    expect(machine.sent).toEqual([]); // folded in, not judged
    feed.evaluate();
    expect(machine.sent.map((e) => e.type)).toEqual(["health.standbyHealthy", "health.primaryHealthy"]);
    feed.evaluate();
    expect(machine.sent).toHaveLength(2);
    expect(feed.view().primary.verdict).toBe("healthy");
    feed.retell(); // after a pause the machine hears the current verdicts again
    expect(machine.sent.map((e) => e.type).slice(2)).toEqual(["health.standbyHealthy", "health.primaryHealthy"]);
  });
});

describe("operator commands", () => {
  async function commands() {
    const s = await startedPair();
    await healthyPair(s.pair);
    const machine = pairMachine(s.pair, s.world.clock);
    const retold: number[] = [];
    const backups: string[] = [];
    const ops = new OperatorCommands(effectivePair(), machine, { view: () => backupView, newestBackup: () => null, requestBackup: () => backups.push("requested") }, { retell: () => retold.push(1) }, s.world.clock);
    return { ...s, ops, retold, backups };
  }

  it("lists what the machine accepts by a dry run, and refuses anything else naming the state", async () => {
    const { ops, pair } = await commands();
    expect(ops.accepts()).toEqual(["failover", "pause", "backup"]);
    // Refused with the machine's own decision when it records one, else naming the state.
    expect(ops.command("failback", { actor: "ops" })).toEqual({ accepted: false, state: "monitoring.healthy", accepts: ["failover", "pause", "backup"], message: "operator ops requested a failback, but traffic is not on the standby: nothing to fail back" });
    expect(ops.command("approve", { actor: "ops" })).toMatchObject({ accepted: false, message: "'approve' is not accepted in state monitoring.healthy" });
    expect(JSON.stringify(pair.actor.getSnapshot().value)).toBe('{"monitoring":"healthy"}'); // the dry run changed nothing
    await pair.stop();
  });

  it("pauses, and on resume tells the machine the current health again", async () => {
    const { ops, pair, retold } = await commands();
    expect(ops.command("pause", { actor: "ops" })).toEqual({ accepted: true, state: "paused" });
    expect(ops.accepts()).toEqual(["resume", "backup"]); // paused stops automatic action, not backups
    expect(ops.command("resume", { actor: "ops" })).toMatchObject({ accepted: true });
    expect(retold).toHaveLength(1);
    await pair.stop();
  });

  it("asks the backups for a backup only while backups are allowed, and records who asked", async () => {
    const { ops, pair, backups, audit } = await commands();
    expect(ops.command("backup", { actor: "ops", reason: "before a change" })).toEqual({ accepted: true, state: "monitoring.healthy" });
    expect(backups).toEqual(["requested"]);
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops" });
    await sendAndSettle(pair, { type: "operator.failoverRequested", planned: false, actor: "ops" });
    await pair.flush();
    expect(audit.entries.find((e) => e.verdict === "operator.backupRequested")).toMatchObject({ actor: "ops", reason: "before a change", state: "monitoring.healthy" });
    await pair.stop();
  });
});

describe("status view", () => {
  it("shows the feed's health, the backup view and the operation in flight, and no action while the state is unsaved", async () => {
    const s = await startedPair();
    await healthyPair(s.pair);
    const machine = pairMachine(s.pair, s.world.clock);
    const health = { primary: { verdict: "recovering" as const, reason: "probes pass again", since: s.world.clock.now() }, standby: { verdict: "healthy" as const, reason: "ok", since: null }, observerImpaired: false };
    const status = pairStatus({ pair: effectivePair(), machine, health, backup: backupView, unsaved: { since: 0, error: "store down" }, accepts: ["failover"], now: s.world.clock.now() });
    expect(status).toMatchObject({
      name: "contoso",
      state: "monitoring.healthy",
      activeRegion: "westeurope",
      health: { primary: { region: "westeurope", verdict: "recovering", reason: "probes pass again" }, standby: { verdict: "healthy", since: null }, observerImpaired: false },
      backup: { latest: null, ageMs: null, breached: true, protects: "apim-contoso-weu" },
      unsavedState: { since: "1970-01-01T00:00:00.000Z", error: "store down" },
      operation: null,
      accepts: [],
    });
    await s.pair.stop();
  });
});
