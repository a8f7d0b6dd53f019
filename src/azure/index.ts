import type { TokenCredential } from "@azure/core-auth";
import type { PipelineRetryOptions } from "@azure/core-rest-pipeline";
import type { Clock } from "../ports/clock.js";
import { AzureApimAdapter } from "./apim.js";
import { BlobAuditLog } from "./blob-audit-log.js";
import { BlobBackupStore } from "./blob-backups.js";
import { createBlobServiceClient } from "./blob-client.js";
import { BlobStateStore } from "./blob-state-store.js";
import type { ClientSettings } from "./client-options.js";
import { createCredential, type CredentialSpec } from "./credentials.js";
import { AzureDnsAdapter } from "./dns.js";
import { AzureMonitorAdapter } from "./monitor.js";
import { AzureResourceHealthAdapter } from "./resource-health.js";
import { AzureRoleAssignmentAdapter } from "./role-assignments.js";
import { AzureStorageAccountAdapter } from "./storage-account.js";
import { BlobServiceProperties } from "./blob-service-properties.js";

export { createCredential, simulatorCredential, type CredentialSpec } from "./credentials.js";
export { createEventHubsEventSource } from "./eventhubs/consumer.js";
export { createBlobDeadLetterStore } from "./eventhubs/blob-dead-letters.js";
export { toAzureOperationError } from "./errors.js";
export { parseApimServiceId, parseDnsZoneId } from "./resource-id.js";
export { BlobLeaseStore } from "./blob-leases.js";
export { BlobVantageStore } from "./blob-vantage-store.js";
export { createBlobServiceClient } from "./blob-client.js";
export { AzureApimAdapter, AzureDnsAdapter, AzureMonitorAdapter, AzureResourceHealthAdapter, AzureRoleAssignmentAdapter, AzureStorageAccountAdapter, BlobAuditLog, BlobBackupStore, BlobServiceProperties, BlobStateStore };

/** A storage account the controller reads with the SDK: its own state account, or the backup account. */
export interface StorageAccountSettings {
  /** e.g. `https://myaccount.blob.core.windows.net`, or Azurite's `http://127.0.0.1:PORT/devstoreaccount1`. */
  blobEndpoint: string;
  /** Shared key (resolved from its environment variable by the caller), or the Azure credential. */
  auth: { type: "accountKey"; accountName: string; accountKey: string } | { type: "credential" };
}

/** Everything that differs between Azure and the simulator: endpoints, credential, an extra trusted CA. */
export interface AzureAdapterSettings {
  armEndpoint?: string;
  armAudience?: string;
  /** PEM of an extra CA to trust (the simulator's); nothing process-global changes. */
  caCertPem?: string;
  credential: CredentialSpec | TokenCredential;
  retry?: PipelineRetryOptions;
  /** Backup/restore poll interval when the server sends no Retry-After. */
  lroPollIntervalMs?: number;
  /** May contain `{region}`; default `https://{region}.metrics.monitor.azure.com`. */
  metricsEndpoint?: string;
  /** Default `https://api.loganalytics.io/v1`. */
  logsEndpoint?: string;
  /** Where APIM writes backups (read for listing, annotating, retention). */
  backupStorage?: StorageAccountSettings;
  /** The controller's state account: snapshots and the audit trail. */
  /** `conditional`: several replicas share it, so snapshot saves are conditional on the etag last read (fencing). */
  stateStorage?: StorageAccountSettings & { stateContainer: string; auditContainer: string; conditional?: boolean };
  clock?: Clock;
  /** Non-fatal problems (e.g. a torn audit line). */
  warn?: (message: string) => void;
}

export interface AzureAdapters {
  credential: TokenCredential;
  apim: AzureApimAdapter;
  dns: AzureDnsAdapter;
  resourceHealth: AzureResourceHealthAdapter;
  monitor: AzureMonitorAdapter;
  storageAccounts: AzureStorageAccountAdapter;
  roleAssignments: AzureRoleAssignmentAdapter;
  backups?: BlobBackupStore;
  state?: BlobStateStore;
  audit?: BlobAuditLog;
}

export function createAzureAdapters(settings: AzureAdapterSettings): AzureAdapters {
  const credential = isTokenCredential(settings.credential) ? settings.credential : createCredential(settings.credential);
  const client: ClientSettings = {
    ...(settings.armEndpoint ? { armEndpoint: settings.armEndpoint } : {}),
    ...(settings.armAudience ? { armAudience: settings.armAudience } : {}),
    ...(settings.caCertPem ? { caCertPem: settings.caCertPem } : {}),
    ...(settings.retry ? { retry: settings.retry } : {}),
  };
  const blobService = (storage: StorageAccountSettings) =>
    createBlobServiceClient({
      blobEndpoint: storage.blobEndpoint,
      auth: storage.auth.type === "accountKey" ? storage.auth : { type: "tokenCredential", credential },
    });
  const state = settings.stateStorage ? blobService(settings.stateStorage) : undefined;
  return {
    credential,
    apim: new AzureApimAdapter({
      credential,
      client,
      ...(settings.lroPollIntervalMs !== undefined ? { pollIntervalMs: settings.lroPollIntervalMs } : {}),
      ...(settings.clock ? { clock: settings.clock } : {}),
    }),
    dns: new AzureDnsAdapter({ credential, client }),
    resourceHealth: new AzureResourceHealthAdapter({ credential, client }),
    storageAccounts: new AzureStorageAccountAdapter({ credential, client }),
    roleAssignments: new AzureRoleAssignmentAdapter({ credential, client }),
    monitor: new AzureMonitorAdapter({
      credential,
      client,
      ...(settings.metricsEndpoint ? { metricsEndpoint: settings.metricsEndpoint } : {}),
      ...(settings.logsEndpoint ? { logsEndpoint: settings.logsEndpoint } : {}),
    }),
    ...(settings.backupStorage ? { backups: new BlobBackupStore(blobService(settings.backupStorage)) } : {}),
    ...(state && settings.stateStorage
      ? {
          state: new BlobStateStore(state, settings.stateStorage.stateContainer, { conditional: settings.stateStorage.conditional ?? false }),
          audit: new BlobAuditLog(state, settings.stateStorage.auditContainer, settings.warn ? { warn: settings.warn } : {}),
        }
      : {}),
  };
}

/** A backup store on one storage account (pairs may keep their backups in different accounts). */
export function createBackupStore(storage: StorageAccountSettings, credential: TokenCredential): BlobBackupStore {
  return new BlobBackupStore(
    createBlobServiceClient({
      blobEndpoint: storage.blobEndpoint,
      auth: storage.auth.type === "accountKey" ? storage.auth : { type: "tokenCredential", credential },
    }),
  );
}

/** The blob service properties (CORS) of one storage account. */
export function createBlobServiceProperties(storage: StorageAccountSettings, credential: TokenCredential): BlobServiceProperties {
  return new BlobServiceProperties(
    createBlobServiceClient({
      blobEndpoint: storage.blobEndpoint,
      auth: storage.auth.type === "accountKey" ? storage.auth : { type: "tokenCredential", credential },
    }),
  );
}

function isTokenCredential(value: CredentialSpec | TokenCredential): value is TokenCredential {
  return typeof (value as TokenCredential).getToken === "function";
}
