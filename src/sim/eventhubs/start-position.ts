import type { PartitionLog, StoredEvent } from "./partition-log.js";

/**
 * Where a receiver starts, parsed from the `apache.org:selector-filter:string` the SDK sends,
 * e.g. `amqp.annotation.x-opt-offset > '1024'`, `amqp.annotation.x-opt-sequence-number >= '5'`,
 * `amqp.annotation.x-opt-enqueued-time > '1733040000000'`; offset `-1` is the start of the
 * partition, `@latest` its end.
 */
export type StartPosition =
  | { kind: "earliest" }
  | { kind: "latest" }
  | { kind: "offset" | "sequenceNumber" | "enqueuedTime"; value: number; inclusive: boolean };

export class InvalidSelectorError extends Error {
  override name = "InvalidSelectorError";
}

const FILTER = /^\s*amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/;

export function parseSelectorFilter(filter: string | undefined): StartPosition {
  // No filter at all: Event Hubs starts at the beginning of the partition.
  if (filter === undefined) return { kind: "earliest" };
  const match = FILTER.exec(filter);
  if (!match) {
    throw new InvalidSelectorError(
      `unsupported selector filter "${filter}": expected amqp.annotation.x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time with > or >= and a quoted value`,
    );
  }
  const [, field, operator, raw] = match as unknown as [string, string, string, string];
  if (field === "offset" && raw === "-1") return { kind: "earliest" };
  if (field === "offset" && raw === "@latest") return { kind: "latest" };
  const value = Number(raw);
  if (!Number.isInteger(value)) {
    throw new InvalidSelectorError(`selector filter "${filter}" has a non-numeric value '${raw}'`);
  }
  const kind = field === "offset" ? "offset" : field === "sequence-number" ? "sequenceNumber" : "enqueuedTime";
  return { kind, value, inclusive: operator === ">=" };
}

/** The first sequence number a receiver with this start position gets from the partition. */
export function firstSequenceNumber(log: PartitionLog, position: StartPosition): number {
  switch (position.kind) {
    case "earliest":
      return log.beginSequenceNumber;
    case "latest":
      return log.endSequenceNumber;
    case "sequenceNumber": {
      const first = position.inclusive ? position.value : position.value + 1;
      return Math.max(first, log.beginSequenceNumber);
    }
    case "offset":
    case "enqueuedTime": {
      const field = position.kind === "offset" ? (e: StoredEvent) => e.offset : (e: StoredEvent) => e.enqueuedTime;
      const { value, inclusive } = position;
      return log.firstMatching((e) => (inclusive ? field(e) >= value : field(e) > value));
    }
  }
}
