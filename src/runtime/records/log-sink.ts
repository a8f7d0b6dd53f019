import type { Logger } from "../logger.js";
import type { DeliveryPolicy, PairRecord, RecordSink } from "./record-stream.js";

const WARNINGS = new Set(["alert"]);

/** One log line per record; failures and alerts at warn. */
export function logSink(log: Logger): { sink: RecordSink; policy: DeliveryPolicy } {
  return {
    sink: {
      name: "log",
      deliver(record: PairRecord) {
        const { pair, type, state, verdict, reason, actor, operationId } = record;
        const warn = WARNINGS.has(type) || /Failed$|^failed$|^escalate$/.test(verdict ?? "");
        const what = type === "transition" ? `now ${state}${reason ? `: ${reason}` : ""}` : `${verdict ?? type}${reason ? `: ${reason}` : ""}${actor ? ` (by ${actor})` : ""}`;
        (warn ? log.warn : log.info).call(log, { state, type, verdict, operationId, seq: record.seq }, `pair ${pair}: ${what}`);
      },
    },
    policy: { retryMs: 1_000, maxAttempts: 1 },
  };
}
