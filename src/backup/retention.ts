import type { BackupRecord } from "../ports/backups.js";

export interface RetentionRule {
  retentionMs: number;
  /** The newest N are kept whatever their age, so a long outage never deletes the last backups. */
  keepLatest: number;
}

/** Which backups the rule deletes: older than the retention period, except the newest `keepLatest`. */
export function backupsToDelete(backups: BackupRecord[], rule: RetentionRule, now: number): BackupRecord[] {
  const newestFirst = [...backups].sort((a, b) => b.takenAt - a.takenAt);
  return newestFirst.slice(rule.keepLatest).filter((b) => now - b.takenAt > rule.retentionMs);
}
