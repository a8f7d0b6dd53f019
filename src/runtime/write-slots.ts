/**
 * The writes every pair makes to the state store's account (snapshot saves, audit appends), at most `size` at once; the
 * others wait their turn in order, saves before appends. A pair that waits writes what it has by then (its newest
 * snapshot, every audit record it owes) in one write, so a burst of failovers costs a few writes per pair instead of
 * one per transition and record: at 50 pairs that was 800 writes in the 5 s of a region outage, a third of what the
 * controller and the storage account did. Nothing is dropped: a waiting write is only later. Saves go first because a
 * snapshot carries what the audit trail is still owed, and a restore's resume token: the sooner it is stored, the
 * narrower the window in which a crash costs a second restore (README, Limitations).
 */
export class WriteSlots {
  private free: number;
  private readonly saves: Array<() => void> = [];
  private readonly appends: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`write slots must be a whole number of at least 1, not ${size}`);
    this.free = size;
  }

  /** Runs `write` once a slot is free; it builds what it writes when it starts, not when it queued. */
  async run<T>(kind: "save" | "append", write: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => (kind === "save" ? this.saves : this.appends).push(resolve));
    try {
      return await write();
    } finally {
      const next = this.saves.shift() ?? this.appends.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** Slots without a limit: every write starts at once (tests, and sinks that do not write to the store). */
export const UNLIMITED_WRITES = new WriteSlots(Number.MAX_SAFE_INTEGER);
