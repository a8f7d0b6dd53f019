import { setMaxListeners } from "node:events";
import type { EffectiveConfig, EffectivePair } from "../config/index.js";
import type { BackupStorePort } from "../ports/backups.js";
import type { RegionRole } from "../ports/region.js";
import type { DeadLetterStore } from "../ports/dead-letters.js";
import type { EventStreamPort } from "../ports/events.js";
import type { MonitorPort } from "../ports/monitor.js";
import type { ResourceHealthPort } from "../ports/resource-health.js";
import type { Signal } from "../ports/signal.js";
import { repeatEvery, settlesWithin } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import type { ControllerApi, OperatorAction, OperatorRequest, CommandResult, PairStatus, RefusedRequest } from "../server/controller-api.js";
import { refusalAuditEntry } from "../server/refused-requests.js";
import type { ObserveOutcome } from "../health/index.js";
import { startSignalConsumer, type SignalConsumer } from "../signals/consumer/signal-consumer.js";
import { serviceScope } from "../signals/consumer/scope.js";
import { createMemoryDeadLetterStore } from "../signals/consumer/memory-dead-letters.js";
import { runPoller, type Poller } from "../signals/pollers/poll-loop.js";
import { ProbePoller } from "../signals/pollers/probe-poller.js";
import { ResourceHealthPoller } from "../signals/pollers/resource-health-poller.js";
import { MetricsPoller } from "../signals/pollers/metrics-poller.js";
import { LogsPoller } from "../signals/pollers/logs-poller.js";
import { MetricsText, renderMetrics, type ControllerCounters } from "./metrics.js";
import type { Notifications } from "../notify/notifications.js";
import { PairRuntime, type PairRuntimeDeps } from "./pair-runtime.js";
import type { AuditEntry, AuditLog } from "../ports/state.js";
import type { SinkFactory } from "./records/record-stream.js";
import { auditSink } from "./records/audit-sink.js";
import { logSink } from "./records/log-sink.js";
import { emptyRecordCounts, metricsSink, type RecordCounts } from "./records/metrics-sink.js";
import type { CutoverPlan } from "./plan.js";
// issue 14: several replicas, a leader per pair.
import { soleReplica, type Leadership } from "../ports/leadership.js";
import { createEvaluator, type HealthEvaluator } from "../health/index.js";
import { LeaderGate } from "../coordination/leader-gate.js";
import { fencedApim, fencedBackups, fencedDns } from "../coordination/fenced-ports.js";
import { takeOverAuditTrail } from "../coordination/fenced-audit.js";
import { followerStatus, storedActiveSide } from "../coordination/follower-status.js";
import { SignalRouter } from "./signal-router.js";
// issue 14 item 6: replicas share their probe verdicts (several vantage points).
import type { VantageStorePort } from "../ports/vantage.js";
import { controllerHealthSettings, shareProbeVerdicts, type VerdictSharing } from "../vantage/index.js";
import { StoreWait } from "./store-wait.js";
import { WriteSlots } from "./write-slots.js";

export interface ControllerPorts extends Omit<PairRuntimeDeps, "backups" | "sinks"> {
  /** The audit trail: a durable subscriber of every pair's records, and what `audit` reads. */
  audit: AuditLog;
  /** More subscribers of every pair's records, beside the audit trail, the log and the metrics. */
  sinks?: SinkFactory[];
  /** Backups of each pair live in that pair's storage account. */
  backupStoreFor(pair: EffectivePair): BackupStorePort;
  resourceHealth?: ResourceHealthPort;
  monitor?: MonitorPort;
  events?: EventStreamPort;
  deadLetters?: DeadLetterStore;
  /** Webhooks that page a person (config `notifications`): one more subscriber of every pair's records. */
  notifications?: Notifications;
  /** issue 14: who leads each pair; absent: this replica acts alone (no lease). */
  leadership?: Leadership & { start(): void; stop(): Promise<void> };
  /** issue 14: where replicas publish their probe verdicts (the lease container); absent: this replica's probes are its only vantage point. */
  vantage?: VantageStorePort;
}

export interface ControllerOptions {
  /** How often health is re-judged without new signals (windows and staleness move with time). */
  tickMs?: number;
  /** How often the newest backup is read from storage for the RPO view. */
  rpoRefreshMs?: number;
  /** Stops a start-up that is still retrying its state store (e.g. SIGTERM while the store is down). */
  signal?: AbortSignal;
  /** How many unhandled rejections the process logged and survived (see keepRunningOnUnexpectedErrors). */
  unexpectedErrors?: () => number;
}

/** What /healthz reports: ok, or degraded with the problems an operator must know. */
export interface ControllerHealth {
  status: "ok" | "degraded";
  problems: string[];
}

const LOOKBACK_MS = 5 * 60_000;
/** How long a stopping controller lets queued notifications go out. */
const NOTIFY_ON_STOP_MS = 3_000;
/** How long the event stream waits for a change to be stored before it may checkpoint past it. */
const CHANGE_STORE_WAIT_MS = 5_000;
/** State saves and audit appends of all pairs in flight at once (see WriteSlots); a handful keeps one pair's write quick. */
const STORE_WRITE_SLOTS = 8;

/** The longest the controller waits for the Event Hubs replay before it judges health anyway. */
const REPLAY_LIMIT_MS = 60_000;

type Ignored = Extract<ObserveOutcome, { accepted: false }>;

/** Every loop of every pair listens on the one stop signal: that is by design, not a leak. */
function controllerAbort(): AbortController {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  return abort;
}

/**
 * The controller: one PairRuntime per configured pair, fed by the Event Hubs consumer and the
 * pollers, with health re-judged on a tick and backups scheduled per pair.
 */
export class Controller implements ControllerApi {
  private readonly abort = controllerAbort();
  private readonly loops: Promise<unknown>[] = [];
  private readonly resourceHealthPollers: ResourceHealthPoller[] = [];
  /** Pairs given signals of the current event-stream batch, judged at its end. */
  private readonly unjudged = new Set<string>();
  private consumer: SignalConsumer | null = null;
  private started = false;
  /** While the Event Hubs backlog of a restart is replayed, signals are folded in but nothing is judged. */
  private replaying = false;
  /** Signals that could not change a verdict (too old, from the future) since they were last logged. */
  private ignored: { count: Record<string, number>; newest: Ignored | null } = { count: {}, newest: null };
  /** Told of every signal as it arrives (the readiness monitor notes when each source was last heard from). */
  onSignal: ((signal: Signal) => void) | null = null;
  /** Told when a pair's failover or failback starts (the readiness monitor stops its round for it). */
  onOperationStart: ((pair: string) => void) | null = null;
  private readonly counters: ControllerCounters = { signalsReceived: {}, signalsIgnored: {}, eventsReceived: 0, eventsDecoded: 0, eventsDeadLettered: 0, pollerErrors: {}, failovers: {}, unexpectedErrors: 0 };
  // issue 14: with several replicas a pair's runtime runs only while this replica leads it; meanwhile its evaluator
  // keeps judging health, so the replica is ready the moment it takes over.
  private readonly leadership: Leadership;
  private readonly evaluators = new Map<string, HealthEvaluator>();
  private readonly followerViews = new Map<string, unknown>();
  private gate: LeaderGate<{ runtime: PairRuntime; stop: AbortController }> | null = null;
  /** How the event stream waits for a change to be stored (see StoreWait). */
  private readonly changeStore: StoreWait;
  /** Each signal reaches only the pairs it concerns (by resource id, or by region for region-wide signals). */
  private readonly router: SignalRouter<{ name: string; pair: EffectivePair }>;
  private verdicts: VerdictSharing | null = null;

  private constructor(
    private readonly config: EffectiveConfig,
    private readonly ports: ControllerPorts,
    private readonly pairs: Map<string, PairRuntime>,
    private readonly recordCounts: RecordCounts,
    /** What each pair's runtime is built from (the leader gate adds fenced ports and its own audit sink). */
    private readonly pairDeps: (pair: EffectivePair, audit?: SinkFactory) => PairRuntimeDeps,
    private readonly options: Required<Omit<ControllerOptions, "signal">>,
  ) {
    this.leadership = ports.leadership ?? soleReplica();
    this.changeStore = new StoreWait(ports.clock, CHANGE_STORE_WAIT_MS);
    this.router = new SignalRouter(config.pairs.map((pair) => ({ name: pair.name, pair })));
  }

  static async start(config: EffectiveConfig, ports: ControllerPorts, options: ControllerOptions = {}): Promise<Controller> {
    const healthSettings = controllerHealthSettings(config);
    const pairs = new Map<string, PairRuntime>();
    const recordCounts = emptyRecordCounts();
    // Verification probes the path and within the time the configured probes use.
    const verification = config.signals.probes ? { probePath: config.signals.probes.path, probeTimeoutMs: config.signals.probes.timeoutMs } : {};
    // Every record of every pair leaves through its stream to these subscribers; a new sink is one more line here.
    const sinks: SinkFactory[] = [() => logSink(ports.log), () => metricsSink(recordCounts), ...(ports.notifications?.sinks ?? []), ...(ports.sinks ?? [])];
    const writes = new WriteSlots(STORE_WRITE_SLOTS);
    // The runtimes, started before the controller exists, tell it of every failover or failback that starts.
    const built: { controller?: Controller } = {};
    const onOperationStart = (name: string) => built.controller?.onOperationStart?.(name);
    const pairDeps = (pair: EffectivePair, audit: SinkFactory = (name) => auditSink(ports.audit, name)): PairRuntimeDeps => ({ ...ports, ...verification, sinks: [audit, ...sinks], backups: ports.backupStoreFor(pair), writes, onOperationStart });
    // issue 14: with coordination, no runtime starts here: each starts when this replica takes the pair's lease.
    if (!ports.leadership) {
      for (const pair of config.pairs) pairs.set(pair.name, await PairRuntime.start(pair, healthSettings, pairDeps(pair), options.signal));
    }
    const controller = new Controller(config, ports, pairs, recordCounts, pairDeps, { tickMs: options.tickMs ?? 1_000, rpoRefreshMs: options.rpoRefreshMs ?? 30_000, unexpectedErrors: options.unexpectedErrors ?? (() => 0) });
    built.controller = controller;
    if (ports.leadership) controller.startLeaderGate(ports.leadership);
    try {
      await controller.startSources();
    } catch (error) {
      // E.g. the Event Hubs consumer cannot reach its checkpoint store: stop what already runs, persist, report.
      await controller.stop();
      throw error;
    }
    return controller;
  }

  /**
   * A signal from any source: counted, then given to the pairs it concerns (see SignalRouter).
   * Judged at once unless `judge` is false (part of a batch, judged at its end) or the replay runs.
   */
  ingest(signal: Signal, judge = true): void {
    this.onSignal?.(signal);
    this.verdicts?.noteOwn(signal);
    for (const poller of this.resourceHealthPollers) poller.suspect(signal);
    // Another replica's probe verdicts are counted apart from this replica's own probes.
    const source = signal.channel === "replicas" ? "replicaProbe" : signal.source;
    this.counters.signalsReceived[source] = (this.counters.signalsReceived[source] ?? 0) + 1;
    const pairs = this.router.route(signal);
    if (!pairs.length) {
      // About no configured service or region (e.g. another service of the subscription): nothing to judge.
      this.counters.signalsIgnored["concernsNoPair"] = (this.counters.signalsIgnored["concernsNoPair"] ?? 0) + 1;
      return;
    }
    let ignored: Ignored | null = null;
    for (const { name } of pairs) {
      if (!judge) this.unjudged.add(name);
      const pair = this.pairs.get(name);
      // issue 14: a pair this replica follows is judged by its evaluator alone.
      if (!pair) {
        if (signal.kind !== "change") this.evaluators.get(name)?.observe(signal, this.ports.clock.now());
        continue;
      }
      const outcome = pair.observe(signal, judge && !this.replaying);
      if (outcome && !outcome.accepted && (outcome.reason === "stale" || outcome.reason === "future")) ignored ??= outcome;
    }
    if (ignored) {
      this.counters.signalsIgnored[ignored.reason] = (this.counters.signalsIgnored[ignored.reason] ?? 0) + 1;
      this.ignored.count[ignored.reason] = (this.ignored.count[ignored.reason] ?? 0) + 1;
      this.ignored.newest = ignored;
    }
  }

  /** Every pair re-judged (windows and staleness move with time); nothing while the replay runs. */
  private judge(): void {
    this.judgePairs(this.config.pairs.map((p) => p.name));
  }

  /**
   * The end of a batch from the event stream: only the pairs its signals concerned are judged (at 50 pairs an outage's
   * burst is many batches; the others are re-judged by the next tick).
   */
  private judgeBatch(): void {
    const names = [...this.unjudged];
    this.unjudged.clear();
    this.judgePairs(names);
  }

  private judgePairs(names: string[]): void {
    this.reportIgnored();
    if (this.replaying) return;
    for (const name of names) {
      const runtime = this.pairs.get(name);
      if (runtime) runtime.evaluate();
      else this.evaluators.get(name)?.evaluate(this.ports.clock.now());
    }
  }

  /** One log line for the signals ignored since the last one, however many (a replay can bring thousands). */
  private reportIgnored(): void {
    const { count, newest } = this.ignored;
    if (!newest) return;
    const counts = Object.entries(count).map(([reason, n]) => `${n} ${reason}`).join(", ");
    this.ports.log.warn({ ignored: count, example: newest.detail }, `signals that cannot change a verdict were ignored: ${counts} (e.g. ${newest.detail})`);
    this.ignored = { count: {}, newest: null };
  }

  private endReplay(why: string): void {
    if (!this.replaying) return;
    this.replaying = false;
    this.ports.log.info({}, `event stream ${why}: judging health`);
    this.judge();
  }

  /**
   * A batch from the event stream, judged at its end. A change is owed a backup: it is stored with the pair state before the
   * stream may checkpoint past it, so a crash in between cannot forget it.
   */
  private async ingestBatch(signals: Signal[]): Promise<void> {
    // Folded in event-time order; the batch is judged once, at its end.
    [...signals].sort((a, b) => a.observedAt.localeCompare(b.observedAt)).forEach((s) => this.ingest(s, false));
    if (!signals.some((s) => s.kind === "change")) return;
    // Bounded, once per outage: while the state store is down, health signals must keep flowing (the change is still owed in memory).
    const stored = await this.changeStore.wait(() => Promise.all([...this.pairs.values()].map((p) => p.flush())));
    if (stored === "timedOut") this.ports.log.warn({}, "a configuration change is not yet stored with the pair state (the state store does not answer); the event stream moves on without waiting for the store again until it answers");
  }

  private loop(task: Promise<unknown>): void {
    this.loops.push(task.catch((error: unknown) => this.ports.log.error({ err: describeError(error) }, "a controller loop stopped")));
  }

  /** A poller's round failed: counted in /metrics and logged; the poller carries on. */
  private readonly pollerFailed = (error: unknown, poller: string) => {
    this.counters.pollerErrors[poller] = (this.counters.pollerErrors[poller] ?? 0) + 1;
    this.ports.log.warn({ err: describeError(error), poller }, `${poller} poller round failed`);
  };

  /** A Resource Health poller whose next round a suspicion brings forward (see ResourceHealthPoller.suspect). */
  private runResourceHealth(services: { serviceId: string; region: string }[], intervalSeconds: number): void {
    const onError = (error: unknown, serviceId: string) => this.pollerFailed(new Error(`${describeError(error)} (${serviceId})`), "resourceHealth");
    const intervalMs = intervalSeconds * 1000;
    const poller = new ResourceHealthPoller(services, { resourceHealth: this.ports.resourceHealth!, clock: this.ports.clock, intervalMs, onError });
    this.resourceHealthPollers.push(poller);
    this.loop(runPoller(poller, { intervalMs, clock: this.ports.clock, signal: this.abort.signal, emit: (s) => this.ingest(s), onError: this.pollerFailed, early: poller.early }));
  }

  private every(ms: number, fn: () => Promise<void> | void): Promise<void> {
    return repeatEvery(this.ports.clock, ms, this.abort.signal, fn, (error) => this.ports.log.warn({ err: describeError(error) }, "periodic task failed"));
  }

  private async startSources(): Promise<void> {
    const { config, ports } = this;
    const signal = this.abort.signal;
    const emit = (s: Signal) => this.ingest(s);
    const run = (poller: Poller, intervalSeconds: number) => this.loop(runPoller(poller, { intervalMs: intervalSeconds * 1000, clock: ports.clock, signal, emit, onError: this.pollerFailed }));

    for (const pair of config.pairs) {
      const services = [pair.primary, pair.standby].map((s) => ({ serviceId: s.serviceId, region: s.region }));
      const { resourceHealth, probes } = config.signals;
      // A port that lists a resource group's statuses serves every pair from one poller (below).
      if (resourceHealth && ports.resourceHealth && !ports.resourceHealth.availabilityInGroup) this.runResourceHealth(services, resourceHealth.intervalSeconds);
      if (probes) this.loop(this.startProbes(pair, probes, run));
      const runtime = this.pairs.get(pair.name);
      if (runtime) this.startPairLoops(runtime, signal);
    }
    const allServices = config.pairs.flatMap((p) => [p.primary, p.standby].map((s) => ({ serviceId: s.serviceId, region: s.region })));
    if (config.signals.resourceHealth && ports.resourceHealth?.availabilityInGroup) this.runResourceHealth(allServices, config.signals.resourceHealth.intervalSeconds);
    // One metrics batch call answers for 50 services of a region, one workspace query for every service (its rows are per
    // region): one poller each for all pairs, not one per pair.
    const { metrics, logs } = config.signals;
    if (metrics && ports.monitor) {
      const onError = (error: unknown, batch: { region: string }[]) => this.pollerFailed(new Error(`${describeError(error)} (metrics of ${batch.length} service(s) in ${batch[0]!.region})`), "metric");
      const settings = { fiveXxRatioThreshold: metrics.fiveXxRatioThreshold, lookbackMs: LOOKBACK_MS, capacityDegradedPercent: 90 };
      run(new MetricsPoller(allServices, settings, { monitor: ports.monitor, clock: ports.clock, onError }), metrics.intervalSeconds);
    }
    if (logs && ports.monitor) {
      run(new LogsPoller(allServices, { workspaceId: logs.workspaceId, query: logs.query, lookbackMs: LOOKBACK_MS, fiveXxRatioThreshold: 0.5 }, { monitor: ports.monitor, clock: ports.clock }), logs.intervalSeconds);
    }
    this.loop(this.every(this.options.tickMs, () => this.judge()));
    if (ports.vantage) {
      const countError = (op: string) => (this.counters.pollerErrors[`vantage-${op}`] = (this.counters.pollerErrors[`vantage-${op}`] ?? 0) + 1);
      this.verdicts = shareProbeVerdicts(config, { store: ports.vantage, clock: ports.clock, log: ports.log, ingest: emit, countError }, signal);
      if (this.verdicts) this.loop(this.verdicts.done);
    }

    if (config.signals.eventHubs && ports.events) {
      // A restart replays what the hub holds after the last checkpoint: an outage and the recovery
      // after it. Judging half-way would act on the outage alone, so nothing is judged until the
      // replay is done (or REPLAY_LIMIT_MS passed); after that, once per batch.
      this.replaying = true;
      this.loop(
        ports.clock
          .sleep(REPLAY_LIMIT_MS, signal)
          .then(() => this.endReplay(`replay not finished after ${REPLAY_LIMIT_MS / 1000} s`), () => undefined),
      );
      const services = config.pairs.flatMap((p) => [p.primary.serviceId, p.standby.serviceId]);
      this.consumer = await startSignalConsumer({
        source: ports.events,
        onSignals: (signals) => this.ingestBatch(signals),
        onBatchEnd: () => this.judgeBatch(),
        onCaughtUp: () => this.endReplay("replay done"),
        outOfScope: serviceScope(services),
        deadLetters: ports.deadLetters ?? createMemoryDeadLetterStore(),
        clock: ports.clock,
        decodeOptions: { severityMapping: config.health.severityMapping },
        onError: (e) => ports.log.warn({ kind: e.kind, err: e.error.message, partition: e.partitionId }, `event stream: ${e.kind} error`),
      });
    }
    this.started = true;
  }

  /** The pair's own loops: scheduled backups and the RPO view (only where its runtime runs: the leader). */
  private startPairLoops(pair: PairRuntime, signal: AbortSignal): void {
    this.loop(pair.backups.scheduler.run(signal));
    this.loop(repeatEvery(this.ports.clock, this.options.rpoRefreshMs, signal, () => pair.backups.refreshRpo(signal), (error) => this.ports.log.warn({ err: describeError(error) }, "periodic task failed")));
  }

  /**
   * issue 14: a pair's runtime runs only while this replica holds its lease. Taking over resumes from the persisted
   * snapshot (resume token included), as a restarted controller does; standing down stops the runtime, which cancels
   * its step actors. Azure-changing ports are fenced: the lease is confirmed before each backup, restore, delete and
   * DNS write, and the DNS write carries the epoch.
   */
  private startLeaderGate(leadership: Leadership & { start(): void }): void {
    const healthSettings = controllerHealthSettings(this.config);
    for (const pair of this.config.pairs) this.evaluators.set(pair.name, createEvaluator(healthSettings, { primary: pair.primary, standby: pair.standby }));
    const byName = new Map(this.config.pairs.map((p) => [p.name, p]));
    const { ports } = this;
    // Leadership changes go out on the pair's record stream like every other record (audit, log, metrics, notifications).
    const note = (runtime: PairRuntime, verdict: string, reason: string, at = ports.clock.now()) =>
      runtime.record([{ at: new Date(at).toISOString(), pair: runtime.name, type: "decision", state: runtime.state, verdict, reason, actor: leadership.self?.replicaId }]);
    this.gate = new LeaderGate(leadership, {
      log: ports.log,
      takeOver: async (name, why) => {
        const acquiredAt = ports.clock.now();
        const pair = byName.get(name)!;
        // The audit trail is the leader's: claimed with this replica's epoch before anything is recorded.
        const audit = await takeOverAuditTrail(ports.audit, leadership, name, { clock: ports.clock, signal: this.abort.signal, log: ports.log });
        const deps = {
          ...this.pairDeps(pair, audit?.sink),
          ...(audit ? { firstSeq: audit.firstSeq } : {}),
          apim: fencedApim(ports.apim, leadership, name),
          dns: fencedDns(ports.dns, leadership, name),
          backups: fencedBackups(ports.backupStoreFor(pair), leadership, name),
        };
        const runtime = await PairRuntime.start(pair, healthSettings, deps, this.abort.signal, this.evaluators.get(name));
        // Stopped by stand-down or by the controller stopping; the listener goes with the stand-down (takeovers repeat).
        const stop = new AbortController();
        const onControllerStop = () => stop.abort(this.abort.signal.reason);
        this.abort.signal.addEventListener("abort", onControllerStop, { once: true });
        stop.signal.addEventListener("abort", () => this.abort.signal.removeEventListener("abort", onControllerStop), { once: true });
        this.pairs.set(name, runtime);
        this.startPairLoops(runtime, stop.signal);
        const self = leadership.self!;
        note(runtime, "leadership.acquired", `replica ${self.replicaId} (${self.region}) leads pair ${name} (${why}); it resumes in ${runtime.state}`, acquiredAt);
        ports.log.info({ pair: name, state: runtime.state, replica: self.replicaId }, `pair ${name}: taking over in ${runtime.state}`);
        runtime.evaluate();
        return { runtime, stop };
      },
      standDown: async (name, { runtime, stop }, why) => {
        this.pairs.delete(name);
        stop.abort(new Error(`not the leader of ${name} any more`));
        note(runtime, "leadership.lost", `replica ${leadership.self?.replicaId} stops acting on pair ${name} (${why}); its steps are cancelled`);
        await runtime.stop();
      },
    });
    this.gate.start();
    leadership.start();
    // A follower shows the leader's last stored state.
    this.loop(
      this.every(5_000, async () => {
        for (const pair of this.config.pairs) if (!this.pairs.has(pair.name)) this.followerViews.set(pair.name, await ports.stateStore.load(pair.name).catch(() => this.followerViews.get(pair.name) ?? null));
      }),
    );
  }

  /** Probes need each gateway's URL: configured, or told by the management plane (asked until it answers). */
  private async startProbes(
    pair: EffectivePair,
    probes: NonNullable<EffectiveConfig["signals"]["probes"]>,
    run: (poller: Poller, intervalSeconds: number) => void,
  ): Promise<void> {
    const { apim, clock, log } = this.ports;
    const sides = [pair.primary, pair.standby];
    const targets: Array<{ region: string; serviceId: string; gatewayUrl: string }> = [];
    for (const side of sides) {
      for (;;) {
        try {
          const gatewayUrl = side.gatewayUrl ?? (await apim.getService(side.serviceId, this.abort.signal)).gatewayUrl;
          targets.push({ region: side.region, serviceId: side.serviceId, gatewayUrl });
          break;
        } catch (error) {
          if (this.abort.signal.aborted) return;
          log.warn({ err: describeError(error), service: side.serviceId }, `cannot read ${side.name}'s gateway URL yet; probes of it wait`);
          await clock.sleep(30_000, this.abort.signal).catch(() => undefined);
        }
      }
    }
    const settings = { hostname: pair.customHostname, path: probes.path, intervalMs: probes.intervalSeconds * 1000, timeoutMs: probes.timeoutMs, failuresBeforeUnhealthy: probes.failuresBeforeUnhealthy };
    run(new ProbePoller(targets, settings, { probe: this.ports.probe, clock }), probes.intervalSeconds);
  }

  private pair(name: string): PairRuntime {
    const pair = this.pairs.get(name);
    if (pair) return pair;
    if (!this.evaluators.has(name)) throw new Error(`no pair named '${name}'`);
    const leader = this.leadership.view(name).leader;
    throw new Error(`this replica follows pair ${name}: ask its leader${leader ? `, ${leader.replicaId} at ${leader.adminUrl}` : " (none right now)"}`);
  }

  listPairs(): PairStatus[] {
    return this.config.pairs.map((p) => this.getPair(p.name)!);
  }
  getPair(name: string): PairStatus | undefined {
    const runtime = this.pairs.get(name);
    const pair = this.config.pairs.find((p) => p.name === name);
    if (!pair) return undefined;
    const leadership = { ...this.leadership.view(name), replica: this.leadership.self };
    if (runtime) return { ...runtime.status(), leadership };
    // issue 14: a follower's view: its own health verdicts, the leader's last stored state.
    const evaluator = this.evaluators.get(name);
    return { ...followerStatus(pair, this.followerViews.get(name) ?? null, evaluator?.evaluate(this.ports.clock.now()) ?? null, this.ports.clock.now()), leadership };
  }
  /** Which side serves the pair now: what readiness asks of every pair each round (getPair would also dry-run every command). */
  activeSide(name: string): RegionRole {
    const runtime = this.pairs.get(name);
    return runtime ? runtime.context().activeRegion : storedActiveSide(this.followerViews.get(name));
  }
  /** Whether this replica runs a failover or failback of the pair now. */
  busy(name: string): boolean {
    return this.pairs.get(name)?.busy ?? false;
  }
  async preview(name: string, action: OperatorAction, options: { planned?: boolean } = {}): Promise<string[]> {
    return this.pair(name).preview(action, options.planned ?? false);
  }
  /** Hooks for the readiness monitor (src/readiness/monitor.ts). */
  failoverPlan(name: string): CutoverPlan {
    return this.pair(name).failoverPlan();
  }
  appendAudit(name: string, entries: AuditEntry[]): void {
    // A follower keeps its readiness results in memory only: the pair's trail is its leader's to write.
    this.pairs.get(name)?.record(entries);
  }
  async command(name: string, action: OperatorAction, request: OperatorRequest): Promise<CommandResult> {
    // issue 14: only the leader acts; a follower names it, and the CLI retries there.
    if (!this.pairs.has(name) && this.evaluators.has(name)) {
      const view = this.leadership.view(name);
      const leader = view.leader;
      const message = leader
        ? `this replica (${this.leadership.self?.replicaId}) follows pair ${name}; its leader is ${leader.replicaId} in ${leader.region}: send the command to ${leader.adminUrl}`
        : `no replica leads pair ${name} right now (the lease is free or the lease store does not answer): retry in a few seconds`;
      return { accepted: false, state: this.getPair(name)!.state, accepts: [], message, ...(leader ? { leaderUrl: leader.adminUrl } : { unavailable: true }) };
    }
    const pair = this.pair(name);
    const unsaved = pair.unsaved();
    if (unsaved) {
      // Acting on a state the store does not have would be lost at the next restart.
      const message = `the state store does not take writes since ${new Date(unsaved.since).toISOString()} (${unsaved.error}): no operator action until it does; the controller retries every 5 s`;
      return { accepted: false, unavailable: true, state: pair.state, accepts: [], message };
    }
    return pair.command(action, request);
  }
  health(): ControllerHealth {
    const problems = [...this.pairs.values()].flatMap((p) => {
      const unsaved = p.unsaved();
      return unsaved ? [`pair ${p.name}: state NOT persisted since ${new Date(unsaved.since).toISOString()}: ${unsaved.error}`] : [];
    });
    return { status: problems.length ? "degraded" : "ok", problems };
  }
  audit(pair?: string) {
    return this.ports.audit.read(pair);
  }
  async recordRefusal(refusal: RefusedRequest): Promise<void> {
    await this.ports.audit.append(refusalAuditEntry(refusal, this.pairs.get(refusal.pair)?.state, this.ports.clock.now())).catch((error: unknown) =>
      this.ports.log.warn({ err: describeError(error), refusal }, "could not audit a refused operator request"),
    );
  }
  metrics(): string {
    const consumer = this.consumer?.stats();
    if (consumer) Object.assign(this.counters, { eventsReceived: consumer.received, eventsDecoded: consumer.decoded, eventsDeadLettered: consumer.deadLettered });
    this.counters.failovers = this.recordCounts.failovers;
    this.counters.unexpectedErrors = this.options.unexpectedErrors();
    return renderMetrics(this.listPairs(), { ...this.counters, takeovers: Object.fromEntries(this.gate?.takeovers ?? []) }) + (this.ports.notifications?.addMetrics(new MetricsText()).toString() ?? "");
  }
  ready(): boolean {
    return this.started;
  }

  /** Stops the sources, lets in-flight work settle, and persists every pair's current step; lists the pairs whose state is NOT persisted. */
  async stop(): Promise<string[]> {
    this.abort.abort(new Error("controller stopping"));
    await this.consumer?.close().catch((error: unknown) => this.ports.log.warn({ err: describeError(error) }, "closing the event stream failed"));
    await Promise.all(this.loops);
    await this.gate?.stop();
    const unsaved: string[] = [];
    for (const pair of this.pairs.values()) if (!(await pair.stop())) unsaved.push(pair.name);
    // issue 14: leases are released only after the state is stored, so the next leader resumes from it.
    await this.ports.leadership?.stop();
    // What the last steps notified gets a moment to leave; a dead webhook never holds the exit.
    if (this.ports.notifications) await settlesWithin(this.ports.clock, NOTIFY_ON_STOP_MS, this.ports.notifications.idle());
    this.ports.notifications?.stop();
    return unsaved;
  }
}
