import type { DeliveryPolicy, PairRecord, RecordSink } from "./record-stream.js";

/** What /metrics counts from the record stream, per pair. */
export interface RecordCounts {
  /** Failovers that moved traffic to the standby since the controller started. */
  failovers: Record<string, number>;
}

export function emptyRecordCounts(): RecordCounts {
  return { failovers: {} };
}

/** Counts records as they pass; never fails, so it needs no retries. */
export function metricsSink(counts: RecordCounts): { sink: RecordSink; policy: DeliveryPolicy } {
  return {
    sink: {
      name: "metrics",
      deliver({ pair, type, state, detail }: PairRecord) {
        const from = typeof detail?.from === "string" ? detail.from : "";
        if (type === "transition" && state === "failedOver" && from.startsWith("failingOver")) counts.failovers[pair] = (counts.failovers[pair] ?? 0) + 1;
      },
    },
    policy: { retryMs: 1_000, maxAttempts: 1 },
  };
}
