import { lastSeqOf, type AuditEntry, type AuditLog, type StateStore } from "../../../src/ports/state.js";

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

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  /** How many of the next appends fail, as a storage outage would. */
  failNext = 0;

  async append(entry: AuditEntry): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("audit store unavailable");
    }
    this.entries.push(entry);
  }

  async read(pair?: string): Promise<AuditEntry[]> {
    return this.entries.filter((e) => pair === undefined || e.pair === pair);
  }

  async lastSeq(pair: string): Promise<number> {
    return lastSeqOf(await this.read(pair));
  }
}
