import { DnsManagementClient, type RecordSet } from "@azure/arm-dns";
import type { TokenCredential } from "@azure/core-auth";
import type { CnameRecordSet, DnsPort } from "../ports/dns.js";
import { AzureOperationError } from "../ports/errors.js";
import { armClientOptions, type ClientSettings } from "./client-options.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { parseDnsZoneId } from "./resource-id.js";

export interface DnsAdapterOptions {
  credential: TokenCredential;
  client: ClientSettings;
}

// A 404 with these codes means the zone (or its group) is missing, not just the record.
const MISSING_PARENT_CODES = new Set(["ParentResourceNotFound", "ResourceGroupNotFound"]);

/** DnsPort on `DnsManagementClient` (@azure/arm-dns 5.1, api-version 2018-05-01), one client per subscription. */
export class AzureDnsAdapter implements DnsPort {
  private readonly clients = new Map<string, DnsManagementClient>();

  constructor(private readonly options: DnsAdapterOptions) {}

  async getCname(zoneId: string, recordName: string, signal?: AbortSignal): Promise<CnameRecordSet | null> {
    const zone = parseDnsZoneId(zoneId);
    const action = `reading CNAME ${recordName} in zone ${zone.name}`;
    try {
      const record = await this.client(zone.subscriptionId).recordSets.get(zone.resourceGroup, zone.name, recordName, "CNAME", {
        abortSignal: signal,
      });
      return toCnameRecordSet(record, action);
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, action);
      if (failure.statusCode === 404 && !MISSING_PARENT_CODES.has(failure.code)) return null;
      throw failure;
    }
  }

  async setCname(
    zoneId: string,
    recordName: string,
    record: { cname: string; ttl: number; metadata?: Record<string, string> },
    precondition: { ifMatch: string } | { ifNoneMatch: "*" },
    signal?: AbortSignal,
  ): Promise<CnameRecordSet> {
    const zone = parseDnsZoneId(zoneId);
    if (!Number.isInteger(record.ttl) || record.ttl < 1) {
      throw new AzureOperationError(`TTL ${record.ttl} for CNAME ${recordName} is not a positive whole number of seconds.`, "InvalidTtl", undefined, false);
    }
    const action = `writing CNAME ${recordName} → ${record.cname} in zone ${zone.name}`;
    const written = await azureCall(action, () =>
      this.client(zone.subscriptionId).recordSets.createOrUpdate(
        zone.resourceGroup,
        zone.name,
        recordName,
        "CNAME",
        { ttl: record.ttl, cnameRecord: { cname: record.cname }, ...(record.metadata ? { metadata: record.metadata } : {}) },
        { ...precondition, abortSignal: signal },
      ),
    );
    return toCnameRecordSet(written, action);
  }

  private client(subscriptionId: string): DnsManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new DnsManagementClient(this.options.credential, subscriptionId, armClientOptions(this.options.client));
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}

function toCnameRecordSet(record: RecordSet, action: string): CnameRecordSet {
  if (!record.etag) {
    // Without an etag the next write could not be made conditional.
    throw new AzureOperationError(`${action}: the answer carried no etag, so a safe conditional update is impossible.`, "MissingEtag", undefined, false);
  }
  return { cname: record.cnameRecord?.cname ?? null, ttl: record.ttl ?? 0, etag: record.etag, ...(record.metadata ? { metadata: record.metadata } : {}) };
}
