import type { EffectivePair } from "../config/index.js";
import type { PairContext } from "../machine/types.js";
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

const BACKUP_LIFETIME_MS = 30 * 86_400_000;

/**
 * The failover plan follows the same rules as the machine's backup check (decideBackup): a planned failover,
 * unbacked changes or a stale backup mean a fresh backup first while the primary's management plane answers.
 */
export function failoverPlan(p: EffectivePair, ctx: PairContext, backup: BackupView, planned: boolean, now = Date.now()): CutoverPlan {
  const rpoBreached = backup.backupAgeMs === null || backup.breached;
  const freshWhy = planned
    ? "planned failover: nothing may be lost"
    : backup.unbackedChanges > 0
      ? `${backup.unbackedChanges} change(s) are in no backup`
      : backup.backupName === null
        ? "there is no backup yet"
        : rpoBreached
          ? "the newest backup is older than the RPO"
          : null;
  const existing = backup.backupName === null ? null : { name: backup.backupName, detail: backup.reason.replace(/^(within RPO|RPO breached): /, ""), breached: backup.breached };
  const plan: CutoverPlan["backup"] = freshWhy
    ? { kind: "fresh", of: p.primary.name, why: `${freshWhy}; if the primary's management plane does not answer: ${existing ? `the newest backup ${existing.name}` : "nothing to restore (DNS-only cutover, with approval)"}` }
    : existing
      ? { kind: "existing", ...existing }
      : { kind: "none", detail: "no backup found" };
  return {
    title: `failover ${p.name}: from ${p.primary.name} (${p.primary.region}) to ${p.standby.name} (${p.standby.region})`,
    backup: plan,
    restore: {
      into: p.standby.name,
      skipWhen: ctx.standbyHolds && plan.kind === "existing" && ctx.standbyHolds === plan.name ? ctx.standbyHolds : null,
      note: ctx.standbyHolds ? `it was last restored from ${ctx.standbyHolds}` : "",
    },
    verify: `${p.standby.name}'s gateway answers for ${p.customHostname}`,
    dns: { record: `${p.dns.recordName}.${p.dns.zoneName}`, from: p.dns.primaryTarget, to: p.dns.standbyTarget, ttlSeconds: p.dns.ttlSeconds },
    newestBackup:
      backup.backupName !== null && backup.backupAgeMs !== null
        ? { name: backup.backupName, ageMs: backup.backupAgeMs, rpoMs: backup.rpoMs, breached: backup.breached, expiresAt: new Date(now - backup.backupAgeMs + BACKUP_LIFETIME_MS).toISOString() }
        : null,
  };
}

export function failbackPlan(p: EffectivePair, ctx: PairContext): CutoverPlan {
  return {
    title: `failback ${p.name}: from ${p.standby.name} (${p.standby.region}) back to ${p.primary.name} (${p.primary.region})`,
    backup: { kind: "fresh", of: p.standby.name, why: `it serves traffic: every change made while failed over is kept${ctx.unbackedChanges.length ? ` (${ctx.unbackedChanges.length} not in any backup yet)` : ""}` },
    restore: { into: p.primary.name, skipWhen: null, note: "its configuration is replaced" },
    verify: `${p.primary.name}'s gateway answers for ${p.customHostname}`,
    dns: { record: `${p.dns.recordName}.${p.dns.zoneName}`, from: p.dns.standbyTarget, to: p.dns.primaryTarget, ttlSeconds: p.dns.ttlSeconds },
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
