import { waitUntilServiceIdle, type ApimPort, type OperationHandle, type StorageAccess } from "../ports/apim.js";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import type { Clock } from "../ports/clock.js";
import { backupBlobName, serviceNameOf } from "./backup-names.js";

export interface BackupTarget {
  serviceId: string;
  storageAccount: string;
  container: string;
  /** Resolved at call time so an access key never sits in settings or snapshots. */
  access: () => StorageAccess;
}

export interface BackupDeps {
  apim: ApimPort;
  store: BackupStorePort;
  clock: Clock;
}

export type BackupProgress =
  | { type: "waitingForService"; provisioningState: string }
  | { type: "started"; handle: OperationHandle }
  | { type: "operation"; status: string; operationId?: string };

/** How often to look again while the service has a management operation in progress. */
export const SERVICE_BUSY_POLL_MS = 30_000;

/**
 * One APIM backup: waits until the service has no management operation in progress (changes made
 * during one may be missing from the backup), starts the ARM backup, waits for it, and records
 * source, SKU and time on the blob so discovery never depends on memory.
 */
export async function takeBackup(
  deps: BackupDeps,
  target: BackupTarget,
  options: { signal?: AbortSignal; onProgress?: (p: BackupProgress) => void; busyPollMs?: number } = {},
): Promise<BackupRecord> {
  const service = await waitUntilServiceIdle(deps.apim, deps.clock, target.serviceId, {
    pollMs: options.busyPollMs ?? SERVICE_BUSY_POLL_MS,
    signal: options.signal,
    onBusy: (busy) => options.onProgress?.({ type: "waitingForService", provisioningState: busy.provisioningState }),
  });
  const takenAt = deps.clock.now();
  const backupName = backupBlobName(serviceNameOf(target.serviceId), takenAt);
  const handle = await deps.apim.beginBackup(
    target.serviceId,
    { storageAccount: target.storageAccount, containerName: target.container, backupName, access: target.access() },
    options.signal,
  );
  options.onProgress?.({ type: "started", handle });
  await deps.apim.waitForOperation(handle, {
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ type: "operation", status: p.status, operationId: p.operationId }),
  });
  await deps.store.annotate(target.container, backupName, { sourceServiceId: target.serviceId, sku: service.skuName, takenAt });
  return { name: backupName, takenAt, sourceServiceId: target.serviceId.toLowerCase(), sku: service.skuName, sizeBytes: 0 };
}
