import type { ApimPort, ApimService, BackupLocation, OperationHandle } from "../../../src/ports/apim.js";
import type { BackupRecord, BackupStorePort } from "../../../src/ports/backups.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import type { ManualClock } from "../../support/manual-clock.js";

export const PRIMARY_ID =
  "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-weu";

export class MemoryBackupStore implements BackupStorePort {
  blobs = new Map<string, BackupRecord>();
  failNextList = 0;
  async list(): Promise<BackupRecord[]> {
    if (this.failNextList > 0) {
      this.failNextList--;
      throw new AzureOperationError("storage unreachable", "ServiceUnavailable", 503, true);
    }
    return [...this.blobs.values()].sort((a, b) => b.takenAt - a.takenAt);
  }
  async annotate(_c: string, name: string, meta: { sourceServiceId: string; sku: string; takenAt: number }): Promise<void> {
    const blob = this.blobs.get(name);
    if (!blob) throw new AzureOperationError(`blob ${name} not found`, "BlobNotFound", 404, false);
    this.blobs.set(name, { ...blob, sourceServiceId: meta.sourceServiceId.toLowerCase(), sku: meta.sku, takenAt: meta.takenAt });
  }
  async delete(_c: string, name: string): Promise<void> {
    this.blobs.delete(name);
  }
  put(record: BackupRecord): void {
    this.blobs.set(record.name, record);
  }
}

/** APIM that writes a blob when a backup finishes after `backupDurationMs` of clock time. */
export class BackupOnlyApim implements ApimPort {
  backupsStarted: BackupLocation[] = [];
  provisioningState = "Succeeded";
  failNextBackups: AzureOperationError[] = [];
  backupDurationMs = 60_000;
  constructor(
    private readonly clock: ManualClock,
    private readonly store: MemoryBackupStore,
  ) {}

  async getService(serviceId: string): Promise<ApimService> {
    return {
      id: serviceId,
      name: "apim-weu",
      region: "westeurope",
      skuName: "Premium",
      skuCapacity: 1,
      provisioningState: this.provisioningState,
      gatewayUrl: "https://apim-weu.azure-api.net",
      hostnames: [],
      identity: null,
    };
  }
  async beginBackup(serviceId: string, location: BackupLocation): Promise<OperationHandle> {
    const failure = this.failNextBackups.shift();
    if (failure) throw failure;
    this.backupsStarted.push(location);
    return { kind: "backup", serviceId, backupName: location.backupName, resumeToken: `token-${location.backupName}`, startedAt: this.clock.now() };
  }
  async beginRestore(): Promise<OperationHandle> {
    throw new Error("restore is not part of these tests");
  }
  async waitForOperation(handle: OperationHandle): Promise<void> {
    await this.clock.sleep(this.backupDurationMs);
    this.store.put({ name: handle.backupName, takenAt: this.clock.now(), sourceServiceId: null, sku: null, sizeBytes: 1 });
  }
}
