import type { BlobItem, BlobServiceClient } from "@azure/storage-blob";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { containerClient } from "./blob-client.js";

/** Metadata keys on backup blobs (Azure lower-cases metadata names). */
export const BACKUP_METADATA = { takenAt: "takenat", sourceServiceId: "sourceserviceid", sku: "sku" } as const;

/** BackupStorePort on the backup container that APIM writes into (@azure/storage-blob). */
export class BlobBackupStore implements BackupStorePort {
  constructor(private readonly service: BlobServiceClient) {}

  async list(container: string, signal?: AbortSignal): Promise<BackupRecord[]> {
    const client = containerClient(this.service, container);
    const records: BackupRecord[] = [];
    try {
      for await (const blob of client.listBlobsFlat({ includeMetadata: true, abortSignal: signal })) {
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
