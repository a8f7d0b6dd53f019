import type { EffectivePair } from "../config/index.js";
import { BACKUP_LIFETIME_MS, serviceNameOf } from "../backup/backup-names.js";
import { decideBackup, decideRestore } from "../machine/decide.js";
import { restoreInput, switchDnsInput, verifyGatewayInput } from "../machine/step-inputs.js";
import type { PairContext, RegionRole } from "../machine/types.js";
import type { BackupRecord } from "../ports/backups.js";
import type { BackupView } from "./backup-coordinator.js";

/** What a failover or failback would do now, step by step: rendered for the operator before they confirm. */
export interface CutoverPlan {
  title: string;
  /** How the backup to restore is obtained. */
  backup:
    | { kind: "fresh"; of: string; why: string }
    | { kind: "existing"; name: string; detail: string; breached: boolean }
    | { kind: "none"; detail: string };
  restore: { into: string; skipWhen: string | null; note: string };
  verify: string;
  dns: { record: string; from: string; to: string; ttlSeconds: number };
  /** The newest backup of the active instance as the RPO view last read it (failover plans). */
  newestBackup?: { name: string; ageMs: number; rpoMs: number; breached: boolean; expiresAt: string } | null;
  /** Expected restore time and where the figure comes from (`apim-dr plan`). */
  expectedRestore?: { ms: number; source: string };
  /** Readiness checks that are not READY: each would block or slow this cutover (`apim-dr plan`). */
  notReady?: { check: string; status: string; evidence: string; fix?: string }[];
}

/** What the plan needs of the backups: the RPO view and the newest usable backup record (the one the machine's check would find). */
export interface PlanBackups {
  view: BackupView;
  newest: BackupRecord | null;
}

const FAILOVER_DNS_STEP = "failingOver.switchingDns";
const FAILBACK_DNS_STEP = "failingBack.switchingDnsBack";

/** The DNS change and the verification exactly as the switchDns and verifyGateway steps would receive them. */
function cutoverSteps(ctx: PairContext, toward: RegionRole): Pick<CutoverPlan, "verify" | "dns"> {
  const dns = switchDnsInput(ctx, toward === "standby" ? FAILOVER_DNS_STEP : FAILBACK_DNS_STEP, toward);
  const verify = verifyGatewayInput(ctx, toward === "standby" ? "failingOver.verifyingStandby" : "failingBack.verifyingPrimary", toward);
  const zoneName = dns.zoneId.split("/").pop() ?? dns.zoneId;
  return {
    verify: `${serviceNameOf(verify.serviceId)}'s gateway answers for ${verify.hostname}`,
    dns: { record: `${dns.recordName}.${zoneName}`, from: dns.expected, to: dns.target, ttlSeconds: dns.ttl },
  };
}

/**
 * What a failover would do now, decided by the machine's own rules: the backup check is decideBackup on the facts as
 * last read (with the primary's management plane answering, and without), the restore follows decideRestore, and the
 * DNS change and verification are the inputs the steps would get.
 */
export function failoverPlan(p: EffectivePair, ctx: PairContext, backups: PlanBackups, planned: boolean, now: number): CutoverPlan {
  const asRequested: PairContext = { ...ctx, failoverTrigger: planned ? "planned" : "operator" };
  const facts = (primaryAnswers: boolean) => ({
    latest: backups.newest,
    unverified: backups.view.unverified,
    // The standby's SKU is read at the check itself; the readiness tier check compares the two beforehand.
    standbySku: backups.newest?.sku ?? "",
    primaryAnswers,
    primaryDetail: "unreachable at the time",
  });
  const decision = decideBackup(asRequested, facts(true), now);
  const ifSilent = decideBackup(asRequested, facts(false), now);
  const backup: CutoverPlan["backup"] =
    decision.verdict === "takeFreshBackup"
      ? { kind: "fresh", of: p.primary.name, why: `${decision.reason}; if the primary's management plane does not answer: ${ifSilent.reason}` }
      : decision.verdict === "useBackup" && decision.backup
        ? { kind: "existing", name: decision.backup.name, detail: decision.reason, breached: backups.view.breached }
        : { kind: "none", detail: `${decision.verdict}: ${decision.reason}` };
  const chosen = decision.verdict === "useBackup" ? decision.backup : null;
  const view = backups.view;
  return {
    title: `failover ${p.name}: from ${p.primary.name} (${p.primary.region}) to ${p.standby.name} (${p.standby.region})`,
    backup,
    restore: {
      into: serviceNameOf(restoreInput(ctx, "failingOver.restoring", "standby").serviceId),
      skipWhen: chosen && decideRestore(ctx.standbyHolds, chosen).verdict === "skipRestore" ? chosen.name : null,
      note: ctx.standbyHolds ? `it was last restored from ${ctx.standbyHolds}` : "",
    },
    ...cutoverSteps(ctx, "standby"),
    newestBackup:
      view.backupName !== null && view.backupAgeMs !== null
        ? { name: view.backupName, ageMs: view.backupAgeMs, rpoMs: view.rpoMs, breached: view.breached, expiresAt: new Date(now - view.backupAgeMs + BACKUP_LIFETIME_MS).toISOString() }
        : null,
  };
}

/** A failback always backs up the active standby first (failingBack.backingUpActive) and restores that into the primary. */
export function failbackPlan(p: EffectivePair, ctx: PairContext): CutoverPlan {
  return {
    title: `failback ${p.name}: from ${p.standby.name} (${p.standby.region}) back to ${p.primary.name} (${p.primary.region})`,
    backup: { kind: "fresh", of: p.standby.name, why: `it serves traffic: every change made while failed over is kept${ctx.unbackedChanges.length ? ` (${ctx.unbackedChanges.length} not in any backup yet)` : ""}` },
    restore: { into: serviceNameOf(restoreInput(ctx, "failingBack.restoringPrimary", "primary").serviceId), skipWhen: null, note: "its configuration is replaced" },
    ...cutoverSteps(ctx, "primary"),
  };
}

export function renderPlan(plan: CutoverPlan): string[] {
  const b = plan.backup;
  const backup =
    b.kind === "fresh" ? `a fresh backup of ${b.of} first (${b.why})` : b.kind === "existing" ? `${b.detail}${b.breached ? " — RPO BREACHED" : ""}` : b.detail;
  const restore = plan.restore.skipWhen
    ? `skipped: ${plan.restore.into} already holds ${plan.restore.skipWhen}, the newest backup`
    : `into ${plan.restore.into}${plan.restore.note ? ` (${plan.restore.note})` : ""}`;
  const lines = [
    plan.title,
    `  backup: ${backup}`,
    `  restore: ${restore}`,
    `  verify: ${plan.verify}`,
    `  DNS: CNAME ${plan.dns.record} ${plan.dns.from} -> ${plan.dns.to} (TTL ${plan.dns.ttlSeconds} s)`,
  ];
  // What `apim-dr plan` adds; previews before a command carry none of it.
  const newest = plan.newestBackup;
  if (newest !== undefined) {
    lines.push(
      newest
        ? `  newest backup: ${newest.name}, ${Math.round(newest.ageMs / 60_000)} min old, RPO ${Math.round(newest.rpoMs / 60_000)} min ${newest.breached ? "BREACHED" : "met"}, expires ${newest.expiresAt}`
        : "  newest backup: none",
    );
  }
  if (plan.expectedRestore) {
    lines.push(`  expected restore: ${plan.restore.skipWhen ? "none (skipped)" : `${Math.round(plan.expectedRestore.ms / 1000)} s`} (${plan.expectedRestore.source})`);
  }
  if (plan.notReady) {
    if (!plan.notReady.length) lines.push("  readiness: every check READY");
    for (const c of plan.notReady) lines.push(`  ${c.status}: ${c.check}: ${c.evidence}${c.fix ? ` (fix: ${c.fix})` : ""}`);
  }
  return lines;
}
