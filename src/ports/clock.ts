/** Time is injected: core logic never reads the wall clock or sets timers directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time, optionally scaled (drills run a 30-minute restore in seconds). */
export function systemClock(scale = 1): Clock {
  const start = Date.now();
  return {
    now: () => (scale === 1 ? Date.now() : start + (Date.now() - start) * scale),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, ms / scale);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
  };
}

/**
 * Runs `fn` now and then every `intervalMs` of clock time until the signal aborts. A failed round
 * is reported and the loop goes on: one failing task must never stop the others.
 */
export async function repeatEvery(
  clock: Clock,
  intervalMs: number,
  signal: AbortSignal,
  fn: () => Promise<void> | void,
  onError: (error: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    try {
      await fn();
    } catch (error) {
      if (!signal.aborted) onError(error);
    }
    await clock.sleep(intervalMs, signal).catch(() => undefined);
  }
}
