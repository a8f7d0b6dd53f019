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
  append(entry: AuditEntry): Promise<void>;
  /** The highest `seq` appended for the pair (0 when none): what a restarted controller need not append again. */
  lastSeq(pair: string): Promise<number>;
  read(pair?: string): Promise<AuditEntry[]>;
}

/** The highest `seq` among entries (0 when none carries one). */
export function lastSeqOf(entries: readonly AuditEntry[]): number {
  return entries.reduce((max, e) => (typeof e.seq === "number" && e.seq > max ? e.seq : max), 0);
}
