import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { failoverMachine } from "../../../src/machine/failover-machine.js";
import { decideStartFailover } from "../../../src/machine/decide.js";
import type { BackupFacts, PairEvent, PairSettings } from "../../../src/machine/types.js";
import type { BackupRecord } from "../../../src/ports/backups.js";
import { idleStepActors, pairSettings, PRIMARY_ID, STANDBY_ID } from "../../support/fakes/index.js";

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// Step actors that do nothing: these tests play their results as events, to assert the machine's decisions alone.
const machine = failoverMachine.provide({ actors: idleStepActors() });

type NoAt<E> = E extends PairEvent ? Omit<E, "at"> : never;

function pair(settings: PairSettings = pairSettings()) {
  const actor = createActor(machine, { input: settings }).start();
  let now = T0;
  return {
    actor,
    send(event: NoAt<PairEvent>, advanceMs = 0) {
      now += advanceMs;
      actor.send({ ...event, at: now } as PairEvent);
      return this;
    },
    get state() {
      return JSON.stringify(actor.getSnapshot().value);
    },
    get ctx() {
      return actor.getSnapshot().context;
    },
    get decision() {
      return actor.getSnapshot().context.lastDecision;
    },
  };
}

type Pair = ReturnType<typeof pair>;

const backup = (ageMs: number, sku: string | null = "Premium", name = "apim-weu-1.apimbackup"): BackupRecord => ({ name, takenAt: T0 - ageMs, sourceServiceId: PRIMARY_ID.toLowerCase(), sku, sizeBytes: 1 });
const facts = (latest: BackupRecord | null, over: Partial<BackupFacts> = {}): BackupFacts => ({ latest, unverified: [], standbySku: "Premium", primaryAnswers: false, primaryDetail: "HTTP 503", ...over });
const step = "failingOver.checkingBackup" as const;

function healthy(p: Pair): Pair {
  return p.send({ type: "health.primaryHealthy", reason: "ok" }).send({ type: "health.standbyHealthy", reason: "ok" });
}

function inCheckingBackup(settings?: PairSettings): Pair {
  const p = healthy(pair(settings)).send({ type: "health.primaryUnhealthy", reason: "quorum 3/3 for 5m" });
  expect(p.state).toBe('{"failingOver":"checkingBackup"}');
  return p;
}

describe("starting a failover", () => {
  it("fails over automatically when the primary is confirmed unhealthy and the standby is healthy", () => {
    const p = inCheckingBackup();
    expect(p.decision).toMatchObject({ verdict: "failover", state: "monitoring" });
    expect(p.decision?.reason).toBe("primary unhealthy (quorum 3/3 for 5m); standby northeurope is healthy: starting automatic failover");
    expect(p.ctx.failoverTrigger).toBe("automatic");
    // The brake counts failovers that moved traffic: nothing yet.
    expect(p.ctx.automaticFailovers).toEqual([]);
  });

  it("never fails over while the standby region is itself unhealthy", () => {
    const p = healthy(pair()).send({ type: "health.standbyUnhealthy", reason: "resource health: unavailable" }).send({ type: "health.primaryUnhealthy", reason: "quorum" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision?.verdict).toBe("refuse");
    expect(p.decision?.reason).toBe("primary unhealthy (quorum), but the standby region northeurope is itself unhealthy (resource health: unavailable): not failing over into it");
  });

  it("waits for approval under policy approval, before failingOver starts", () => {
    const p = healthy(pair(pairSettings({ policy: { mode: "approval" } }))).send({ type: "health.primaryUnhealthy", reason: "quorum" });
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision?.verdict).toBe("awaitApproval");
    expect(p.ctx.pendingApproval).toEqual({ step: "failingOver", reason: "primary unhealthy (quorum); policy mode is approval: waiting for an operator to approve the failover" });
    p.send({ type: "operator.approved", actor: "bob" });
    expect(p.state).toBe('{"failingOver":"checkingBackup"}');
    expect(p.decision?.reason).toMatch(/^operator bob approved: primary unhealthy/);
  });

  it("records the decision but takes no action under policy observe", () => {
    const p = healthy(pair(pairSettings({ policy: { mode: "observe" } })));
    p.send({ type: "health.primaryUnhealthy", reason: "quorum" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision).toMatchObject({ verdict: "observe", reason: "primary unhealthy (quorum); policy mode is observe: decision recorded, no action taken" });
    p.send({ type: "health.bothUnhealthy", reason: "all regions down" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision?.verdict).toBe("observe");
  });

  it("brakes a second automatic failover within the brake window once one moved traffic, but not an operator failover", () => {
    const p = inVerifyingStandby().send({ type: "step.verified", step: "failingOver.verifyingStandby", detail: "ok" });
    p.send({ type: "step.dnsSwitched", step: "failingOver.switchingDns", wrote: true, cname: "apim-neu.azure-api.net" });
    expect(p.ctx.automaticFailovers).toEqual([T0]);
    const ctx = { ...p.ctx, activeRegion: "primary" as const };
    const d = decideStartFailover(ctx, { kind: "automatic", reason: "flapping" }, T0 + 2 * HOUR);
    expect(d).toEqual({ verdict: "brake", reason: "primary unhealthy (flapping), but an automatic failover moved traffic 2h ago; the brake allows one per 1d: waiting for an operator" });
    expect(decideStartFailover(ctx, { kind: "operator", planned: true, actor: "carol", reason: "drill" }, T0 + 2 * HOUR)).toEqual({
      verdict: "failover",
      reason: "operator carol requested a planned failover (drill): starting failover (operator failovers are not braked)",
    });
    expect(decideStartFailover(ctx, { kind: "automatic", reason: "again" }, T0 + DAY).verdict).toBe("failover");
  });

  it("does not count an aborted attempt for the brake, and abort leaves a still-unhealthy primary in suspect", () => {
    const p = inCheckingBackup();
    p.send({ type: "operator.aborted", actor: "ops" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision?.reason).toBe(
      "operator ops aborted; CNAME points at the primary: back to monitoring; the primary is still unhealthy: no automatic failover until it recovers or an operator requests one",
    );
    p.send({ type: "health.primaryHealthy", reason: "back" }).send({ type: "health.primaryUnhealthy", reason: "flapping" }, 2 * HOUR);
    expect(p.state).toBe('{"failingOver":"checkingBackup"}');
    expect(p.decision?.verdict).toBe("failover");
  });

  it("keeps the abort's word: no automatic failover while the primary stays unhealthy, whatever verdicts change meanwhile", () => {
    // Both regions down, the operator aborts and works by hand; then the standby comes back first.
    const p = healthy(pair()).send({ type: "health.standbyUnhealthy", reason: "down" }).send({ type: "health.bothUnhealthy", reason: "both down" });
    p.send({ type: "operator.aborted", actor: "ops", reason: "handled by hand" }, MIN);
    expect(p.state).toBe('{"monitoring":"suspect"}');
    p.send({ type: "health.standbyHealthy", reason: "back" }, MIN).send({ type: "health.primaryUnhealthy", reason: "still down" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision).toMatchObject({
      verdict: "held",
      reason: `primary unhealthy (still down), but an operator took over at ${new Date(T0 + MIN).toISOString()} while the primary was unhealthy (abort, or approving no action): no automatic failover until the primary is healthy again or an operator requests one`,
    });
    // An operator may still ask.
    expect(decideStartFailover(p.ctx, { kind: "operator", planned: false, actor: "ops" }, T0 + HOUR).verdict).toBe("failover");
    // Both down again (the standby falls back): recorded, not asked again.
    p.send({ type: "health.bothUnhealthy", reason: "both down again" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision).toMatchObject({
      verdict: "held",
      reason: "both regions are unhealthy; an operator took over while the primary was unhealthy: not asking again until the primary is healthy again: both down again",
    });
    // Once the primary was healthy again, a new outage fails over on its own.
    p.send({ type: "health.standbyHealthy", reason: "back" });
    p.send({ type: "health.primaryHealthy", reason: "back" }, MIN).send({ type: "health.primaryUnhealthy", reason: "down again" }, HOUR);
    expect(p.state).toBe('{"failingOver":"checkingBackup"}');
  });

  it("holds automatic failover after approving no action on a primary still unhealthy, and after aborting a failover", () => {
    const approved = healthy(pair()).send({ type: "health.bothUnhealthy", reason: "both down" }).send({ type: "operator.approved", actor: "ops" });
    approved.send({ type: "health.standbyHealthy", reason: "back" }).send({ type: "health.primaryUnhealthy", reason: "still down" });
    expect(approved.state).toBe('{"monitoring":"suspect"}');
    expect(approved.decision?.verdict).toBe("held");

    const aborted = inCheckingBackup().send({ type: "operator.aborted", actor: "ops" });
    // The primary wobbles (recovering, then unhealthy again): the aborted failover does not start again.
    aborted.send({ type: "health.primarySuspect", reason: "recovering" }).send({ type: "health.primaryUnhealthy", reason: "unhealthy again" });
    expect(aborted.state).toBe('{"monitoring":"suspect"}');
    expect(aborted.decision?.verdict).toBe("held");
  });

  it("escalates when both regions are unhealthy, without any DNS step", () => {
    const p = healthy(pair()).send({ type: "health.bothUnhealthy", reason: "both gateways fail probes" });
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision).toMatchObject({ verdict: "escalate", reason: "both regions are unhealthy: no failover, no DNS change; an operator must decide: both gateways fail probes" });
    expect(p.ctx.health.standby.verdict).toBe("unhealthy");
    // Approving "no action" while the primary is unhealthy waits in suspect, not in healthy.
    p.send({ type: "operator.approved" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
  });

  it("does not fail over on an impaired observer, and records an alert", () => {
    const p = healthy(pair()).send({ type: "health.primarySuspect", reason: "1 of 3" }).send({ type: "health.observerImpaired", reason: "2 of 3 probe locations silent" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision).toMatchObject({ verdict: "alert", reason: "observer impaired, no failover on its signals: 2 of 3 probe locations silent" });
    expect(p.ctx.health.observer.impaired).toBe(true);
  });
});

describe("checkingBackup", () => {
  const checked = (p: Pair, f: BackupFacts) => p.send({ type: "step.backupChecked", step, facts: f });

  it("restores a backup within the RPO", () => {
    const p = checked(inCheckingBackup(), facts(backup(20 * MIN)));
    expect(p.state).toBe('{"failingOver":"restoring"}');
    expect(p.ctx.decisions.slice(-2).map((d) => d.reason)).toEqual([
      "backup apim-weu-1.apimbackup is 20m old, within the RPO of 1h",
      "restoring backup apim-weu-1.apimbackup into the standby",
    ]);
    expect(p.ctx.chosenBackup?.name).toBe("apim-weu-1.apimbackup");
  });

  it("refuses a standby whose SKU differs from the backup's, naming both SKUs", () => {
    const p = checked(inCheckingBackup(), facts(backup(20 * MIN, "Premium"), { standbySku: "Standard" }));
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision).toMatchObject({ verdict: "skuMismatch", reason: "backup apim-weu-1.apimbackup was taken from a Premium service but the standby is Standard: APIM restores only into the same SKU" });
  });

  it("refuses an expired backup when no fresh one can be taken", () => {
    const p = checked(inCheckingBackup(), facts(backup(31 * DAY)));
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision).toMatchObject({ verdict: "expired", reason: "backup apim-weu-1.apimbackup is 31d old and expired (APIM limit 30d): refusing to restore it; the primary's management plane does not answer (HTTP 503)" });
    expect(p.ctx.pendingApproval?.step).toBe("failingOver.checkingBackup");
  });

  it("takes a fresh backup when the backup is older than the RPO and the primary's management plane answers", () => {
    const p = checked(inCheckingBackup(), facts(backup(2 * HOUR), { primaryAnswers: true, primaryDetail: "provisioning state Succeeded" }));
    expect(p.state).toBe('{"failingOver":"takingFreshBackup"}');
    expect(p.decision?.reason).toBe("backup apim-weu-1.apimbackup is 2h old, older than the RPO of 1h; the primary's management plane still answers: taking a fresh backup");
    expect(p.ctx.pendingBackupName).toBe("apim-weu-20261201T080000000Z.apimbackup");
  });

  it("by default waits for approval on an RPO breach, showing the data-loss window; approval restores the stale backup", () => {
    const p = checked(inCheckingBackup(), facts(backup(2 * HOUR + 5 * MIN)));
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision?.verdict).toBe("awaitApproval");
    expect(p.decision?.reason).toBe("backup apim-weu-1.apimbackup is 2h 5m old, older than the RPO of 1h; the primary's management plane does not answer (HTTP 503): approve to restore it (data-loss window 2h 5m)");
    expect(p.ctx.pendingApproval?.dataLossWindowMs).toBe(2 * HOUR + 5 * MIN);
    p.send({ type: "operator.approved", actor: "dave" });
    expect(p.state).toBe('{"failingOver":"restoring"}');
  });

  it("restores the stale backup under onRpoBreach=failoverWithStaleBackup", () => {
    const p = checked(inCheckingBackup(pairSettings({ policy: { onRpoBreach: "failoverWithStaleBackup" } })), facts(backup(2 * HOUR)));
    expect(p.state).toBe('{"failingOver":"restoring"}');
    expect(p.ctx.decisions.at(-2)?.reason).toMatch(/policy onRpoBreach=failoverWithStaleBackup: restoring it \(data-loss window 2h\)$/);
  });

  it("does not fail over under onRpoBreach=refuse", () => {
    const p = checked(inCheckingBackup(pairSettings({ policy: { onRpoBreach: "refuse" } })), facts(backup(2 * HOUR)));
    expect(p.state).toBe('{"monitoring":"suspect"}');
    expect(p.decision).toMatchObject({ verdict: "refuse", reason: "backup apim-weu-1.apimbackup is 2h old, older than the RPO of 1h; the primary's management plane does not answer (HTTP 503); policy onRpoBreach=refuse: not failing over" });
  });

  it("without any backup and a silent primary, waits for an operator who may approve a DNS-only cutover", () => {
    const p = checked(inCheckingBackup(), facts(null, { unverified: ["apim-weu-x.apimbackup"] }));
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision).toMatchObject({
      verdict: "noBackup",
      reason:
        "no backup of the primary found in container apim-backups; 1 blob(s) without source metadata are not used (listed in status) and the primary's management plane does not answer (HTTP 503): nothing to restore. " +
        "Approve for a DNS-only cutover (the standby keeps its current configuration: safe only when it is kept in sync another way, e.g. APIOps), or abort and request the failover again once the primary answers (it then takes a fresh backup)",
    });
    p.send({ type: "operator.approved", actor: "ops" });
    expect(p.state).toBe('{"failingOver":"verifyingStandby"}');
    expect(p.ctx.chosenBackup).toBeNull();
  });

  it("without any backup but a primary that answers, takes a fresh backup", () => {
    const p = checked(inCheckingBackup(), facts(null, { primaryAnswers: true }));
    expect(p.state).toBe('{"failingOver":"takingFreshBackup"}');
  });

  it("takes a fresh backup when changes are in no backup and the primary answers; names the loss when it does not", () => {
    const p = healthy(pair());
    p.send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }).send({ type: "backup.changeNoted", serviceId: STANDBY_ID });
    expect(p.ctx.unbackedChanges).toEqual([T0]);
    p.send({ type: "health.primaryUnhealthy", reason: "quorum" });
    checked(p, facts(backup(20 * MIN), { primaryAnswers: true }));
    expect(p.state).toBe('{"failingOver":"takingFreshBackup"}');
    expect(p.decision?.reason).toBe("1 configuration change(s) of the primary are not in backup apim-weu-1.apimbackup; the primary's management plane still answers: taking a fresh backup");

    const q = healthy(pair()).send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }).send({ type: "health.primaryUnhealthy", reason: "quorum" });
    checked(q, facts(backup(20 * MIN)));
    expect(q.state).toBe('{"failingOver":"restoring"}');
    expect(q.ctx.decisions.map((d) => d.reason)).toContain("backup apim-weu-1.apimbackup is 20m old, within the RPO of 1h; 1 change(s) made after it are lost with the primary");
  });

  it("a planned failover always backs the primary up first", () => {
    const p = healthy(pair()).send({ type: "operator.failoverRequested", planned: true, actor: "ops" });
    expect(p.ctx.failoverTrigger).toBe("planned");
    checked(p, facts(backup(1 * MIN), { primaryAnswers: true }));
    expect(p.state).toBe('{"failingOver":"takingFreshBackup"}');
    expect(p.decision?.reason).toBe("planned failover: taking a fresh backup of the primary first, so no change is lost");
  });

  it("counts a change once when it arrives twice (its activity-log record and its alert carry the same time)", () => {
    const p = healthy(pair());
    p.send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }).send({ type: "backup.changeNoted", serviceId: PRIMARY_ID });
    expect(p.ctx.unbackedChanges).toEqual([T0]);
    p.send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }, 1_000);
    expect(p.ctx.unbackedChanges).toEqual([T0, T0 + 1_000]);
  });

  it("a finished backup covers the changes noted before it started", () => {
    const p = healthy(pair());
    p.send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }).send({ type: "backup.changeNoted", serviceId: PRIMARY_ID }, 10_000);
    p.send({ type: "backup.completed", backup: backup(0), startedAt: T0 + 5_000 });
    expect(p.ctx.unbackedChanges).toEqual([T0 + 10_000]);
    // A backup of the other instance covers nothing.
    p.send({ type: "backup.completed", backup: { ...backup(0), sourceServiceId: STANDBY_ID.toLowerCase() }, startedAt: T0 + 20_000 });
    expect(p.ctx.unbackedChanges).toEqual([T0 + 10_000]);
  });

  it("skips restoring when the standby already holds the chosen backup", () => {
    const p = inCheckingBackup().send({ type: "standby.restored", backupName: "apim-weu-1.apimbackup" });
    checked(p, facts(backup(20 * MIN)));
    expect(p.state).toBe('{"failingOver":"verifyingStandby"}');
    expect(p.decision).toMatchObject({ verdict: "skipRestore", reason: "the standby already holds backup apim-weu-1.apimbackup: skipping the restore" });
  });
});

function inVerifyingStandby(): Pair {
  const p = inCheckingBackup().send({ type: "step.backupChecked", step, facts: facts(backup(20 * MIN)) });
  p.send({ type: "step.restored", step: "failingOver.restoring", backupName: "apim-weu-1.apimbackup" });
  expect(p.state).toBe('{"failingOver":"verifyingStandby"}');
  return p;
}

describe("DNS", () => {
  it("moves DNS only after the standby passed verification", () => {
    const p = inVerifyingStandby();
    p.send({ type: "step.dnsSwitched", step: "failingOver.switchingDns", wrote: true, cname: "x" });
    expect(p.state).toBe('{"failingOver":"verifyingStandby"}');
    p.send({ type: "step.verified", step: "failingOver.verifyingStandby", detail: "gateway answered HTTP 200" });
    expect(p.state).toBe('{"failingOver":"switchingDns"}');
    expect(p.decision).toMatchObject({ verdict: "switch", reason: "the standby answered for api.contoso.com: moving the CNAME to apim-neu.azure-api.net" });
  });

  it("holds DNS when the standby turns unhealthy during the failover", () => {
    const p = inVerifyingStandby().send({ type: "health.standbyUnhealthy", reason: "5xx" });
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision?.reason).toBe("the standby became unhealthy during the failover: not moving traffic into it: 5xx");
    expect(p.ctx.pendingApproval?.step).toBe("failingOver.verifyingStandby");
  });

  it("hands a DNS conflict to the operator; abort returns to monitoring since DNS still points at the primary", () => {
    const p = inVerifyingStandby().send({ type: "step.verified", step: "failingOver.verifyingStandby", detail: "ok" });
    p.send({ type: "step.dnsConflict", step: "failingOver.switchingDns", reason: "CNAME api points at elsewhere.net, expected apim-weu.azure-api.net" });
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.ctx.pendingApproval).toEqual({ step: "failingOver.switchingDns", reason: "CNAME api points at elsewhere.net, expected apim-weu.azure-api.net" });
    p.send({ type: "health.primaryHealthy", reason: "back" }).send({ type: "operator.aborted", actor: "ops" });
    expect(p.state).toBe('{"monitoring":"healthy"}');
    expect(p.decision?.reason).toBe("operator ops aborted; CNAME points at the primary: back to monitoring");
  });

  it("abort after the DNS switch lands in failedOver", () => {
    const p = inVerifyingStandby().send({ type: "step.verified", step: "failingOver.verifyingStandby", detail: "ok" });
    p.send({ type: "step.dnsSwitched", step: "failingOver.switchingDns", wrote: true, cname: "apim-neu.azure-api.net" });
    expect(p.ctx.activeRegion).toBe("standby");
    p.send({ type: "operator.aborted", actor: "ops" });
    expect(p.state).toBe('"failedOver"');
  });
});

describe("step errors", () => {
  it("retries with a persisted backoff deadline, then escalates after maxStepAttempts; approve retries the step", () => {
    const p = inCheckingBackup();
    p.send({ type: "step.failed", step, error: "storage timeout", retryable: true });
    expect(p.state).toBe('{"failingOver":"checkingBackup"}');
    expect(p.ctx.retryAt).toBe(T0 + 5_000);
    expect(p.decision).toMatchObject({ verdict: "retry", reason: "failingOver.checkingBackup failed (attempt 1 of 3): storage timeout; retrying in 5s" });
    p.send({ type: "step.failed", step, error: "storage timeout", retryable: true }, 5_000);
    expect(p.ctx.retryAt).toBe(T0 + 5_000 + 10_000);
    p.send({ type: "step.failed", step, error: "storage timeout", retryable: true }, 10_000);
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision).toMatchObject({ verdict: "escalate", reason: "failingOver.checkingBackup failed 3 time(s), the limit is 3: storage timeout" });
    p.send({ type: "operator.approved", actor: "erin" });
    expect(p.state).toBe('{"failingOver":"checkingBackup"}');
    expect(p.ctx.attempts).toEqual({});
    expect(p.ctx.retryAt).toBeNull();
  });

  it("keeps the resume token when polling failed transiently, drops it when the operation itself failed", () => {
    const p = inCheckingBackup().send({ type: "step.backupChecked", step, facts: facts(backup(20 * MIN)) });
    const operation = { step: "failingOver.restoring" as const, kind: "restore" as const, serviceId: "s", backupName: "apim-weu-1.apimbackup", resumeToken: "tok-1", startedAt: T0 };
    p.send({ type: "step.operationStarted", step: "failingOver.restoring", operation });
    expect(p.ctx.operation).toEqual(operation);
    p.send({ type: "step.failed", step: "failingOver.restoring", error: "poll: 503", retryable: true });
    expect(p.ctx.operation?.resumeToken).toBe("tok-1");
    p.send({ type: "step.failed", step: "failingOver.restoring", error: "Cannot restore: backup expired", retryable: false });
    expect(p.ctx.operation).toBeNull();
  });
});

describe("failback", () => {
  function failedOverPair(): Pair {
    const p = inVerifyingStandby().send({ type: "step.verified", step: "failingOver.verifyingStandby", detail: "ok" });
    p.send({ type: "step.dnsSwitched", step: "failingOver.switchingDns", wrote: true, cname: "apim-neu.azure-api.net" });
    p.send({ type: "step.verified", step: "failingOver.verifyingCutover", detail: "ok" });
    expect(p.state).toBe('"failedOver"');
    return p;
  }

  it("never fails back automatically, even when the primary is healthy for long", () => {
    const p = failedOverPair().send({ type: "health.primaryHealthy", reason: "ok" }).send({ type: "health.primaryHealthy", reason: "ok" }, 2 * DAY);
    expect(p.state).toBe('"failedOver"');
  });

  it("stays failedOver when the primary has not been healthy for failbackHealthyWindowMs", () => {
    const p = failedOverPair().send({ type: "health.primaryHealthy", reason: "ok" }).send({ type: "health.primaryHealthy", reason: "ok" }, 10 * MIN);
    p.send({ type: "operator.failbackRequested", actor: "frank" }, 5 * MIN);
    expect(p.state).toBe('"failedOver"');
    expect(p.decision).toMatchObject({ verdict: "refuse", reason: "operator frank requested a failback, but the primary has been healthy for only 15m of the required 30m" });
  });

  it("fails back on operator request once the primary was healthy for the window", () => {
    const p = failedOverPair().send({ type: "health.primaryHealthy", reason: "ok" });
    p.send({ type: "operator.failbackRequested", actor: "frank" }, 30 * MIN);
    expect(p.state).toBe('{"failingBack":"checkingPrimary"}');
    expect(p.decision).toMatchObject({ verdict: "failback", reason: "operator frank requested a failback; the primary has been healthy for 30m: failing back" });
  });

  it("refuses a failback into a primary of another SKU", () => {
    const p = failedOverPair().send({ type: "health.primaryHealthy", reason: "ok" }).send({ type: "operator.failbackRequested" }, 30 * MIN);
    p.send({ type: "step.primaryChecked", step: "failingBack.checkingPrimary", facts: { primarySku: "Standard", standbySku: "Premium", primaryProvisioningState: "Succeeded" } });
    expect(p.state).toBe('"awaitingOperator"');
    expect(p.decision?.reason).toBe("the primary is Standard but the active standby is Premium: APIM restores only into the same SKU");
    p.send({ type: "operator.aborted" });
    expect(p.state).toBe('"failedOver"');
  });
});

describe("paused", () => {
  it("keeps updating health without acting, and resumes to monitoring", () => {
    const p = healthy(pair()).send({ type: "operator.paused", actor: "gina", reason: "maintenance" });
    expect(p.state).toBe('"paused"');
    p.send({ type: "health.primaryUnhealthy", reason: "maintenance window" });
    expect(p.state).toBe('"paused"');
    expect(p.ctx.health.primary).toMatchObject({ verdict: "unhealthy", reason: "maintenance window" });
    expect(p.ctx.automaticFailovers).toEqual([]);
    p.send({ type: "operator.resumed", actor: "gina" });
    expect(p.state).toBe('{"monitoring":"suspect"}');
    p.send({ type: "health.primaryHealthy", reason: "ok" });
    expect(p.state).toBe('{"monitoring":"healthy"}');
  });
});
