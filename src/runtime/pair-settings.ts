import type { ApimDrConfig, BackupAccessConfig, PairConfig } from "../config/schema.js";
import type { BackupAccess, PairSettings } from "../machine/types.js";
import { serviceNameOf } from "../backup/backup-names.js";

const MINUTE = 60_000;

function backupAccess(access: BackupAccessConfig): BackupAccess {
  switch (access.type) {
    case "accessKey":
      return { type: "AccessKey", accessKeyRef: access.accessKeyEnv };
    case "systemAssignedManagedIdentity":
      return { type: "SystemAssignedManagedIdentity" };
    case "userAssignedManagedIdentity":
      return { type: "UserAssignedManagedIdentity", clientId: access.clientId };
  }
}

/** The machine's view of one configured pair: milliseconds, resolved defaults, no secrets. */
export function pairSettings(pair: PairConfig): PairSettings {
  return {
    name: pair.name,
    primary: { serviceId: pair.primary.serviceId, region: pair.primary.region, ...(pair.primary.gatewayUrl ? { gatewayUrl: pair.primary.gatewayUrl } : {}) },
    standby: { serviceId: pair.standby.serviceId, region: pair.standby.region, ...(pair.standby.gatewayUrl ? { gatewayUrl: pair.standby.gatewayUrl } : {}) },
    customHostname: pair.customHostname,
    dns: {
      zoneId: pair.dns.zoneId,
      recordName: pair.dns.recordName,
      ttl: pair.dns.ttlSeconds,
      primaryTarget: pair.dns.primaryTarget ?? `${serviceNameOf(pair.primary.serviceId)}.azure-api.net`,
      standbyTarget: pair.dns.standbyTarget ?? `${serviceNameOf(pair.standby.serviceId)}.azure-api.net`,
    },
    objectives: { rpoMs: pair.objectives.rpoMinutes * MINUTE, rtoMs: pair.objectives.rtoMinutes * MINUTE },
    policy: {
      mode: pair.policy.mode,
      onRpoBreach: pair.policy.onRpoBreach,
      brakeWindowMs: pair.policy.brakeWindowMinutes * MINUTE,
      maxStepAttempts: pair.policy.maxStepAttempts,
      failbackHealthyWindowMs: pair.policy.failbackHealthyWindowMinutes * MINUTE,
    },
    backup: { storageAccount: pair.backup.storageAccount, containerName: pair.backup.container, access: backupAccess(pair.backup.access) },
  };
}

export function allPairSettings(config: ApimDrConfig): PairSettings[] {
  return config.pairs.map(pairSettings);
}
