import { repeatEvery, type Clock } from "../../ports/clock.js";
import type { Signal, SignalStatus } from "../../ports/signal.js";

/** A source that produces one round of signals when asked. */
export interface Poller {
  readonly name: string;
  pollOnce(signal?: AbortSignal): Promise<Signal[]>;
}

/** Runs a poller every `intervalMs` until aborted; one unreachable endpoint never stops the controller's other eyes. */
export function runPoller(
  poller: Poller,
  options: { intervalMs: number; clock: Clock; signal: AbortSignal; emit: (s: Signal) => void; onError?: (error: unknown, poller: string) => void },
): Promise<void> {
  return repeatEvery(
    options.clock,
    options.intervalMs,
    options.signal,
    async () => {
      for (const s of await poller.pollOnce(options.signal)) options.emit(s);
    },
    (error) => options.onError?.(error, poller.name),
  );
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
