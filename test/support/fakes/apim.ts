import type { ApimPort, ApimService, BackupLocation, OperationHandle } from "../../../src/ports/apim.js";
import type { Clock } from "../../../src/ports/clock.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import type { FakeBackupStore } from "./backup-store.js";

interface FakeOperation {
  handle: OperationHandle;
  location: BackupLocation;
  doneAt: number;
}

const EXPIRY_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * In-memory APIM: services with a SKU, backup/restore operations that take clock time, restore rules
 * (same SKU, not expired), call counters and injectable failures.
 */
export class FakeApim implements ApimPort {
  readonly services = new Map<string, ApimService>();
  /** Backup name each service last had restored into it. */
  readonly holds = new Map<string, string>();
  readonly operations = new Map<string, FakeOperation>();
  readonly calls = { getService: 0, beginBackup: 0, beginRestore: 0, waitForOperation: 0 };
  /** The service id of every getService call, in order. */
  readonly servicesRead: string[] = [];
  /** Services whose management plane does not answer. */
  readonly down = new Set<string>();
  durations = { backup: 60_000, restore: 600_000 };
  /** Errors thrown by the next calls of a method, in order. */
  readonly failNext: Partial<Record<keyof FakeApim["calls"], Error[]>> = {};
  /** Resume tokens of operations that fail when they finish. */
  readonly failingOperations = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly store: FakeBackupStore,
  ) {}

  addService(id: string, region: string, skuName = "Premium", gatewayUrl = `https://${id.split("/").pop()}.azure-api.net`): ApimService {
    const service: ApimService = { id, name: id.split("/").pop() ?? id, region, skuName, skuCapacity: 1, provisioningState: "Succeeded", gatewayUrl, hostnames: [], identity: null };
    this.services.set(id.toLowerCase(), service);
    return service;
  }

  private injected(method: keyof FakeApim["calls"]): void {
    this.calls[method]++;
    const error = this.failNext[method]?.shift();
    if (error) throw error;
  }

  private find(serviceId: string): ApimService {
    if (this.down.has(serviceId.toLowerCase())) throw new AzureOperationError(`management plane of ${serviceId} does not answer`, "ServiceUnavailable", 503, true);
    const service = this.services.get(serviceId.toLowerCase());
    if (!service) throw new AzureOperationError(`service ${serviceId} not found`, "ResourceNotFound", 404, false);
    return service;
  }

  async getService(serviceId: string): Promise<ApimService> {
    this.injected("getService");
    this.servicesRead.push(serviceId.toLowerCase());
    const service = this.find(serviceId);
    return { ...service, provisioningState: this.busyWith(service.id) ? "Updating" : service.provisioningState };
  }

  /** The unfinished operation on a service, if any: like ARM, the service is Updating and refuses another. */
  private busyWith(serviceId: string): FakeOperation | undefined {
    return [...this.operations.values()].find((op) => op.handle.serviceId.toLowerCase() === serviceId.toLowerCase() && op.doneAt > this.clock.now());
  }

  private begin(kind: "backup" | "restore", serviceId: string, location: BackupLocation): OperationHandle {
    const service = this.find(serviceId);
    const busy = this.busyWith(service.id);
    if (busy) throw new AzureOperationError(`Operation on the service is in progress (a ${busy.handle.kind}); retry when it has finished.`, "PessimisticConcurrencyConflict", 409, false);
    const resumeToken = `${kind}-${++this.seq}`;
    const handle: OperationHandle = { kind, serviceId: service.id, backupName: location.backupName, resumeToken, startedAt: this.clock.now() };
    this.operations.set(resumeToken, { handle, location, doneAt: this.clock.now() + this.durations[kind] });
    return handle;
  }

  async beginBackup(serviceId: string, location: BackupLocation): Promise<OperationHandle> {
    this.injected("beginBackup");
    return this.begin("backup", serviceId, location);
  }

  async beginRestore(serviceId: string, location: BackupLocation): Promise<OperationHandle> {
    this.injected("beginRestore");
    return this.begin("restore", serviceId, location);
  }

  async waitForOperation(handle: OperationHandle, options?: { signal?: AbortSignal }): Promise<void> {
    this.injected("waitForOperation");
    const op = this.operations.get(handle.resumeToken);
    if (!op) throw new AzureOperationError(`operation ${handle.resumeToken} not found`, "NotFound", 404, false);
    const remaining = op.doneAt - this.clock.now();
    if (remaining > 0) await this.clock.sleep(remaining, options?.signal);
    const failure = this.failingOperations.get(handle.resumeToken);
    if (failure) throw new AzureOperationError(failure, "OperationFailed", 200, false);
    const { location } = op;
    if (op.handle.kind === "backup") {
      const exists = (await this.store.list(location.containerName)).some((b) => b.name === location.backupName);
      // Like the blob APIM writes: no metadata until the controller annotates it.
      if (!exists) this.store.add(location.containerName, { name: location.backupName, takenAt: op.handle.startedAt, sourceServiceId: null, sku: null, sizeBytes: 1024 });
      return;
    }
    const backup = (await this.store.list(location.containerName)).find((b) => b.name === location.backupName);
    if (!backup) throw new AzureOperationError(`backup ${location.backupName} not found`, "BackupNotFound", 400, false);
    if (this.clock.now() - backup.takenAt > EXPIRY_MS) throw new AzureOperationError("Cannot restore: backup expired", "InvalidParameters", 400, false);
    const target = this.find(handle.serviceId);
    if (backup.sku && backup.sku !== target.skuName) throw new AzureOperationError(`Cannot restore a ${backup.sku} backup into a ${target.skuName} service`, "InvalidParameters", 400, false);
    this.holds.set(handle.serviceId.toLowerCase(), location.backupName);
  }
}
