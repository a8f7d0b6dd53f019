/** Durable storage for each pair's persisted machine snapshot. */
export interface StateStore {
  load(pair: string): Promise<unknown | null>;
  /** Must be durable when it resolves: a crash right after loses nothing. */
  save(pair: string, snapshot: unknown): Promise<void>;
}

/** One append-only line of the audit trail. */
export interface AuditEntry {
  at: string; // ISO-8601 UTC
  pair: string;
  type: "transition" | "decision" | "operator" | "operation" | "alert" | "readiness";
  state?: string;
  verdict?: string;
  reason?: string;
  actor?: string;
  operationId?: string;
  detail?: Record<string, unknown>;
  /** The entry's place in its pair's record stream: a redelivery after a restart is recognized by it. */
  seq?: number;
}

export interface AuditLog {
  /** Appends the entries in order, all of one pair; several in one call cost one write where the store allows. */
  append(...entries: AuditEntry[]): Promise<void>;
  /** The highest `seq` appended for the pair (0 when none): what a restarted controller need not append again. */
  lastSeq(pair: string): Promise<number>;
  read(pair?: string): Promise<AuditEntry[]>;
}

/** The highest `seq` among entries (0 when none carries one). */
export function lastSeqOf(entries: readonly AuditEntry[]): number {
  return entries.reduce((max, e) => (typeof e.seq === "number" && e.seq > max ? e.seq : max), 0);
}

/**
 * Where a pair's audit trail ends, for a conditional append (issue 14, several replicas): the highest `seq` in it, the
 * epoch of the leader that owns it (null: nobody claimed it), and an opaque position that changes with every write.
 */
export interface AuditTail {
  lastSeq: number;
  epoch: number | null;
  position: string;
}

/** The trail moved since the position the writer holds: somebody else wrote to it. */
export class AuditTrailMovedError extends Error {
  constructor(readonly pair: string) {
    super(`the audit trail of pair ${pair} was written by someone else since this replica last read or wrote it`);
    this.name = "AuditTrailMovedError";
  }
}

/**
 * An audit trail that can be written conditionally, so that only a pair's leader extends it (see
 * src/coordination/fenced-audit.ts). Every conditional write names the position the writer last read or wrote.
 */
export interface FencedAuditLog extends AuditLog {
  tail(pair: string): Promise<AuditTail>;
  /** Records `epoch` as the trail's owner if the trail still ends at `position`; resolves the new position. Rejects with AuditTrailMovedError. */
  claim(pair: string, epoch: number, position: string): Promise<string>;
  /**
   * Appends the entries (all of one pair, in order) only if the trail still ends at `position`; resolves the new position.
   * Rejects with AuditTrailMovedError. Entries too large for one write go in several, so a rejection may follow a partial append.
   */
  appendAt(entries: readonly AuditEntry[], position: string): Promise<string>;
}

export function isFencedAuditLog(audit: AuditLog): audit is FencedAuditLog {
  const candidate = audit as Partial<FencedAuditLog>;
  return typeof candidate.tail === "function" && typeof candidate.claim === "function" && typeof candidate.appendAt === "function";
}
