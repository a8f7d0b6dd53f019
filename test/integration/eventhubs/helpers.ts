import type {
  EventHubConsumerClient} from "@azure/event-hubs";
import {
  type EventPosition,
  type ReceivedEventData,
  type SubscribeOptions,
} from "@azure/event-hubs";

export interface Collected {
  partitionId: string;
  event: ReceivedEventData;
}

/**
 * Subscribes (to one partition or all) and resolves with exactly `count` events, or rejects
 * with what arrived so far when `timeoutMs` passes. No checkpoint store: plain readers.
 */
export async function collect(
  consumer: EventHubConsumerClient,
  count: number,
  options: { partitionId?: string; startPosition: EventPosition | Record<string, EventPosition>; timeoutMs?: number; subscribe?: SubscribeOptions },
): Promise<Collected[]> {
  const received: Collected[] = [];
  return new Promise<Collected[]>((resolve, reject) => {
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void subscription.close().then(() => (error ? reject(error) : resolve(received)));
    };
    const handlers = {
      processEvents: async (events: ReceivedEventData[], context: { partitionId: string }) => {
        for (const event of events) received.push({ partitionId: context.partitionId, event });
        if (received.length >= count) finish();
      },
      processError: async () => undefined,
    };
    const subscribeOptions: SubscribeOptions = { maxWaitTimeInSeconds: 1, ...options.subscribe, startPosition: options.startPosition };
    const subscription =
      options.partitionId !== undefined
        ? consumer.subscribe(options.partitionId, handlers, subscribeOptions)
        : consumer.subscribe(handlers, subscribeOptions);
    const timer = setTimeout(
      () => finish(new Error(`expected ${count} events, got ${received.length}: ${JSON.stringify(received.map((r) => [r.partitionId, r.event.sequenceNumber]))}`)),
      options.timeoutMs ?? 20_000,
    );
  });
}

/** Polls `check` every 20 ms until it holds or `timeoutMs` passes (then fails with `what`). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
