import { readFileSync } from "node:fs";
import { createAzureAdapters, createBackupStore, createBlobServiceProperties, type StorageAccountSettings } from "../azure/index.js";
import { resolveSecret, type EffectiveConfig, type EffectivePair } from "../config/index.js";
import type { ReadinessPorts } from "./reader.js";

/**
 * The readiness reader's ports from the configuration, with the controller's credential: what `apim-dr check`
 * uses without a daemon. Secrets (access keys) come from the environment the configuration names.
 */
export function readinessPorts(config: EffectiveConfig, env: NodeJS.ProcessEnv): ReadinessPorts {
  let caCertPem: string | undefined;
  if (config.azure.caCertPath) {
    try {
      caCertPem = readFileSync(config.azure.caCertPath, "utf8");
    } catch (error) {
      throw new Error(`azure.caCertPath: cannot read ${config.azure.caCertPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  const azure = createAzureAdapters({
    armEndpoint: config.azure.armEndpoint,
    ...(config.azure.armAudience ? { armAudience: config.azure.armAudience } : {}),
    ...(caCertPem ? { caCertPem } : {}),
    credential: config.azure.credential,
    // A readiness read that fails is reported (UNKNOWN), not retried for minutes.
    retry: { maxRetries: 1 },
  });
  const storage = (pair: EffectivePair): StorageAccountSettings => ({
    blobEndpoint: pair.backup.blobEndpoint,
    auth:
      pair.backup.access.type === "accessKey"
        ? { type: "accountKey", accountName: pair.backup.storageAccount, accountKey: resolveSecret(pair.backup.access.accessKeyEnv, env, `pairs[${pair.name}].backup.access`) }
        : { type: "credential" },
  });
  // One client per account, kept across rounds (the daemon asks every interval): pairs that share an account share
  // its client (one pipeline and connection pool, not one per pair) and its backup listing (one per round, not per pair).
  const blobServices = new Map<string, ReturnType<typeof createBlobServiceProperties>>();
  const backupStores = new Map<string, ReturnType<typeof createBackupStore>>();
  const once = <T>(cache: Map<string, T>, pair: EffectivePair, make: () => T): T => {
    const { access, blobEndpoint, storageAccount } = pair.backup;
    const key = JSON.stringify([blobEndpoint, storageAccount, access.type, access.type === "accessKey" ? access.accessKeyEnv : null]);
    let value = cache.get(key);
    if (!value) cache.set(key, (value = make()));
    return value;
  };
  return {
    apim: azure.apim,
    dns: azure.dns,
    storageAccounts: azure.storageAccounts,
    roleAssignments: azure.roleAssignments,
    blobServiceFor: (pair) => once(blobServices, pair, () => createBlobServiceProperties(storage(pair), azure.credential)),
    backupStoreFor: (pair) => once(backupStores, pair, () => createBackupStore(storage(pair), azure.credential)),
  };
}
