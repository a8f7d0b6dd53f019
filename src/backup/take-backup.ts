import type { ApimPort, OperationHandle, StorageAccess } from "../ports/apim.js";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import type { Clock } from "../ports/clock.js";
import { backupBlobName, serviceNameOf } from "./backup-names.js";
import { recordBackup, startBackup } from "./operations.js";

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

/** One scheduled or change-triggered backup, through the same operation as a failover's (see operations.ts). */
export async function takeBackup(
  deps: BackupDeps,
  target: BackupTarget,
  options: { signal?: AbortSignal; onProgress?: (p: BackupProgress) => void; busyPollMs?: number } = {},
): Promise<BackupRecord> {
  const backupName = backupBlobName(serviceNameOf(target.serviceId), deps.clock.now());
  const location = { storageAccount: target.storageAccount, containerName: target.container, backupName, access: target.access() };
  const handle = await startBackup(deps.apim, deps.clock, target.serviceId, location, {
    pollMs: options.busyPollMs ?? SERVICE_BUSY_POLL_MS,
    signal: options.signal,
    onBusy: (busy) => options.onProgress?.({ type: "waitingForService", provisioningState: busy.provisioningState }),
  });
  options.onProgress?.({ type: "started", handle });
  await deps.apim.waitForOperation(handle, {
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ type: "operation", status: p.status, operationId: p.operationId }),
  });
  return recordBackup(deps.apim, deps.store, handle, target.container, options.signal);
}
