import type { ApimDrConfigInput } from "../config/schema.js";
import type { SimulatedAzure } from "./index.js";
import { SUPPORTED_QUERY_EXAMPLE } from "./arm/kql.js";

/** Environment variable the generated config names for Azurite's (public, well-known) account key. */
export const SIM_STORAGE_KEY_ENV = "APIM_DR_SIM_STORAGE_KEY";
/** Environment variable the generated config names for the Event Hubs emulator's connection string. */
export const SIM_EVENTHUBS_ENV = "APIM_DR_SIM_EVENTHUBS";
/** Blob container, in the state account (Azurite), for the consumer's checkpoints and partition ownership. */
export const SIM_CHECKPOINT_CONTAINER = "apim-dr-checkpoints";

/**
 * The secrets the generated config refers to, as `NAME='value'` lines for `<state-dir>/sim.env`,
 * so `set -a; . .sim/sim.env; set +a` exports them. Values are single-quoted for the shell: a
 * connection string contains `;`.
 */
export function simEnvFile(sim: SimulatedAzure): string {
  const line = (name: string, value: string) => `${name}='${value.replaceAll("'", "'\\''")}'\n`;
  return (
    "# Written by 'apim-dr sim start': secrets of the simulator running now (development values, not Azure's).\n" +
    "# Load with: set -a; . .sim/sim.env; set +a\n" +
    line(SIM_STORAGE_KEY_ENV, sim.storage.accountKey) +
    line(SIM_EVENTHUBS_ENV, sim.eventHubsConnectionString)
  );
}

/** A controller configuration that points every adapter at the running simulator. */
export function simControllerConfig(sim: SimulatedAzure): ApimDrConfigInput {
  const { primary, standby } = sim.services;
  return {
    pairs: [
      {
        name: "contoso",
        primary: { serviceId: primary.id, region: primary.region },
        standby: { serviceId: standby.id, region: standby.region },
        customHostname: sim.customHostname,
        dns: {
          zoneId: sim.dns.zoneId,
          recordName: sim.dns.recordName,
          ttlSeconds: sim.world.ttl,
          primaryTarget: primary.gatewayHost,
          standbyTarget: standby.gatewayHost,
        },
        backup: {
          storageAccount: sim.storage.accountName,
          container: "apim-backups",
          // Azurite serves plain HTTP, where bearer tokens are refused: the controller lists backups with the key.
          blobEndpoint: sim.storage.blobEndpoint,
          access: { type: "accessKey", accessKeyEnv: SIM_STORAGE_KEY_ENV },
          schedule: "*/15 * * * *",
          changeDebounceSeconds: 30,
          retentionDays: 30,
          keepLatest: 3,
          warmStandby: false,
        },
        objectives: { rpoMinutes: 60, rtoMinutes: 45 },
        policy: { mode: "automatic", onRpoBreach: "awaitApproval", brakeWindowMinutes: 60, maxStepAttempts: 3, failbackHealthyWindowMinutes: 10 },
      },
    ],
    health: { quorum: 2, confirmationWindowSeconds: 60, stalenessSeconds: 300, recoveryWindowSeconds: 300 },
    signals: {
      eventHubs: {
        connectionStringEnv: SIM_EVENTHUBS_ENV,
        eventHubName: sim.eventHubName,
        consumerGroup: sim.eventHubsConsumerGroup,
        checkpoint: { container: SIM_CHECKPOINT_CONTAINER },
      },
      metrics: { intervalSeconds: 30, fiveXxRatioThreshold: 0.5 },
      logs: { workspaceId: sim.workspaceId, query: SUPPORTED_QUERY_EXAMPLE, intervalSeconds: 60 },
      resourceHealth: { intervalSeconds: 30 },
      probes: { intervalSeconds: 5, timeoutMs: 2000, failuresBeforeUnhealthy: 3, path: "/status-0123456789abcdef" },
    },
    azure: {
      armEndpoint: sim.armEndpoint,
      metricsEndpoint: sim.metricsEndpoint,
      logsEndpoint: sim.logsEndpoint,
      caCertPath: sim.caCertPath,
      credential: { type: "simulator" },
    },
    stateStore: {
      type: "blob",
      accountName: sim.storage.accountName,
      blobEndpoint: sim.storage.blobEndpoint,
      auth: { type: "accountKey", accountKeyEnv: SIM_STORAGE_KEY_ENV },
      stateContainer: "apim-dr-state",
      auditContainer: "apim-dr-audit",
    },
    server: { listen: "127.0.0.1:7070" },
  };
}
