import type { Clock } from "../../ports/clock.js";
import type { AuditEntry } from "../../ports/state.js";
import { UNLIMITED_WRITES, type WriteSlots } from "../write-slots.js";

/** One thing a pair decided or did: a decision, a transition, an operator command, an Azure operation. `seq` orders one pair's records. */
export type PairRecord = AuditEntry & { seq: number };

/** A subscriber of the record stream: the audit trail, the log, the metrics, a webhook. */
export interface RecordSink {
  readonly name: string;
  /** A rejection is retried by the sink's delivery policy; the other sinks and the machine never wait for it. */
  deliver(record: PairRecord): Promise<void> | void;
  /**
   * When present, the queue hands over everything waiting (up to MAX_BATCH records, in order) in one call: the audit
   * trail appends them in one write, so 50 pairs failing over at once send a few appends each instead of one per record.
   */
  deliverAll?(records: readonly PairRecord[]): Promise<void>;
}

/** Records one `deliverAll` call takes at most. */
const MAX_BATCH = 100;

/** Makes a pair's subscriber: adding a sink (a webhook, say) is one such function plus one line in the wiring. */
export type SinkFactory = (pair: string) => { sink: RecordSink; policy: DeliveryPolicy };

export interface DeliveryPolicy {
  /** Wait between attempts after a failed delivery. */
  retryMs: number;
  /** Give up on a record after this many attempts (default: never, retry until delivered). */
  maxAttempts?: number;
  /**
   * Durable: the records this sink still owes are saved with the pair's snapshot (the outbox) and delivered
   * after a restart. Only the audit trail is durable.
   */
  durable?: boolean;
}

export interface SinkProblems {
  /** A delivery of these records failed and will be retried (or given up, when `willRetry` is false). */
  failed(sink: string, records: readonly PairRecord[], error: unknown, willRetry: boolean): void;
}

/** What a pair's snapshot carries of its stream: the next sequence number and what the durable sinks still owe. */
export interface Outbox {
  nextSeq: number;
  owed: PairRecord[];
}

const isOutbox = (value: unknown): value is Outbox =>
  typeof value === "object" && value !== null && typeof (value as Outbox).nextSeq === "number" && Array.isArray((value as Outbox).owed);

/** Reads an outbox saved with a snapshot; anything else (an older snapshot without one) is an empty outbox. */
export function outboxFrom(value: unknown): Outbox {
  return isOutbox(value) ? { nextSeq: value.nextSeq, owed: value.owed } : { nextSeq: 1, owed: [] };
}

/** One sink's queue: delivers in order, one at a time, with its own retries, so a slow sink holds up nobody else. */
class SinkQueue {
  readonly waiting: PairRecord[] = [];
  private running: Promise<void> | null = null;

  constructor(
    readonly sink: RecordSink,
    readonly policy: DeliveryPolicy,
    private readonly clock: Clock,
    private readonly problems: SinkProblems,
    private readonly stopping: AbortSignal,
    private readonly writes: WriteSlots,
  ) {}

  push(records: PairRecord[]): void {
    this.waiting.push(...records);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves when everything queued so far has left the queue (or the stream stopped). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0 && !this.stopping.aborted) {
      const done = await this.deliver();
      // Delivered records leave the outbox without a save of their own: a redelivery after a restart is recognized by its seq.
      if (done !== null) this.waiting.splice(0, done);
      else if (this.stopping.aborted) return;
    }
  }

  /**
   * How many records at the head of the queue are done with (delivered or given up); null when stopped first. Each
   * attempt takes what is waiting once its write slot comes, so records that queued meanwhile go with it.
   */
  private async deliver(): Promise<number | null> {
    for (let attempt = 1; ; attempt++) {
      let records: PairRecord[] = [];
      try {
        await this.writes.run("append", async () => {
          records = this.waiting.slice(0, this.sink.deliverAll ? MAX_BATCH : 1);
          await (this.sink.deliverAll ? this.sink.deliverAll(records) : this.sink.deliver(records[0]!));
        });
        return records.length;
      } catch (error) {
        const willRetry = !this.stopping.aborted && (this.policy.maxAttempts === undefined || attempt < this.policy.maxAttempts);
        this.problems.failed(this.sink.name, records, error, willRetry);
        if (this.stopping.aborted) return null;
        if (!willRetry) return records.length;
        await this.clock.sleep(this.policy.retryMs, this.stopping).catch(() => undefined);
        if (this.stopping.aborted) return null;
      }
    }
  }
}

/**
 * A pair's one outbound stream: every record leaves the pair here, numbered, and each subscriber takes it at
 * its own pace. The durable subscriber's backlog is part of the pair's persisted state (see `outbox`).
 */
export class RecordStream {
  private nextSeq: number;
  private readonly queues: SinkQueue[] = [];
  private readonly stopping = new AbortController();
  private restored: PairRecord[];

  constructor(
    readonly pair: string,
    private readonly clock: Clock,
    private readonly problems: SinkProblems,
    restored: Outbox = { nextSeq: 1, owed: [] },
    /** Told when records were published, so the pair saves them with its snapshot. */
    private readonly onOutboxChanged: () => void = () => {},
    /** The store's write slots, shared with every pair: the durable sink's deliveries take one each. */
    private readonly writes: WriteSlots = UNLIMITED_WRITES,
  ) {
    this.nextSeq = restored.nextSeq;
    this.restored = restored.owed;
  }

  subscribe(sink: RecordSink, policy: DeliveryPolicy): void {
    if (policy.durable && this.queues.some((q) => q.policy.durable)) throw new Error(`pair ${this.pair}: only one durable sink (the audit trail) can keep an outbox`);
    const queue = new SinkQueue(sink, policy, this.clock, this.problems, this.stopping.signal, policy.durable ? this.writes : UNLIMITED_WRITES);
    this.queues.push(queue);
    // What a durable sink owed before a restart goes first, in its order.
    if (policy.durable && this.restored.length > 0) {
      queue.push(this.restored);
      this.restored = [];
    }
  }

  /** Numbers the entries and hands them to every subscriber; returns them as recorded. */
  publish(entries: AuditEntry[]): PairRecord[] {
    if (entries.length === 0) return [];
    const records = entries.map((entry) => ({ ...entry, seq: this.nextSeq++ }));
    for (const queue of this.queues) queue.push(records);
    this.onOutboxChanged();
    return records;
  }

  /** The next sequence number and what durable subscribers still owe: saved with the snapshot. */
  outbox(): Outbox {
    const owed = this.queues.filter((q) => q.policy.durable).flatMap((q) => q.waiting);
    return { nextSeq: this.nextSeq, owed: [...this.restored, ...owed] };
  }

  /** Resolves when every durable subscriber has taken everything published so far. */
  async flush(): Promise<void> {
    await Promise.all(this.queues.filter((q) => q.policy.durable).map((q) => q.idle()));
  }

  /** Stops retrying; what a durable sink still owes stays in the outbox for the next start. */
  stop(): void {
    this.stopping.abort(new Error("record stream stopped"));
  }
}
