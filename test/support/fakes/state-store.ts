import { AuditTrailMovedError, lastSeqOf, type AuditEntry, type AuditTail, type FencedAuditLog, type StateStore } from "../../../src/ports/state.js";

/** Snapshots kept as JSON text, so anything not serializable fails here as it would on disk. */
export class MemoryStateStore implements StateStore {
  readonly saved = new Map<string, string>();
  saves = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** When set, each save waits for it (lets a test hold saves open). */
  gate: (() => Promise<void>) | null = null;
  /** How many of the next saves fail, as a storage outage would. */
  failNext = 0;
  /** How many of the next loads fail. */
  failLoads = 0;

  async load(pair: string): Promise<unknown | null> {
    if (this.failLoads > 0) {
      this.failLoads--;
      throw new Error("state store unreachable");
    }
    const text = this.saved.get(pair);
    return text === undefined ? null : JSON.parse(text);
  }

  async save(pair: string, snapshot: unknown): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const text = JSON.stringify(snapshot);
      if (this.gate) await this.gate();
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error("state store unavailable");
      }
      this.saved.set(pair, text);
      this.saves++;
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * The audit trail in memory, with conditional writes as the blob adapter has them: every write moves the pair's
 * position (its etag), and a claim records the owner's epoch.
 */
export class MemoryAuditLog implements FencedAuditLog {
  readonly entries: AuditEntry[] = [];
  /** How many of the next appends fail, as a storage outage would. */
  failNext = 0;
  /** How many of the next conditional appends are stored but answer with an error (a reply lost on the way back). */
  loseNextAnswers = 0;
  private readonly versions = new Map<string, number>();
  private readonly epochs = new Map<string, number>();

  /** Every call is counted: how many writes the entries cost. */
  appends = 0;

  async append(...entries: AuditEntry[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("audit store unavailable");
    }
    this.appends++;
    this.entries.push(...entries);
    for (const e of entries) this.move(e.pair);
  }

  async read(pair?: string): Promise<AuditEntry[]> {
    return this.entries.filter((e) => pair === undefined || e.pair === pair);
  }

  async lastSeq(pair: string): Promise<number> {
    return lastSeqOf(await this.read(pair));
  }

  async tail(pair: string): Promise<AuditTail> {
    return { lastSeq: await this.lastSeq(pair), epoch: this.epochs.get(pair) ?? null, position: String(this.versions.get(pair) ?? 0) };
  }

  async claim(pair: string, epoch: number, position: string): Promise<string> {
    this.check(pair, position);
    this.epochs.set(pair, epoch);
    return this.move(pair);
  }

  async appendAt(entries: readonly AuditEntry[], position: string): Promise<string> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("audit store unavailable");
    }
    const pair = entries[0]!.pair;
    this.check(pair, position);
    this.appends++;
    this.entries.push(...entries);
    const moved = this.move(pair);
    if (this.loseNextAnswers > 0) {
      this.loseNextAnswers--;
      throw new Error("connection reset before the answer arrived");
    }
    return moved;
  }

  private check(pair: string, position: string): void {
    if (position !== String(this.versions.get(pair) ?? 0)) throw new AuditTrailMovedError(pair);
  }

  private move(pair: string): string {
    const next = (this.versions.get(pair) ?? 0) + 1;
    this.versions.set(pair, next);
    return String(next);
  }
}
