import type { Clock } from "../../ports/clock.js";
import type { DeadLetterStore } from "../../ports/dead-letters.js";
import type { EventStream, EventStreamError, EventStreamPort, StreamEvent } from "../../ports/events.js";
import type { Signal } from "../../ports/signal.js";
import { MAX_PAYLOAD_DEPTH, decodePayload, type DecodeOptions, type DecodeResult } from "../decode/index.js";
import { jsonText, nestedDeeperThan } from "../decode/json-depth.js";

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
  /** Signals about resources that are not configured services (their events are dead-lettered). */
  outOfScope: number;
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
  /** Why a signal is about something the controller does not protect, or null; see scope.ts. */
  outOfScope?: (signal: Signal) => string | null;
  /** After each batch of a partition is handed over: judge once per batch, not once per event. */
  onBatchEnd?: () => void;
  /** Once everything enqueued before the stream started (a restart's replay) has been handed over. */
  onCaughtUp?: () => void;
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
  const stats: SignalConsumerStats = { received: 0, decoded: 0, signals: 0, deadLettered: 0, forwardErrors: 0, deadLetterErrors: 0, outOfScope: 0 };
  const report = (error: EventStreamError) => options.onError?.(error);

  async function deadLetter(event: StreamEvent, reason: string): Promise<void> {
    try {
      await options.deadLetters.put({
        reason,
        // Stores serialize and clone recursively: a very deep body is kept as its JSON text instead.
        body: nestedDeeperThan(event.body, MAX_PAYLOAD_DEPTH) ? jsonText(event.body) : event.body,
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
    // The channel says how the signal arrived; nothing in a payload can claim another one.
    const signals = result.signals.map((s): Signal => ({ ...s, channel: "eventHubs" }));
    const foreign = signals.flatMap((s) => {
      const why = options.outOfScope?.(s);
      return why ? [why] : [];
    });
    const mine = foreign.length ? signals.filter((s) => !options.outOfScope?.(s)) : signals;
    if (mine.length) {
      try {
        await options.onSignals(mine, event);
        stats.signals += mine.length;
      } catch (error) {
        stats.forwardErrors++;
        report({ kind: "handler", error: error as Error, partitionId: event.partitionId, event });
        return deadLetter(event, `signal sink failed: ${(error as Error).message}`);
      }
    }
    if (foreign.length) {
      stats.outOfScope += foreign.length;
      const used = mine.length ? `; its other ${mine.length} signal(s) were used` : "";
      await deadLetter(event, `${foreign.length} of ${signals.length} signal(s) not about a configured service: ${foreign[0]}${used}`);
    }
  }

  const stream: EventStream = await options.source.startEventStream({
    handler: handle,
    onError: report,
    ...(options.onBatchEnd ? { onBatchEnd: options.onBatchEnd } : {}),
    ...(options.onCaughtUp ? { onCaughtUp: options.onCaughtUp } : {}),
  });
  return { close: () => stream.close(), stats: () => ({ ...stats }) };
}
