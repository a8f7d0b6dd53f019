import type { BackupAccessConfig } from "../config/schema.js";
import type { EffectivePair } from "../config/index.js";
import type { BackupAccess, PairSettings } from "../machine/types.js";

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
export function pairSettings(pair: EffectivePair): PairSettings {
  return {
    name: pair.name,
    primary: { serviceId: pair.primary.serviceId, region: pair.primary.region, ...(pair.primary.gatewayUrl ? { gatewayUrl: pair.primary.gatewayUrl } : {}) },
    standby: { serviceId: pair.standby.serviceId, region: pair.standby.region, ...(pair.standby.gatewayUrl ? { gatewayUrl: pair.standby.gatewayUrl } : {}) },
    customHostname: pair.customHostname,
    dns: {
      zoneId: pair.dns.zoneId,
      recordName: pair.dns.recordName,
      ttl: pair.dns.ttlSeconds,
      primaryTarget: pair.dns.primaryTarget,
      standbyTarget: pair.dns.standbyTarget,
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
