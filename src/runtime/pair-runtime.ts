import type { EffectivePair } from "../config/index.js";
import type { PairContext } from "../machine/types.js";
import type { HealthEvaluator, HealthSettings, ObserveOutcome } from "../health/index.js";
import type { AuditEntry, StateStore } from "../ports/state.js";
import { sameResourceId, type Signal } from "../ports/signal.js";
import { describeError } from "../ports/errors.js";
import type { CommandResult, OperatorAction, OperatorRequest, PairStatus } from "../server/controller-api.js";
import { createFailoverMachine, type StepPorts } from "./steps/index.js";
import { startPairActor, type PairActor } from "./pair-actor.js";
import { pairMachine, type PairMachine } from "./pair-machine.js";
import { pairSettings } from "./pair-settings.js";
import { BackupCoordinator } from "./backup-coordinator.js";
import { HealthFeed } from "./health-feed.js";
import { OperatorCommands } from "./operator-commands.js";
import { pairStatus } from "./status-view.js";
import { failoverPlan, type CutoverPlan } from "./plan.js";
import type { SinkFactory } from "./records/record-stream.js";
import type { Logger } from "./logger.js";
import type { WriteSlots } from "./write-slots.js";

export interface PairRuntimeDeps extends StepPorts {
  stateStore: StateStore;
  /** Subscribers of each pair's record stream: the audit trail, the log, the metrics, … */
  sinks: SinkFactory[];
  log: Logger;
  /** issue 14: the record stream numbers from at least this (a new leader, after what its audit trail holds). */
  firstSeq?: number;
  /** Every pair's snapshot saves and audit appends share these (see WriteSlots). */
  writes?: WriteSlots;
  /** Told of every failed state write or delivery (the controller's health shows it). */
  onStoreError?: (pair: string, what: string, error: unknown) => void;
  /** Told when a failover or failback starts (the machine takes its `busy` tag). */
  onOperationStart?: (pair: string) => void;
}

/**
 * One protected pair, assembled from parts with one job each: the persisted failover machine (pair-actor), its
 * health feed, its backup coordinator, the operator commands and the status view. Signals come in through `observe`.
 */
export class PairRuntime {
  readonly name: string;
  readonly backups: BackupCoordinator;
  readonly health: HealthFeed;
  readonly commands: OperatorCommands;
  private backupsWereAllowed = true;
  private wasBusy = false;

  private constructor(
    readonly pair: EffectivePair,
    private readonly deps: PairRuntimeDeps,
    private readonly pairActor: PairActor,
    private readonly machine: PairMachine,
    healthSettings: HealthSettings,
    evaluator?: HealthEvaluator,
  ) {
    this.name = pair.name;
    this.health = new HealthFeed(healthSettings, { primary: pair.primary, standby: pair.standby }, machine, deps.clock, evaluator);
    this.backups = new BackupCoordinator(pair, machine, deps);
    this.commands = new OperatorCommands(pair, machine, this.backups, this.health, deps.clock);
  }

  static async start(pair: EffectivePair, healthSettings: HealthSettings, deps: PairRuntimeDeps, signal?: AbortSignal, evaluator?: HealthEvaluator): Promise<PairRuntime> {
    const log = deps.log.child({ pair: pair.name });
    const pairActor = await startPairActor(
      {
        machine: createFailoverMachine(deps),
        input: pairSettings(pair),
        stateStore: deps.stateStore,
        sinks: deps.sinks,
        clock: deps.clock,
        ...(deps.firstSeq !== undefined ? { firstSeq: deps.firstSeq } : {}),
        ...(deps.writes ? { writes: deps.writes } : {}),
        onError: (error, what) => {
          deps.onStoreError?.(pair.name, what, error);
          log.error({ err: describeError(error), what }, `pair ${pair.name}: ${what} failed`);
        },
      },
      signal,
    );
    const runtime = new PairRuntime(pair, { ...deps, log }, pairActor, pairMachine(pairActor, deps.clock), healthSettings, evaluator);
    pairActor.actor.subscribe(() => runtime.onTransition());
    log.info({ state: runtime.state, restored: pairActor.restored }, pairActor.restored ? `pair ${pair.name} resumed in ${runtime.state}` : `pair ${pair.name} started`);
    return runtime;
  }

  get state(): string {
    return this.machine.state();
  }

  /** A failover or failback runs (the machine's `busy` tag). */
  get busy(): boolean {
    return this.machine.hasTag("busy");
  }

  context(): PairContext {
    return this.machine.context();
  }

  /** Set while the newest state could not be stored. */
  unsaved() {
    return this.pairActor.unsaved();
  }

  /** Resolves once every state write and audit record so far is stored. */
  flush(): Promise<void> {
    return this.pairActor.flush();
  }

  /** A normalized signal: a configuration change goes to the backups, everything else to the health feed. */
  observe(signal: Signal, judge = true): ObserveOutcome | null {
    if (signal.kind !== "change") return this.health.observe(signal, judge);
    const changed = String(signal.attributes?.changedResourceId ?? signal.resourceId ?? "").toLowerCase();
    const of = (serviceId: string) => sameResourceId(signal.resourceId, serviceId) || changed.startsWith(serviceId.toLowerCase() + "/");
    // Either instance: the machine keeps only changes of the active one.
    // The change's own time: a change made before a backup started is in it, however late its signal arrives.
    const at = Date.parse(signal.observedAt);
    for (const side of [this.pair.primary, this.pair.standby]) if (of(side.serviceId)) this.backups.noteChange(side.serviceId, Number.isFinite(at) ? at : undefined);
    return null;
  }

  /** Re-judges health now: windows and staleness move with time, not only with new signals. */
  evaluate(): void {
    this.health.evaluate();
  }

  /** A failover or failback that ends lets backups run again: read the RPO view afresh. */
  private onTransition(): void {
    const allowed = this.machine.hasTag("backupsAllowed");
    if (allowed && !this.backupsWereAllowed) this.backups.backupsAllowedAgain();
    this.backupsWereAllowed = allowed;
    const busy = this.busy;
    if (busy && !this.wasBusy) this.deps.onOperationStart?.(this.name);
    this.wasBusy = busy;
  }

  accepts(): OperatorAction[] {
    return this.commands.accepts();
  }

  command(action: OperatorAction, request: OperatorRequest): CommandResult {
    return this.commands.command(action, request);
  }

  preview(action: OperatorAction, planned = false): string[] {
    return this.commands.preview(action, planned);
  }

  /** The failover plan as of now (for `apim-dr plan`); the preview renders the same one. */
  failoverPlan(planned = false): CutoverPlan {
    return failoverPlan(this.pair, this.machine.context(), { view: this.backups.view(), newest: this.backups.newestBackup() }, planned, this.deps.clock.now());
  }

  status(): PairStatus {
    return pairStatus({
      pair: this.pair,
      machine: this.machine,
      health: this.health.view(),
      backup: this.backups.view(),
      unsaved: this.unsaved(),
      accepts: this.unsaved() ? [] : this.accepts(), // no dry runs when nothing would be accepted
      now: this.deps.clock.now(),
    });
  }

  /** Records what happened to the pair outside its machine (leadership taken or lost, readiness changes), on its record stream. */
  record(entries: AuditEntry[]): void {
    this.machine.record(entries);
  }

  /** Per-pair numbers for /metrics. */
  counters() {
    return { evaluator: this.health.counts(), automaticFailovers: this.machine.context().automaticFailovers.length };
  }

  /** Stops the machine after trying to store its state; false when the state is NOT stored. */
  async stop(): Promise<boolean> {
    // A warm-standby restore still running is left to Azure: nothing the controller persists depends on it.
    return this.pairActor.stop();
  }
}
