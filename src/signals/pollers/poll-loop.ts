import type { Clock } from "../../ports/clock.js";
import type { Signal, SignalStatus } from "../../ports/signal.js";

/** A source that produces one round of signals when asked. */
export interface Poller {
  readonly name: string;
  pollOnce(signal?: AbortSignal): Promise<Signal[]>;
}

/**
 * Runs a poller every `intervalMs` until aborted. A failed round is reported and the loop goes on:
 * one unreachable endpoint must never stop the controller's other eyes.
 */
export async function runPoller(
  poller: Poller,
  options: { intervalMs: number; clock: Clock; signal: AbortSignal; emit: (s: Signal) => void; onError?: (error: unknown, poller: string) => void },
): Promise<void> {
  while (!options.signal.aborted) {
    try {
      for (const s of await poller.pollOnce(options.signal)) options.emit(s);
    } catch (error) {
      if (!options.signal.aborted) options.onError?.(error, poller.name);
    }
    await options.clock.sleep(options.intervalMs, options.signal).catch(() => undefined);
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
