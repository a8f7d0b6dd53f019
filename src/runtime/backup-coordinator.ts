import type { EffectivePair } from "../config/index.js";
import { activeServiceId } from "../machine/context.js";
import type { ApimPort, StorageAccess } from "../ports/apim.js";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import type { Clock } from "../ports/clock.js";
import type { AuditEntry } from "../ports/state.js";
import { describeError } from "../ports/errors.js";
import { BackupScheduler, type BackupEvent } from "../backup/scheduler.js";
import { ageOf, findNewestBackup, isBackupOf, type BackupAge } from "../backup/latest-backup.js";
import { rpoStatus, type RpoStatus } from "../backup/rpo.js";
import { WarmStandby, type WarmStandbyEvent } from "../backup/warm-standby.js";
import type { Logger } from "./logger.js";
import type { PairMachine } from "./pair-machine.js";


export interface BackupCoordinatorDeps {
  apim: ApimPort;
  backups: BackupStorePort;
  clock: Clock;
  log: Logger;
  resolveAccessKey(ref: string): string;
}

/** The backup view `status` shows: the RPO plus what the scheduler is doing. */
export interface BackupView extends RpoStatus {
  /** The instance whose configuration the backups protect: the active one. */
  protects: string;
  /** Blobs whose source cannot be established; never restored without an operator. */
  unverified: string[];
  running: string | null;
  lastError: string | null;
}

/**
 * Everything that protects one pair's configuration: scheduled and change-triggered backups, the warm
 * standby, retention and the RPO view. All of it follows the active instance (the one the CNAME points
 * at); unbacked changes live in the machine's persisted context, so a restart never forgets one.
 */
export class BackupCoordinator {
  readonly scheduler: BackupScheduler;
  private readonly warm: WarmStandby | null;
  /** As of the last storage read: the newest backup and the blobs of unknown source. */
  private newest: BackupAge | null = null;
  private unverified: string[] = [];
  private breachAlerted = false;

  constructor(
    private readonly pair: EffectivePair,
    private readonly machine: PairMachine,
    private readonly deps: BackupCoordinatorDeps,
  ) {
    this.scheduler = new BackupScheduler(
      {
        pair: pair.name,
        protectedServiceId: () => activeServiceId(machine.context()),
        storageAccount: pair.backup.storageAccount,
        container: pair.backup.container,
        access: () => this.storageAccess(),
        schedule: pair.backup.schedule,
        changeDebounceMs: pair.backup.changeDebounceSeconds * 1000,
        retention: { retentionMs: pair.backup.retentionDays * 86_400_000, keepLatest: pair.backup.keepLatest },
        allowed: () => (machine.hasTag("backupsAllowed") ? null : `the pair is ${machine.state()}`),
      },
      {
        apim: deps.apim,
        store: deps.backups,
        clock: deps.clock,
        changes: {
          pending: () => machine.context().unbackedChanges,
          covered: (backup, startedAt) => machine.send({ type: "backup.completed", backup, startedAt }),
        },
      },
      (event) => this.onBackupEvent(event),
    );
    this.warm = pair.backup.warmStandby
      ? new WarmStandby(
          {
            standbyServiceId: pair.standby.serviceId,
            storageAccount: pair.backup.storageAccount,
            container: pair.backup.container,
            access: () => this.storageAccess(),
            // The standby is only ours to overwrite while the primary serves traffic undisturbed.
            allowed: () => (machine.hasTag("warmStandbyAllowed") ? null : `the pair is ${machine.state()}`),
          },
          { apim: deps.apim, clock: deps.clock },
          (event) => this.onWarmEvent(event),
        )
      : null;
  }

  private get rpoMs(): number {
    return this.pair.objectives.rpoMinutes * 60_000;
  }

  private storageAccess(): StorageAccess {
    const access = this.pair.backup.access;
    if (access.type === "accessKey") return { type: "AccessKey", accessKey: this.deps.resolveAccessKey(access.accessKeyEnv) };
    if (access.type === "userAssignedManagedIdentity") return { type: "UserAssignedManagedIdentity", clientId: access.clientId };
    return { type: "SystemAssignedManagedIdentity" };
  }

  /** A configuration change of `serviceId`: the machine counts it when that is the active instance. */
  noteChange(serviceId: string, at?: number): void {
    this.machine.send({ type: "backup.changeNoted", serviceId, ...(at !== undefined ? { at } : {}) });
    this.scheduler.changeNoted();
  }

  /** A failover or failback ended (the active instance may have changed): held-back backups run now, and the RPO view is read again. */
  backupsAllowedAgain(): void {
    this.scheduler.allowedAgain();
    this.refreshRpoSoon();
  }

  /** An operator asked for a backup of the active instance now. */
  requestBackup(): void {
    this.scheduler.requestBackup();
  }

  /** Reads the newest backup of the active instance from storage (THE rule) and raises an alert when the RPO is breached. */
  async refreshRpo(signal?: AbortSignal): Promise<void> {
    const ctx = this.machine.context();
    const choice = await findNewestBackup(this.deps.backups, this.pair.backup.container, activeServiceId(ctx), ctx.activeBaseline?.name ?? null, this.deps.clock.now(), signal);
    this.newest = choice.newest;
    this.unverified = choice.unverified.map((b) => b.name);
    const rpo = this.rpoNow();
    if (rpo.breached && !this.breachAlerted) this.record({ type: "alert", verdict: "rpoBreached", reason: rpo.reason });
    if (!rpo.breached && this.breachAlerted) this.record({ type: "decision", verdict: "rpoRecovered", reason: rpo.reason });
    this.breachAlerted = rpo.breached;
  }

  /** The newest backup's age now (not as of the last read) and the changes owed a backup now. */
  private rpoNow(): RpoStatus {
    const newest = this.newest ? ageOf(this.newest.backup, this.deps.clock.now()) : null;
    return rpoStatus(newest, this.rpoMs, this.machine.context().unbackedChanges.length);
  }

  /** The newest usable backup of the active instance as last read (what the failover's backup check would find). */
  newestBackup(): BackupRecord | null {
    return this.newest?.backup ?? null;
  }

  view(): BackupView {
    const ctx = this.machine.context();
    const scheduler = this.scheduler.status();
    return { ...this.rpoNow(), protects: this.pair[ctx.activeRegion].name, unverified: this.unverified, running: scheduler.running, lastError: scheduler.lastError };
  }

  private record(entry: Omit<AuditEntry, "at" | "pair">): void {
    this.machine.record([{ at: new Date(this.deps.clock.now()).toISOString(), pair: this.pair.name, state: this.machine.state(), ...entry }]);
  }

  /** The newest backup is read again after a backup; a failed read only delays the RPO view until the next refresh. */
  private refreshRpoSoon(): void {
    this.refreshRpo().catch((error: unknown) => this.deps.log.warn({ err: describeError(error) }, `pair ${this.pair.name}: reading the newest backup failed`));
  }

  /** Every backup, retention and warm-standby event becomes a record (audit, log, metrics read them from the stream). */
  private onBackupEvent(event: BackupEvent): void {
    switch (event.type) {
      case "backup.started":
        return this.record({ type: "operation", verdict: "backupStarted", reason: `${event.trigger} backup of ${this.pair[this.machine.context().activeRegion].name}` });
      case "backup.completed":
        if (isBackupOf(event.backup, this.pair.primary.serviceId)) this.warm?.offer(event.backup);
        this.record({ type: "operation", verdict: "backupCompleted", reason: `${event.trigger} backup ${event.backup.name}`, operationId: event.backup.name });
        return this.refreshRpoSoon();
      case "backup.failed":
        return this.record({ type: "operation", verdict: "backupFailed", reason: `${event.error}; attempt ${event.attempt}, retry in ${Math.round(event.retryInMs / 1000)} s` });
      case "backup.skipped":
        return this.record({ type: "decision", verdict: "backupSkipped", reason: `${event.trigger} backup skipped: ${event.reason}` });
      case "backup.deleted":
        return this.record({ type: "operation", verdict: "backupDeleted", reason: `deleted expired backup ${event.name}`, operationId: event.name });
      case "backup.retentionFailed":
        return this.record({ type: "operation", verdict: "retentionFailed", reason: event.error });
      case "backup.progress":
        return;
    }
  }

  private onWarmEvent(event: WarmStandbyEvent): void {
    switch (event.type) {
      case "warm.started":
        return this.record({ type: "operation", verdict: "standbyRestoreStarted", reason: `warm standby: restoring ${event.backupName} into ${this.pair.standby.name}`, operationId: event.backupName });
      case "warm.restored":
        // The machine skips the failover restore when the standby already holds the newest backup.
        this.machine.send({ type: "standby.restored", backupName: event.backupName });
        return this.record({ type: "operation", verdict: "standbyRestored", reason: `warm standby: restored ${event.backupName} into ${this.pair.standby.name}`, operationId: event.backupName });
      case "warm.failed":
        return this.record({ type: "operation", verdict: "standbyRestoreFailed", reason: `warm standby: restoring ${event.backupName} failed: ${event.error}` });
      case "warm.skipped":
        return this.record({ type: "decision", verdict: "standbyRestoreSkipped", reason: `warm standby: ${event.backupName} not restored: ${event.reason}` });
    }
  }
}
