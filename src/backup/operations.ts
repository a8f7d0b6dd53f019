import { waitUntilServiceIdle, type ApimPort, type ApimService, type BackupLocation, type OperationHandle } from "../ports/apim.js";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import type { Clock } from "../ports/clock.js";

/**
 * The one backup operation and the one restore operation, shared by scheduled, change-triggered, warm-standby,
 * failover and failback paths. Both start only once the service has no management operation in progress: ARM
 * refuses a second one with 409, a backup may miss changes made during one, and a restore may be overwritten.
 */
export interface IdleWait {
  /** How often to look again while the service is busy. */
  pollMs: number;
  signal?: AbortSignal;
  /** Told each time the service is found busy. */
  onBusy?: (service: ApimService) => void;
}

export async function startBackup(apim: ApimPort, clock: Clock, serviceId: string, location: BackupLocation, wait: IdleWait): Promise<OperationHandle> {
  await waitUntilServiceIdle(apim, clock, serviceId, wait);
  return apim.beginBackup(serviceId, location, wait.signal);
}

export async function startRestore(apim: ApimPort, clock: Clock, serviceId: string, location: BackupLocation, wait: IdleWait): Promise<OperationHandle> {
  await waitUntilServiceIdle(apim, clock, serviceId, wait);
  return apim.beginRestore(serviceId, location, wait.signal);
}

/**
 * After a backup operation succeeded: records its source, SKU and start time on the blob (a backup holds the
 * configuration as of its start), so discovery never depends on memory, and returns the blob as listed.
 */
export async function recordBackup(apim: ApimPort, store: BackupStorePort, handle: OperationHandle, container: string, signal?: AbortSignal): Promise<BackupRecord> {
  const service = await apim.getService(handle.serviceId, signal);
  await store.annotate(container, handle.backupName, { sourceServiceId: service.id.toLowerCase(), sku: service.skuName, takenAt: handle.startedAt });
  const record = (await store.list(container, signal)).find((b) => b.name === handle.backupName);
  if (!record) throw new Error(`backup ${handle.backupName} finished but its blob is not in container ${container}: check the storage account and the container name`);
  return record;
}
