import type { BackupAge } from "./latest-backup.js";

export interface RpoStatus {
  /** Name of the newest backup, or null when there is none. */
  backupName: string | null;
  /** Age of the newest backup, or null when there is none. */
  backupAgeMs: number | null;
  rpoMs: number;
  breached: boolean;
  /** Change signals for the primary since the newest successful backup started. */
  unbackedChanges: number;
  reason: string;
}

const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;

/** Backup age against the objective; an expired backup counts as no backup (APIM refuses it). */
export function rpoStatus(latest: BackupAge | null, rpoMs: number, unbackedChanges: number): RpoStatus {
  const changes = unbackedChanges ? `; ${unbackedChanges} configuration change(s) not in any backup` : "";
  if (!latest) {
    return { backupName: null, backupAgeMs: null, rpoMs, breached: true, unbackedChanges, reason: `RPO breached: no backup found${changes}` };
  }
  if (latest.expired) {
    return {
      backupName: latest.backup.name,
      backupAgeMs: latest.ageMs,
      rpoMs,
      breached: true,
      unbackedChanges,
      reason: `RPO breached: newest backup ${latest.backup.name} has expired (APIM cannot restore backups older than 30 days)${changes}`,
    };
  }
  const breached = latest.ageMs > rpoMs;
  return {
    backupName: latest.backup.name,
    backupAgeMs: latest.ageMs,
    rpoMs,
    breached,
    unbackedChanges,
    reason: `${breached ? "RPO breached" : "within RPO"}: newest backup ${latest.backup.name} is ${minutes(latest.ageMs)} old (RPO ${minutes(rpoMs)})${changes}`,
  };
}
