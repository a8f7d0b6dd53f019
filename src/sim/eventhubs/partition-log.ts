import type { Message } from "rhea";

/** One event as the partition stores it: the publisher's AMQP message plus the broker-assigned facts. */
export interface StoredEvent {
  sequenceNumber: number;
  /** Byte position in the partition, as Azure's offsets are; exposed to clients as a string. */
  offset: number;
  enqueuedTime: number;
  partitionKey?: string;
  message: Message;
  sizeBytes: number;
}

export interface PartitionSnapshot {
  partitionId: string;
  beginSequenceNumber: number;
  lastEnqueuedSequenceNumber: number;
  lastEnqueuedOffset: string;
  lastEnqueuedTimeUtc: number;
  isEmpty: boolean;
  /** Events currently retained. */
  retained: number;
  /** Events ever enqueued (retained or evicted). */
  enqueued: number;
}

/**
 * An in-memory partition: append-only, bounded (the oldest events are evicted, like retention
 * expiring), sequence numbers from 0, offsets that grow with the stored bytes.
 */
export class PartitionLog {
  private readonly events: StoredEvent[] = [];
  private nextSequenceNumber = 0;
  private nextOffset = 0;
  private lastEnqueuedTime = 0;

  constructor(
    readonly partitionId: string,
    private readonly maxEvents: number,
    private readonly now: () => number,
  ) {}

  append(message: Message, sizeBytes: number, partitionKey?: string): StoredEvent {
    // Enqueued times never go backwards within a partition, even if the clock does.
    const enqueuedTime = Math.max(this.now(), this.lastEnqueuedTime);
    const event: StoredEvent = {
      sequenceNumber: this.nextSequenceNumber++,
      offset: this.nextOffset,
      enqueuedTime,
      message,
      sizeBytes,
      ...(partitionKey !== undefined ? { partitionKey } : {}),
    };
    this.nextOffset += Math.max(sizeBytes, 1);
    this.lastEnqueuedTime = enqueuedTime;
    this.events.push(event);
    if (this.events.length > this.maxEvents) this.events.shift();
    return event;
  }

  /** Sequence number of the oldest retained event (the next one to be written when empty). */
  get beginSequenceNumber(): number {
    return this.events[0]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  /** The sequence number the next appended event will get. */
  get endSequenceNumber(): number {
    return this.nextSequenceNumber;
  }

  /** The retained event with this sequence number, or undefined when evicted or not yet written. */
  get(sequenceNumber: number): StoredEvent | undefined {
    const first = this.events[0];
    if (!first) return undefined;
    return this.events[sequenceNumber - first.sequenceNumber];
  }

  /** First retained sequence number whose event matches (the predicate must be monotonic: events are ordered). */
  firstMatching(matches: (event: StoredEvent) => boolean): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (matches(this.events[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return this.events[lo]?.sequenceNumber ?? this.nextSequenceNumber;
  }

  snapshot(): PartitionSnapshot {
    const last = this.events[this.events.length - 1];
    return {
      partitionId: this.partitionId,
      beginSequenceNumber: this.beginSequenceNumber,
      lastEnqueuedSequenceNumber: this.nextSequenceNumber - 1,
      lastEnqueuedOffset: last ? String(last.offset) : "-1",
      lastEnqueuedTimeUtc: this.lastEnqueuedTime,
      isEmpty: this.events.length === 0,
      retained: this.events.length,
      enqueued: this.nextSequenceNumber,
    };
  }
}
