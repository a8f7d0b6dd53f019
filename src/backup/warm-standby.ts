import type { ApimPort, StorageAccess } from "../ports/apim.js";
import type { BackupRecord } from "../ports/backups.js";
import type { Clock } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import { startRestore } from "./operations.js";
import { SERVICE_BUSY_POLL_MS } from "./take-backup.js";

export interface WarmStandbyPlan {
  standbyServiceId: string;
  storageAccount: string;
  container: string;
  access: () => StorageAccess;
  /** Why the standby must not be touched now (a failover or failback drives it), or null. */
  allowed: () => string | null;
  /** How often to look again while the standby has a management operation in progress. */
  busyPollMs?: number;
}

export type WarmStandbyEvent =
  | { type: "warm.started"; backupName: string; at: number }
  | { type: "warm.restored"; backupName: string; at: number }
  | { type: "warm.failed"; backupName: string; error: string; at: number }
  | { type: "warm.skipped"; backupName: string; reason: string; at: number };

/**
 * Keeps the standby warm: every new backup of the primary is restored into it, so a failover needs
 * only the DNS change. One restore at a time; when backups arrive meanwhile only the newest is
 * restored next. A failed restore is reported and the next backup tries again.
 */
export class WarmStandby {
  private running: Promise<void> | null = null;
  private next: BackupRecord | null = null;

  constructor(
    private readonly plan: WarmStandbyPlan,
    private readonly deps: { apim: ApimPort; clock: Clock },
    private readonly onEvent: (event: WarmStandbyEvent) => void,
  ) {}

  /** A backup of the primary completed. */
  offer(backup: BackupRecord): void {
    this.next = backup;
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves when the restores offered so far are done. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const backup = this.next;
      this.next = null;
      await this.restore(backup);
    }
  }

  private async restore(backup: BackupRecord): Promise<void> {
    const { apim, clock } = this.deps;
    const refusal = this.plan.allowed();
    if (refusal) {
      this.onEvent({ type: "warm.skipped", backupName: backup.name, reason: refusal, at: clock.now() });
      return;
    }
    this.onEvent({ type: "warm.started", backupName: backup.name, at: clock.now() });
    try {
      const location = { storageAccount: this.plan.storageAccount, containerName: this.plan.container, backupName: backup.name, access: this.plan.access() };
      const handle = await startRestore(apim, clock, this.plan.standbyServiceId, location, { pollMs: this.plan.busyPollMs ?? SERVICE_BUSY_POLL_MS });
      await apim.waitForOperation(handle);
      this.onEvent({ type: "warm.restored", backupName: backup.name, at: clock.now() });
    } catch (error) {
      this.onEvent({ type: "warm.failed", backupName: backup.name, error: describeError(error), at: clock.now() });
    }
  }
}
