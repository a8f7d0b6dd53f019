/** A backup blob in the storage container, as discovered from storage (never from memory). */
export interface BackupRecord {
  /** Blob name, e.g. `apim-weu-20261201T084500Z.apimbackup`. */
  name: string;
  /** When the backup was taken (ms since epoch), from blob metadata, else the blob's creation time. */
  takenAt: number;
  /** ARM id of the service that was backed up (from metadata), lower-cased. */
  sourceServiceId: string | null;
  /** SKU of the backed-up service (from metadata). */
  sku: string | null;
  sizeBytes: number;
}

export interface BackupStorePort {
  /** All backups in the container, newest first. */
  list(container: string, signal?: AbortSignal): Promise<BackupRecord[]>;
  /** Records source, SKU and time on a finished backup blob. */
  annotate(container: string, name: string, meta: { sourceServiceId: string; sku: string; takenAt: number }): Promise<void>;
  delete(container: string, name: string): Promise<void>;
}
