import {
  EventHubConsumerClient,
  earliestEventPosition,
  latestEventPosition,
  type PartitionContext,
  type ReceivedEventData,
  type Subscription,
} from "@azure/event-hubs";
import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
import { ContainerClient } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { EventStream, EventStreamError, EventStreamOptions, EventStreamPort, EventStreamStats, StreamEvent } from "../../ports/events.js";

/** How the consumer reaches the Event Hub: a connection string (emulator, SAS) or a namespace and a credential (managed identity). */
export type EventHubConnection =
  | { connectionString: string; eventHubName: string }
  | { fullyQualifiedNamespace: string; eventHubName: string; credential: TokenCredential };

/** The blob container holding checkpoints and partition ownership. Created when missing. */
export type CheckpointContainer =
  | { connectionString: string; containerName: string }
  | { containerUrl: string; credential: TokenCredential };

export interface EventHubsConsumerOptions {
  eventHub: EventHubConnection;
  checkpoints: CheckpointContainer;
  /** Default `$default`. */
  consumerGroup?: string;
  /** Where a partition without a checkpoint starts. Default `earliest` (signals are judged by their own time downstream). */
  startPosition?: "earliest" | "latest";
  /** Events per handler batch, and so per checkpoint. Default 50. */
  maxBatchSize?: number;
  /** How long an empty receive waits before asking again. Default 5 s. */
  maxWaitTimeInSeconds?: number;
  /**
   * Stable owner id for partition ownership blobs. A restarted controller with the same id takes its
   * partitions back at once instead of waiting for the old ownership to expire. Default: random.
   */
  ownerId?: string;
  /** Partition load balancing among replicas. Default greedy (claim every free partition at once), 10 s loop, 60 s expiry. */
  loadBalancing?: { strategy?: "balanced" | "greedy"; updateIntervalInMs?: number; partitionOwnershipExpirationIntervalInMs?: number };
}

/** How long finding where the replay ends may take before the replay counts as done. */
const REPLAY_HORIZON_TIMEOUT_MS = 10_000;

/**
 * The controller's Event Hubs consumer: EventHubConsumerClient.subscribe with a BlobCheckpointStore.
 *
 * Checkpoints: after every event of a batch has been handed to the handler and the handler
 * settled, the batch's last event is checkpointed. A clean close finishes the batch in flight and
 * checkpoints it first, so a restart neither repeats nor skips events. A crash repeats at most the
 * events after the last checkpoint (at-least-once); downstream dedups by signal id.
 * A handler rejection is reported (`kind: "handler"`) and the event counts as handled: retries and
 * dead-lettering are the handler's business, so one poisoned event cannot stall a partition.
 */
export function createEventHubsEventSource(options: EventHubsConsumerOptions): EventStreamPort {
  return {
    startEventStream: (streamOptions) => startEventStream(options, streamOptions),
  };
}

async function startEventStream(options: EventHubsConsumerOptions, { handler, onError, onBatchEnd, onCaughtUp }: EventStreamOptions): Promise<EventStream> {
  const containerClient = createContainerClient(options.checkpoints);
  try {
    await containerClient.createIfNotExists();
  } catch (error) {
    throw new Error(
      `Cannot use the checkpoint container ${containerClient.url}: ${(error as Error).message}. Check the storage endpoint and that the identity has Storage Blob Data Contributor on it.`,
    );
  }
  const checkpointStore = new BlobCheckpointStore(containerClient);
  const consumerGroup = options.consumerGroup ?? "$default";
  const clientOptions = {
    ...(options.ownerId ? { identifier: options.ownerId } : {}),
    loadBalancingOptions: { strategy: "greedy" as const, ...options.loadBalancing },
  };
  const { eventHub } = options;
  const client =
    "connectionString" in eventHub
      ? new EventHubConsumerClient(consumerGroup, eventHub.connectionString, eventHub.eventHubName, checkpointStore, clientOptions)
      : new EventHubConsumerClient(consumerGroup, eventHub.fullyQualifiedNamespace, eventHub.eventHubName, eventHub.credential, checkpointStore, clientOptions);

  const stats: EventStreamStats = { received: 0, handled: 0, handlerErrors: 0, checkpoints: 0, checkpointErrors: 0, receiveErrors: 0 };
  const inFlight = new Set<Promise<void>>();
  let closing = false;

  const report = (error: EventStreamError) => {
    try {
      onError(error);
    } catch {
      // A throwing error callback must not break the stream either.
    }
  };

  if (options.ownerId) {
    try {
      await releaseOwnOwnerships(client, checkpointStore, consumerGroup, options.ownerId, AbortSignal.timeout(REPLAY_HORIZON_TIMEOUT_MS));
    } catch (error) {
      report({ kind: "receive", error: new Error(`cannot release this replica's partitions from before the restart (${asError(error).message}); they are taken back when they expire`) });
    }
  }

  // The replay: per partition, the last sequence number enqueued before the subscription starts.
  // Bounded, so an unreachable hub delays the start by seconds, not by the SDK's retries.
  let replay: Map<string, number>;
  const horizonTimeout = AbortSignal.timeout(REPLAY_HORIZON_TIMEOUT_MS);
  try {
    replay = await replayHorizon(client, checkpointStore, consumerGroup, options.startPosition ?? "earliest", horizonTimeout);
  } catch (error) {
    report({ kind: "receive", error: new Error(`cannot tell how far the replay goes (${asError(error).message}); treating it as done`) });
    replay = new Map();
  }
  let caughtUp = false;
  const checkCaughtUp = () => {
    if (caughtUp || replay.size) return;
    caughtUp = true;
    onCaughtUp?.();
  };
  checkCaughtUp();

  async function handleBatch(events: ReceivedEventData[], context: PartitionContext): Promise<void> {
    let lastHandled: ReceivedEventData | undefined;
    for (const received of events) {
      // Once closing, leave the rest unhandled and un-checkpointed: the next owner gets them.
      if (closing) break;
      stats.received++;
      const event = toStreamEvent(received, context.partitionId);
      try {
        await handler(event);
        stats.handled++;
      } catch (error) {
        stats.handlerErrors++;
        report({ kind: "handler", error: asError(error), partitionId: context.partitionId, event });
      }
      lastHandled = received;
      if (received.sequenceNumber >= (replay.get(context.partitionId) ?? Infinity)) replay.delete(context.partitionId);
    }
    if (!lastHandled) return;
    onBatchEnd?.();
    checkCaughtUp();
    checkpointInBackground(context, lastHandled);
  }

  // The checkpoint is written beside the intake, not in its way: while the checkpoint account is unreachable the
  // SDK's retries would hold every next batch (issue 14: intake stopped entirely). Per partition one write runs at a
  // time, for the newest handled event; a failed one is caught up by the next batch's (duplicates change nothing).
  const checkpointing = new Map<string, { context: PartitionContext; next: ReceivedEventData | null; running: Promise<void> | null }>();
  function checkpointInBackground(context: PartitionContext, event: ReceivedEventData): void {
    let slot = checkpointing.get(context.partitionId);
    if (!slot) checkpointing.set(context.partitionId, (slot = { context, next: null, running: null }));
    slot.context = context;
    slot.next = event;
    const own = slot;
    own.running ??= (async () => {
      while (own.next) {
        const newest = own.next;
        own.next = null;
        try {
          await own.context.updateCheckpoint(newest);
          stats.checkpoints++;
        } catch (error) {
          stats.checkpointErrors++;
          report({ kind: "checkpoint", error: asError(error), partitionId: own.context.partitionId });
        }
      }
      own.running = null;
    })();
  }

  const subscription: Subscription = client.subscribe(
    {
      processEvents: async (events, context) => {
        if (closing || events.length === 0) return;
        const work = handleBatch(events, context);
        inFlight.add(work);
        try {
          await work;
        } finally {
          inFlight.delete(work);
        }
      },
      processError: async (error, context) => {
        stats.receiveErrors++;
        report({ kind: "receive", error: asError(error), ...(context.partitionId ? { partitionId: context.partitionId } : {}) });
      },
    },
    {
      startPosition: options.startPosition === "latest" ? latestEventPosition : earliestEventPosition,
      maxBatchSize: options.maxBatchSize ?? 50,
      maxWaitTimeInSeconds: options.maxWaitTimeInSeconds ?? 5,
    },
  );

  let closed: Promise<void> | undefined;
  return {
    stats: () => ({ ...stats }),
    close() {
      closed ??= (async () => {
        closing = true;
        await Promise.allSettled([...inFlight]);
        // A clean close still stores the checkpoint of the last handled batch.
        await Promise.allSettled([...checkpointing.values()].map((slot) => slot.running));
        await subscription.close();
        await client.close();
      })();
      return closed;
    },
  };
}

/** Partitions with events the subscription will replay, and the sequence number that ends each replay. */
/**
 * After a crash, the partitions are still owned by this replica's id until the claims expire (a minute),
 * and the SDK's load balancer sees nothing to claim: no event would arrive meanwhile. Abandoning our own
 * claims first (owner id "", with their etags) lets this incarnation take them back at once.
 */
async function releaseOwnOwnerships(client: EventHubConsumerClient, checkpoints: BlobCheckpointStore, consumerGroup: string, ownerId: string, abortSignal: AbortSignal): Promise<void> {
  const ours = (await checkpoints.listOwnership(client.fullyQualifiedNamespace, client.eventHubName, consumerGroup, { abortSignal })).filter((o) => o.ownerId === ownerId);
  if (ours.length) await checkpoints.claimOwnership(ours.map((o) => ({ ...o, ownerId: "" })), { abortSignal });
}

async function replayHorizon(
  client: EventHubConsumerClient,
  checkpoints: BlobCheckpointStore,
  consumerGroup: string,
  startPosition: "earliest" | "latest",
  abortSignal: AbortSignal,
): Promise<Map<string, number>> {
  const ids = await client.getPartitionIds({ abortSignal });
  const partitions = await Promise.all(ids.map((id) => client.getPartitionProperties(id, { abortSignal })));
  const saved = await checkpoints.listCheckpoints(client.fullyQualifiedNamespace, client.eventHubName, consumerGroup, { abortSignal });
  const from = new Map(saved.map((c) => [c.partitionId, c.sequenceNumber]));
  const horizon = new Map<string, number>();
  for (const p of partitions) {
    if (p.isEmpty) continue;
    const start = from.get(p.partitionId) ?? (startPosition === "latest" ? p.lastEnqueuedSequenceNumber : -1);
    if (p.lastEnqueuedSequenceNumber > start) horizon.set(p.partitionId, p.lastEnqueuedSequenceNumber);
  }
  return horizon;
}

function createContainerClient(checkpoints: CheckpointContainer): ContainerClient {
  return "connectionString" in checkpoints
    ? new ContainerClient(checkpoints.connectionString, checkpoints.containerName)
    : new ContainerClient(checkpoints.containerUrl, checkpoints.credential);
}

function toStreamEvent(received: ReceivedEventData, partitionId: string): StreamEvent {
  return {
    body: received.body,
    partitionId,
    sequenceNumber: received.sequenceNumber,
    offset: String(received.offset),
    enqueuedTimeUtc: received.enqueuedTimeUtc,
    properties: { ...(received.properties ?? {}) },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
