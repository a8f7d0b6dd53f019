import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import { sameResourceId } from "../ports/signal.js";
import { BACKUP_LIFETIME_MS } from "./backup-names.js";

export interface BackupAge {
  backup: BackupRecord;
  ageMs: number;
  expiresAt: number;
  expired: boolean;
}

/** Age and expiry of a backup at `now`. */
export function ageOf(backup: BackupRecord, now: number): BackupAge {
  const expiresAt = backup.takenAt + BACKUP_LIFETIME_MS;
  return { backup, ageMs: Math.max(0, now - backup.takenAt), expiresAt, expired: now >= expiresAt };
}

/**
 * True when the blob's metadata says it is a backup of `serviceId`. A blob without metadata (a backup
 * interrupted before it was annotated, or made by another tool) has no established source: its name is
 * not proof, so it is never taken for anyone's backup automatically.
 */
export function isBackupOf(backup: BackupRecord, serviceId: string): boolean {
  return backup.sourceServiceId !== null && sameResourceId(backup.sourceServiceId, serviceId);
}

export interface BackupChoice {
  /** The newest usable backup of the active instance, or null. */
  newest: BackupAge | null;
  /** Blobs whose source cannot be established: listed for an operator, never restored automatically. */
  unverified: BackupRecord[];
}

/**
 * THE rule for "the newest backup", used by the failover's backup check and by the RPO view alike:
 * the newest of the active instance's own backups and of its baseline (the backup restored into it by the
 * cutover that made it active, whose state it has held since).
 */
export function newestBackupOf(all: readonly BackupRecord[], activeServiceId: string, baselineName: string | null, now: number): BackupChoice {
  const candidates = all.filter((b) => isBackupOf(b, activeServiceId) || (b.sourceServiceId !== null && b.name === baselineName));
  const newest = candidates.reduce<BackupRecord | null>((best, b) => (!best || b.takenAt > best.takenAt ? b : best), null);
  return { newest: newest ? ageOf(newest, now) : null, unverified: all.filter((b) => b.sourceServiceId === null) };
}

/** Reads the container (never memory) and applies newestBackupOf. */
export async function findNewestBackup(
  store: BackupStorePort,
  container: string,
  activeServiceId: string,
  baselineName: string | null,
  now: number,
  signal?: AbortSignal,
): Promise<BackupChoice> {
  return newestBackupOf(await store.list(container, signal), activeServiceId, baselineName, now);
}
