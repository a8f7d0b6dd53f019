import { CronExpressionParser } from "cron-parser";
import type { BackupRecord, BackupStorePort } from "../ports/backups.js";
import { backupsToDelete, type RetentionRule } from "./retention.js";
import { isBackupOf } from "./latest-backup.js";
import { describeError } from "../ports/errors.js";
import { linkedAbort } from "../ports/abort.js";
import { DEFAULT_RETRY, withRetries, type RetryPolicy } from "./retry.js";
import { takeBackup, type BackupDeps, type BackupProgress, type BackupTarget } from "./take-backup.js";

export type BackupTrigger = "schedule" | "change" | "manual";

/** Where unbacked changes are kept: the runtime keeps them in the persisted pair state, so a restart never forgets one. */
export interface ChangeLedger {
  /** Times of configuration changes of the protected instance that are in no backup yet. */
  pending(): readonly number[];
  /** A backup finished: the changes noted before `startedAt` are in it. */
  covered(backup: BackupRecord, startedAt: number): void;
}

/** A ledger in memory (tests, tools): note changes yourself. */
export function memoryChangeLedger(): ChangeLedger & { note(at: number): void } {
  let times: number[] = [];
  return {
    note: (at) => void times.push(at),
    pending: () => times,
    covered: (_backup, startedAt) => void (times = times.filter((t) => t > startedAt)),
  };
}

export interface BackupPlan extends Omit<BackupTarget, "serviceId"> {
  pair: string;
  /** The instance to back up: the active one, which can change between two backups. */
  protectedServiceId: () => string;
  /** Cron expression, evaluated in UTC. */
  schedule: string;
  /** Quiet period after the last change signal before a change-triggered backup starts. */
  changeDebounceMs: number;
  retention: RetentionRule;
  retry?: RetryPolicy;
  /** Why a backup may not start now (e.g. a failover is driving the services), or null when it may. */
  allowed?: () => string | null;
  /** How often to look again while the primary has a management operation in progress. */
  serviceBusyPollMs?: number;
}

/** A backup that may not start now (see BackupPlan.allowed). */
class HeldBack extends Error {}

/** How long a held-back change or manual backup waits before asking `allowed` again. */
export const HOLD_BACK_MS = 60_000;

export type BackupEvent =
  | { type: "backup.started"; pair: string; trigger: BackupTrigger; at: number }
  | { type: "backup.progress"; pair: string; progress: BackupProgress; at: number }
  | { type: "backup.completed"; pair: string; trigger: BackupTrigger; backup: BackupRecord; at: number }
  | { type: "backup.failed"; pair: string; trigger: BackupTrigger; error: string; attempt: number; retryInMs: number; at: number }
  | { type: "backup.skipped"; pair: string; trigger: BackupTrigger; reason: string; at: number }
  | { type: "backup.deleted"; pair: string; name: string; at: number }
  | { type: "backup.retentionFailed"; pair: string; error: string; at: number };

export interface SchedulerStatus {
  running: BackupTrigger | null;
  unbackedChanges: number;
  nextScheduledAt: number;
  lastSuccessAt: number | null;
  lastError: string | null;
}

/**
 * Backs up one pair's active instance on a cron schedule and after configuration changes (debounced, so a
 * burst of changes costs one backup). One backup at a time; changes that arrive while a backup runs
 * may be missing from it, so another backup follows. Time comes only from the injected clock.
 */
export class BackupScheduler {
  private manualRequested = false;
  private running: BackupTrigger | null = null;
  private lastSuccessAt: number | null = null;
  private lastError: string | null = null;
  private nextScheduledAt: number;
  private heldUntil = 0;
  private wake = new AbortController();

  constructor(
    private readonly plan: BackupPlan,
    private readonly deps: BackupDeps & { store: BackupStorePort; changes: ChangeLedger },
    private readonly onEvent: (event: BackupEvent) => void = () => {},
  ) {
    this.nextScheduledAt = nextCronTime(plan.schedule, deps.clock.now());
  }

  /** A change was noted in the ledger: look again at what is due. */
  changeNoted(): void {
    this.wake.abort();
  }

  /** Backups may run again (a failover or failback ended): what was held back is due now, not after the hold. */
  allowedAgain(): void {
    this.heldUntil = 0;
    this.wake.abort();
  }

  /** An operator or the controller asked for a backup now. */
  requestBackup(): void {
    this.manualRequested = true;
    this.wake.abort();
  }

  status(): SchedulerStatus {
    return {
      running: this.running,
      unbackedChanges: this.deps.changes.pending().length,
      nextScheduledAt: this.nextScheduledAt,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
    };
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = this.deps.clock.now();
      const due = this.nextDue();
      if (due.at > now) {
        await this.sleepUntil(due.at, signal);
        continue;
      }
      try {
        await this.backupOnce(due.trigger, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
    }
  }

  private nextDue(): { at: number; trigger: BackupTrigger } {
    const due = this.dueWithoutHold();
    return due.trigger === "schedule" ? due : { ...due, at: Math.max(due.at, this.heldUntil) };
  }

  private dueWithoutHold(): { at: number; trigger: BackupTrigger } {
    if (this.manualRequested) return { at: this.deps.clock.now(), trigger: "manual" };
    const changes = this.deps.changes.pending();
    const lastChange = changes.at(-1);
    const firstChange = changes[0];
    if (lastChange !== undefined && firstChange !== undefined) {
      // Debounce, but never postpone a burst by more than five quiet periods.
      const changeDue = Math.min(lastChange + this.plan.changeDebounceMs, firstChange + 5 * this.plan.changeDebounceMs);
      if (changeDue <= this.nextScheduledAt) return { at: changeDue, trigger: "change" };
    }
    return { at: this.nextScheduledAt, trigger: "schedule" };
  }

  private async sleepUntil(at: number, signal: AbortSignal): Promise<void> {
    const { controller: wake, release } = linkedAbort(signal);
    this.wake = wake;
    try {
      await this.deps.clock.sleep(at - this.deps.clock.now(), wake.signal);
    } catch {
      // Woken by a change, a request or shutdown: the loop recomputes what is due.
    } finally {
      release();
    }
  }

  private async backupOnce(trigger: BackupTrigger, signal: AbortSignal): Promise<void> {
    const { pair } = this.plan;
    const { clock } = this.deps;
    if (trigger === "schedule") this.nextScheduledAt = nextCronTime(this.plan.schedule, clock.now());
    const holdBack = (reason: string) => {
      // Changes stay counted and are backed up once allowed again; a schedule slot is simply missed.
      if (trigger !== "schedule") this.heldUntil = clock.now() + HOLD_BACK_MS;
      if (trigger === "manual") this.manualRequested = true;
      this.onEvent({ type: "backup.skipped", pair, trigger, reason, at: clock.now() });
    };
    const refusal = this.plan.allowed?.() ?? null;
    if (refusal) return holdBack(refusal);
    this.manualRequested = false;
    this.running = trigger;
    try {
      const backup = await withRetries(
        () => {
          // Asked again on every attempt: a failover may have started since the last one failed.
          const refusal = this.plan.allowed?.() ?? null;
          if (refusal) throw new HeldBack(refusal);
          const startedAt = clock.now();
          this.onEvent({ type: "backup.started", pair, trigger, at: startedAt });
          // Changes noted before the backup started are in it; later ones may not be.
          return takeBackup(this.deps, { ...this.plan, serviceId: this.plan.protectedServiceId() }, {
            signal,
            ...(this.plan.serviceBusyPollMs !== undefined ? { busyPollMs: this.plan.serviceBusyPollMs } : {}),
            onProgress: (progress) => this.onEvent({ type: "backup.progress", pair, progress, at: clock.now() }),
          }).then((b) => ({ ...b, startedAt }));
        },
        {
          clock,
          signal,
          policy: this.plan.retry ?? DEFAULT_RETRY,
          isFinal: (error) => error instanceof HeldBack,
          onRetry: (error, attempt, retryInMs) => {
            this.lastError = describeError(error);
            this.onEvent({ type: "backup.failed", pair, trigger, error: this.lastError, attempt, retryInMs, at: clock.now() });
          },
        },
      );
      const { startedAt, ...record } = backup;
      this.deps.changes.covered(record, startedAt);
      this.lastSuccessAt = backup.takenAt;
      this.lastError = null;
      this.onEvent({ type: "backup.completed", pair, trigger, backup: record, at: clock.now() });
      await this.applyRetention(signal);
    } catch (error) {
      if (!(error instanceof HeldBack)) throw error;
      holdBack(error.message);
    } finally {
      this.running = null;
    }
  }

  private async applyRetention(signal: AbortSignal): Promise<void> {
    const { pair, container, retention } = this.plan;
    const { store, clock } = this.deps;
    try {
      const serviceId = this.plan.protectedServiceId();
      const mine = (await store.list(container, signal)).filter((b) => isBackupOf(b, serviceId));
      for (const old of backupsToDelete(mine, retention, clock.now())) {
        await store.delete(container, old.name);
        this.onEvent({ type: "backup.deleted", pair, name: old.name, at: clock.now() });
      }
    } catch (error) {
      // Retention is housekeeping: report it, never fail the backup that just succeeded.
      this.onEvent({ type: "backup.retentionFailed", pair, error: describeError(error), at: clock.now() });
    }
  }
}

/** Next time the cron expression fires after `after`, in UTC. */
export function nextCronTime(expression: string, after: number): number {
  return CronExpressionParser.parse(expression, { currentDate: new Date(after), tz: "UTC" }).next().getTime();
}
