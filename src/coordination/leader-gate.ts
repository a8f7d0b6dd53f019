import type { Leadership, PairRole } from "../ports/leadership.js";
import { describeError } from "../ports/errors.js";

export interface LeaderGateHooks<R> {
  /** Starts acting on the pair: resume from the persisted snapshot, as a restarted controller does. */
  takeOver(pair: string, why: string): Promise<R>;
  /** Stops acting on the pair: cancel its steps and loops. */
  standDown(pair: string, runtime: R, why: string): Promise<void>;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

/**
 * Runs a pair's runtime only while this replica leads it. Changes of one pair are applied in order (a takeover that is
 * still loading the snapshot finishes before the stand-down that follows it), so a pair never has two runtimes.
 */
export class LeaderGate<R> {
  private readonly runtimes = new Map<string, R>();
  private readonly queues = new Map<string, Promise<void>>();
  /** Takeovers per pair since this process started (for /metrics). */
  readonly takeovers = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly leadership: Leadership,
    private readonly hooks: LeaderGateHooks<R>,
  ) {}

  start(): void {
    this.unsubscribe = this.leadership.onChange((pair, role, why) => this.enqueue(pair, role, why));
  }

  runtime(pair: string): R | undefined {
    return this.runtimes.get(pair);
  }

  all(): R[] {
    return [...this.runtimes.values()];
  }

  /** Stops listening and waits for the changes already queued. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.queues.values());
  }

  private enqueue(pair: string, role: PairRole, why: string): void {
    const previous = this.queues.get(pair) ?? Promise.resolve();
    const next = previous.then(() => this.apply(pair, role, why)).catch((error: unknown) => this.hooks.log.warn({ pair, err: describeError(error) }, `pair ${pair}: leadership change failed`));
    this.queues.set(pair, next);
  }

  private async apply(pair: string, role: PairRole, why: string): Promise<void> {
    const current = this.runtimes.get(pair);
    if (role === "leader") {
      if (current || !this.leadership.canMutate(pair)) return;
      const runtime = await this.hooks.takeOver(pair, why);
      this.runtimes.set(pair, runtime);
      this.takeovers.set(pair, (this.takeovers.get(pair) ?? 0) + 1);
      // Lost again while loading: stand down at once.
      if (!this.leadership.canMutate(pair)) await this.release(pair, "the lease was lost while taking over");
      return;
    }
    await this.release(pair, why);
  }

  private async release(pair: string, why: string): Promise<void> {
    const runtime = this.runtimes.get(pair);
    if (!runtime) return;
    this.runtimes.delete(pair);
    await this.hooks.standDown(pair, runtime, why);
  }
}
