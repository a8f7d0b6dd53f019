import type { ApimPort } from "../ports/apim.js";
import type { BackupStorePort } from "../ports/backups.js";
import type { CnameRecordSet, DnsPort } from "../ports/dns.js";
import { AzureOperationError } from "../ports/errors.js";
import type { Leadership } from "../ports/leadership.js";

/** Record-set metadata key carrying the epoch of the replica that last moved the CNAME. */
export const DNS_EPOCH_KEY = "apimdrepoch";

/** A write refused because a newer leader has already written (fencing): never retried. */
export class FencedOutError extends AzureOperationError {
  constructor(message: string) {
    super(message, "FencedOut", undefined, false);
    this.name = "FencedOutError";
  }
}

/**
 * DNS writes fenced by epoch: the lease is confirmed right before, the record is read first and a write is refused
 * when the record carries a newer epoch than ours, and the write records our epoch and keeps the caller's If-Match
 * (an interleaved write answers 412). A lease alone is no fencing: a leader that froze past its lease wakes up
 * believing it still leads. A write whose If-Match is the etag of the record last read through this port checks
 * that read's epoch instead of reading again: the If-Match lets the write land only on that very record.
 */
export function fencedDns(dns: DnsPort, leadership: Leadership, pair: string): DnsPort {
  const lastRead = new Map<string, CnameRecordSet>();
  const key = (zoneId: string, recordName: string) => `${zoneId.toLowerCase()}|${recordName.toLowerCase()}`;
  return {
    async getCname(zoneId, recordName, signal) {
      const record = await dns.getCname(zoneId, recordName, signal);
      if (record) lastRead.set(key(zoneId, recordName), record);
      else lastRead.delete(key(zoneId, recordName));
      return record;
    },
    async setCname(zoneId, recordName, record, precondition, signal) {
      const epoch = await leadership.confirm(pair, signal);
      if (epoch === null) return dns.setCname(zoneId, recordName, record, precondition, signal);
      const seen = lastRead.get(key(zoneId, recordName));
      const current = seen && "ifMatch" in precondition && seen.etag === precondition.ifMatch ? seen : await dns.getCname(zoneId, recordName, signal);
      const written = Number(current?.metadata?.[DNS_EPOCH_KEY]);
      if (Number.isFinite(written) && written > epoch) {
        throw new FencedOutError(`CNAME ${recordName} was last written by a leader of epoch ${written}, newer than this replica's ${epoch}: this replica has been deposed and does not write`);
      }
      return dns.setCname(zoneId, recordName, { ...record, metadata: { ...current?.metadata, [DNS_EPOCH_KEY]: String(epoch) } }, precondition, signal);
    },
  };
}

/** Backups and restores start only after the lease is confirmed with the store, right before. */
export function fencedApim(apim: ApimPort, leadership: Leadership, pair: string): ApimPort {
  return {
    getService: (serviceId, signal) => apim.getService(serviceId, signal),
    waitForOperation: (handle, options) => apim.waitForOperation(handle, options),
    async beginBackup(serviceId, location, signal) {
      await leadership.confirm(pair, signal);
      return apim.beginBackup(serviceId, location, signal);
    },
    async beginRestore(serviceId, location, signal) {
      await leadership.confirm(pair, signal);
      return apim.beginRestore(serviceId, location, signal);
    },
  };
}

/** Retention deletes and backup annotations are the leader's too. */
export function fencedBackups(backups: BackupStorePort, leadership: Leadership, pair: string): BackupStorePort {
  return {
    list: (container, signal) => backups.list(container, signal),
    async annotate(container, name, meta) {
      await leadership.confirm(pair);
      return backups.annotate(container, name, meta);
    },
    async delete(container, name) {
      await leadership.confirm(pair);
      return backups.delete(container, name);
    },
  };
}
