import type { ApimDrConfig } from "./schema.js";

export interface SecretReference {
  /** Environment variable holding the secret. */
  envVar: string;
  /** The config field that names it, e.g. `pairs[0].backup.access.accessKeyEnv`. */
  usedBy: string;
}

/** Every environment variable a config refers to for a secret, so a start-up check can find unset ones at once. */
export function secretReferences(config: ApimDrConfig): SecretReference[] {
  const refs: SecretReference[] = [];
  config.pairs.forEach((pair, i) => {
    if (pair.backup.access.type === "accessKey") {
      refs.push({ envVar: pair.backup.access.accessKeyEnv, usedBy: `pairs[${i}].backup.access.accessKeyEnv` });
    }
  });
  const hubs = config.signals.eventHubs;
  if (hubs?.connectionStringEnv) refs.push({ envVar: hubs.connectionStringEnv, usedBy: "signals.eventHubs.connectionStringEnv" });
  if (config.stateStore.type === "blob" && config.stateStore.auth.type === "accountKey") {
    refs.push({ envVar: config.stateStore.auth.accountKeyEnv, usedBy: "stateStore.auth.accountKeyEnv" });
  }
  config.notifications?.targets.forEach((t, i) => {
    refs.push({ envVar: t.urlEnv, usedBy: `notifications.targets[${i}].urlEnv` });
    if (t.secretEnv) refs.push({ envVar: t.secretEnv, usedBy: `notifications.targets[${i}].secretEnv` });
  });
  return refs;
}
