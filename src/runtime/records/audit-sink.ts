import type { AuditLog } from "../../ports/state.js";
import type { DeliveryPolicy, PairRecord, RecordSink } from "./record-stream.js";

/** Retries a failed append this often, until the store answers: the outbox keeps what is owed across restarts. */
export const AUDIT_RETRY_MS = 5_000;

/**
 * The audit trail as a durable subscriber (one replica; with several, a pair's leader writes its trail through
 * src/coordination/fenced-audit.ts instead). A record owed from before a crash may have been appended just before
 * the crash: the trail's last sequence number, read once per pair, tells, so every record is appended once.
 */
export function auditSink(audit: AuditLog, pair: string): { sink: RecordSink; policy: DeliveryPolicy } {
  let appendedUpTo: number | null = null;
  return {
    sink: {
      name: "audit",
      async deliver(record: PairRecord) {
        appendedUpTo ??= await audit.lastSeq(pair);
        if (record.seq <= appendedUpTo) return;
        await audit.append(record);
        appendedUpTo = record.seq;
      },
    },
    policy: { retryMs: AUDIT_RETRY_MS, durable: true },
  };
}
