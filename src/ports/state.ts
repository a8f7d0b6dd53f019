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
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  read(pair?: string): Promise<AuditEntry[]>;
}
