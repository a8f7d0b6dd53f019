import { settlesWithin, type Clock } from "../ports/clock.js";

/**
 * How the event stream waits for a configuration change to be stored before it moves on (so a checkpoint rarely
 * passes a change the state does not hold yet). Bounded, and paid once per outage: once a wait timed out, later
 * changes do not wait again until that store write has completed. Waiting on every batch that carries a change held
 * the partition's whole intake for `limitMs` each time (issue 14: with a trickle of change events, health signals of
 * that partition stopped arriving for 30 s while the state account was cut).
 */
export class StoreWait {
  /** The store write a wait gave up on; cleared once it completes (the store answers again). */
  private pending: Promise<unknown> | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly limitMs: number,
  ) {}

  /** `stored`: written in time; `timedOut`: gave up after the limit; `skipped`: the store is known not to answer, no wait. */
  async wait(write: () => Promise<unknown>): Promise<"stored" | "timedOut" | "skipped"> {
    if (this.pending) return "skipped";
    const writing = write();
    if (await settlesWithin(this.clock, this.limitMs, writing)) return "stored";
    const pending = writing.then(
      () => undefined,
      () => undefined,
    );
    this.pending = pending;
    void pending.then(() => {
      if (this.pending === pending) this.pending = null;
    });
    return "timedOut";
  }
}
