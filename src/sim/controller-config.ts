import type { ApimDrConfigInput } from "../config/schema.js";
import type { SimulatedAzure } from "./index.js";
import { SUPPORTED_QUERY_EXAMPLE } from "./arm/kql.js";

/** Environment variable the generated config names for Azurite's (public, well-known) account key. */
export const SIM_STORAGE_KEY_ENV = "APIM_DR_SIM_STORAGE_KEY";

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
          access: { type: "systemAssignedManagedIdentity" },
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
