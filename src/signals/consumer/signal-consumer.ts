import type { Clock } from "../../ports/clock.js";
import type { DeadLetterStore } from "../../ports/dead-letters.js";
import type { EventStream, EventStreamError, EventStreamPort, StreamEvent } from "../../ports/events.js";
import type { Signal } from "../../ports/signal.js";
import { decodePayload, type DecodeOptions, type DecodeResult } from "../decode/index.js";

export interface SignalConsumerStats {
  /** Events taken from the stream. */
  received: number;
  /** Events that decoded (possibly to zero signals: budget, autoscale, …). */
  decoded: number;
  /** Signals forwarded. */
  signals: number;
  /** Events written to the dead-letter store (undecodable, or the signal sink failed). */
  deadLettered: number;
  /** The signal sink rejected (the event was dead-lettered). */
  forwardErrors: number;
  /** The dead-letter store rejected too: the event is only counted and reported. */
  deadLetterErrors: number;
}

export interface SignalConsumerOptions {
  source: EventStreamPort;
  /** Receives the signals of one event; a rejection dead-letters that event. */
  onSignals: (signals: Signal[], event: StreamEvent) => Promise<void>;
  deadLetters: DeadLetterStore;
  clock: Clock;
  /** Every problem, once each; the stream keeps going. */
  onError?: (error: EventStreamError) => void;
  decodeOptions?: DecodeOptions;
  /** The decoder; the real one unless a test substitutes it. */
  decode?: (body: unknown, options?: DecodeOptions) => DecodeResult;
}

export interface SignalConsumer {
  close(): Promise<void>;
  stats(): SignalConsumerStats;
}

/**
 * Event stream → decoded signals. Each event is decoded with the same decoders as
 * `apim-dr signals decode`; a bad event is dead-lettered with its reason and skipped, so the
 * stream (and its checkpoint) moves on. Delivery is at-least-once across crashes, so the sink
 * must dedup by `Signal.id` (stable per observation).
 */
export async function startSignalConsumer(options: SignalConsumerOptions): Promise<SignalConsumer> {
  const decode = options.decode ?? decodePayload;
  const stats: SignalConsumerStats = { received: 0, decoded: 0, signals: 0, deadLettered: 0, forwardErrors: 0, deadLetterErrors: 0 };
  const report = (error: EventStreamError) => options.onError?.(error);

  async function deadLetter(event: StreamEvent, reason: string): Promise<void> {
    try {
      await options.deadLetters.put({
        reason,
        body: event.body,
        partitionId: event.partitionId,
        sequenceNumber: event.sequenceNumber,
        at: new Date(options.clock.now()).toISOString(),
      });
      stats.deadLettered++;
    } catch (error) {
      stats.deadLetterErrors++;
      throw new Error(`could not dead-letter event ${event.partitionId}/${event.sequenceNumber} (${reason}): ${(error as Error).message}`);
    }
  }

  async function handle(event: StreamEvent): Promise<void> {
    stats.received++;
    const result = decode(event.body, options.decodeOptions);
    if (!result.ok) return deadLetter(event, result.error);
    stats.decoded++;
    if (result.signals.length === 0) return;
    try {
      await options.onSignals(result.signals, event);
      stats.signals += result.signals.length;
    } catch (error) {
      stats.forwardErrors++;
      report({ kind: "handler", error: error as Error, partitionId: event.partitionId, event });
      await deadLetter(event, `signal sink failed: ${(error as Error).message}`);
    }
  }

  const stream: EventStream = await options.source.startEventStream({ handler: handle, onError: report });
  return { close: () => stream.close(), stats: () => ({ ...stats }) };
}
