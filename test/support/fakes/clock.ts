import type { Clock } from "../../../src/ports/clock.js";

interface Timer {
  due: number;
  seq: number;
  fire(): void;
}

/** Lets pending promise callbacks run (several rounds, for chains of awaits). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A manual clock: time moves only through `advance`, which fires due sleeps in order and lets the code they
 * wake run before the next one (so a sleep started by a woken task is honoured within the same advance).
 */
export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;
  constructor(private current = Date.UTC(2026, 11, 1, 8, 0, 0)) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = {
        due: this.current + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Number of sleeps waiting to fire. */
  get pendingSleeps(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const until = this.current + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.due <= until).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.due);
      next.fire();
      await settle();
    }
    this.current = until;
    await settle();
  }
}
