import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { createAzureAdapters } from "../../../src/azure/index.js";
import { main } from "../../../src/cli/main.js";
import { validateConfig } from "../../../src/config/index.js";
import { resolveSecret } from "../../../src/config/secrets.js";
import { createEventHubsEventSource } from "../../../src/azure/eventhubs/consumer.js";
import { createMemoryDeadLetterStore } from "../../../src/signals/consumer/memory-dead-letters.js";
import { startSignalConsumer, type SignalConsumer } from "../../../src/signals/consumer/signal-consumer.js";
import { systemClock } from "../../../src/ports/clock.js";
import type { EventStreamError } from "../../../src/ports/events.js";
import { sameResourceId, type Signal } from "../../../src/ports/signal.js";
import { SIM_CHECKPOINT_CONTAINER, SIM_EVENTHUBS_ENV, simControllerConfig, simEnvFile } from "../../../src/sim/controller-config.js";
import { DEFAULT_RESOURCE_HEALTH_LAG_MS, startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { captureContext } from "../../support/cli.js";
import { eventually } from "../eventhubs/helpers.js";

/**
 * The simulator's Event Hub read the way the controller reads it: the real EventHubConsumerClient with a
 * BlobCheckpointStore on the simulator's Azurite, through the signal consumer and the real decoders.
 */
describe("simulator → Event Hubs → controller consumer → signals", () => {
  let sim: SimulatedAzure;
  let consumer: SignalConsumer;
  const signals: Signal[] = [];
  const errors: EventStreamError[] = [];
  const deadLetters = createMemoryDeadLetterStore();

  beforeAll(async () => {
    sim = await startSimulatedAzure({ serviceHealthLagMs: 500 });
    const config = await simControllerConfig(sim);
    const hubs = config.signals!.eventHubs!;
    consumer = await startSignalConsumer({
      source: createEventHubsEventSource({
        // What the controller gets from config.yaml plus sim.env.
        eventHub: { connectionString: sim.eventHubsConnectionString, eventHubName: hubs.eventHubName },
        checkpoints: { connectionString: sim.storage.connectionString, containerName: hubs.checkpoint!.container },
        consumerGroup: hubs.consumerGroup!,
        maxWaitTimeInSeconds: 1,
        loadBalancing: { updateIntervalInMs: 500 },
      }),
      deadLetters,
      clock: systemClock(),
      onError: (e) => errors.push(e),
      onSignals: async (batch) => void signals.push(...batch),
    });
    // All four partitions read before anything is published.
    await eventually(() => Object.values(sim.eventHubs.stats().readers).reduce((a, b) => a + b, 0) === 4, "the consumer to read all 4 partitions");
  });

  afterAll(async () => {
    await consumer?.close();
    await sim?.stop();
  });

  const primaryId = () => sim.services.primary.id;
  const about = (id: string) => (s: Signal) => sameResourceId(s.resourceId, id);
  const since = (start: number) => signals.filter((s) => Date.parse(s.observedAt) >= start - 1);

  it("a region outage publishes Resource Health Unavailable (PlatformInitiated) after its lag, alerts, gateway logs and Service Health; clearing it publishes them healthy", async () => {
    const before = signals.length;
    const faultAt = Date.now();
    await sim.fault("region-outage", { region: "westeurope" });

    await eventually(() => signals.slice(before).some((s) => s.source === "resourceHealth" && s.status === "unhealthy"), "Resource Health Unavailable");
    await eventually(() => signals.slice(before).some((s) => s.source === "serviceHealth"), "the Service Health incident");
    const outage = signals.slice(before);

    const resourceHealth = outage.filter((s) => s.source === "resourceHealth");
    // One from the Resource Health records, one from the Resource Health alert: both about the primary.
    expect(resourceHealth).toHaveLength(2);
    for (const s of resourceHealth) {
      expect(s).toMatchObject({ kind: "health", status: "unhealthy", region: null, attributes: expect.objectContaining({ healthStatus: "Unavailable", previousHealthStatus: "Available", cause: "PlatformInitiated" }) });
      expect(sameResourceId(s.resourceId, primaryId())).toBe(true);
      // Resource Health reports the outage after the lag, dated when it reports it.
      expect(Date.parse(s.observedAt) - faultAt).toBeGreaterThanOrEqual(DEFAULT_RESOURCE_HEALTH_LAG_MS - 5);
    }

    const alerts = outage.filter((s) => s.source === "alert");
    expect(alerts.map((s) => [s.attributes?.monitoringService, s.status, s.region]).sort()).toEqual([
      ["Log Alerts V2", "unhealthy", "westeurope"],
      ["Platform", "unhealthy", "westeurope"],
    ]);
    expect(alerts.every(about(primaryId()))).toBe(true);

    const gateway = outage.filter((s) => s.source === "gatewayLog");
    expect(gateway.map((s) => [s.region, s.status])).toEqual([["westeurope", "unhealthy"]]);
    expect(outage.filter((s) => s.source === "serviceHealth").map((s) => [s.region, s.status])).toEqual([["westeurope", "unhealthy"]]);

    // Nothing about the standby or its region.
    expect(outage.some((s) => s.region === "northeurope" || about(sim.services.standby.id)(s))).toBe(false);

    const clearedAt = Date.now();
    sim.clearFault("region-outage", { region: "westeurope" });
    await eventually(() => since(clearedAt).filter((s) => s.source === "resourceHealth").length === 2, "Resource Health Available");
    await eventually(() => since(clearedAt).some((s) => s.source === "serviceHealth"), "the Service Health resolution");
    const recovery = since(clearedAt);
    expect(recovery.filter((s) => s.source === "resourceHealth").map((s) => [s.status, s.attributes?.healthStatus, s.attributes?.previousHealthStatus])).toEqual([
      ["healthy", "Available", "Unavailable"],
      ["healthy", "Available", "Unavailable"],
    ]);
    expect(recovery.filter((s) => s.source === "alert").map((s) => [s.attributes?.monitorCondition, s.status, s.region])).toEqual([
      ["Resolved", "healthy", "westeurope"],
      ["Resolved", "healthy", "westeurope"],
    ]);
    expect(recovery.filter((s) => s.source === "gatewayLog").map((s) => s.status)).toEqual(["healthy"]);
    expect(recovery.filter((s) => s.source === "serviceHealth").map((s) => [s.region, s.status])).toEqual([["westeurope", "healthy"]]);
    expect(recovery.every((s) => s.status === "healthy")).toBe(true);
  });

  it("`sim change --service S --count 3` yields change signals for that service from the activity log and its alert", async () => {
    const before = signals.length;
    const run = captureContext();
    expect(await main(["sim", "change", "--service", "apim-contoso-neu", "--count", "3", "--admin", sim.adminUrl], run.ctx)).toBe(0);
    expect(run.stdout()).toBe("apim-contoso-neu is now at revision 3");

    await eventually(() => signals.slice(before).filter((s) => s.kind === "change").length === 6, "6 change signals");
    const changes = signals.slice(before).filter((s) => s.kind === "change");
    expect(changes.map((s) => s.source).sort()).toEqual(["activityLog", "activityLog", "activityLog", "alert", "alert", "alert"]);
    for (const s of changes) {
      expect(s).toMatchObject({ status: "unknown", region: null, attributes: expect.objectContaining({ operation: "Microsoft.ApiManagement/service/apis/operations/write", status: expect.stringMatching(/^(Succeeded|Success)$/) }) });
      expect(sameResourceId(s.resourceId, sim.services.standby.id)).toBe(true);
      expect(String(s.attributes?.changedResourceId).toLowerCase()).toMatch(new RegExp(`^${sim.services.standby.id.toLowerCase()}/apis/[^/]+/operations/[^/]+$`));
    }
    // Three distinct changes, each seen once per route.
    expect(new Set(changes.map((s) => s.attributes?.changedResourceId)).size).toBe(3);
    expect(new Set(changes.map((s) => s.id)).size).toBe(6);
  });

  it("dead-letters nothing: every published payload decodes", async () => {
    expect(await deadLetters.list()).toEqual([]);
    expect(consumer.stats()).toMatchObject({ deadLettered: 0, forwardErrors: 0 });
    expect(errors.filter((e) => e.kind !== "receive")).toEqual([]);
    expect(consumer.stats().received).toBe(sim.eventHubs.stats().published);
  });

  it("writes a controller config that validates, names its secrets by variable, and backs up and lists backups on Azurite with them", async () => {
    const yaml = stringify(await simControllerConfig(sim));
    expect(yaml).not.toContain(sim.eventHubsConnectionString);
    expect(yaml).not.toContain(sim.storage.accountKey);
    const config = validateConfig(parse(yaml), "config.yaml");
    expect(config.signals.eventHubs).toEqual({ connectionStringEnv: SIM_EVENTHUBS_ENV, eventHubName: "apim-dr-signals", consumerGroup: "$Default", checkpoint: { container: SIM_CHECKPOINT_CONTAINER } });
    const backup = config.pairs[0]!.backup;
    expect(backup).toMatchObject({ blobEndpoint: sim.storage.blobEndpoint, access: { type: "accessKey", accessKeyEnv: "APIM_DR_SIM_STORAGE_KEY" } });

    const env: Record<string, string> = {};
    for (const [, name, value] of simEnvFile(sim).matchAll(/^([A-Z_]+)='(.*)'$/gm)) env[name!] = value!;
    expect(env).toEqual({
      APIM_DR_SIM_STORAGE_KEY: sim.storage.accountKey,
      APIM_DR_SIM_EVENTHUBS: sim.eventHubsConnectionString,
      // Notifications go to the simulator's webhook receiver: the URLs and the HMAC key are secrets too.
      APIM_DR_SIM_WEBHOOK_URL: `${sim.webhooksUrl}/hooks/oncall`,
      APIM_DR_SIM_WEBHOOK_TEAMS_URL: `${sim.webhooksUrl}/hooks/teams`,
      APIM_DR_SIM_WEBHOOK_SLACK_URL: `${sim.webhooksUrl}/hooks/slack`,
      APIM_DR_SIM_WEBHOOK_SECRET: sim.webhookSecret,
    });
    expect(yaml).not.toContain(sim.webhooksUrl);
    expect(config.notifications?.targets.map((t) => `${t.name}:${t.kind}`)).toEqual(["oncall:generic", "teams:teams", "slack:slack"]);
    if (backup.access.type !== "accessKey") throw new Error("expected access-key backups");
    const accessKey = resolveSecret(backup.access.accessKeyEnv, env);
    const azure = createAzureAdapters({
      armEndpoint: config.azure.armEndpoint!,
      caCertPem: sim.caCertPem,
      credential: { type: "simulator" },
      lroPollIntervalMs: 50,
      backupStorage: { blobEndpoint: backup.blobEndpoint!, auth: { type: "accountKey", accountName: backup.storageAccount, accountKey: accessKey } },
    });
    const location = { storageAccount: backup.storageAccount, containerName: backup.container, backupName: "config-check.apimbackup", access: { type: "AccessKey" as const, accessKey } };
    await azure.apim.waitForOperation(await azure.apim.beginBackup(config.pairs[0]!.primary.serviceId, location));
    expect((await azure.backups!.list(backup.container)).map((b) => b.name)).toEqual(["config-check.apimbackup"]);
  });
});
