import type { BackupRecord } from "../ports/backups.js";
import type { CnameRecordSet } from "../ports/dns.js";
import type { BackupFacts, Decision, PairContext, PrimaryFacts, RegionHealth, ResumePoint } from "./types.js";
import { BACKUP_LIFETIME_MS } from "../backup/backup-names.js";
import { formatDuration } from "../ports/duration.js";

function describeHealth(h: RegionHealth): string {
  return h.reason ? `${h.verdict}: ${h.reason}` : h.verdict;
}

export type StartTrigger = { kind: "automatic"; reason: string } | { kind: "operator"; planned: boolean; actor?: string; reason?: string };

export type StartVerdict = "failover" | "awaitApproval" | "brake" | "observe" | "refuse" | "held";

/** Start a failover? Called when the primary is confirmed unhealthy or an operator asks. */
export function decideStartFailover(ctx: PairContext, trigger: StartTrigger, at: number): Decision & { verdict: StartVerdict } {
  const { policy } = ctx.pair;
  const { standby } = ctx.health;
  const why = trigger.kind === "automatic" ? `primary unhealthy (${trigger.reason})` : `operator ${trigger.actor ?? "unknown"} requested a ${trigger.planned ? "planned" : "manual"} failover${trigger.reason ? ` (${trigger.reason})` : ""}`;
  if (policy.mode === "observe") {
    return { verdict: "observe", reason: `${why}; policy mode is observe: decision recorded, no action taken` };
  }
  if (standby.verdict === "unhealthy") {
    return { verdict: "refuse", reason: `${why}, but the standby region ${ctx.pair.standby.region} is itself unhealthy (${standby.reason}): not failing over into it` };
  }
  if (trigger.kind === "operator") {
    return { verdict: "failover", reason: `${why}: starting failover (operator failovers are not braked)` };
  }
  if (ctx.heldUntilPrimaryHealthy) {
    return {
      verdict: "held",
      reason: `${why}, but an operator took over at ${new Date(ctx.heldUntilPrimaryHealthy).toISOString()} while the primary was unhealthy (abort, or approving no action): no automatic failover until the primary is healthy again or an operator requests one`,
    };
  }
  const recent = ctx.automaticFailovers.filter((t) => at - t < policy.brakeWindowMs);
  if (recent.length > 0) {
    const last = Math.max(...recent);
    return {
      verdict: "brake",
      reason: `${why}, but an automatic failover moved traffic ${formatDuration(at - last)} ago; the brake allows one per ${formatDuration(policy.brakeWindowMs)}: waiting for an operator`,
    };
  }
  if (policy.mode === "approval") {
    return { verdict: "awaitApproval", reason: `${why}; policy mode is approval: waiting for an operator to approve the failover` };
  }
  return { verdict: "failover", reason: `${why}; standby ${ctx.pair.standby.region} is ${ctx.health.standby.verdict}: starting automatic failover` };
}

export type BackupVerdict = "useBackup" | "takeFreshBackup" | "awaitApproval" | "noBackup" | "skuMismatch" | "expired" | "refuse";

export interface BackupDecision extends Decision {
  verdict: BackupVerdict;
  backup: BackupRecord | null;
  dataLossWindowMs?: number;
}

/** Is the newest backup usable for this failover, and if not, what instead? */
export function decideBackup(ctx: PairContext, facts: BackupFacts, at: number): BackupDecision {
  const { latest, standbySku } = facts;
  const container = ctx.pair.backup.containerName;
  const primaryNote = facts.primaryAnswers ? "the primary's management plane still answers" : `the primary's management plane does not answer (${facts.primaryDetail})`;
  const unverified = facts.unverified.length ? `; ${facts.unverified.length} blob(s) without source metadata are not used (listed in status)` : "";
  if (ctx.failoverTrigger === "planned" && facts.primaryAnswers) {
    return { verdict: "takeFreshBackup", backup: null, reason: "planned failover: taking a fresh backup of the primary first, so no change is lost" };
  }
  if (!latest) {
    if (facts.primaryAnswers) return { verdict: "takeFreshBackup", backup: null, reason: `no backup of the primary found in container ${container}${unverified}; ${primaryNote}: taking a fresh backup` };
    return {
      verdict: "noBackup",
      backup: null,
      reason:
        `no backup of the primary found in container ${container}${unverified} and ${primaryNote}: nothing to restore. ` +
        `Approve for a DNS-only cutover (the standby keeps its current configuration: safe only when it is kept in sync another way, e.g. APIOps), ` +
        `or abort and request the failover again once the primary answers (it then takes a fresh backup)`,
    };
  }
  if (latest.sku && latest.sku.toLowerCase() !== standbySku.toLowerCase()) {
    return {
      verdict: "skuMismatch",
      backup: latest,
      reason: `backup ${latest.name} was taken from a ${latest.sku} service but the standby is ${standbySku}: APIM restores only into the same SKU`,
    };
  }
  const age = at - latest.takenAt;
  if (age > BACKUP_LIFETIME_MS) {
    if (facts.primaryAnswers) {
      return { verdict: "takeFreshBackup", backup: null, reason: `backup ${latest.name} is ${formatDuration(age)} old and expired (APIM limit 30d); ${primaryNote}: taking a fresh backup` };
    }
    return { verdict: "expired", backup: latest, reason: `backup ${latest.name} is ${formatDuration(age)} old and expired (APIM limit 30d): refusing to restore it; ${primaryNote}` };
  }
  const unbacked = ctx.unbackedChanges.length;
  const rpo = ctx.pair.objectives.rpoMs;
  const stale = `backup ${latest.name} is ${formatDuration(age)} old, older than the RPO of ${formatDuration(rpo)}`;
  if (facts.primaryAnswers && (age > rpo || unbacked > 0)) {
    const why = age > rpo ? `${stale}${unbacked ? `, and ${unbacked} configuration change(s) are in no backup` : ""}` : `${unbacked} configuration change(s) of the primary are not in backup ${latest.name}`;
    return { verdict: "takeFreshBackup", backup: null, reason: `${why}; ${primaryNote}: taking a fresh backup` };
  }
  const lost = unbacked > 0 ? `; ${unbacked} change(s) made after it are lost with the primary` : "";
  const skuNote = latest.sku ? "" : ` (backup carries no SKU metadata; the restore will fail if it differs from ${standbySku})`;
  if (age <= rpo) {
    return { verdict: "useBackup", backup: latest, reason: `backup ${latest.name} is ${formatDuration(age)} old, within the RPO of ${formatDuration(rpo)}${lost}${skuNote}` };
  }
  const window = `data-loss window ${formatDuration(age)}`;
  switch (ctx.pair.policy.onRpoBreach) {
    case "failoverWithStaleBackup":
      return { verdict: "useBackup", backup: latest, dataLossWindowMs: age, reason: `${stale}; ${primaryNote}; policy onRpoBreach=failoverWithStaleBackup: restoring it (${window})${skuNote}` };
    case "refuse":
      return { verdict: "refuse", backup: latest, dataLossWindowMs: age, reason: `${stale}; ${primaryNote}; policy onRpoBreach=refuse: not failing over` };
    case "awaitApproval":
      return { verdict: "awaitApproval", backup: latest, dataLossWindowMs: age, reason: `${stale}; ${primaryNote}: approve to restore it (${window})` };
  }
}

export type RestoreVerdict = "restore" | "skipRestore";

/** Restore needed? Not when the target already holds exactly this backup. */
export function decideRestore(holds: string | null, backup: BackupRecord): Decision & { verdict: RestoreVerdict } {
  if (holds === backup.name) {
    return { verdict: "skipRestore", reason: `the standby already holds backup ${backup.name}: skipping the restore` };
  }
  return { verdict: "restore", reason: `restoring backup ${backup.name} into the standby${holds ? ` (it holds ${holds})` : ""}` };
}

export type DnsVerdict = "switch" | "hold";

/** May the CNAME move to `toward`? Only after that side passed verification in this run, and while it is not unhealthy. */
export function decideDnsSwitch(ctx: PairContext, toward: "standby" | "primary"): Decision & { verdict: DnsVerdict } {
  const host = ctx.pair.customHostname;
  if (ctx.verifiedAt[toward] === null) {
    return { verdict: "hold", reason: `the ${toward} has not passed gateway verification for ${host}: DNS stays where it is` };
  }
  const health = ctx.health[toward];
  if (health.verdict === "unhealthy") {
    return { verdict: "hold", reason: `the ${toward} passed verification but is now reported unhealthy (${health.reason}): DNS stays where it is` };
  }
  return { verdict: "switch", reason: `the ${toward} answered for ${host}: moving the CNAME to ${toward === "standby" ? ctx.pair.dns.standbyTarget : ctx.pair.dns.primaryTarget}` };
}

export type DnsPlan =
  | { action: "skip"; reason: string }
  | { action: "write"; etag: string; reason: string }
  | { action: "conflict"; reason: string };

/** What to do with the CNAME: observed first, so a re-run never writes twice and never overwrites a change made behind our back. */
export function planDnsChange(record: CnameRecordSet | null, recordName: string, expected: string, target: string): DnsPlan {
  const same = (a: string | null, b: string) => a !== null && a.replace(/\.$/, "").toLowerCase() === b.replace(/\.$/, "").toLowerCase();
  if (!record) {
    return { action: "conflict", reason: `CNAME ${recordName} does not exist (expected it to point at ${expected}): not creating it blindly` };
  }
  if (same(record.cname, target)) {
    return { action: "skip", reason: `CNAME ${recordName} already points at ${target}: no write needed` };
  }
  if (!same(record.cname, expected)) {
    return { action: "conflict", reason: `CNAME ${recordName} points at ${record.cname ?? "nothing"}, expected ${expected}: it changed behind our back, not overwriting it` };
  }
  return { action: "write", etag: record.etag, reason: `CNAME ${recordName} points at ${expected}: writing ${target} with If-Match ${record.etag}` };
}

export type FailbackVerdict = "failback" | "refuse";

/** Fail back? Only on operator request, from failedOver, after the primary was healthy for the configured window. */
export function decideFailback(ctx: PairContext, at: number, actor?: string): Decision & { verdict: FailbackVerdict } {
  const who = `operator ${actor ?? "unknown"} requested a failback`;
  if (ctx.activeRegion !== "standby") {
    return { verdict: "refuse", reason: `${who}, but traffic is not on the standby: nothing to fail back` };
  }
  const primary = ctx.health.primary;
  const window = ctx.pair.policy.failbackHealthyWindowMs;
  if (primary.verdict !== "healthy" || primary.since === null) {
    return { verdict: "refuse", reason: `${who}, but the primary is ${describeHealth(primary)}: it must be healthy for ${formatDuration(window)} first` };
  }
  const healthyFor = at - primary.since;
  if (healthyFor < window) {
    return { verdict: "refuse", reason: `${who}, but the primary has been healthy for only ${formatDuration(healthyFor)} of the required ${formatDuration(window)}` };
  }
  return { verdict: "failback", reason: `${who}; the primary has been healthy for ${formatDuration(healthyFor)}: failing back` };
}

export type FailbackCheckVerdict = "proceed" | "skuMismatch" | "notReady";

/** Can the primary take a restore of the active standby's backup? */
export function decideFailbackReadiness(facts: PrimaryFacts): Decision & { verdict: FailbackCheckVerdict } {
  if (facts.primarySku.toLowerCase() !== facts.standbySku.toLowerCase()) {
    return { verdict: "skuMismatch", reason: `the primary is ${facts.primarySku} but the active standby is ${facts.standbySku}: APIM restores only into the same SKU` };
  }
  if (facts.primaryProvisioningState !== "Succeeded") {
    return { verdict: "notReady", reason: `the primary's provisioning state is ${facts.primaryProvisioningState}: a management operation is in progress` };
  }
  return { verdict: "proceed", reason: `the primary (${facts.primarySku}) answers and is idle: backing up the active standby` };
}

/** Backoff before attempt `attempt + 1` (attempt counts failures so far): 5s, 10s, 20s ... capped at 5 minutes. */
export function retryBackoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 300_000);
}

export type StepFailureVerdict = "retry" | "escalate";

/** Retry a failed step after a backoff, or hand it to the operator after maxStepAttempts. */
export function decideStepFailure(ctx: PairContext, step: string, error: string, at: number): Decision & { verdict: StepFailureVerdict; retryAt: number | null } {
  const attempt = (ctx.attempts[step as keyof PairContext["attempts"]] ?? 0) + 1;
  const max = ctx.pair.policy.maxStepAttempts;
  if (attempt >= max) {
    return { verdict: "escalate", retryAt: null, reason: `${step} failed ${attempt} time(s), the limit is ${max}: ${error}` };
  }
  const wait = retryBackoffMs(attempt);
  return { verdict: "retry", retryAt: at + wait, reason: `${step} failed (attempt ${attempt} of ${max}): ${error}; retrying in ${formatDuration(wait)}` };
}

/** Where abort leaves the pair: wherever the CNAME points. */
export function abortTarget(ctx: PairContext): Extract<ResumePoint, "monitoring" | "failedOver"> {
  return ctx.activeRegion === "standby" ? "failedOver" : "monitoring";
}
