import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startAdminServer } from "./admin.js";
import { startArmServer } from "./arm/server.js";
import { bridgeSimEventsToEventHubs } from "./eventhubs/bridge.js";
import { forgedOutage } from "./eventhubs/forged.js";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "./eventhubs/emulator.js";
import { SimEvents, type SimEvent } from "./events.js";
import type { ActiveFault, FaultName, FaultOptions } from "./faults.js";
import { startGateways } from "./gateways.js";
import { OperationEngine } from "./operations.js";
import { breakPrecondition, repairAll, type BreakOptions, type PreconditionBreak } from "./preconditions.js";
import { SimState, type SimStats } from "./state.js";
import { startAzurite } from "./storage/azurite.js";
import { BlobRestClient } from "./storage/blob-rest.js";
import { createSimTls } from "./tls.js";
import { startWebhookReceiver } from "./webhooks.js";
import { buildWorld, dnsZoneId, gatewayHost, storageAccountId, type WorldOverrides, type WorldSpec } from "./world.js";

export type { SimEvent } from "./events.js";
export type { FaultName, FaultOptions, ActiveFault } from "./faults.js";
export type { SimStats } from "./state.js";
export { PRECONDITION_BREAKS, PRECONDITION_BREAK_NAMES, type PreconditionBreak, type BreakOptions } from "./preconditions.js";
export type { WorldOverrides, WorldSpec, ServiceSpec } from "./world.js";

export interface SimulatedAzureOptions {
  /** Where the CA certificate (and, for the CLI, sim.json and config.yaml) go; a temporary folder removed on stop when omitted. */
  stateDir?: string;
  world?: WorldOverrides;
  /** Fixed ports; 0 or missing picks a free one. Gateways by region. */
  ports?: { arm?: number; admin?: number; blob?: number; eventHubs?: number; webhooks?: number; gateways?: Record<string, number> };
  /** Consumer groups besides $Default (one per controller replica: each reads every partition). */
  consumerGroups?: string[];
  /** How long a restore runs (default 3000 ms). */
  restoreDurationMs?: number;
  /** How long a backup runs (default 1000 ms). */
  backupDurationMs?: number;
  /** Retry-After on throttling (429) and 503 answers (default 1 s). */
  retryAfterSeconds?: number;
  /**
   * Retry-After on backup/restore 202s and their polls (default {@link DEFAULT_OPERATION_RETRY_AFTER_SECONDS},
   * what real APIM sends). The controller polls at its own pace, so a lower value changes nothing for it.
   */
  operationRetryAfterSeconds?: number;
  /**
   * How long after a fault starts or ends Resource Health reports it on the Event Hub (default 2000 ms).
   * Azure's lags the outage by tens of seconds; the default is short so drills stay quick.
   */
  resourceHealthLagMs?: number;
  /** How long after a region-wide outage starts or ends the Service Health incident is posted (default 5000 ms). */
  serviceHealthLagMs?: number;
}

/** The hub the simulator publishes alerts and diagnostic records to, as action groups and diagnostic settings would. */
export const SIM_EVENT_HUB = "apim-dr-signals";
export const SIM_EVENT_HUB_PARTITIONS = 4;
export const SIM_CONSUMER_GROUP = "$Default";
export const DEFAULT_RESOURCE_HEALTH_LAG_MS = 2000;
export const DEFAULT_SERVICE_HEALTH_LAG_MS = 5000;
/** Real APIM answers backup/restore polls with `Retry-After: 60` (see the SDK recordings). */
export const DEFAULT_OPERATION_RETRY_AFTER_SECONDS = 60;

export interface SimulatedServiceInfo {
  id: string;
  name: string;
  region: string;
  gatewayHost: string;
  gatewayUrl: string;
}

/** One protected pair of the simulated world (`sim start --pairs N` makes N). */
export interface SimulatedPairInfo {
  name: string;
  primary: SimulatedServiceInfo;
  standby: SimulatedServiceInfo;
  customHostname: string;
  /** The pair's CNAME in the zone. */
  recordName: string;
  recordSetId: string;
}

export interface SimulatedAzure {
  armEndpoint: string;
  /** The metrics data plane (MetricsClient endpoint). Same listener as ARM. */
  metricsEndpoint: string;
  /** LogsQueryClient `endpoint` option: replaces `https://api.loganalytics.io/v1`. */
  logsEndpoint: string;
  caCertPath: string;
  caCertPem: string;
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  workspaceId: string;
  storage: { blobEndpoint: string; accountName: string; accountKey: string; connectionString: string };
  /** region → http://127.0.0.1:PORT */
  gateways: Record<string, string>;
  adminUrl: string;
  /** The webhook receiver: POST {webhooksUrl}/hooks/{target}; what it took in is in `stats().webhooks`. */
  webhooksUrl: string;
  /** The HMAC key the receiver checks generic notifications' signatures with. */
  webhookSecret: string;
  /** Namespace connection string of the Event Hubs emulator (plain AMQP, `UseDevelopmentEmulator=true`, no EntityPath). */
  eventHubsConnectionString: string;
  /** The hub ({@link SIM_EVENT_HUB}, {@link SIM_EVENT_HUB_PARTITIONS} partitions) that carries the simulated alerts and records. */
  eventHubName: string;
  /** A consumer group that exists on the hub ({@link SIM_CONSUMER_GROUP}). */
  eventHubsConsumerGroup: string;
  /** The emulator itself: publish extra (e.g. malformed) events, read its counters, cut client connections. */
  eventHubs: Pick<RunningEventHubsEmulator, "publish" | "stats" | "dropConnections">;
  stateDir: string;
  world: WorldSpec;
  /** The first pair's services (every world has it). */
  services: { primary: SimulatedServiceInfo; standby: SimulatedServiceInfo };
  /** Every pair, the first one first. */
  pairs: SimulatedPairInfo[];
  dns: { zoneId: string; zoneName: string; recordName: string; recordSetId: string };
  customHostname: string;
  fault(name: FaultName, scope?: { region?: string; service?: string }, options?: FaultOptions): Promise<ActiveFault | null>;
  clearFault(name: FaultName, scope?: { region?: string; service?: string }): ActiveFault[];
  clearAllFaults(): ActiveFault[];
  /** `count` configuration changes on a service (name, region or resource id); returns its new revision. */
  change(service: string, count?: number): number;
  /**
   * Publishes forged outage events for a healthy service (name, region or resource id): Resource Health
   * Unavailable (PlatformInitiated), a metric alert and a log search alert. The world stays healthy.
   * Returns how many events were published.
   */
  forge(service: string): number;
  /** Breaks one failover precondition (configuration, not availability) until `repair`; returns what changed. */
  breakPrecondition(name: PreconditionBreak, options?: BreakOptions): Promise<string>;
  /** Undoes every precondition break. */
  repair(): Promise<void>;
  /** ARM ids of the backup and the state storage accounts (their blobs are both Azurite's). */
  storageAccountIds: { backup: string; state: string };
  stats(): SimStats;
  /** Subscribes to fault, configuration, operation and DNS events; returns the unsubscribe function. */
  onEvent(listener: (event: SimEvent) => void): () => void;
  stop(): Promise<void>;
}

/**
 * Starts ARM (HTTPS), regional gateways, the admin API, Azurite and the Event Hubs emulator on 127.0.0.1.
 * Faults and configuration changes are published to the hub as Azure would (see eventhubs/bridge.ts).
 */
export async function startSimulatedAzure(options: SimulatedAzureOptions = {}): Promise<SimulatedAzure> {
  const world = buildWorld(options.world);
  const ownStateDir = !options.stateDir;
  const stateDir = options.stateDir ? resolve(options.stateDir) : await mkdtemp(join(tmpdir(), "apim-dr-sim-"));
  await mkdir(stateDir, { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
    if (ownStateDir) await rm(stateDir, { recursive: true, force: true });
  };
  try {
    const tls = await createSimTls();
    const caCertPath = join(stateDir, "sim-ca.pem");
    await writeFile(caCertPath, tls.caCertPem);
    const azurite = await startAzurite({ blobPort: options.ports?.blob ?? 0 });
    cleanups.push(() => azurite.stop());
    const events = new SimEvents();
    const state = new SimState(
      world,
      { accountName: azurite.accountName, accountKey: azurite.accountKey, blobEndpoint: azurite.blobEndpoint, client: new BlobRestClient(azurite.blobEndpoint, azurite.accountName, azurite.accountKey) },
      {
        backupDurationMs: options.backupDurationMs ?? 1000,
        restoreDurationMs: options.restoreDurationMs ?? 3000,
        retryAfterSeconds: options.retryAfterSeconds ?? 1,
        operationRetryAfterSeconds: options.operationRetryAfterSeconds ?? DEFAULT_OPERATION_RETRY_AFTER_SECONDS,
      },
      events,
    );
    state.operations = new OperationEngine(state);
    cleanups.push(() => state.operations.stop());
    const arm = await startArmServer(state, tls, options.ports?.arm ?? 0);
    cleanups.push(() => arm.close());
    const gateways = await startGateways(state, options.ports?.gateways);
    cleanups.push(() => gateways.close());
    const eventHubs = await startEventHubsEmulator({
      hubs: [{ name: SIM_EVENT_HUB, partitionCount: SIM_EVENT_HUB_PARTITIONS, consumerGroups: options.consumerGroups ?? [] }],
      port: options.ports?.eventHubs ?? 0,
    });
    cleanups.push(() => eventHubs.stop());
    const disconnectBridge = bridgeSimEventsToEventHubs({
      onEvent: (listener) => events.on(listener),
      emulator: eventHubs,
      hub: SIM_EVENT_HUB,
      subscriptionId: world.subscriptionId,
      services: state.services.map((s) => ({ id: s.id, name: s.spec.name, region: s.spec.region })),
      resourceHealthLagMs: options.resourceHealthLagMs ?? DEFAULT_RESOURCE_HEALTH_LAG_MS,
      serviceHealthLagMs: options.serviceHealthLagMs ?? DEFAULT_SERVICE_HEALTH_LAG_MS,
    });
    // Registered after the emulator, so it runs first on stop: nothing is published into a stopped emulator.
    cleanups.push(async () => disconnectBridge());
    const forge = (ref: string) => {
      const service = state.resolveService(ref);
      const payloads = forgedOutage({ id: service.id, name: service.spec.name, region: service.spec.region }, Date.now());
      for (const body of payloads) eventHubs.publish(SIM_EVENT_HUB, body, { partitionKey: service.id });
      return payloads.length;
    };
    const admin = await startAdminServer(state, options.ports?.admin ?? 0, { forge });
    cleanups.push(() => admin.close());
    const webhooks = await startWebhookReceiver(state, options.ports?.webhooks ?? 0);
    cleanups.push(() => webhooks.close());

    const info = (spec: WorldSpec["primary"]): SimulatedServiceInfo => ({
      id: state.resolveService(spec.name).id,
      name: spec.name,
      region: spec.region,
      gatewayHost: gatewayHost(spec.name),
      gatewayUrl: gateways.urls[spec.region]!,
    });
    const zoneId = dnsZoneId(world);
    const pairs = world.pairs.map((p) => ({
      name: p.name,
      primary: info(p.primary),
      standby: info(p.standby),
      customHostname: p.customHostname,
      recordName: p.recordName,
      recordSetId: `${zoneId}/CNAME/${p.recordName}`,
    }));
    let stopped: Promise<void> | null = null;
    return {
      armEndpoint: arm.endpoint,
      metricsEndpoint: arm.endpoint,
      logsEndpoint: `${arm.endpoint}/v1`,
      caCertPath,
      caCertPem: tls.caCertPem,
      subscriptionId: world.subscriptionId,
      tenantId: world.tenantId,
      resourceGroup: world.resourceGroup,
      workspaceId: world.workspaceId,
      storage: { blobEndpoint: azurite.blobEndpoint, accountName: azurite.accountName, accountKey: azurite.accountKey, connectionString: azurite.connectionString },
      gateways: gateways.urls,
      adminUrl: admin.url,
      webhooksUrl: webhooks.url,
      webhookSecret: state.webhooks.secret,
      eventHubsConnectionString: eventHubs.connectionString,
      eventHubName: SIM_EVENT_HUB,
      eventHubsConsumerGroup: SIM_CONSUMER_GROUP,
      eventHubs: { publish: eventHubs.publish, stats: eventHubs.stats, dropConnections: eventHubs.dropConnections },
      stateDir,
      world,
      services: { primary: pairs[0]!.primary, standby: pairs[0]!.standby },
      pairs,
      dns: { zoneId, zoneName: world.dnsZone, recordName: world.recordName, recordSetId: `${zoneId}/CNAME/${world.recordName}` },
      customHostname: world.customHostname,
      fault: (name, scope = {}, faultOptions = {}) => state.setFault({ name, region: scope.region ?? null, service: scope.service ?? null, options: faultOptions }),
      clearFault: (name, scope = {}) => state.clearFault({ name, region: scope.region ?? null, service: scope.service ?? null }),
      clearAllFaults: () => state.clearAllFaults(),
      change: (service, count = 1) => state.change(service, count).revision,
      forge,
      breakPrecondition: (name, breakOptions = {}) => breakPrecondition(state, name, breakOptions),
      repair: () => repairAll(state),
      storageAccountIds: { backup: storageAccountId(world, world.storageAccounts.backup.name), state: storageAccountId(world, world.storageAccounts.state.name) },
      stats: () => state.stats(),
      onEvent: (listener) => events.on(listener),
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
