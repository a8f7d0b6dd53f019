import type { EffectivePair } from "../config/index.js";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import type { BlobServicePropertiesPort, CorsRuleFacts, StorageAccountFacts } from "../ports/readiness.js";
import type { ReadinessPorts } from "./reader.js";

const once = <K, T>(cache: Map<K, Promise<T>>, key: K, read: () => Promise<T>): Promise<T> => {
  let pending = cache.get(key);
  if (!pending) cache.set(key, (pending = read()));
  return pending;
};

/**
 * The ports for one readiness round of several pairs: what pairs share (the storage accounts, the backup account's
 * CORS rules and its backup listing) is read once a round, not once per pair. Pairs usually share their accounts, so
 * 50 pairs made about 200 identical reads every round. A read that fails is shared too: every pair reports it.
 */
export function sharedForOneRound(ports: ReadinessPorts): ReadinessPorts {
  const accounts = new Map<string, Promise<StorageAccountFacts>>();
  const cors = new Map<BlobServicePropertiesPort, Promise<CorsRuleFacts[]>>();
  const listings = new Map<BackupStorePort, Map<string, Promise<BackupRecord[]>>>();
  return {
    ...ports,
    storageAccounts: { getAccount: (id, signal) => once(accounts, id.toLowerCase(), () => ports.storageAccounts.getAccount(id, signal)) },
    blobServiceFor: (pair: EffectivePair) => {
      const service = ports.blobServiceFor(pair);
      return { corsRules: (signal) => once(cors, service, () => service.corsRules(signal)) };
    },
    backupStoreFor: (pair: EffectivePair) => {
      const store = ports.backupStoreFor(pair);
      const byContainer = listings.get(store) ?? new Map<string, Promise<BackupRecord[]>>();
      listings.set(store, byContainer);
      return {
        list: (container, signal) => once(byContainer, container, () => store.list(container, signal)),
        annotate: (container, name, meta) => store.annotate(container, name, meta),
        delete: (container, name) => store.delete(container, name),
      };
    },
  };
}
