import { repeatEvery, type Clock } from "../../ports/clock.js";
import { linkedAbort } from "../../ports/abort.js";
import type { Signal, SignalStatus } from "../../ports/signal.js";

/** A source that produces one round of signals when asked. */
export interface Poller {
  readonly name: string;
  pollOnce(signal?: AbortSignal): Promise<Signal[]>;
}

/** Runs a poller every `intervalMs` until aborted; one unreachable endpoint never stops the controller's other eyes. */
export async function runPoller(
  poller: Poller,
  options: { intervalMs: number; clock: Clock; signal: AbortSignal; emit: (s: Signal) => void; onError?: (error: unknown, poller: string) => void; early?: EarlyRound },
): Promise<void> {
  const round = async () => {
    for (const s of await poller.pollOnce(options.signal)) options.emit(s);
  };
  const onError = (error: unknown) => options.onError?.(error, poller.name);
  const { early } = options;
  if (!early) return repeatEvery(options.clock, options.intervalMs, options.signal, round, onError);
  while (!options.signal.aborted) {
    try {
      await round();
    } catch (error) {
      if (!options.signal.aborted) onError(error);
    }
    await early.wait(options.clock, options.intervalMs, options.signal);
  }
}

/**
 * A poller's next round that something else may bring forward (a suspicion the round can confirm), never sooner than
 * `minGapMs` after the previous early round began: a flood of requests costs at most one extra round per gap. A
 * regular round that began just before does not hold it back: it read the service before the suspicion.
 */
export class EarlyRound {
  private pending = false;
  private cut: (() => void) | null = null;
  private lastEarlyAt = -Infinity;

  constructor(private readonly minGapMs: number) {}

  bringForward(): void {
    this.pending = true;
    this.cut?.();
  }

  /** Sleeps the interval, or less when brought forward (also when asked while the last round ran). */
  async wait(clock: Clock, intervalMs: number, signal: AbortSignal): Promise<void> {
    const { controller: sleep, release } = linkedAbort(signal);
    this.cut = () => sleep.abort();
    try {
      if (!this.pending) await clock.sleep(intervalMs, sleep.signal).catch(() => undefined);
      if (!this.pending || signal.aborted) return;
      this.pending = false;
      const gapLeft = this.lastEarlyAt + this.minGapMs - clock.now();
      if (gapLeft > 0) await clock.sleep(gapLeft, signal).catch(() => undefined);
      this.lastEarlyAt = clock.now();
    } finally {
      this.cut = null;
      release();
    }
  }
}

export interface PolledService {
  serviceId: string;
  region: string;
}

/** Health from a failure share: at or above the limit unhealthy, above half of it degraded; no requests, no verdict. */
export function failureShareStatus(failed: number, total: number, limit: number): SignalStatus {
  if (total === 0) return "unknown";
  const share = failed / total;
  return share >= limit ? "unhealthy" : share >= limit / 2 ? "degraded" : "healthy";
}
