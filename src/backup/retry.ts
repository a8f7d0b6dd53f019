import type { Clock } from "../ports/clock.js";
import { AzureOperationError } from "../ports/errors.js";

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many attempts (Infinity: keep trying until aborted). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 15_000, maxDelayMs: 15 * 60_000, maxAttempts: Infinity };

/** Exponential backoff, honoring a server's Retry-After when it asks for longer. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, error: unknown): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const retryAfter = error instanceof AzureOperationError ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(backoff, retryAfter);
}

/** Runs `fn` until it succeeds, the attempts run out (the last error is thrown) or the signal aborts. */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  options: {
    clock: Clock;
    policy: RetryPolicy;
    signal?: AbortSignal;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
    /** Errors that no retry can help with: thrown at once. */
    isFinal?: (error: unknown) => boolean;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted || attempt >= options.policy.maxAttempts || options.isFinal?.(error)) throw error;
      const delay = retryDelayMs(options.policy, attempt, error);
      options.onRetry?.(error, attempt, delay);
      await options.clock.sleep(delay, options.signal);
    }
  }
}
