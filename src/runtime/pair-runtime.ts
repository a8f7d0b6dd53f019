import { transition } from "xstate";
import type { EffectivePair } from "../config/index.js";
import { createEvaluator, verdictEvents, type HealthEvaluator, type HealthSettings, type ObserveOutcome, type PairHealth } from "../health/index.js";
import type { PairContext, UnstampedEvent } from "../machine/types.js";
import type { PairTag } from "../machine/failover-machine.js";
import type { AuditLog, StateStore } from "../ports/state.js";
import { sameResourceId, type Signal } from "../ports/signal.js";
import { describeError } from "../ports/errors.js";
import { OPERATOR_ACTIONS, type CommandResult, type OperatorAction, type OperatorRequest, type PairStatus } from "../server/controller-api.js";
import { createFailoverMachine, type StepPorts } from "./steps/index.js";
import { startPairActor, type PairActor } from "./pair-actor.js";
import { pairSettings } from "./pair-settings.js";
import { stateName } from "./state-name.js";
import { BackupCoordinator } from "./backup-coordinator.js";
import { failoverPlan, failbackPlan, renderPlan } from "./plan.js";
import type { Logger } from "./logger.js";

export interface PairRuntimeDeps extends StepPorts {
  stateStore: StateStore;
  audit: AuditLog;
  log: Logger;
  /** Told of every failed state or audit write (the controller's health shows it). */
  onStoreError?: (pair: string, what: string, error: unknown) => void;
}

/** The machine event each operator action sends (`backup` sends none: the backup coordinator acts on it). */
function operatorEvent(action: Exclude<OperatorAction, "backup">, request: OperatorRequest): UnstampedEvent {
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

/**
 * One protected pair: its failover machine (persisted), its health evaluator and its backup coordinator.
 * Signals come in through `observe`; verdict changes become machine events.
 */
export class PairRuntime {
  readonly name: string;
  private evaluator: HealthEvaluator;
  private health: PairHealth | null = null;
  readonly backups: BackupCoordinator;
  /** Failovers that moved traffic to the standby since this process started. */
  failoversCompleted = 0;
  private previousState = "";
  private backupsWereAllowed = true;
  private lastLogged: PairContext["lastDecision"] = null;

  private constructor(
    readonly pair: EffectivePair,
    private readonly deps: PairRuntimeDeps,
    private readonly pairActor: PairActor,
    healthSettings: HealthSettings,
    evaluator?: HealthEvaluator,
  ) {
    this.name = pair.name;
    // issue 14: a replica taking over leadership brings the health picture it kept as a follower.
    this.evaluator = evaluator ?? createEvaluator(healthSettings, { primary: pair.primary, standby: pair.standby });
    this.backups = new BackupCoordinator(
      pair,
      {
        context: () => this.context,
        hasTag: (tag) => this.hasTag(tag),
        state: () => this.state,
        send: (event) => this.pairActor.send(event),
        audit: (entries) => this.pairActor.audit(entries),
      },
      deps,
    );
  }

  static async start(pair: EffectivePair, healthSettings: HealthSettings, deps: PairRuntimeDeps, signal?: AbortSignal, evaluator?: HealthEvaluator): Promise<PairRuntime> {
    const log = deps.log.child({ pair: pair.name });
    const pairActor = await startPairActor(
      {
      machine: createFailoverMachine(deps),
      input: pairSettings(pair),
      stateStore: deps.stateStore,
      audit: deps.audit,
      clock: deps.clock,
        onError: (error, what) => {
          deps.onStoreError?.(pair.name, what, error);
          log.error({ err: describeError(error), what }, `pair ${pair.name}: ${what} failed`);
        },
      },
      signal,
    );
    const runtime = new PairRuntime(pair, { ...deps, log }, pairActor, healthSettings, evaluator);
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

  hasTag(tag: PairTag): boolean {
    return this.pairActor.actor.getSnapshot().hasTag(tag);
  }

  /** Set while the newest state could not be stored. */
  unsaved() {
    return this.pairActor.unsaved();
  }

  /** Resolves once every state and audit write so far is stored. */
  flush(): Promise<void> {
    return this.pairActor.flush();
  }

  /** A normalized signal from any source; `judge: false` only folds it in (a batch or a replay is judged once, at its end). */
  observe(signal: Signal, judge = true): ObserveOutcome | null {
    if (signal.kind === "change") {
      const changed = String(signal.attributes?.changedResourceId ?? signal.resourceId ?? "").toLowerCase();
      const of = (serviceId: string) => sameResourceId(signal.resourceId, serviceId) || changed.startsWith(serviceId.toLowerCase() + "/");
      // Either instance: the machine keeps only changes of the active one.
      // The change's own time: a change made before a backup started is in it, however late its signal arrives.
      const at = Date.parse(signal.observedAt);
      for (const side of [this.pair.primary, this.pair.standby]) if (of(side.serviceId)) this.backups.noteChange(side.serviceId, Number.isFinite(at) ? at : undefined);
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

  private onTransition(ctx: PairContext): void {
    const state = this.state;
    if (state === "failedOver" && this.previousState.startsWith("failingOver")) this.failoversCompleted++;
    const allowed = this.hasTag("backupsAllowed");
    if (allowed && !this.backupsWereAllowed) this.backups.backupsAllowedAgain();
    this.backupsWereAllowed = allowed;
    this.previousState = state;
    const d = ctx.lastDecision;
    if (d && d !== this.lastLogged) {
      this.lastLogged = d;
      this.deps.log.info({ state: this.state, verdict: d.verdict, reason: d.reason }, `pair ${this.name}: ${d.verdict}: ${d.reason}`);
    }
  }
  /** Operator actions that would change the pair's state now (dry run on the machine, nothing sent). */
  accepts(): OperatorAction[] {
    return OPERATOR_ACTIONS.filter((action) => (action === "backup" ? this.hasTag("backupsAllowed") : this.dryRun(action, {}).changes));
  }

  private dryRun(action: Exclude<OperatorAction, "backup">, request: OperatorRequest) {
    const { actor } = this.pairActor;
    const snapshot = actor.getSnapshot();
    const [next] = transition(actor.logic, snapshot, { ...operatorEvent(action, request), at: this.deps.clock.now() } as never);
    const changes = stateName(next.value) !== stateName(snapshot.value);
    const decision = next.context.lastDecision !== snapshot.context.lastDecision ? next.context.lastDecision : null;
    return { changes, decision };
  }

  command(action: OperatorAction, request: OperatorRequest): CommandResult {
    const state = this.state;
    if (action === "backup") return this.backupNow(request);
    const dry = this.dryRun(action, request);
    if (!dry.changes) {
      const why = dry.decision ? dry.decision.reason : `'${action}' is not accepted in state ${state}`;
      return { accepted: false, state, accepts: this.accepts(), message: why };
    }
    this.pairActor.send(operatorEvent(action, request));
    // While paused the machine ignored verdicts; tell it the current ones again so a confirmed outage acts now.
    // (After abort and approve the machine routes on the health it recorded meanwhile: see primaryNotHealthy.)
    if (action === "resume") {
      this.health = null;
      this.evaluate();
    }
    return { accepted: true, state: this.state };
  }

  /** An operator asked for a backup of the active instance now. */
  private backupNow(request: OperatorRequest): CommandResult {
    const state = this.state;
    if (!this.hasTag("backupsAllowed")) {
      return { accepted: false, state, accepts: this.accepts(), message: `no backup while the pair is ${state}: a failover or failback drives the services (it takes its own backups)` };
    }
    const at = new Date(this.deps.clock.now()).toISOString();
    this.pairActor.audit([{ at, pair: this.name, type: "operator", state, verdict: "operator.backupRequested", actor: request.actor, reason: request.reason }]);
    this.backups.requestBackup();
    return { accepted: true, state };
  }

  preview(action: OperatorAction, planned = false): string[] {
    const p = this.pair;
    const ctx = this.context;
    const backup = this.backups.view();
    switch (action) {
      case "failover":
        return renderPlan(failoverPlan(p, ctx, backup, planned));
      case "failback":
        return renderPlan(failbackPlan(p, ctx));
      case "backup":
        return [`backup ${p.name}: a backup of the active instance ${backup.protects} into container ${p.backup.container} now${backup.unbackedChanges ? ` (${backup.unbackedChanges} change(s) not in any backup)` : ""}`];
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
    const inFlight = this.hasTag("busy");
    const op = inFlight ? ctx.operation : null;
    const step = inFlight ? ctx.currentStep : null;
    return {
      name: this.name,
      state: this.state,
      activeRegion: ctx.activeRegion === "standby" ? this.pair.standby.region : this.pair.primary.region,
      lastDecision: ctx.lastDecision ? { ...ctx.lastDecision, at: new Date(ctx.lastDecision.at).toISOString() } : null,
      backup: (({ backupName, backupAgeMs, ...rest }) => ({ latest: backupName, ageMs: backupAgeMs, ...rest }))(this.backups.view()),
      unsavedState: this.unsaved() ? { since: new Date(this.unsaved()!.since).toISOString(), error: this.unsaved()!.error } : null,
      health: { primary: region("primary"), standby: region("standby"), observerImpaired: this.health?.observerImpaired.impaired ?? ctx.health.observer.impaired },
      operation: op
        ? { step: op.step, kind: op.kind, startedAt: new Date(op.startedAt).toISOString(), elapsedMs: now - op.startedAt, status: "running" }
        : step
          ? // A step without a long-running operation began with the decision that entered it.
            { step, kind: "step", startedAt: new Date(ctx.lastDecision?.at ?? now).toISOString(), elapsedMs: now - (ctx.lastDecision?.at ?? now), status: "running" }
          : null,
      // While the state cannot be stored every operator action is refused (503): say so up front.
      accepts: this.unsaved() ? [] : this.accepts(),
    };
  }

  /** Per-pair numbers for /metrics. */
  counters() {
    return { evaluator: this.evaluator.counts(), automaticFailovers: this.context.automaticFailovers.length };
  }

  /** Stops the machine after trying to store its state; false when the state is NOT stored. */
  async stop(): Promise<boolean> {
    // A warm-standby restore still running is left to Azure: nothing the controller persists depends on it.
    return this.pairActor.stop();
  }
}
