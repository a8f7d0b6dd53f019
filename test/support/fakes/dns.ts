import type { CnameRecordSet, DnsPort } from "../../../src/ports/dns.js";
import { AzureOperationError } from "../../../src/ports/errors.js";

/** CNAME record sets with etags; a stale If-Match answers 412 like Azure DNS. */
export class FakeDns implements DnsPort {
  readonly records = new Map<string, CnameRecordSet>();
  readonly calls = { getCname: 0, setCname: 0 };
  /** Runs between a read and the next write: lets a test change the record behind the controller's back. */
  beforeNextWrite: (() => void) | null = null;
  /** The next write is applied but its call never returns: a controller crash right after the write. */
  hangAfterNextWrite = false;
  private etags = 0;

  private key(zoneId: string, recordName: string): string {
    return `${zoneId.toLowerCase()}|${recordName.toLowerCase()}`;
  }

  /** Sets a record directly (as another tool or a person would), with a new etag. */
  put(zoneId: string, recordName: string, cname: string, ttl = 60): CnameRecordSet {
    const record = { cname, ttl, etag: `etag-${++this.etags}` };
    this.records.set(this.key(zoneId, recordName), record);
    return record;
  }

  async getCname(zoneId: string, recordName: string): Promise<CnameRecordSet | null> {
    this.calls.getCname++;
    const record = this.records.get(this.key(zoneId, recordName));
    return record ? { ...record } : null;
  }

  async setCname(zoneId: string, recordName: string, record: { cname: string; ttl: number }, precondition: { ifMatch: string } | { ifNoneMatch: "*" }): Promise<CnameRecordSet> {
    this.calls.setCname++;
    const hook = this.beforeNextWrite;
    this.beforeNextWrite = null;
    hook?.();
    const current = this.records.get(this.key(zoneId, recordName));
    const ok = "ifMatch" in precondition ? current?.etag === precondition.ifMatch : current === undefined;
    if (!ok) throw new AzureOperationError(`The precondition on record set ${recordName} failed`, "PreconditionFailed", 412, false);
    const written = this.put(zoneId, recordName, record.cname, record.ttl);
    if (this.hangAfterNextWrite) {
      this.hangAfterNextWrite = false;
      return new Promise<CnameRecordSet>(() => {});
    }
    return written;
  }
}
