import type { BackupRecord, BackupStorePort } from "../../../src/ports/backups.js";

/** Backup blobs per container, in memory. */
export class FakeBackupStore implements BackupStorePort {
  readonly containers = new Map<string, BackupRecord[]>();

  add(container: string, record: BackupRecord): void {
    this.containers.set(container, [...(this.containers.get(container) ?? []).filter((b) => b.name !== record.name), record]);
  }

  async list(container: string): Promise<BackupRecord[]> {
    return [...(this.containers.get(container) ?? [])].sort((a, b) => b.takenAt - a.takenAt).map((b) => ({ ...b }));
  }

  async annotate(container: string, name: string, meta: { sourceServiceId: string; sku: string; takenAt: number }): Promise<void> {
    const record = this.containers.get(container)?.find((b) => b.name === name);
    if (!record) throw new Error(`blob ${name} not found in container ${container}`);
    Object.assign(record, { sourceServiceId: meta.sourceServiceId.toLowerCase(), sku: meta.sku, takenAt: meta.takenAt });
  }

  async delete(container: string, name: string): Promise<void> {
    this.containers.set(container, (this.containers.get(container) ?? []).filter((b) => b.name !== name));
  }
}
