import type { BlobItem, BlobServiceClient } from "@azure/storage-blob";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { containerClient } from "./blob-client.js";

/** Metadata keys on backup blobs (Azure lower-cases metadata names). */
export const BACKUP_METADATA = { takenAt: "takenat", sourceServiceId: "sourceserviceid", sku: "sku" } as const;

/** At most this many listings of one container at once. */
const MAX_LISTINGS = 2;

/** BackupStorePort on the backup container that APIM writes into (@azure/storage-blob). */
export class BlobBackupStore implements BackupStorePort {
  /** The listings under way, per container. */
  private readonly running = new Map<string, Set<Promise<BackupRecord[]>>>();
  /** The listing that starts next, per container, shared by everyone who asks before it starts. */
  private readonly next = new Map<string, Promise<BackupRecord[]>>();

  constructor(private readonly service: BlobServiceClient) {}

  /**
   * Pairs that share a container list it together: a call joins the next listing that starts after it (never one
   * already running, which may miss a blob written just before the call). The next listing starts when the current
   * turn of the event loop is over, so the 50 pairs of a region outage, which decide in the same moment, cost one
   * listing; it does not wait for one already running (a periodic RPO read must not delay a failover) unless
   * MAX_LISTINGS run.
   */
  async list(container: string, signal?: AbortSignal): Promise<BackupRecord[]> {
    signal?.throwIfAborted();
    let listing = this.next.get(container);
    if (!listing) {
      listing = this.startSoon(container);
      this.next.set(container, listing);
    }
    return [...(await abortable(listing, signal))];
  }

  private async startSoon(container: string): Promise<BackupRecord[]> {
    await new Promise((resolve) => setImmediate(resolve));
    const running = this.running.get(container) ?? new Set<Promise<BackupRecord[]>>();
    this.running.set(container, running);
    while (running.size >= MAX_LISTINGS) await Promise.race(running).catch(() => undefined);
    this.next.delete(container);
    const listing = this.listNow(container);
    running.add(listing);
    try {
      return await listing;
    } finally {
      running.delete(listing);
    }
  }

  private async listNow(container: string): Promise<BackupRecord[]> {
    const client = containerClient(this.service, container);
    const records: BackupRecord[] = [];
    try {
      for await (const blob of client.listBlobsFlat({ includeMetadata: true })) {
        records.push(toBackupRecord(blob));
      }
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `listing backups in container ${container}`);
      // APIM creates the container with the first backup: none yet means no backups.
      if (failure.code === "ContainerNotFound") return [];
      throw failure;
    }
    return records.sort((a, b) => b.takenAt - a.takenAt || a.name.localeCompare(b.name));
  }

  async annotate(container: string, name: string, meta: { sourceServiceId: string; sku: string; takenAt: number }): Promise<void> {
    if (!Number.isFinite(meta.takenAt)) throw new Error(`takenAt ${meta.takenAt} for backup ${name} is not a time in milliseconds.`);
    const blob = containerClient(this.service, container).getBlobClient(name);
    const action = `annotating backup ${name} in container ${container}`;
    const properties = await azureCall(action, () => blob.getProperties());
    // Set Blob Metadata replaces all metadata: keep what is there, and only if the blob did not change meanwhile.
    await azureCall(action, () =>
      blob.setMetadata(
        {
          ...properties.metadata,
          [BACKUP_METADATA.takenAt]: new Date(meta.takenAt).toISOString(),
          [BACKUP_METADATA.sourceServiceId]: meta.sourceServiceId.toLowerCase(),
          [BACKUP_METADATA.sku]: meta.sku,
        },
        { conditions: { ifMatch: properties.etag } },
      ),
    );
  }

  async delete(container: string, name: string): Promise<void> {
    // Idempotent: retention clean-up may run again after a crash.
    await azureCall(`deleting backup ${name} in container ${container}`, () =>
      containerClient(this.service, container).getBlobClient(name).deleteIfExists({ deleteSnapshots: "include" }),
    );
  }
}

function toBackupRecord(blob: BlobItem): BackupRecord {
  const metadata = lowerCaseKeys(blob.metadata);
  const annotated = parseTime(metadata[BACKUP_METADATA.takenAt]);
  const created = blob.properties.createdOn?.getTime() ?? blob.properties.lastModified.getTime();
  return {
    name: blob.name,
    takenAt: Number.isFinite(annotated) ? annotated : created,
    sourceServiceId: metadata[BACKUP_METADATA.sourceServiceId]?.toLowerCase() || null,
    sku: metadata[BACKUP_METADATA.sku] || null,
    sizeBytes: blob.properties.contentLength ?? 0,
  };
}

/** ISO-8601 as written by annotate(), or milliseconds since the epoch as other writers may record it. */
function parseTime(value: string | undefined): number {
  if (!value) return NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

// Azurite and older API versions may keep the case a writer used.
function lowerCaseKeys(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A shared promise one caller may stop waiting for (the listing itself goes on for the others). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
