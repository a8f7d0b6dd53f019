import { randomBytes } from "node:crypto";
import { BACKUP_FORMAT, parseBackupPayload, type BackupPayload } from "./content.js";
import type { SimState } from "./state.js";
import { StorageRestError } from "./storage/blob-rest.js";
import type { SimService } from "./world.js";

export const BACKUP_RETENTION_MS = 30 * 86_400_000;

export interface BackupRestoreRequest {
  storageAccount: string;
  containerName: string;
  backupName: string;
  accessType: "AccessKey" | "SystemAssignedManagedIdentity" | "UserAssignedManagedIdentity";
  accessKey?: string;
  clientId?: string;
}

export interface SimOperation {
  id: string;
  kind: "backup" | "restore";
  service: SimService;
  request: BackupRestoreRequest;
  startedAt: number;
  status: "running" | "succeeded" | "failed";
  error?: { code: string; message: string };
}

type BackupRead = { blob: Awaited<ReturnType<SimState["storage"]["client"]["getBlob"]>> } | { error: unknown };

/** A request APIM refuses before starting the operation (answered synchronously). */
export class OperationRefused extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A failure that ends a running operation (seen by the client when it polls). */
class OperationFailed extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** APIM backup and restore as long-running operations over the real blobs in Azurite. */
export class OperationEngine {
  private readonly operations = new Map<string, SimOperation>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly state: SimState) {}

  get(id: string): SimOperation | undefined {
    return this.operations.get(id);
  }

  running(service: SimService): SimOperation | undefined {
    return [...this.operations.values()].find((o) => o.service === service && o.status === "running");
  }

  async begin(kind: "backup" | "restore", service: SimService, request: BackupRestoreRequest): Promise<SimOperation> {
    const busy = this.running(service);
    if (busy) {
      throw new OperationRefused(409, "PessimisticConcurrencyConflict", `Operation on the service is in progress (a ${busy.kind} started at ${new Date(busy.startedAt).toISOString()}); retry when it has finished.`);
    }
    await this.checkAccess(service, request);
    const operation: SimOperation = { id: operationId(service, kind), kind, service, request, startedAt: Date.now(), status: "running" };
    this.operations.set(operation.id, operation);
    const counts = kind === "backup" ? service.backups : service.restores;
    counts.started += 1;
    service.etagCounter += 1;
    // A backup holds the configuration as it was when it started: later changes are not in it.
    const snapshot: BackupPayload = {
      format: BACKUP_FORMAT,
      sourceServiceId: service.id,
      sku: service.spec.skuName,
      revision: service.revision,
      takenAt: new Date(operation.startedAt).toISOString(),
      content: structuredClone(service.content),
    };
    const timings = this.state.timings;
    const slow = kind === "restore" ? this.state.faults.find("slow-restore", target(service), Date.now()) : undefined;
    const duration = kind === "backup" ? timings.backupDurationMs : timings.restoreDurationMs * (slow ? (slow.options.factor ?? 3) : 1);
    // APIM reads the backup while it restores: read halfway, away from the burst of restores being accepted (each
    // acceptance reads CORS from the same Azurite) and from the burst of ends, where 50 queued reads would add their
    // wait to every restore's duration. Faults and the expiry are still judged at the end.
    let backup: Promise<BackupRead> | undefined;
    if (kind === "restore") {
      this.after(duration / 2, () => {
        backup = this.readBackup(request);
      });
    }
    this.after(duration, () => {
      const done = this.finish(operation, snapshot, () => backup ?? this.readBackup(request)).finally(() => this.pending.delete(done));
      this.pending.add(done);
    });
    return operation;
  }

  /** clock-shift: every simulator backup in the account moves `byMs` into the past (blob content and `takenat` metadata). */
  async shiftBackups(byMs: number): Promise<number> {
    const client = this.state.storage.client;
    let shifted = 0;
    for (const container of await client.listContainers()) {
      for (const name of await client.listBlobs(container)) {
        const blob = await client.getBlob(container, name);
        const payload = blob && parseBackupPayload(blob.body);
        if (!blob || !payload) continue;
        payload.takenAt = new Date(Date.parse(payload.takenAt) - byMs).toISOString();
        const metadata = { ...blob.metadata };
        if (metadata.takenat !== undefined) metadata.takenat = shiftTimestamp(metadata.takenat, byMs);
        await client.putBlob(container, name, JSON.stringify(payload), metadata);
        shifted++;
      }
    }
    return shifted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
  }

  private after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private async finish(operation: SimOperation, snapshot: BackupPayload, backup: () => Promise<BackupRead>): Promise<void> {
    const { service } = operation;
    const counts = operation.kind === "backup" ? service.backups : service.restores;
    try {
      if (this.state.faults.find("storage-outage", target(service), Date.now())) {
        throw new OperationFailed(
          operation.kind === "backup" ? "BackupFailed" : "RestoreFailed",
          `Failed to connect to storage account '${operation.request.storageAccount}': the remote name could not be resolved or the connection timed out. Check that the account is reachable from the API Management control plane.`,
        );
      }
      if (operation.kind === "backup") await this.writeBackup(operation, snapshot);
      else await this.applyRestore(operation, await backup());
      if (this.stopped) return;
      operation.status = "succeeded";
      counts.succeeded += 1;
    } catch (error) {
      if (this.stopped) return;
      const failure =
        error instanceof OperationFailed
          ? error
          : new OperationFailed(operation.kind === "backup" ? "BackupFailed" : "RestoreFailed", `${operation.kind} failed: ${(error as Error).message}`);
      operation.status = "failed";
      operation.error = { code: failure.code, message: failure.message };
      counts.failed += 1;
    }
    service.etagCounter += 1;
    this.state.events.emit({
      type: "operation",
      kind: operation.kind,
      serviceId: service.id,
      backupName: operation.request.backupName,
      status: operation.status === "succeeded" ? "succeeded" : "failed",
      ...(operation.error ? { error: operation.error } : {}),
      at: new Date().toISOString(),
    });
  }

  private async writeBackup(operation: SimOperation, snapshot: BackupPayload): Promise<void> {
    const { containerName, backupName } = operation.request;
    const client = this.state.storage.client;
    await client.createContainerIfMissing(containerName);
    await client.putBlob(containerName, backupName, JSON.stringify(snapshot));
  }

  /** The backup blob as read during the restore; never rejects (the failure is the restore's, at its end). */
  private readBackup(request: BackupRestoreRequest): Promise<BackupRead> {
    return this.state.storage.client.getBlob(request.containerName, request.backupName).then(
      (blob) => ({ blob }),
      (error: unknown) => ({ error }),
    );
  }

  private async applyRestore(operation: SimOperation, read: BackupRead): Promise<void> {
    const { service, request } = operation;
    const failure = this.state.faults.find("restore-failure", target(service), Date.now());
    if (failure) {
      this.state.faults.consume(failure);
      throw new OperationFailed("RestoreFailed", "Restore operation failed due to an internal error in the service. Retry the operation.");
    }
    if ("error" in read) {
      if (read.error instanceof StorageRestError) throw new OperationFailed("RestoreFailed", `Cannot restore: ${read.error.message}`);
      throw read.error;
    }
    const { blob } = read;
    if (!blob) {
      throw new OperationFailed(
        "InvalidParameters",
        `Invalid parameter: Backup blob '${request.backupName}' was not found in container '${request.containerName}' of storage account '${request.storageAccount}'.\r\nParameter name: backupName`,
      );
    }
    const payload = parseBackupPayload(blob.body);
    if (!payload) throw new OperationFailed("RestoreFailed", `Cannot restore: blob '${request.backupName}' is not an API Management backup`);
    if (Date.now() - Date.parse(payload.takenAt) > BACKUP_RETENTION_MS) throw new OperationFailed("RestoreFailed", "Cannot restore: backup expired");
    if (payload.sku !== service.spec.skuName) {
      throw new OperationFailed("RestoreFailed", `Cannot restore: current SKU is '${service.spec.skuName}', backup SKU is '${payload.sku}'`);
    }
    service.content = structuredClone(payload.content);
    service.revision = payload.revision;
    service.restoredFromRevision = payload.revision;
    service.restoredFromServiceId = payload.sourceServiceId;
    this.state.events.emit({
      type: "configChange",
      serviceId: service.id,
      region: service.spec.region,
      revision: payload.revision,
      operation: "restore",
      detail: `restored from ${payload.sourceServiceId} revision ${payload.revision} (backup '${request.backupName}')`,
      at: new Date().toISOString(),
    });
  }

  /** What APIM checks before it accepts a backup or restore: the account, the credential, CORS. */
  private async checkAccess(service: SimService, request: BackupRestoreRequest): Promise<void> {
    const storage = this.state.storage;
    if (request.storageAccount.toLowerCase() !== storage.accountName.toLowerCase()) {
      throw new OperationRefused(400, "InvalidParameters", `Invalid parameter: Storage account '${request.storageAccount}' was not found.\r\nParameter name: storageAccount`);
    }
    const spec = service.spec;
    switch (request.accessType) {
      case "AccessKey":
        if (request.accessKey !== storage.accountKey) {
          throw new OperationRefused(400, "InvalidParameters", "Invalid parameter: The remote server returned an error: (403) Forbidden. The access key does not authorize access to the storage account.\r\nParameter name: accessKey");
        }
        break;
      case "SystemAssignedManagedIdentity":
        if (!spec.identityType.includes("SystemAssigned")) {
          throw new OperationRefused(400, "InvalidParameters", `Invalid parameter: The service '${spec.name}' has no system-assigned managed identity.\r\nParameter name: accessType`);
        }
        break;
      case "UserAssignedManagedIdentity":
        if (!request.clientId) {
          throw new OperationRefused(400, "InvalidParameters", "Invalid parameter: clientId is required when accessType is UserAssignedManagedIdentity.\r\nParameter name: clientId");
        }
        if (!spec.identityType.includes("UserAssigned") || !spec.userAssignedClientIds.includes(request.clientId)) {
          throw new OperationRefused(400, "InvalidParameters", `Invalid parameter: No user-assigned managed identity with client id '${request.clientId}' is assigned to the service '${spec.name}'.\r\nParameter name: clientId`);
        }
        break;
    }
    if (request.accessType !== "AccessKey" && !spec.identityHasStorageAccess) {
      throw new OperationRefused(403, "Forbidden", `The managed identity of the service '${spec.name}' does not have access to storage account '${storage.accountName}': assign it the 'Storage Blob Data Contributor' role.`);
    }
    if (this.state.faults.find("storage-outage", target(service), Date.now())) return;
    const corsMethods = await storage.client.corsAllowedMethods();
    if (request.accessType === "AccessKey" && corsMethods.length > 0) {
      throw new OperationRefused(400, "InvalidParameters", `Invalid parameter: Requested value '${corsMethods[0]}' was not found.\r\nParameter name: backupStorageAccount`);
    }
  }
}

function target(service: SimService) {
  return { region: service.spec.region, service: service.spec.name };
}

/** Opaque base64 id ending in `==`, like `eastus:myservice_Act_843919eb` in real recordings. */
function operationId(service: SimService, kind: "backup" | "restore"): string {
  let raw = `${service.spec.region}:${service.spec.name.toLowerCase()}_${kind === "backup" ? "Backup" : "Restore"}_${randomBytes(4).toString("hex")}`;
  while (Buffer.byteLength(raw) % 3 !== 1) raw += "_";
  return Buffer.from(raw).toString("base64");
}

/** `takenat` metadata may be ms since epoch or ISO-8601; shift it keeping its form. */
function shiftTimestamp(value: string, byMs: number): string {
  if (/^\d+$/.test(value)) return String(Number(value) - byMs);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? value : new Date(parsed - byMs).toISOString();
}
