import type { AuditLog } from "../../ports/state.js";
import type { DeliveryPolicy, PairRecord, RecordSink } from "./record-stream.js";

/** Retries a failed append this often, until the store answers: the outbox keeps what is owed across restarts. */
export const AUDIT_RETRY_MS = 5_000;

/**
 * The audit trail as a durable subscriber (one replica; with several, a pair's leader writes its trail through
 * src/coordination/fenced-audit.ts instead). A record owed from before a crash may have been appended just before
 * the crash: the trail's last sequence number, read once per pair, tells, so every record is appended once. What is
 * waiting goes in one append.
 */
export function auditSink(audit: AuditLog, pair: string): { sink: RecordSink; policy: DeliveryPolicy } {
  let appendedUpTo: number | null = null;
  const deliverAll = async (records: readonly PairRecord[]) => {
    appendedUpTo ??= await audit.lastSeq(pair);
    const owed = records.filter((r) => r.seq > appendedUpTo!);
    if (owed.length === 0) return;
    await audit.append(...owed);
    appendedUpTo = owed[owed.length - 1]!.seq;
  };
  return {
    sink: { name: "audit", deliver: (record) => deliverAll([record]), deliverAll },
    policy: { retryMs: AUDIT_RETRY_MS, durable: true },
  };
}
