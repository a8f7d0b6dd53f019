import { transition } from "xstate";
import type { EffectivePair } from "../config/index.js";
import { createEvaluator, verdictEvents, type HealthEvaluator, type HealthSettings, type ObserveOutcome, type PairHealth } from "../health/index.js";
import type { PairContext, UnstampedEvent } from "../machine/types.js";
import type { StorageAccess } from "../ports/apim.js";
import type { AuditLog, StateStore } from "../ports/state.js";
import { sameResourceId, type Signal } from "../ports/signal.js";
import { BackupScheduler, type BackupEvent } from "../backup/scheduler.js";
import { findLatestBackup } from "../backup/latest-backup.js";
import { rpoStatus, type RpoStatus } from "../backup/rpo.js";
import { describeError } from "../ports/errors.js";
import { WarmStandby, type WarmStandbyEvent } from "../backup/warm-standby.js";
import { OPERATOR_ACTIONS, type CommandResult, type OperatorAction, type OperatorRequest, type PairStatus } from "../server/controller-api.js";
import { createFailoverMachine, type StepPorts } from "./steps/index.js";
import { startPairActor, type PairActor } from "./pair-actor.js";
import { pairSettings } from "./pair-settings.js";
import { stateName } from "./state-name.js";
import type { Logger } from "./logger.js";

export interface PairRuntimeDeps extends StepPorts {
  stateStore: StateStore;
  audit: AuditLog;
  log: Logger;
}

/** The machine event each operator action sends. */
function operatorEvent(action: OperatorAction, request: OperatorRequest): UnstampedEvent {
  const fields = { actor: request.actor, reason: request.reason };
  switch (action) {
    case "failover":
      return { type: "operator.failoverRequested", planned: request.planned ?? false, ...fields };
    case "failback":
      return { type: "operator.failbackRequested", ...fields };
    case "approve":
      return { type: "operator.approved", ...fields };
    case "abort":
      return { type: "operator.aborted", ...fields };
    case "pause":
      return { type: "operator.paused", ...fields };
    case "resume":
      return { type: "operator.resumed", ...fields };
  }
}

/** States in which the controller's own backups may run: never while a failover or failback drives the services. */
const BACKUPS_ALLOWED = ["monitoring", "paused"];

/**
 * One protected pair: its failover machine (persisted), its health evaluator, its backup scheduler,
 * and the RPO view. Signals come in through `observe`; verdict changes become machine events.
 */
export class PairRuntime {
  readonly name: string;
  private evaluator: HealthEvaluator;
  private health: PairHealth | null = null;
  private rpo: RpoStatus;
  private breachAlerted = false;
  readonly scheduler: BackupScheduler;
  private readonly warm: WarmStandby | null;
  private constructor(
    readonly pair: EffectivePair,
    private readonly deps: PairRuntimeDeps,
    private readonly pairActor: PairActor,
    healthSettings: HealthSettings,
  ) {
    this.name = pair.name;
    this.evaluator = createEvaluator(healthSettings, { primary: pair.primary, standby: pair.standby });
    this.rpo = rpoStatus(null, pair.objectives.rpoMinutes * 60_000, 0);
    this.scheduler = new BackupScheduler(
      {
        pair: pair.name,
        serviceId: pair.primary.serviceId,
        storageAccount: pair.backup.storageAccount,
        container: pair.backup.container,
        access: () => this.storageAccess(),
        schedule: pair.backup.schedule,
        changeDebounceMs: pair.backup.changeDebounceSeconds * 1000,
        retention: { retentionMs: pair.backup.retentionDays * 86_400_000, keepLatest: pair.backup.keepLatest },
        allowed: () => (BACKUPS_ALLOWED.some((s) => this.state.startsWith(s)) ? null : `the pair is ${this.state}`),
      },
      { apim: deps.apim, store: deps.backups, clock: deps.clock },
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
            allowed: () => (this.state.startsWith("monitoring") ? null : `the pair is ${this.state}`),
          },
          { apim: deps.apim, clock: deps.clock },
          (event) => this.onWarmEvent(event),
        )
      : null;
  }

  static async start(pair: EffectivePair, healthSettings: HealthSettings, deps: PairRuntimeDeps): Promise<PairRuntime> {
    const log = deps.log.child({ pair: pair.name });
    const pairActor = await startPairActor({
      machine: createFailoverMachine(deps),
      input: pairSettings(pair),
      stateStore: deps.stateStore,
      audit: deps.audit,
      clock: deps.clock,
      onError: (error, what) => log.error({ err: describeError(error), what }, `pair ${pair.name}: ${what} failed`),
    });
    const runtime = new PairRuntime(pair, { ...deps, log }, pairActor, healthSettings);
    pairActor.actor.subscribe((snapshot) => runtime.onTransition(snapshot.context));
    log.info({ state: runtime.state, restored: pairActor.restored }, pairActor.restored ? `pair ${pair.name} resumed in ${runtime.state}` : `pair ${pair.name} started`);
    return runtime;
  }

  get state(): string {
    return stateName(this.pairActor.actor.getSnapshot().value);
  }

  private get context(): PairContext {
    return this.pairActor.actor.getSnapshot().context;
  }

  private storageAccess(): StorageAccess {
    const access = this.pair.backup.access;
    if (access.type === "accessKey") return { type: "AccessKey", accessKey: this.deps.resolveAccessKey(access.accessKeyEnv) };
    if (access.type === "userAssignedManagedIdentity") return { type: "UserAssignedManagedIdentity", clientId: access.clientId };
    return { type: "SystemAssignedManagedIdentity" };
  }

  /** A normalized signal from any source; `judge: false` only folds it in (a batch or a replay is judged once, at its end). */
  observe(signal: Signal, judge = true): ObserveOutcome | null {
    if (signal.kind === "change") {
      const changed = String(signal.attributes?.changedResourceId ?? signal.resourceId ?? "");
      if (sameResourceId(signal.resourceId, this.pair.primary.serviceId) || changed.toLowerCase().startsWith(this.pair.primary.serviceId.toLowerCase() + "/")) {
        this.scheduler.noteChange();
      }
      return null;
    }
    const outcome = this.evaluator.observe(signal, this.deps.clock.now());
    if (judge) this.evaluate();
    return outcome;
  }

  /** Re-judges health now: windows and staleness move with time, not only with new signals. */
  evaluate(): void {
    const now = this.deps.clock.now();
    const current = this.evaluator.evaluate(now);
    for (const event of verdictEvents(this.health, current, now)) this.pairActor.send(event);
    this.health = current;
  }

  /** Reads the newest backup from storage and raises an alert when the RPO is breached. */
  async refreshRpo(signal?: AbortSignal): Promise<void> {
    const now = this.deps.clock.now();
    const latest = await findLatestBackup(this.deps.backups, this.pair.backup.container, this.pair.primary.serviceId, now, signal);
    this.rpo = rpoStatus(latest, this.pair.objectives.rpoMinutes * 60_000, this.scheduler.status().unbackedChanges);
    if (this.rpo.breached && !this.breachAlerted) {
      this.deps.log.warn({ rpo: this.rpo }, `pair ${this.name}: ${this.rpo.reason}`);
      await this.deps.audit.append({ at: new Date(now).toISOString(), pair: this.name, type: "alert", verdict: "rpoBreached", reason: this.rpo.reason });
    }
    this.breachAlerted = this.rpo.breached;
  }

  private onBackupEvent(event: BackupEvent): void {
    const at = new Date(event.at).toISOString();
    const log = this.deps.log;
    switch (event.type) {
      case "backup.completed":
        log.info({ backup: event.backup.name, trigger: event.trigger }, `pair ${this.name}: backup ${event.backup.name} completed`);
        this.pairActor.send({ type: "backup.completed", backup: event.backup });
        this.warm?.offer(event.backup);
        void this.deps.audit.append({ at, pair: this.name, type: "operation", verdict: "backupCompleted", reason: `${event.trigger} backup ${event.backup.name}`, operationId: event.backup.name });
        void this.refreshRpo().catch(() => undefined);
        break;
      case "backup.failed":
        log.warn({ error: event.error, attempt: event.attempt, retryInMs: event.retryInMs }, `pair ${this.name}: backup failed, retrying`);
        void this.deps.audit.append({ at, pair: this.name, type: "operation", verdict: "backupFailed", reason: `${event.error}; attempt ${event.attempt}, retry in ${Math.round(event.retryInMs / 1000)} s` });
        break;
      case "backup.skipped":
        log.info({ reason: event.reason }, `pair ${this.name}: ${event.trigger} backup skipped: ${event.reason}`);
        break;
      case "backup.deleted":
        log.info({ backup: event.name }, `pair ${this.name}: deleted expired backup ${event.name}`);
        break;
      case "backup.retentionFailed":
        log.warn({ error: event.error }, `pair ${this.name}: retention failed`);
        break;
      case "backup.started":
        log.info({ trigger: event.trigger }, `pair ${this.name}: ${event.trigger} backup started`);
        break;
      case "backup.progress":
        break;
    }
  }

  /** Failovers that moved traffic to the standby since this process started. */
  failoversCompleted = 0;
  private previousState = "";

  private onWarmEvent(event: WarmStandbyEvent): void {
    const at = new Date(event.at).toISOString();
    const { log, audit } = this.deps;
    if (event.type === "warm.restored") {
      // The machine skips the failover restore when the standby already holds the newest backup.
      this.pairActor.send({ type: "standby.restored", backupName: event.backupName });
      log.info({ backup: event.backupName }, `pair ${this.name}: standby is warm with ${event.backupName}`);
      void audit.append({ at, pair: this.name, type: "operation", verdict: "standbyRestored", reason: `warm standby: restored ${event.backupName} into ${this.pair.standby.name}`, operationId: event.backupName });
    } else if (event.type === "warm.failed") {
      log.warn({ backup: event.backupName, error: event.error }, `pair ${this.name}: warm-standby restore failed`);
      void audit.append({ at, pair: this.name, type: "operation", verdict: "standbyRestoreFailed", reason: `warm standby: restoring ${event.backupName} failed: ${event.error}` });
    } else if (event.type === "warm.skipped") {
      log.info({ backup: event.backupName, reason: event.reason }, `pair ${this.name}: warm-standby restore skipped`);
    } else {
      log.info({ backup: event.backupName }, `pair ${this.name}: warm-standby restore of ${event.backupName} started`);
    }
  }

  private onTransition(ctx: PairContext): void {
    const state = this.state;
    if (state === "failedOver" && this.previousState.startsWith("failingOver")) this.failoversCompleted++;
    this.previousState = state;
    const d = ctx.lastDecision;
    if (d && d !== this.lastLogged) {
      this.lastLogged = d;
      this.deps.log.info({ state: this.state, verdict: d.verdict, reason: d.reason }, `pair ${this.name}: ${d.verdict}: ${d.reason}`);
    }
  }
  private lastLogged: PairContext["lastDecision"] = null;

  /** Operator actions that would change the pair's state now (dry run on the machine, nothing sent). */
  accepts(): OperatorAction[] {
    return OPERATOR_ACTIONS.filter((action) => this.dryRun(action, {}).changes);
  }

  private dryRun(action: OperatorAction, request: OperatorRequest) {
    const { actor } = this.pairActor;
    const snapshot = actor.getSnapshot();
    const [next] = transition(actor.logic, snapshot, { ...operatorEvent(action, request), at: this.deps.clock.now() } as never);
    const changes = stateName(next.value) !== stateName(snapshot.value);
    const decision = next.context.lastDecision !== snapshot.context.lastDecision ? next.context.lastDecision : null;
    return { changes, decision };
  }

  command(action: OperatorAction, request: OperatorRequest): CommandResult {
    const state = this.state;
    const dry = this.dryRun(action, request);
    if (!dry.changes) {
      const why = dry.decision ? dry.decision.reason : `'${action}' is not accepted in state ${state}`;
      return { accepted: false, state, accepts: this.accepts(), message: why };
    }
    this.pairActor.send(operatorEvent(action, request));
    // While paused the machine ignored verdicts; tell it the current ones again so a confirmed outage acts now.
    if (action === "resume") {
      this.health = null;
      this.evaluate();
    }
    return { accepted: true, state: this.state };
  }

  preview(action: OperatorAction): string[] {
    const p = this.pair;
    const ctx = this.context;
    const record = `${p.dns.recordName}.${p.dns.zoneName}`;
    const backup = this.rpo.backupAgeMs === null ? "no backup found" : `${this.rpo.reason.replace(/^(within RPO|RPO breached): /, "")}`;
    switch (action) {
      case "failover":
        return [
          `failover ${p.name}: from ${p.primary.name} (${p.primary.region}) to ${p.standby.name} (${p.standby.region})`,
          `  backup: ${backup}${this.rpo.breached ? " — RPO BREACHED" : ""}`,
          `  restore: into ${p.standby.name}${ctx.standbyHolds ? ` (skipped if it still holds ${ctx.standbyHolds} and that is the newest)` : ""}`,
          `  verify: ${p.standby.name}'s gateway answers for ${p.customHostname}`,
          `  DNS: CNAME ${record} ${p.dns.primaryTarget} -> ${p.dns.standbyTarget} (TTL ${p.dns.ttlSeconds} s)`,
        ];
      case "failback":
        return [
          `failback ${p.name}: from ${p.standby.name} (${p.standby.region}) back to ${p.primary.name} (${p.primary.region})`,
          `  backup: a fresh backup of the active standby ${p.standby.name} into container ${p.backup.container}`,
          `  restore: that backup into the primary ${p.primary.name} (its configuration is replaced)`,
          `  verify: ${p.primary.name}'s gateway answers for ${p.customHostname}`,
          `  DNS: CNAME ${record} ${p.dns.standbyTarget} -> ${p.dns.primaryTarget} (TTL ${p.dns.ttlSeconds} s)`,
        ];
      case "approve":
        return ctx.pendingApproval
          ? [`approve ${p.name}: ${ctx.pendingApproval.reason}`, ...(ctx.pendingApproval.dataLossWindowMs ? [`  accepting a data-loss window of ${Math.round(ctx.pendingApproval.dataLossWindowMs / 60_000)} min`] : [])]
          : [`approve ${p.name}: nothing is waiting for approval (state ${this.state})`];
      case "abort":
        return [`abort ${p.name}: stop the pending step in ${this.state}; traffic stays on ${ctx.activeRegion === "standby" ? p.standby.region : p.primary.region}`];
      case "pause":
        return [`pause ${p.name}: keep observing signals, take no automatic action until resumed`];
      case "resume":
        return [`resume ${p.name}: automatic action resumes`];
    }
  }

  status(): PairStatus {
    const ctx = this.context;
    const now = this.deps.clock.now();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const region = (side: "primary" | "standby") => {
      const verdict = this.health?.[side];
      const fallback = ctx.health[side];
      return { region: this.pair[side].region, verdict: verdict?.verdict ?? fallback.verdict, reason: verdict?.reason ?? fallback.reason, since: iso(verdict?.since ?? fallback.since) };
    };
    // The machine keeps its last step in context after it settles; only a running failover or failback has one in flight.
    const inFlight = this.state.startsWith("failingOver") || this.state.startsWith("failingBack");
    const op = inFlight ? ctx.operation : null;
    const step = inFlight ? ctx.currentStep : null;
    return {
      name: this.name,
      state: this.state,
      activeRegion: ctx.activeRegion === "standby" ? this.pair.standby.region : this.pair.primary.region,
      lastDecision: ctx.lastDecision ? { ...ctx.lastDecision, at: new Date(ctx.lastDecision.at).toISOString() } : null,
      backup: {
        latest: this.rpo.backupName,
        ageMs: this.rpo.backupAgeMs,
        rpoMs: this.rpo.rpoMs,
        breached: this.rpo.breached,
        unbackedChanges: this.scheduler.status().unbackedChanges,
        reason: this.rpo.reason,
      },
      health: { primary: region("primary"), standby: region("standby"), observerImpaired: this.health?.observerImpaired.impaired ?? ctx.health.observer.impaired },
      operation: op
        ? { step: op.step, kind: op.kind, startedAt: new Date(op.startedAt).toISOString(), elapsedMs: now - op.startedAt, status: "running" }
        : step
          ? // A step without a long-running operation began with the decision that entered it.
            { step, kind: "step", startedAt: new Date(ctx.lastDecision?.at ?? now).toISOString(), elapsedMs: now - (ctx.lastDecision?.at ?? now), status: "running" }
          : null,
      accepts: this.accepts(),
    };
  }

  /** Per-pair numbers for /metrics. */
  counters() {
    return { evaluator: this.evaluator.counts(), automaticFailovers: this.context.automaticFailovers.length };
  }

  async stop(): Promise<void> {
    // A warm-standby restore still running is left to Azure: nothing the controller persists depends on it.
    await this.pairActor.stop();
  }
}
