import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ContainerClient } from "@azure/storage-blob";
import { BlobCheckpointStore } from "@azure/eventhubs-checkpointstore-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "../../../src/sim/eventhubs/emulator.js";
import { createEventHubsEventSource, type EventHubsConsumerOptions } from "../../../src/azure/eventhubs/consumer.js";
import { createBlobDeadLetterStore } from "../../../src/azure/eventhubs/blob-dead-letters.js";
import { startSignalConsumer } from "../../../src/signals/consumer/signal-consumer.js";
import { systemClock } from "../../../src/ports/clock.js";
import type { EventStreamError, StreamEvent } from "../../../src/ports/events.js";
import type { Signal } from "../../../src/ports/signal.js";
import { eventually } from "./helpers.js";

const SAMPLES = "/work/shared/external/samples";

describe("controller Event Hubs consumer (real EventHubConsumerClient + BlobCheckpointStore on Azurite)", () => {
  let azurite: RunningAzurite;
  let emulator: RunningEventHubsEmulator;
  let containerSeq = 0;

  beforeAll(async () => {
    [azurite, emulator] = await Promise.all([
      startAzurite(),
      startEventHubsEmulator({ hubs: [{ name: "signals", partitionCount: 2, consumerGroups: ["controller"] }, { name: "alerts", partitionCount: 2 }, { name: "feed", partitionCount: 2 }, { name: "replay", partitionCount: 2 }, { name: "crash", partitionCount: 2 }] }),
    ]);
  });
  afterAll(async () => {
    await emulator?.stop();
    await azurite?.stop();
  });

  function options(hub: string, containerName: string, ownerId: string): EventHubsConsumerOptions {
    return {
      eventHub: { connectionString: emulator.connectionString, eventHubName: hub },
      checkpoints: { connectionString: azurite.connectionString, containerName },
      consumerGroup: hub === "signals" ? "controller" : "$default",
      ownerId,
      maxWaitTimeInSeconds: 1,
      loadBalancing: { updateIntervalInMs: 500 },
    };
  }

  /** The checkpointed sequence number per partition, read straight from the blobs. */
  async function checkpoints(containerName: string): Promise<Record<string, number>> {
    const container = new ContainerClient(azurite.connectionString, containerName);
    const result: Record<string, number> = {};
    for await (const blob of container.listBlobsFlat({ prefix: "", includeMetadata: true })) {
      if (blob.name.includes("/checkpoint/")) result[blob.name.split("/").pop()!] = Number(blob.metadata?.sequencenumber);
    }
    return result;
  }

  const key = (e: StreamEvent) => `${e.partitionId}/${e.sequenceNumber}`;

  it("resumes after a restart from its blob checkpoint without losing or repeating an event", async () => {
    const containerName = `restart-${++containerSeq}`;
    const seen: StreamEvent[] = [];
    const errors: EventStreamError[] = [];
    const first = await createEventHubsEventSource(options("signals", containerName, "controller-a")).startEventStream({
      handler: async (e) => void seen.push(e),
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 30; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length === 30, "the first 30 events");
    await first.close();
    expect(first.stats()).toMatchObject({ received: 30, handled: 30, handlerErrors: 0, checkpointErrors: 0 });
    expect(await checkpoints(containerName)).toEqual({ "0": 14, "1": 14 });

    // Published while the controller is down.
    for (let i = 30; i < 50; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    const second = await createEventHubsEventSource(options("signals", containerName, "controller-a")).startEventStream({
      handler: async (e) => void seen.push(e),
      onError: (e) => errors.push(e),
    });
    await eventually(() => seen.length >= 50, "the 20 events published while down");
    await second.close();

    const bodies = seen.map((e) => (e.body as { i: number }).i).sort((a, b) => a - b);
    expect(bodies).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(seen.map(key)).size).toBe(50);
    expect(second.stats().received).toBe(20);
    expect(await checkpoints(containerName)).toEqual({ "0": 24, "1": 24 });
    expect(errors.filter((e) => e.kind !== "receive")).toEqual([]);
  });

  it("after a crash, the restarted replica (same owner id) takes its partitions back at once, not when the claims expire", async () => {
    const containerName = `crash-${++containerSeq}`;
    const seen: StreamEvent[] = [];
    const first = await createEventHubsEventSource(options("crash", containerName, "controller-k")).startEventStream({ handler: async (e) => void seen.push(e), onError: () => undefined });
    emulator.publish("crash", { i: 0 }, { partitionId: "0" });
    emulator.publish("crash", { i: 1 }, { partitionId: "1" });
    await eventually(() => seen.length === 2, "the first 2 events");
    await first.close();
    // A kill -9 leaves the claims as they were: owned by controller-k, fresh (close abandons them; put them back).
    const store = new BlobCheckpointStore(new ContainerClient(azurite.connectionString, containerName));
    const namespace = /Endpoint=sb:\/\/([^/:;]*)/.exec(emulator.connectionString)![1]!; // the emulator's host, as the SDK names it
    const claims = await store.listOwnership(namespace, "crash", "$default");
    await store.claimOwnership(claims.map((c) => ({ ...c, ownerId: "controller-k" })));
    expect((await store.listOwnership(namespace, "crash", "$default")).map((c) => c.ownerId)).toEqual(["controller-k", "controller-k"]);

    const second = await createEventHubsEventSource(options("crash", containerName, "controller-k")).startEventStream({ handler: async (e) => void seen.push(e), onError: () => undefined });
    emulator.publish("crash", { i: 2 }, { partitionId: "0" });
    emulator.publish("crash", { i: 3 }, { partitionId: "1" });
    // Well inside the SDK's one-minute claim expiry.
    await eventually(() => seen.length === 4, "both partitions to be taken back", 10_000);
    await second.close();
  });

  it("says when the replay of what was published while it was down has been handed over, and when each batch ends", async () => {
    const containerName = `replay-${++containerSeq}`;
    const seen: StreamEvent[] = [];
    let caughtUpAfter: number | null = null;
    const first = await createEventHubsEventSource(options("replay", containerName, "controller-r")).startEventStream({
      handler: async (e) => void seen.push(e),
      onError: () => undefined,
      onCaughtUp: () => (caughtUpAfter = seen.length),
    });
    expect(caughtUpAfter).toBe(0); // an empty hub: nothing to replay
    for (let i = 0; i < 10; i++) emulator.publish("replay", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length === 10, "the first 10 events");
    await first.close();

    for (let i = 10; i < 30; i++) emulator.publish("replay", { i }, { partitionId: String(i % 2) });
    caughtUpAfter = null;
    let batchEnds = 0;
    const second = await createEventHubsEventSource(options("replay", containerName, "controller-r")).startEventStream({
      handler: async (e) => void seen.push(e),
      onError: () => undefined,
      onBatchEnd: () => batchEnds++,
      onCaughtUp: () => (caughtUpAfter = seen.length),
    });
    await eventually(() => caughtUpAfter !== null, "the replay to be reported done");
    await second.close();
    expect(caughtUpAfter).toBe(30);
    expect(batchEnds).toBeGreaterThanOrEqual(2); // one partition's batch at least, each
  });

  it("writes a partition's checkpoint only after the handler resolved for the batch", async () => {
    const containerName = `gate-${++containerSeq}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const started: StreamEvent[] = [];
    const stream = await createEventHubsEventSource(options("signals", containerName, "controller-b")).startEventStream({
      handler: async (e) => {
        started.push(e);
        if ((e.body as { gated?: boolean }).gated) await gate;
      },
      onError: () => undefined,
    });
    const sent = emulator.publish("signals", { gated: true }, { partitionId: "0" });
    await eventually(() => started.some((e) => e.sequenceNumber === sent.sequenceNumber && e.partitionId === "0"), "the gated event to reach the handler");
    // Earlier events of the partition may be checkpointed already, the gated one not.
    expect((await checkpoints(containerName))["0"] ?? -1).toBeLessThan(sent.sequenceNumber);
    const checkpointsBefore = stream.stats().checkpoints;
    release();
    await eventually(() => stream.stats().checkpoints > checkpointsBefore, "the gated batch's checkpoint");
    await stream.close();
    expect((await checkpoints(containerName))["0"]).toBe(sent.sequenceNumber);
  });

  it("recovers from a dropped connection without losing or repeating events", async () => {
    const containerName = `drop-${++containerSeq}`;
    const seen: StreamEvent[] = [];
    const errors: EventStreamError[] = [];
    const before = emulator.stats().hubs.alerts!.partitions.reduce((n, p) => n + p.enqueued, 0);
    const stream = await createEventHubsEventSource(options("alerts", containerName, "controller-c")).startEventStream({
      handler: async (e) => void seen.push(e),
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 10; i++) emulator.publish("alerts", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length === before + 10, "the events before the drop");
    expect(emulator.dropConnections()).toBeGreaterThan(0);
    for (let i = 10; i < 20; i++) emulator.publish("alerts", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length >= before + 20, "the events after the drop", 60_000);
    await stream.close();

    expect(new Set(seen.map(key)).size).toBe(seen.length);
    const mine = seen.map((e) => (e.body as { i: number }).i).slice(before).sort((a, b) => a - b);
    expect(mine).toEqual(Array.from({ length: 20 }, (_, i) => i));
    for (const partition of ["0", "1"]) {
      const seq = seen.filter((e) => e.partitionId === partition).map((e) => e.sequenceNumber);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(errors.filter((e) => e.kind !== "receive")).toEqual([]);
  });

  it("reports a failing handler, counts it and keeps consuming", async () => {
    const containerName = `fail-${++containerSeq}`;
    const errors: EventStreamError[] = [];
    const handled: number[] = [];
    const stream = await createEventHubsEventSource(options("signals", containerName, "controller-d")).startEventStream({
      handler: async (e) => {
        const body = e.body as { poison?: boolean; n?: number };
        if (body.poison) throw new Error("sink is down");
        if (body.n !== undefined) handled.push(body.n);
      },
      onError: (e) => errors.push(e),
    });
    emulator.publish("signals", { n: 1 }, { partitionId: "1" });
    emulator.publish("signals", { poison: true }, { partitionId: "1" });
    emulator.publish("signals", { n: 2 }, { partitionId: "1" });
    await eventually(() => handled.includes(2), "the event after the poisoned one");
    await stream.close();
    expect(handled.slice(-2)).toEqual([1, 2]);
    const handlerErrors = errors.filter((e) => e.kind === "handler");
    expect(handlerErrors).toHaveLength(1);
    expect(handlerErrors[0]!.error.message).toBe("sink is down");
    expect(handlerErrors[0]!.event!.body).toEqual({ poison: true });
    expect(stream.stats().handlerErrors).toBe(1);
  });

  it("decodes events into signals and dead-letters a bad one to blob storage while the stream continues", async () => {
    const containerName = `signals-${++containerSeq}`;
    const deadLetters = createBlobDeadLetterStore({ connectionString: azurite.connectionString, containerName: `${containerName}-dlq` });
    const received: Signal[] = [];
    const consumer = await startSignalConsumer({
      source: createEventHubsEventSource(options("feed", containerName, "controller-e")),
      onSignals: async (signals) => void received.push(...signals),
      deadLetters,
      clock: systemClock(),
    });
    const alert = readFileSync(`${SAMPLES}/payload-samples--test-action-activity-log-alert-with-monitoringservice-resource-health.json`, "utf8");
    const records = readFileSync(`${SAMPLES}/activity-log--records-wrapper-storage-eventhub.json`, "utf8");
    // Everything on one partition so the order is fixed: good, bad, good.
    emulator.publish("feed", alert, { partitionId: "0" });
    const bad = emulator.publish("feed", '{"schemaId": "azureMonitorCommonAlertSchema", "data": ', { partitionId: "0" });
    emulator.publish("feed", records, { partitionId: "0" });
    const existing = emulator.stats().hubs.feed!.partitions.reduce((n, p) => n + p.enqueued, 0);
    await eventually(() => consumer.stats().received === existing, "every event on the hub");
    await consumer.close();

    const stats = consumer.stats();
    expect(stats.deadLettered).toBe(1);
    expect(stats.decoded).toBe(existing - 1);
    expect(received.some((s) => s.source === "resourceHealth" || s.source === "alert")).toBe(true);
    expect(stats.signals).toBe(received.length);

    const letters = await deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ partitionId: "0", sequenceNumber: bad.sequenceNumber });
    expect(letters[0]!.reason).toMatch(/^not JSON: /);
    // The SDK could not parse the bytes as JSON, so the body is kept as the raw bytes.
    expect(Buffer.from(letters[0]!.body as Buffer).toString("utf8")).toBe('{"schemaId": "azureMonitorCommonAlertSchema", "data": ');
  });
});
