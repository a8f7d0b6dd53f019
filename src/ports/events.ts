/** One event from the signal stream (an Event Hub in Azure), as the consumer hands it over. */
export interface StreamEvent {
  /** The payload: parsed JSON when the bytes were JSON, else the raw bytes (Buffer) or text. */
  body: unknown;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeUtc: Date;
  /** Application properties set by the publisher (empty when there were none). */
  properties: Record<string, unknown>;
}

export type EventStreamErrorKind =
  /** The handler rejected for this event; the event counts as handled and the stream moves on. */
  | "handler"
  /** Writing the checkpoint failed; the next successful checkpoint of the partition covers it. */
  | "checkpoint"
  /** Receiving failed (disconnect, ownership lost, ...); the SDK reconnects on its own. */
  | "receive";

export interface EventStreamError {
  kind: EventStreamErrorKind;
  error: Error;
  partitionId?: string;
  event?: StreamEvent;
}

export interface EventStreamStats {
  received: number;
  handled: number;
  handlerErrors: number;
  checkpoints: number;
  checkpointErrors: number;
  receiveErrors: number;
}

export interface EventStreamOptions {
  /**
   * Called once per event, in order within a partition; partitions run concurrently.
   * Delivery is at-least-once: after a crash (no clean close) the events after the last
   * checkpoint are handed over again, so downstream must dedup by signal id.
   */
  handler: (event: StreamEvent) => Promise<void>;
  /** Every error is reported here and counted; none of them stops the stream. */
  onError: (error: EventStreamError) => void;
  /** After the handler has settled for every event of one partition's batch. */
  onBatchEnd?: () => void;
  /**
   * Called once, when every event enqueued before the stream started and not yet checkpointed
   * (the replay after a restart) has been handed to the handler; at once when there is none.
   */
  onCaughtUp?: () => void;
}

export interface EventStream {
  /** Finishes the batch in flight, checkpoints it, releases the partitions and disconnects. */
  close(): Promise<void>;
  stats(): EventStreamStats;
}

export interface EventStreamPort {
  /** Resolves once the checkpoint store is reachable and the subscription has started. */
  startEventStream(options: EventStreamOptions): Promise<EventStream>;
}
