/** Time is injected: core logic never reads the wall clock or sets timers directly. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay setTimeout honours; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Real time, optionally scaled (drills run a 30-minute restore in seconds). */
export function systemClock(scale = 1): Clock {
  const start = Date.now();
  return {
    now: () => (scale === 1 ? Date.now() : start + (Date.now() - start) * scale),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const until = Date.now() + ms / scale;
        let timer: NodeJS.Timeout;
        // Long sleeps (a monthly backup schedule) are chained timers, not one that overflows.
        const arm = (delay: number) => {
          timer = setTimeout(() => {
            const left = until - Date.now();
            if (left > 0) return arm(left);
            signal?.removeEventListener("abort", onAbort);
            resolve();
          }, Math.min(delay, MAX_TIMER_MS));
        };
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        arm(ms / scale);
      }),
  };
}

/** Whether `promise` settles within `ms` of clock time; a promise that never settles cannot hold the caller longer. */
export async function settlesWithin(clock: Clock, ms: number, promise: Promise<unknown>): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), clock.sleep(ms, timer.signal).then(() => false, () => false)]);
  } finally {
    timer.abort();
  }
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
