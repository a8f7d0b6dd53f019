import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import { sameResourceId } from "../ports/signal.js";
import { BACKUP_LIFETIME_MS, serviceNameOf } from "./backup-names.js";

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

/** True when the blob is a backup of `serviceId`: by metadata, else by its name prefix. */
export function isBackupOf(backup: BackupRecord, serviceId: string): boolean {
  if (backup.sourceServiceId) return sameResourceId(backup.sourceServiceId, serviceId);
  return backup.name.startsWith(`${serviceNameOf(serviceId)}-`);
}

/** The newest backup of `serviceId`, discovered from the container (never from memory). */
export async function findLatestBackup(
  store: BackupStorePort,
  container: string,
  serviceId: string,
  now: number,
  signal?: AbortSignal,
): Promise<BackupAge | null> {
  const backups = (await store.list(container, signal)).filter((b) => isBackupOf(b, serviceId));
  const newest = backups.reduce<BackupRecord | null>((best, b) => (!best || b.takenAt > best.takenAt ? b : best), null);
  return newest ? ageOf(newest, now) : null;
}
