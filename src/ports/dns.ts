export interface CnameRecordSet {
  /** Target host name, or null when the record set exists without a CNAME record. */
  cname: string | null;
  ttl: number;
  etag: string;
  /** The record set's metadata (e.g. the epoch of the controller replica that wrote it); absent when none. */
  metadata?: Record<string, string>;
}

export interface DnsPort {
  /** null when the record set does not exist. */
  getCname(zoneId: string, recordName: string, signal?: AbortSignal): Promise<CnameRecordSet | null>;
  /**
   * Writes the CNAME. With `ifMatch`, Azure answers 412 when the record changed since it was read:
   * that surfaces as AzureOperationError with code `PreconditionFailed`.
   * `ifMatch: "*"`-less creation uses `ifNoneMatch: "*"`.
   */
  setCname(
    zoneId: string,
    recordName: string,
    /** A PUT replaces the whole record set: metadata not given is removed. */
    record: { cname: string; ttl: number; metadata?: Record<string, string> },
    precondition: { ifMatch: string } | { ifNoneMatch: "*" },
    signal?: AbortSignal,
  ): Promise<CnameRecordSet>;
}
