import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { EffectiveConfig } from "../config/index.js";
import { resolveSecret } from "../config/index.js";
import {
  createAzureAdapters,
  createBackupStore,
  createBlobDeadLetterStore,
  createBlobServiceClient,
  createCredential,
  createEventHubsEventSource,
  BlobLeaseStore,
  BlobVantageStore,
  type StorageAccountSettings,
} from "../azure/index.js";
import { systemClock, type Clock } from "../ports/clock.js";
import { httpGatewayProbe } from "../signals/probes/http-gateway-probe.js";
import { createMemoryDeadLetterStore } from "../signals/consumer/memory-dead-letters.js";
import { FileAuditLog, FileStateStore } from "./file-store.js";
import type { ControllerPorts } from "./controller.js";
import type { Logger } from "./logger.js";
import { createNotifications } from "../notify/notifications.js";
import { LeaseManager } from "../coordination/lease-manager.js";

const DEAD_LETTER_CONTAINER = "apim-dr-deadletters";

/**
 * The composition root: every adapter the controller runs on, built from the configuration and the
 * environment (where secrets live). The same code serves Azure and the simulator.
 */
export function wirePorts(config: EffectiveConfig, env: NodeJS.ProcessEnv, log: Logger, clock: Clock = systemClock()): ControllerPorts {
  const secret = (name: string, usedBy: string) => resolveSecret(name, env, usedBy);
  const caCertPem = config.azure.caCertPath ? readCa(config.azure.caCertPath) : undefined;
  const store = config.stateStore;
  const stateStorage: (StorageAccountSettings & { stateContainer: string; auditContainer: string; conditional: boolean }) | undefined =
    store.type === "blob"
      ? {
          blobEndpoint: store.blobEndpoint,
          auth: store.auth.type === "accountKey" ? { type: "accountKey", accountName: store.accountName, accountKey: secret(store.auth.accountKeyEnv, "stateStore.auth") } : { type: "credential" },
          stateContainer: store.stateContainer,
          auditContainer: store.auditContainer,
          // issue 14: replicas share the state account; a deposed leader's save must not overwrite its successor's.
          conditional: config.coordination !== undefined,
        }
      : undefined;
  const azure = createAzureAdapters({
    armEndpoint: config.azure.armEndpoint,
    ...(caCertPem ? { caCertPem } : {}),
    credential: config.azure.credential,
    ...(config.azure.metricsEndpoint ? { metricsEndpoint: config.azure.metricsEndpoint } : {}),
    ...(config.azure.logsEndpoint ? { logsEndpoint: config.azure.logsEndpoint } : {}),
    ...(stateStorage ? { stateStorage } : {}),
    clock,
    warn: (message) => log.warn({}, message),
  });

  // The container for checkpoints and dead letters lives in the state account.
  const stateContainer = (containerName: string) => {
    if (store.type !== "blob") throw new Error("signals.eventHubs needs a blob stateStore for its checkpoints: set stateStore.type: blob");
    return store.auth.type === "accountKey"
      ? { connectionString: `DefaultEndpointsProtocol=${new URL(store.blobEndpoint).protocol.replace(":", "")};AccountName=${store.accountName};AccountKey=${secret(store.auth.accountKeyEnv, "stateStore.auth")};BlobEndpoint=${store.blobEndpoint};`, containerName }
      : { containerUrl: `${store.blobEndpoint.replace(/\/+$/, "")}/${containerName}`, credential: azure.credential };
  };
  const backupStores = new Map<string, ReturnType<typeof createBackupStore>>();
  const hub = config.signals.eventHubs;
  const events = hub
    ? createEventHubsEventSource({
        eventHub: hub.connectionStringEnv
          ? { connectionString: secret(hub.connectionStringEnv, "signals.eventHubs"), eventHubName: hub.eventHubName }
          : { fullyQualifiedNamespace: hub.fullyQualifiedNamespace!, eventHubName: hub.eventHubName, credential: azure.credential },
        checkpoints: stateContainer(hub.checkpoint?.container ?? "apim-dr-checkpoints"),
        consumerGroup: hub.consumerGroup,
        // A stable owner id lets a restarted controller take its partitions back at once.
        // issue 14: each replica reads every partition through its own consumer group (configured per replica), under its replica id.
        ownerId: `apim-dr-${config.coordination?.replicaId ?? hostname()}`,
      })
    : undefined;

  return {
    clock,
    apim: azure.apim,
    dns: azure.dns,
    probe: httpGatewayProbe(caCertPem ? { ca: caCertPem } : {}),
    resourceHealth: azure.resourceHealth,
    monitor: azure.monitor,
    stateStore: azure.state ?? new FileStateStore((store as { dir: string }).dir),
    audit: azure.audit ?? new FileAuditLog((store as { dir: string }).dir),
    ...(events ? { events } : {}),
    deadLetters: hub ? createBlobDeadLetterStore(stateContainer(DEAD_LETTER_CONTAINER)) : createMemoryDeadLetterStore(),
    resolveAccessKey: (ref) => secret(ref, "pairs[].backup.access.accessKeyEnv"),
    log,
    // issue 14: replicas share their probe verdicts through the lease container.
    ...(config.coordination ? { vantage: new BlobVantageStore(leaseServiceClient(config.coordination, config, env), config.coordination.leaseStore.container) } : {}),
    notifications: createNotifications(config.notifications, secret, { clock, log }),
    // Pairs that keep their backups in the same account share one client (one connection pool, not one per pair).
    backupStoreFor: (pair) => {
      const { access, blobEndpoint, storageAccount } = pair.backup;
      const key = JSON.stringify([blobEndpoint, storageAccount, access.type, access.type === "accessKey" ? access.accessKeyEnv : null]);
      let store = backupStores.get(key);
      if (!store) {
        store = createBackupStore(
          {
            blobEndpoint,
            auth: access.type === "accessKey" ? { type: "accountKey", accountName: storageAccount, accountKey: secret(access.accessKeyEnv, `pairs[${pair.name}].backup.access`) } : { type: "credential" },
          },
          azure.credential,
        );
        backupStores.set(key, store);
      }
      return store;
    },
  };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`azure.caCertPath: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); start the simulator first or fix the path`);
  }
}

/**
 * issue 14: the lease manager of a replica (null without `coordination`: one replica acts alone). `adminUrl` is what
 * this replica advertises to the others when the config does not name it (the address it actually listens on).
 */
export function wireLeadership(config: EffectiveConfig, env: NodeJS.ProcessEnv, log: Logger, adminUrl: string): LeaseManager | null {
  const c = config.coordination;
  if (!c) return null;
  const leases = new BlobLeaseStore(leaseServiceClient(c, config, env), c.leaseStore.container);
  const self = { replicaId: c.replicaId, region: c.region, adminUrl: c.adminUrl ?? adminUrl };
  const timings = { leaseDurationMs: c.leaseDurationSeconds * 1000, renewDeadlineMs: c.renewDeadlineSeconds * 1000, renewIntervalMs: c.renewIntervalSeconds * 1000 };
  // Leases run on Azure's clock: real time, never the drills' scaled time.
  return new LeaseManager(self, config.pairs.map((p) => p.name), leases, timings, systemClock(), log);
}

/** The coordination store's account: the leases and the replicas' published probe verdicts live there. */
function leaseServiceClient(c: NonNullable<EffectiveConfig["coordination"]>, config: EffectiveConfig, env: NodeJS.ProcessEnv) {
  const store = c.leaseStore;
  const auth =
    store.auth.type === "accountKey"
      ? { type: "accountKey" as const, accountName: store.accountName, accountKey: resolveSecret(store.auth.accountKeyEnv, env, "coordination.leaseStore.auth") }
      : { type: "tokenCredential" as const, credential: createCredential(config.azure.credential) };
  return createBlobServiceClient({ blobEndpoint: store.blobEndpoint, auth });
}
