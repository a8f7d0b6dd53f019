import { setMaxListeners } from "node:events";
import type { EffectiveConfig } from "../config/index.js";
import type { Clock } from "../ports/clock.js";
import { linkedAbort } from "../ports/abort.js";
import { describeError } from "../ports/errors.js";
import type { AuditEntry } from "../ports/state.js";
import { MetricsText } from "../runtime/metrics.js";
import type { Logger } from "../runtime/logger.js";
import type { CutoverPlan } from "../runtime/plan.js";
import { runChecks } from "./checks.js";
import { readFacts, type ReadinessPorts } from "./reader.js";
import { sharedForOneRound } from "./round-reads.js";
import { pairReadiness, type PairReadiness } from "./render.js";
import { expectedRestore } from "./restore-history.js";
import type { CheckName, CheckResult } from "./types.js";
import type { RegionRole } from "../ports/region.js";

/** What the monitor needs from the running controller; src/runtime implements it in a few lines. */
export interface ReadinessHost {
  /** The side the CNAME points at, as the controller knows it. */
  activeSide(pair: string): RegionRole;
  /** Whether a failover or failback of the pair is running. */
  busy(pair: string): boolean;
  /** When each configured signal source was last heard from. */
  signalsHeard(): { since: number; heard: Record<string, number | null> };
  /** The pair's audit trail (restores seen, for the expected restore time). */
  audit(pair: string): Promise<AuditEntry[]>;
  /** Appends through the pair's own ordered, retried audit path. */
  appendAudit(pair: string, entries: AuditEntry[]): void;
}

/** The restore history is read at least this often, whatever else happens (e.g. another replica led the pair). */
const HISTORY_MAX_AGE_MS = 10 * 60_000;

const STATUS_VALUE = { READY: 1, "NOT READY": 0, UNKNOWN: -1 } as const;

/**
 * Continuous readiness: every `readiness.intervalSeconds` the checks of every pair run again (cheap reads
 * only); the newest results are served, exported as metrics, and each change of a check's result is
 * written to the audit trail.
 */
export class ReadinessMonitor {
  private readonly latest = new Map<string, PairReadiness>();
  /** Expected restore time per pair, as of the last read of its audit trail. */
  private readonly restore = new Map<string, { ms: number; source: string }>();
  /** When each pair's audit trail was last read; forgotten when a failover or failback runs. */
  private readonly historyReadAt = new Map<string, number>();
  /** The round in progress; a failover or failback that starts stops it (see yieldToOperation). */
  private round: AbortController | null = null;

  constructor(
    private readonly config: EffectiveConfig,
    private readonly ports: ReadinessPorts,
    private readonly host: ReadinessHost,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /**
   * Runs until `signal` aborts; the first round starts at once, and rounds start one interval apart (not an
   * interval after the previous round ended), so a change is reported within one interval.
   */
  async run(signal: AbortSignal): Promise<void> {
    const intervalMs = this.config.readiness.intervalSeconds * 1000;
    while (!signal.aborted) {
      const started = this.clock.now();
      try {
        await this.checkAll(signal);
      } catch (error) {
        if (!signal.aborted) this.log.warn({ err: describeError(error) }, "readiness round failed");
      }
      await this.clock.sleep(Math.max(0, intervalMs - (this.clock.now() - started)), signal).catch(() => undefined);
    }
  }

  /**
   * One round. A pair whose failover or failback runs keeps its last results: the operation changes what the checks
   * read, and during a region outage the controller's reads and CPU belong to the failovers.
   */
  async checkAll(signal?: AbortSignal): Promise<void> {
    const ports = sharedForOneRound(this.ports);
    const idle: string[] = [];
    for (const { name } of this.config.pairs) {
      if (!this.host.busy(name)) idle.push(name);
      else this.historyReadAt.delete(name); // the operation may add a restore: read the history again after it
    }
    const { controller: round, release } = linkedAbort(signal);
    // Every read of every pair listens on this one signal: many listeners by design, not a leak.
    setMaxListeners(0, round.signal);
    this.round = round;
    try {
      await Promise.all(idle.map((name) => this.checkPair(name, ports, round.signal)));
    } finally {
      release();
      if (this.round === round) this.round = null;
    }
  }

  /**
   * A failover or failback of `pair` started: the round in progress stops, so the operation does not share ARM's
   * read budget, the connections and the CPU with hundreds of readiness reads (in a region outage the round may
   * have started a moment before the first pair's failover). Pairs already checked keep their new results, the
   * others their last ones; the next round starts at its usual time.
   */
  yieldToOperation(pair: string): void {
    const round = this.round;
    if (!round || round.signal.aborted) return;
    round.abort(new Error(`the failover or failback of pair ${pair} started`));
    this.log.info({ pair }, `readiness round stopped: the failover or failback of pair ${pair} started; pairs not checked yet keep their last results until the next round`);
  }

  get(pair: string): PairReadiness | null {
    return this.latest.get(pair) ?? null;
  }

  /** The failover plan with what readiness knows: the expected restore time and every check that is not READY. */
  plan(pair: string, base: CutoverPlan): CutoverPlan {
    const checks = this.latest.get(pair)?.checks;
    return {
      ...base,
      expectedRestore: this.restore.get(pair) ?? { ms: this.config.readiness.expectedRestoreMinutes * 60_000, source: `default readiness.expectedRestoreMinutes (${this.config.readiness.expectedRestoreMinutes} min)` },
      notReady: checks
        ? checks.filter((c) => c.status !== "READY").map((c) => ({ check: c.check, status: c.status, evidence: c.evidence, ...(c.fix ? { fix: c.fix } : {}) }))
        : [{ check: "readiness", status: "UNKNOWN", evidence: "the first readiness round has not finished yet" }],
    };
  }

  /** `apim_dr_readiness{pair,check}`: 1 READY, 0 NOT READY, -1 UNKNOWN. */
  metrics(): string {
    const samples: Array<[Record<string, string>, number]> = [];
    for (const r of this.latest.values()) for (const c of r.checks) samples.push([{ pair: r.pair, check: c.check }, STATUS_VALUE[c.status]]);
    return new MetricsText().family("apim_dr_readiness", "gauge", "Readiness check result: 1 READY, 0 NOT READY, -1 UNKNOWN.", samples).toString();
  }

  /**
   * The pair's expected restore time, from the restores its audit trail records. The trail is read again only after a
   * failover or failback ran (the one thing that adds a restore) or after HISTORY_MAX_AGE_MS, not every round.
   */
  private async restoreEstimate(name: string, now: number): Promise<{ ms: number; source: string }> {
    const known = this.restore.get(name);
    if (known && now - (this.historyReadAt.get(name) ?? -Infinity) < HISTORY_MAX_AGE_MS) return known;
    let history: AuditEntry[] = [];
    try {
      history = await this.host.audit(name);
      this.historyReadAt.set(name, now);
    } catch (error) {
      this.log.warn({ pair: name, err: describeError(error) }, `readiness ${name}: cannot read the audit trail; the expected restore time falls back to the configured default`);
    }
    const restore = expectedRestore(history, this.config.readiness.expectedRestoreMinutes * 60_000);
    this.restore.set(name, restore);
    return restore;
  }

  private async checkPair(name: string, ports: ReadinessPorts, signal?: AbortSignal): Promise<void> {
    const pair = this.config.pairs.find((p) => p.name === name)!;
    const now = this.clock.now();
    const restore = await this.restoreEstimate(name, now);
    const facts = await readFacts(
      this.config,
      pair,
      ports,
      now,
      {
        active: this.host.activeSide(name),
        signals: this.host.signalsHeard(),
        expectedRestore: restore,
      },
      signal,
    );
    if (signal?.aborted) return; // reads cut short are not facts: the pair keeps its last results
    const result = pairReadiness(name, now, runChecks(facts));
    const previous = this.latest.get(name);
    this.latest.set(name, result);
    const changes = changedChecks(previous?.checks ?? null, result.checks);
    if (!changes.length) return;
    const at = new Date(now).toISOString();
    this.host.appendAudit(
      name,
      changes.map(({ from, to }) => ({
        at,
        pair: name,
        type: "readiness",
        verdict: to.status,
        reason: `${to.check}: ${to.evidence}`,
        detail: { check: to.check, from, to: to.status, ...(to.fix && to.status !== "READY" ? { fix: to.fix } : {}) },
      })),
    );
    for (const { from, to } of changes) {
      this.log.info({ pair: name, check: to.check, from, to: to.status }, `readiness ${name}/${to.check}: ${from ?? "first check"} → ${to.status}: ${to.evidence}`);
    }
  }
}

/**
 * Checks whose status differs from the previous round. On the first round (after a start) only what is
 * not READY is news: READY is what every check is expected to be.
 */
export function changedChecks(previous: readonly CheckResult[] | null, current: readonly CheckResult[]): { from: CheckResult["status"] | null; to: CheckResult }[] {
  const before = new Map<CheckName, CheckResult["status"]>((previous ?? []).map((c) => [c.check, c.status]));
  return current
    .filter((c) => (previous ? before.get(c.check) !== c.status : c.status !== "READY"))
    .map((c) => ({ from: before.get(c.check) ?? null, to: c }));
}
