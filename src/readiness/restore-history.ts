import type { AuditEntry } from "../ports/state.js";

/** How many of the newest restores the expected restore time looks at. */
const RECENT = 5;

/**
 * Restore durations the controller saw, from its audit trail: a `restoreStarted` operation until the
 * transition out of that restoring state. The expected restore time is the longest of the last few,
 * so a plan errs on the slow side; with none, the configured default.
 */
export function expectedRestore(entries: readonly AuditEntry[], defaultMs: number): { ms: number; source: string } {
  const durations: number[] = [];
  let started: number | null = null;
  for (const e of entries) {
    if (e.type === "operation" && e.verdict === "restoreStarted") started = Date.parse(e.at);
    else if (started !== null && e.type === "transition" && typeof e.detail?.from === "string" && e.detail.from.endsWith(".restoring")) {
      const ms = Date.parse(e.at) - started;
      if (Number.isFinite(ms) && ms >= 0) durations.push(ms);
      started = null;
    }
  }
  const recent = durations.slice(-RECENT);
  if (!recent.length) return { ms: defaultMs, source: `default readiness.expectedRestoreMinutes (${defaultMs / 60_000} min): no restore seen yet` };
  return { ms: Math.max(...recent), source: `longest of the last ${recent.length} restore(s) the controller saw` };
}
