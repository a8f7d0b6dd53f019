import type { Clock } from "./clock.js";

/** What the controller needs to know about an APIM service (Microsoft.ApiManagement/service). */
export interface ApimService {
  /** Full ARM resource id, as ARM returns it. */
  id: string;
  name: string;
  /** Normalized region name, e.g. `westeurope`. */
  region: string;
  skuName: string;
  skuCapacity: number;
  /** `Succeeded` when no management operation is in progress. */
  provisioningState: string;
  gatewayUrl: string;
  hostnames: ApimHostname[];
  identity: { type: string; principalId?: string; userAssignedClientIds: string[]; userAssignedPrincipalIds?: string[] } | null;
  etag?: string;
  /** Read with the service; not carried by a backup. */
  unbacked?: ApimUnbackedSettings;
}

export interface ApimHostname {
  type: string; // Proxy | Portal | Management | DeveloperPortal | Scm
  hostName: string;
  certificateThumbprint?: string;
  /** ISO-8601 expiry of the bound certificate, when ARM reports one. */
  certificateExpiry?: string;
  /** Key Vault secret the certificate comes from, when it does. */
  keyVaultId?: string;
}

/** Settings APIM keeps outside every backup: read for the readiness checks, compared between the two instances. */
export interface ApimUnbackedSettings {
  /** Protocol and cipher settings (`customProperties`), values as ARM returns them ("True"/"False"). */
  customProperties: Record<string, string>;
  /** Custom CA certificates (`certificates`): store name and thumbprint. */
  caCertificates: { storeName: string; thumbprint: string; expiry?: string }[];
  virtualNetworkType: string;
}

/** How APIM reaches the backup storage account. The access key itself is resolved at call time, never stored. */
export type StorageAccess =
  | { type: "AccessKey"; accessKey: string }
  | { type: "SystemAssignedManagedIdentity" }
  | { type: "UserAssignedManagedIdentity"; clientId: string };

export interface BackupLocation {
  storageAccount: string;
  containerName: string;
  backupName: string;
  access: StorageAccess;
}

/** A started long-running operation. `resumeToken` is persisted so a restarted controller polls the same operation. */
export interface OperationHandle {
  kind: "backup" | "restore";
  serviceId: string;
  backupName: string;
  /** Opaque to everything but the adapter that made it: stored and handed back, never read. */
  resumeToken: string;
  /** The ARM operation's id or polling URL, for the audit trail (absent when Azure gave none). */
  operationId?: string;
  startedAt: number;
}

export interface OperationProgress {
  status: "running" | "succeeded" | "failed";
  /** ARM operation id or polling URL, for the audit trail. */
  operationId?: string;
  /** The poller's latest state while running; persisting it instead of the handle's token is optional. */
  resumeToken?: string;
}

export interface ApimPort {
  getService(serviceId: string, signal?: AbortSignal): Promise<ApimService>;
  /** Names of the service's workspaces (an instance with workspaces cannot be backed up). */
  listWorkspaces?(serviceId: string, signal?: AbortSignal): Promise<string[]>;
  /** The service's loggers (diagnostics destinations): name and type, e.g. `azuremonitor` / `azureMonitor`. */
  listLoggers?(serviceId: string, signal?: AbortSignal): Promise<{ name: string; loggerType: string }[]>;
  /** The service's diagnostics (what is logged where): name and the logger it writes to. */
  listDiagnostics?(serviceId: string, signal?: AbortSignal): Promise<{ name: string; logger: string }[]>;
  beginBackup(serviceId: string, location: BackupLocation, signal?: AbortSignal): Promise<OperationHandle>;
  beginRestore(serviceId: string, location: BackupLocation, signal?: AbortSignal): Promise<OperationHandle>;
  /** Polls until the operation finishes; throws AzureOperationError when it failed. */
  waitForOperation(
    handle: OperationHandle,
    options?: { signal?: AbortSignal; onProgress?: (p: OperationProgress) => void },
  ): Promise<void>;
}

/**
 * Waits until the service has no management operation in progress (provisioningState other than Succeeded):
 * ARM refuses a second one with 409, and changes made during one may be missing from a backup.
 * `onBusy` hears each look that finds it busy. Returns the service as last read.
 */
export async function waitUntilServiceIdle(
  apim: ApimPort,
  clock: Clock,
  serviceId: string,
  options: { pollMs: number; signal?: AbortSignal | undefined; onBusy?: (service: ApimService) => void },
): Promise<ApimService> {
  let service = await apim.getService(serviceId, options.signal);
  while (service.provisioningState !== "Succeeded") {
    options.onBusy?.(service);
    await clock.sleep(options.pollMs, options.signal);
    service = await apim.getService(serviceId, options.signal);
  }
  return service;
}
