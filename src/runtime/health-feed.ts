import { createEvaluator, verdictEvents, type HealthEvaluator, type HealthSettings, type ObserveOutcome, type PairHealth } from "../health/index.js";
import type { HealthVerdict, PairContext, RegionRole } from "../machine/types.js";
import type { Clock } from "../ports/clock.js";
import type { Signal } from "../ports/signal.js";
import type { PairMachine } from "./pair-machine.js";

/** One region's health as shown to operators. */
export interface RegionHealthView {
  verdict: HealthVerdict | "recovering";
  reason: string;
  since: number | null;
}

export interface HealthView {
  primary: RegionHealthView;
  standby: RegionHealthView;
  observerImpaired: boolean;
}

/**
 * One pair's health: folds signals into the evaluator and tells the machine each verdict change. The one place
 * that holds the pair's health; until the first judgement after a restart it is what the machine last stored.
 */
export class HealthFeed {
  private readonly evaluator: HealthEvaluator;
  private current: PairHealth | null = null;

  constructor(
    settings: HealthSettings,
    pair: { primary: { serviceId: string; region: string }; standby: { serviceId: string; region: string } },
    private readonly machine: PairMachine,
    private readonly clock: Clock,
    /** A replica taking over a pair brings the evaluator it kept judging as a follower. */
    evaluator?: HealthEvaluator,
  ) {
    this.evaluator = evaluator ?? createEvaluator(settings, pair);
  }

  /** Folds a health signal in; `judge: false` only folds it (a batch or a replay is judged once, at its end). */
  observe(signal: Signal, judge = true): ObserveOutcome {
    const outcome = this.evaluator.observe(signal, this.clock.now());
    if (judge) this.evaluate();
    return outcome;
  }

  /** Re-judges now (windows and staleness move with time) and tells the machine what changed. */
  evaluate(): void {
    const now = this.clock.now();
    const next = this.evaluator.evaluate(now);
    for (const event of verdictEvents(this.current, next, now)) this.machine.send(event);
    this.current = next;
  }

  /** Tells the machine the current verdicts again (it ignored them while paused), so a confirmed outage acts now. */
  retell(): void {
    this.current = null;
    this.evaluate();
  }

  view(): HealthView {
    const stored = this.machine.context().health;
    const side = (role: RegionRole): RegionHealthView => {
      const live = this.current?.[role];
      return live ? { verdict: live.verdict, reason: live.reason, since: live.since } : fromStored(stored, role);
    };
    return { primary: side("primary"), standby: side("standby"), observerImpaired: this.current?.observerImpaired.impaired ?? stored.observer.impaired };
  }

  counts() {
    return this.evaluator.counts();
  }
}

function fromStored(health: PairContext["health"], role: RegionRole): RegionHealthView {
  const { verdict, reason, since } = health[role];
  return { verdict, reason, since };
}
