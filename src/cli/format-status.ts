import type { PairStatus } from "../server/controller-api.js";
import { formatDuration as readableDuration } from "../ports/duration.js";

/** `2h 5m`, `45s`; `n/a` for a figure that does not exist. */
export function formatDuration(ms: number | null): string {
  return ms === null ? "n/a" : readableDuration(ms);
}

/** The human-readable `status` block for one pair. */
export function formatPair(p: PairStatus): string[] {
  const lines = [
    `${p.name}: ${p.state}   active region: ${p.activeRegion}`,
    `  primary ${p.health.primary.region}: ${p.health.primary.verdict} — ${p.health.primary.reason}`,
    `  standby ${p.health.standby.region}: ${p.health.standby.verdict} — ${p.health.standby.reason}`,
    `  backup of ${p.backup.protects}: ${p.backup.latest ?? "none"}, age ${formatDuration(p.backup.ageMs)} / RPO ${formatDuration(p.backup.rpoMs)}${p.backup.breached ? "  ** RPO BREACHED **" : ""}${p.backup.unbackedChanges ? `, ${p.backup.unbackedChanges} unbacked change(s)` : ""}${p.backup.running ? `, ${p.backup.running} backup running` : ""}`,
  ];
  const l = p.leadership;
  if (l?.role === "sole") lines.push("  leader: this replica (one replica, no lease: coordination is not configured)");
  else if (l) {
    const leader = l.leader ? `${l.leader.replicaId} (${l.leader.region}, ${l.leader.adminUrl})` : "nobody (lease free or lease store unreachable)";
    const expiry = l.leaseExpiresAt ? `, lease until ${new Date(l.leaseExpiresAt).toISOString()}` : "";
    lines.push(`  leader: ${leader}, epoch ${l.epoch ?? "?"}${expiry}; this replica ${l.replica?.replicaId ?? "?"} is ${l.role}`);
  }
  if (p.backup.lastError) lines.push(`  last backup attempt failed: ${p.backup.lastError}`);
  if (p.backup.unverified.length) lines.push(`  blobs of unknown source (never restored without an operator): ${p.backup.unverified.join(", ")}`);
  if (p.unsavedState) lines.push(`  ** state NOT persisted since ${p.unsavedState.since}: ${p.unsavedState.error} (retrying; operator actions refused) **`);
  if (p.health.observerImpaired) lines.push("  ** observer impaired: the controller's own view is unreliable; no automatic failover **");
  if (p.operation) lines.push(`  in flight: ${p.operation.step} (${p.operation.kind}) ${p.operation.status}, ${formatDuration(p.operation.elapsedMs)} elapsed`);
  if (p.lastDecision) lines.push(`  last decision: ${p.lastDecision.verdict} — ${p.lastDecision.reason} (${p.lastDecision.at})`);
  if (p.readiness) lines.push(`  ${p.readiness}`);
  lines.push(`  accepts: ${p.accepts.join(", ") || "no operator action"}`);
  return lines;
}
