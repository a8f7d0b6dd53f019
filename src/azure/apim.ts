import {
  ApiManagementClient,
  type ApiManagementServiceBackupRestoreParameters,
  type ApiManagementServiceResource,
} from "@azure/arm-apimanagement";
import type { TokenCredential } from "@azure/core-auth";
import type { FullOperationResponse } from "@azure/core-client";
import { createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import type {
  ApimPort,
  ApimService,
  BackupLocation,
  OperationHandle,
  OperationProgress,
} from "../ports/apim.js";
import { systemClock, type Clock } from "../ports/clock.js";
import { AzureOperationError } from "../ports/errors.js";
import { normalizeRegion } from "../ports/signal.js";
import { armClientOptions, type ClientSettings } from "./client-options.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { ProvisioningWatch } from "./apim-provisioning-watch.js";
import { parseApimServiceId } from "./resource-id.js";

export interface ApimAdapterOptions {
  credential: TokenCredential;
  client: ClientSettings;
  /**
   * The shortest interval between two polls of a running backup/restore (default 1 s). The adapter
   * polls at its own pace, not APIM's `Retry-After: 60`, so it sees the end within seconds.
   */
  pollIntervalMs?: number;
  /** Stamps `startedAt` on operation handles; scaled time in drills. */
  clock?: Clock;
  /**
   * Watch running operations through one list of the resource group's services a second (their provisioningState)
   * instead of polling each at its own pace (default true). False: own-pace polling only.
   */
  watchProvisioningState?: boolean;
  /** Time between two lists of a resource group's services while operations run there (default: pollIntervalMs, at most 500 ms). */
  watchIntervalMs?: number;
}

type PollerLike = {
  toString(): string;
  isDone(): boolean;
  poll(options?: { abortSignal?: AbortSignal }): Promise<void>;
  onProgress(callback: (state: PollState) => void): () => void;
  getOperationState(): PollState;
};
type PollState = { status: string; config?: { operationLocation?: string } };

const DEFAULT_POLL_INTERVAL_MS = 1_000;
/**
 * How often the resource group's services are listed while backups or restores run: the end of an operation is seen
 * within this plus one list and one poll. One list covers every service of the group, so twice a second costs
 * 7 200 reads/hour per resource group only while operations run.
 */
const DEFAULT_WATCH_INTERVAL_MS = 500;
/**
 * Operation polls per second this adapter spends at most, whatever the number of running operations:
 * half of ARM's subscription read refill rate (25 reads/s; 250 burst), i.e. at most 45 000 reads/hour.
 * Up to 12 concurrent operations are polled every second; 50 (a region outage) every 4 s.
 */
export const OPERATION_POLLS_PER_SECOND = 12.5;
/**
 * Own-pace polls of an operation whose service the provisioning watch shows `Updating`: a fallback only (APIM's own
 * Retry-After), since the watch wakes the operation for one poll as soon as the service leaves `Updating`.
 */
export const WATCHED_POLL_INTERVAL_MS = 60_000;

/** ApimPort on `ApiManagementClient` (@azure/arm-apimanagement), one client per subscription. */
export class AzureApimAdapter implements ApimPort {
  private readonly clients = new Map<string, ApiManagementClient>();
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  /** Operations being polled now: the pace widens with them to stay within OPERATION_POLLS_PER_SECOND. */
  private polling = 0;
  private readonly watch: ProvisioningWatch | undefined;

  constructor(private readonly options: ApimAdapterOptions) {
    this.clock = options.clock ?? systemClock();
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (options.watchProvisioningState !== false) {
      this.watch = new ProvisioningWatch((subscriptionId, resourceGroup, signal) => this.provisioningStates(subscriptionId, resourceGroup, signal), this.clock, options.watchIntervalMs ?? Math.min(this.pollIntervalMs, DEFAULT_WATCH_INTERVAL_MS));
    }
  }

  /** Every service of a resource group by lower-case name → provisioningState: one read (per page) for all of them. */
  private async provisioningStates(subscriptionId: string, resourceGroup: string, signal: AbortSignal): Promise<Map<string, string>> {
    return azureCall(`listing the API Management services of resource group ${resourceGroup}`, async () => {
      const states = new Map<string, string>();
      for await (const service of this.client(subscriptionId).apiManagementService.listByResourceGroup(resourceGroup, { abortSignal: signal })) {
        if (service.name) states.set(service.name.toLowerCase(), service.provisioningState ?? "");
      }
      return states;
    });
  }

  async getService(serviceId: string, signal?: AbortSignal): Promise<ApimService> {
    const id = parseApimServiceId(serviceId);
    const resource = await azureCall(`reading API Management service ${id.name}`, () =>
      this.client(id.subscriptionId).apiManagementService.get(id.resourceGroup, id.name, { abortSignal: signal }),
    );
    return toApimService(resource);
  }

  async listWorkspaces(serviceId: string, signal?: AbortSignal): Promise<string[]> {
    const id = parseApimServiceId(serviceId);
    return azureCall(`listing the workspaces of ${id.name}`, async () => {
      const names: string[] = [];
      for await (const w of this.client(id.subscriptionId).workspace.listByService(id.resourceGroup, id.name, { abortSignal: signal })) names.push(w.name ?? "");
      return names;
    });
  }

  async listDiagnostics(serviceId: string, signal?: AbortSignal): Promise<{ name: string; logger: string }[]> {
    const id = parseApimServiceId(serviceId);
    return azureCall(`listing the diagnostics of ${id.name}`, async () => {
      const out: { name: string; logger: string }[] = [];
      for await (const d of this.client(id.subscriptionId).diagnostic.listByService(id.resourceGroup, id.name, { abortSignal: signal })) {
        // loggerId is a full id on the wire (…/loggers/{name}); the name is what compares across instances.
        out.push({ name: d.name ?? "", logger: (d.loggerId ?? "").split("/").at(-1) ?? "" });
      }
      return out;
    });
  }

  async listLoggers(serviceId: string, signal?: AbortSignal): Promise<{ name: string; loggerType: string }[]> {
    const id = parseApimServiceId(serviceId);
    return azureCall(`listing the loggers of ${id.name}`, async () => {
      const loggers: { name: string; loggerType: string }[] = [];
      for await (const l of this.client(id.subscriptionId).logger.listByService(id.resourceGroup, id.name, { abortSignal: signal })) {
        loggers.push({ name: l.name ?? "", loggerType: l.loggerType ?? "" });
      }
      return loggers;
    });
  }

  beginBackup(serviceId: string, location: BackupLocation, signal?: AbortSignal): Promise<OperationHandle> {
    return this.begin("backup", serviceId, location, signal);
  }

  beginRestore(serviceId: string, location: BackupLocation, signal?: AbortSignal): Promise<OperationHandle> {
    return this.begin("restore", serviceId, location, signal);
  }

  async waitForOperation(
    handle: OperationHandle,
    options: { signal?: AbortSignal; onProgress?: (p: OperationProgress) => void } = {},
  ): Promise<void> {
    const id = parseApimServiceId(handle.serviceId);
    const action = describe(handle.kind, id.name, handle.backupName);
    const resume = decodeResumeToken(handle.resumeToken);
    try {
      if ("location" in resume) return await this.pollLocation(id.subscriptionId, resume.location, options);
      // Resuming sends no new backup/restore request: it polls the operation the token points at.
      const poller = await this.startPoller(handle.kind, id.resourceGroup, id.name, id.subscriptionId, unusedParameters(handle.backupName), {
        resumeFrom: resume.sdk,
        abortSignal: options.signal,
      });
      const report = (state: PollState) =>
        options.onProgress?.({
          status: state.status === "succeeded" ? "succeeded" : state.status === "running" ? "running" : "failed",
          operationId: state.config?.operationLocation,
          ...(state.status === "running" ? { resumeToken: encodeResumeToken({ sdk: poller.toString() }) } : {}),
        });
      report(poller.getOperationState());
      const stop = poller.onProgress(report);
      this.polling++;
      const watch = poller.isDone() ? undefined : this.watch?.follow(id.subscriptionId, id.resourceGroup, id.name);
      try {
        // Not pollUntilDone: it sleeps for each answer's Retry-After (APIM says 60 s), hiding the end
        // of a 3 s restore for a minute. poll() reads the operation once and throws its error when it failed.
        // With the watch, the poll comes when the service leaves Updating; own-pace polls are the fallback.
        while (!poller.isDone()) {
          if (watch) await watch.next(watch.watching ? Math.max(WATCHED_POLL_INTERVAL_MS, this.pace()) : this.pace(), options.signal);
          else await this.clock.sleep(this.pace(), options.signal);
          await poller.poll({ abortSignal: options.signal });
        }
        // Done already when it began (or when resumed): poll() sends nothing then, but throws a failure.
        await poller.poll({ abortSignal: options.signal });
      } finally {
        this.polling--;
        watch?.dispose();
        stop();
      }
    } catch (error) {
      if (isAbortError(error) || options.signal?.aborted) throw options.signal?.reason ?? error;
      throw toAzureOperationError(error, action);
    }
  }

  private async begin(
    kind: "backup" | "restore",
    serviceId: string,
    location: BackupLocation,
    signal: AbortSignal | undefined,
  ): Promise<OperationHandle> {
    const id = parseApimServiceId(serviceId);
    const action = describe(kind, id.name, location.backupName);
    const parameters = backupRestoreParameters(location);
    let initial: FullOperationResponse | undefined;
    try {
      const poller = await this.startPoller(kind, id.resourceGroup, id.name, id.subscriptionId, parameters, {
        abortSignal: signal,
        // The first response is the POST's: keep it in case the SDK's immediate first poll fails.
        onResponse: (raw) => (initial ??= raw),
      });
      return this.handle(kind, serviceId, location.backupName, encodeResumeToken({ sdk: poller.toString() }), poller.getOperationState().config?.operationLocation);
    } catch (error) {
      if (isAbortError(error)) throw signal?.reason ?? error;
      const failure = toAzureOperationError(error, action);
      const operationLocation = initial?.status === 202 ? initial.headers.get("location") : undefined;
      // The operation was accepted but the first poll hit a transient error: it is running, so hand
      // back a token for it rather than let the caller start a second one.
      if (operationLocation && failure.retryable) {
        return this.handle(kind, serviceId, location.backupName, locationResumeToken(operationLocation), operationLocation);
      }
      throw failure;
    }
  }

  /**
   * Polls an operation by the Location ARM answered (202 while it runs, 2xx when it is done, an ARM error when it
   * failed), at the same pace as the SDK poller path: for an operation accepted before the SDK could give a token.
   */
  private async pollLocation(subscriptionId: string, location: string, options: { signal?: AbortSignal; onProgress?: (p: OperationProgress) => void }): Promise<void> {
    const client = this.client(subscriptionId);
    this.polling++;
    try {
      for (;;) {
        const response = await client.sendRequest(createPipelineRequest({ url: location, method: "GET", abortSignal: options.signal }));
        if (response.status === 202) {
          options.onProgress?.({ status: "running", operationId: location });
          await this.clock.sleep(this.pace(), options.signal);
          continue;
        }
        if (response.status >= 200 && response.status < 300) {
          options.onProgress?.({ status: "succeeded", operationId: location });
          return;
        }
        options.onProgress?.({ status: "failed", operationId: location });
        throw new RestError(`the operation answered HTTP ${response.status}`, { statusCode: response.status, response });
      }
    } finally {
      this.polling--;
    }
  }

  /** Time between two polls of one operation: the configured interval, wider when many operations run. */
  private pace(): number {
    return Math.max(this.pollIntervalMs, Math.ceil((this.polling * 1000) / OPERATION_POLLS_PER_SECOND));
  }

  private handle(kind: "backup" | "restore", serviceId: string, backupName: string, resumeToken: string, operationId: string | undefined): OperationHandle {
    return { kind, serviceId, backupName, resumeToken, ...(operationId ? { operationId } : {}), startedAt: this.clock.now() };
  }

  private async startPoller(
    kind: "backup" | "restore",
    resourceGroup: string,
    name: string,
    subscriptionId: string,
    parameters: ApiManagementServiceBackupRestoreParameters,
    options: { abortSignal?: AbortSignal; resumeFrom?: string; onResponse?: (raw: FullOperationResponse) => void },
  ): Promise<PollerLike> {
    const service = this.client(subscriptionId).apiManagementService;
    const sdkOptions = { ...options, updateIntervalInMs: this.pollIntervalMs };
    const poller =
      kind === "backup"
        ? await service.beginBackup(resourceGroup, name, parameters, sdkOptions)
        : await service.beginRestore(resourceGroup, name, parameters, sdkOptions);
    return poller as unknown as PollerLike;
  }

  private client(subscriptionId: string): ApiManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new ApiManagementClient(this.options.credential, subscriptionId, armClientOptions(this.options.client));
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}

export function backupRestoreParameters(location: BackupLocation): ApiManagementServiceBackupRestoreParameters {
  const base = { storageAccount: location.storageAccount, containerName: location.containerName, backupName: location.backupName };
  const access = location.access;
  switch (access.type) {
    case "AccessKey":
      if (!access.accessKey) {
        throw new AzureOperationError(
          `No access key for storage account ${location.storageAccount}: set the environment variable the configuration names, or use a managed identity.`,
          "MissingAccessKey",
          undefined,
          false,
        );
      }
      return { ...base, accessType: "AccessKey", accessKey: access.accessKey };
    case "SystemAssignedManagedIdentity":
      return { ...base, accessType: "SystemAssignedManagedIdentity" };
    case "UserAssignedManagedIdentity":
      return { ...base, accessType: "UserAssignedManagedIdentity", clientId: access.clientId };
  }
}

function toApimService(resource: ApiManagementServiceResource): ApimService {
  const userAssigned = resource.identity?.userAssignedIdentities ?? {};
  return {
    id: resource.id ?? "",
    name: resource.name ?? "",
    region: normalizeRegion(resource.location) ?? "",
    skuName: resource.sku.name,
    skuCapacity: resource.sku.capacity,
    provisioningState: resource.provisioningState ?? "Unknown",
    gatewayUrl: resource.gatewayUrl ?? "",
    hostnames: (resource.hostnameConfigurations ?? []).map((h) => ({
      type: h.type,
      hostName: h.hostName,
      ...(h.certificate?.thumbprint ? { certificateThumbprint: h.certificate.thumbprint } : {}),
      ...(h.certificate?.expiry ? { certificateExpiry: isoOf(h.certificate.expiry) } : {}),
      ...(h.keyVaultId ? { keyVaultId: h.keyVaultId } : {}),
    })),
    identity: resource.identity
      ? {
          type: resource.identity.type,
          ...(resource.identity.principalId ? { principalId: resource.identity.principalId } : {}),
          userAssignedClientIds: Object.values(userAssigned)
            .map((u) => u.clientId)
            .filter((c): c is string => !!c),
          userAssignedPrincipalIds: Object.values(userAssigned)
            .map((u) => u.principalId)
            .filter((c): c is string => !!c),
        }
      : null,
    ...(resource.etag ? { etag: resource.etag } : {}),
    unbacked: {
      customProperties: { ...(resource.customProperties ?? {}) },
      caCertificates: (resource.certificates ?? []).map((c) => ({
        storeName: c.storeName,
        thumbprint: c.certificate?.thumbprint ?? "",
        ...(c.certificate?.expiry ? { expiry: isoOf(c.certificate.expiry) } : {}),
      })),
      virtualNetworkType: resource.virtualNetworkType ?? "None",
    },
  };
}

function describe(kind: "backup" | "restore", serviceName: string, backupName: string): string {
  return kind === "backup" ? `backup of service ${serviceName} to ${backupName}` : `restore of ${backupName} into service ${serviceName}`;
}

// When resuming, the SDK sends no initial request, so the body is never serialized.
function unusedParameters(backupName: string): ApiManagementServiceBackupRestoreParameters {
  return { storageAccount: "", containerName: "", backupName };
}

/**
 * The resume token is this adapter's own, opaque to everything else: the SDK poller's serialized state as the SDK
 * gave it (never parsed or made up here), or the Location of an operation ARM accepted before the SDK could give one.
 */
type ResumePoint = { sdk: string } | { location: string };
const TOKEN_KIND = "apim-dr.operation/v1";

function encodeResumeToken(point: ResumePoint): string {
  return JSON.stringify({ kind: TOKEN_KIND, ...point });
}

/** The token of an accepted operation known only by its Location. */
export function locationResumeToken(location: string): string {
  return encodeResumeToken({ location });
}

function decodeResumeToken(token: string): ResumePoint {
  try {
    const value = JSON.parse(token) as { kind?: unknown; sdk?: unknown; location?: unknown };
    if (value.kind === TOKEN_KIND && typeof value.sdk === "string") return { sdk: value.sdk };
    if (value.kind === TOKEN_KIND && typeof value.location === "string") return { location: value.location };
  } catch {
    // not this adapter's envelope
  }
  // Stored by an earlier version: the SDK's own token, handed back as it is.
  return { sdk: token };
}

/** The SDK deserializes dates to Date; an unparsable one stays as ARM sent it. */
function isoOf(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
