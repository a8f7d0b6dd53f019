/** An event the controller could not use, kept with the reason so nothing is silently lost. */
export interface DeadLetter {
  /** One line naming the problem, e.g. the decoder's error. */
  reason: string;
  /** The event body as received (parsed JSON, text or bytes). */
  body: unknown;
  partitionId: string;
  sequenceNumber: number;
  /** ISO-8601 UTC: when it was dead-lettered. */
  at: string;
}

export interface DeadLetterStore {
  /** Idempotent per (partitionId, sequenceNumber): a redelivered event overwrites its earlier entry. */
  put(entry: DeadLetter): Promise<void>;
  /** Oldest first. */
  list(): Promise<DeadLetter[]>;
}
