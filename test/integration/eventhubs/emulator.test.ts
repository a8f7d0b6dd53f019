import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition, latestEventPosition } from "@azure/event-hubs";
import rhea, { type Connection } from "rhea";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "../../../src/sim/eventhubs/emulator.js";
import { partitionForKey } from "../../../src/sim/eventhubs/partition-key.js";
import { collect, eventually } from "./helpers.js";

describe("Event Hubs emulator with the real @azure/event-hubs clients", () => {
  let emulator: RunningEventHubsEmulator;
  let producer: EventHubProducerClient;
  const consumers: EventHubConsumerClient[] = [];
  const consumer = (group = "$default", hub = "signals") => {
    const c = new EventHubConsumerClient(group, emulator.connectionString, hub);
    consumers.push(c);
    return c;
  };

  // The emulator's clock: real time plus a skew the tests move forward to space enqueued times.
  let skewMs = 0;
  beforeAll(async () => {
    emulator = await startEventHubsEmulator({
      now: () => Date.now() + skewMs,
      hubs: [
        { name: "signals", partitionCount: 4, consumerGroups: ["controller", "audit"] },
        { name: "positions", partitionCount: 1 },
        { name: "flow", partitionCount: 1 },
      ],
    });
    producer = new EventHubProducerClient(emulator.connectionString, "signals");
  });
  afterAll(async () => {
    await producer?.close();
    await Promise.all(consumers.map((c) => c.close()));
    await emulator?.stop();
  });

  it("publishes a connection string the SDK parses as a plain-AMQP development emulator on 127.0.0.1", () => {
    expect(emulator.connectionString).toMatch(
      /^Endpoint=sb:\/\/127\.0\.0\.1:\d+;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[^;]+;UseDevelopmentEmulator=true$/,
    );
    expect(emulator.connectionStringFor("signals")).toBe(`${emulator.connectionString};EntityPath=signals`);
  });

  it("answers the management READs for the hub and its partitions", async () => {
    const hub = await producer.getEventHubProperties();
    expect(hub.name).toBe("signals");
    expect(hub.partitionIds).toEqual(["0", "1", "2", "3"]);
    expect(hub.createdOn).toBeInstanceOf(Date);
    expect(await producer.getPartitionIds()).toEqual(["0", "1", "2", "3"]);

    const empty = await producer.getPartitionProperties("3");
    expect(empty).toMatchObject({ partitionId: "3", eventHubName: "signals", isEmpty: true, lastEnqueuedSequenceNumber: -1, lastEnqueuedOffset: "-1" });

    const sent = emulator.publish("signals", { n: 1 }, { partitionId: "3" });
    emulator.publish("signals", { n: 2 }, { partitionId: "3" });
    const after = await producer.getPartitionProperties("3");
    expect(after).toMatchObject({ isEmpty: false, beginningSequenceNumber: 0, lastEnqueuedSequenceNumber: 1 });
    expect(Number(after.lastEnqueuedOffset)).toBeGreaterThan(Number(sent.offset));
    expect(after.lastEnqueuedOnUtc.getTime()).toBeGreaterThanOrEqual(sent.enqueuedTimeUtc.getTime());
  });

  it("routes batches to explicit partitions and by partition key, keeping order and annotations", async () => {
    const keyed = await producer.createBatch({ partitionKey: "apim-weu" });
    for (let i = 0; i < 5; i++) expect(keyed.tryAdd({ body: { i, key: "apim-weu" }, properties: { i } })).toBe(true);
    await producer.sendBatch(keyed);
    await producer.sendBatch([{ body: { to: 1 } }, { body: { to: 1, second: true } }], { partitionId: "1" });

    const keyPartition = String(partitionForKey("apim-weu", 4));
    const size = emulator.stats().hubs.signals!.partitions.find((p) => p.partitionId === keyPartition)!.enqueued;
    expect(size).toBeGreaterThanOrEqual(5);

    const got = await collect(consumer("audit"), size, { partitionId: keyPartition, startPosition: earliestEventPosition });
    const keyedEvents = got.filter((c) => (c.event.body as { key?: string }).key === "apim-weu");
    expect(keyedEvents.map((c) => (c.event.body as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    expect(keyedEvents.map((c) => c.event.properties)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    for (const { event } of keyedEvents) {
      expect(event.partitionKey).toBe("apim-weu");
      expect(typeof event.offset).toBe("string");
      expect(event.enqueuedTimeUtc).toBeInstanceOf(Date);
    }
    const seq = keyedEvents.map((c) => c.event.sequenceNumber);
    expect(seq).toEqual([...seq].sort((a, b) => a - b));

    const onePartition = emulator.stats().hubs.signals!.partitions[1]!.enqueued;
    const one = await collect(consumer("audit"), onePartition, { partitionId: "1", startPosition: earliestEventPosition });
    const explicit = one.filter((c) => (c.event.body as { to?: number }).to === 1);
    expect(explicit.map((c) => c.event.body)).toEqual([{ to: 1 }, { to: 1, second: true }]);
    expect(explicit[1]!.event.sequenceNumber).toBe(explicit[0]!.event.sequenceNumber + 1);
  });

  it("spreads unkeyed events over the partitions and one subscription reads them all", async () => {
    const before = emulator.stats().hubs.signals!.partitions.map((p) => p.enqueued);
    await producer.sendBatch(Array.from({ length: 8 }, (_, i) => ({ body: { spread: i } })));
    await producer.sendBatch(Array.from({ length: 8 }, (_, i) => ({ body: { spread: 8 + i } })));
    await producer.sendBatch(Array.from({ length: 8 }, (_, i) => ({ body: { spread: 16 + i } })));
    await producer.sendBatch(Array.from({ length: 8 }, (_, i) => ({ body: { spread: 24 + i } })));
    const grown = emulator.stats().hubs.signals!.partitions.map((p, i) => p.enqueued - before[i]!);
    expect(grown.filter((n) => n > 0).length).toBe(4);
    expect(grown.reduce((a, b) => a + b, 0)).toBe(32);

    const total = emulator.stats().hubs.signals!.partitions.reduce((sum, p) => sum + p.enqueued, 0);
    const all = await collect(consumer("controller"), total, { startPosition: earliestEventPosition });
    expect(new Set(all.map((c) => c.partitionId))).toEqual(new Set(["0", "1", "2", "3"]));
    const spread = all.map((c) => (c.event.body as { spread?: number }).spread).filter((n) => n !== undefined);
    expect(spread.sort((a, b) => a! - b!)).toEqual(Array.from({ length: 32 }, (_, i) => i));
  });

  it("keeps consumer groups independent: each group reads the whole partition", async () => {
    emulator.publish("signals", { group: "both" }, { partitionId: "2" });
    const size = emulator.stats().hubs.signals!.partitions[2]!.enqueued;
    const [a, b] = await Promise.all([
      collect(consumer("controller"), size, { partitionId: "2", startPosition: earliestEventPosition }),
      collect(consumer("$default"), size, { partitionId: "2", startPosition: earliestEventPosition }),
    ]);
    expect(a.map((c) => c.event.sequenceNumber)).toEqual(b.map((c) => c.event.sequenceNumber));
    expect(a.at(-1)!.event.body).toEqual({ group: "both" });
  });

  it("starts at earliest, latest, an offset, a sequence number (inclusive or not) and an enqueued time", async () => {
    const first = [0, 1, 2, 3, 4].map((n) => {
      skewMs += 1000;
      return emulator.publish("positions", { n });
    });
    const c = consumer("$default", "positions");
    const bodies = (got: { event: { body: unknown } }[]) => got.map((g) => (g.event.body as { n: number }).n);

    expect(bodies(await collect(c, 5, { partitionId: "0", startPosition: earliestEventPosition }))).toEqual([0, 1, 2, 3, 4]);
    expect(bodies(await collect(c, 2, { partitionId: "0", startPosition: { offset: first[2]!.offset } }))).toEqual([3, 4]);
    expect(bodies(await collect(c, 3, { partitionId: "0", startPosition: { offset: first[2]!.offset, isInclusive: true } }))).toEqual([2, 3, 4]);
    expect(bodies(await collect(c, 1, { partitionId: "0", startPosition: { sequenceNumber: 3 } }))).toEqual([4]);
    expect(bodies(await collect(c, 2, { partitionId: "0", startPosition: { sequenceNumber: 3, isInclusive: true } }))).toEqual([3, 4]);

    // Enqueued-time filters are exclusive: after event 2's time means events 3 and 4.
    const thirdTime = first[2]!.enqueuedTimeUtc;
    expect(bodies(await collect(c, 2, { partitionId: "0", startPosition: { enqueuedOn: thirdTime } }))).toEqual([3, 4]);
    expect(bodies(await collect(c, 3, { partitionId: "0", startPosition: { enqueuedOn: thirdTime.getTime() - 1 } }))).toEqual([2, 3, 4]);

    // Latest: only events enqueued after the receiver attached.
    const pending = collect(c, 1, { partitionId: "0", startPosition: latestEventPosition });
    await eventually(() => Object.keys(emulator.stats().readers).some((k) => k.startsWith("positions/")), "the latest reader to attach");
    emulator.publish("positions", { n: 5 });
    expect(bodies(await pending)).toEqual([5]);
  });

  it("never sends beyond the link credit", async () => {
    for (let i = 0; i < 50; i++) emulator.publish("flow", { i });
    const deliveredBefore = emulator.stats().delivered;
    const got: number[] = [];
    const client = rhea.create_container({ id: "flow-test" });
    let connection: Connection | undefined;
    try {
      const token = await sasTokenFor(emulator, "flow");
      connection = client.connect({ host: "127.0.0.1", port: emulator.port, reconnect: false });
      await putToken(connection, token, `sb://127.0.0.1:${emulator.port}/flow`);
      const receiver = connection.open_receiver({
        source: { address: "flow/ConsumerGroups/$default/Partitions/0", filter: { "apache.org:selector-filter:string": rhea.types.wrap_described("amqp.annotation.x-opt-offset > '-1'", 0x468c00000004) } },
        credit_window: 0,
        autoaccept: true,
      });
      receiver.on("message", (ctx) => got.push((JSON.parse((ctx.message!.body as { content: Buffer }).content.toString()) as { i: number }).i));
      await new Promise<void>((resolve) => receiver.once("receiver_open", () => resolve()));
      receiver.add_credit(7);
      await eventually(() => got.length === 7, "7 credited events");
      // Give the emulator every chance to overrun: more publishes, a settle round-trip.
      emulator.publish("flow", { i: 50 });
      await roundTrip(connection);
      expect(got).toEqual([0, 1, 2, 3, 4, 5, 6]);
      // Not even queued inside the emulator beyond the credit.
      expect(emulator.stats().delivered - deliveredBefore).toBe(7);
      receiver.add_credit(100);
      await eventually(() => got.length === 51, "the remaining events");
      expect(got).toEqual(Array.from({ length: 51 }, (_, i) => i));
    } finally {
      connection?.close();
    }
  });

  it("delivers a large backlog through the SDK in order", async () => {
    const backlog = new EventHubProducerClient(emulator.connectionString, "positions");
    try {
      const start = emulator.stats().hubs.positions!.partitions[0]!.enqueued;
      let batch = await backlog.createBatch();
      for (let i = 0; i < 2000; i++) {
        if (!batch.tryAdd({ body: { bulk: i } })) {
          await backlog.sendBatch(batch);
          batch = await backlog.createBatch();
          expect(batch.tryAdd({ body: { bulk: i } })).toBe(true);
        }
      }
      await backlog.sendBatch(batch);
      const got = await collect(consumer("$default", "positions"), 2000, {
        partitionId: "0",
        startPosition: { sequenceNumber: start, isInclusive: true },
        subscribe: { maxBatchSize: 100 },
      });
      expect(got.map((g) => (g.event.body as { bulk: number }).bulk)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    } finally {
      await backlog.close();
    }
  });

  it("lets an owner-level receiver take a partition from a lower one", async () => {
    const errors: string[] = [];
    const low = consumer("controller");
    const sub = low.subscribe("0", { processEvents: async () => undefined, processError: async (e) => void errors.push((e as { code?: string }).code ?? e.name) }, { ownerLevel: 1, startPosition: latestEventPosition });
    await eventually(() => emulator.stats().readers["signals/controller/0"] === 1, "the owner-level-1 reader");
    const high = consumer("controller");
    const got = collect(high, 1, { partitionId: "0", startPosition: latestEventPosition, subscribe: { ownerLevel: 2 } });
    await eventually(() => errors.includes("ReceiverDisconnectedError"), "the lower owner to be disconnected");
    await eventually(() => emulator.stats().readers["signals/controller/0"] === 1, "only the new owner to remain");
    emulator.publish("signals", { owner: 2 }, { partitionId: "0" });
    expect((await got)[0]!.event.body).toEqual({ owner: 2 });
    await sub.close();
  });

  it("refuses unknown hubs, unknown consumer groups and a wrong key with the service's errors", async () => {
    const stranger = new EventHubProducerClient(emulator.connectionString, "nope", { retryOptions: { maxRetries: 0 } });
    await expect(stranger.getEventHubProperties()).rejects.toThrow(/The messaging entity 'nope' could not be found/);
    await stranger.close();

    const wrongKey = emulator.connectionString.replace(/SharedAccessKey=[^;]+/, "SharedAccessKey=d3Jvbmc=");
    const intruder = new EventHubProducerClient(wrongKey, "signals", { retryOptions: { maxRetries: 0 } });
    await expect(intruder.getEventHubProperties()).rejects.toThrow(/signature does not match the SharedAccessKey/);
    await intruder.close();

    const errors: Error[] = [];
    const lost = consumer("no-such-group");
    const sub = lost.subscribe("0", { processEvents: async () => undefined, processError: async (e) => void errors.push(e) }, { startPosition: earliestEventPosition });
    await eventually(() => errors.length > 0, "the consumer group error");
    expect(errors[0]!.message).toMatch(/Consumer group 'no-such-group' does not exist in event hub 'signals'/);
    await sub.close();
  });

  it("evicts the oldest events beyond the configured bound", async () => {
    const small = await startEventHubsEmulator({ hubs: [{ name: "tiny", partitionCount: 1 }], maxEventsPerPartition: 3 });
    try {
      for (let n = 0; n < 5; n++) small.publish("tiny", { n });
      const c = new EventHubConsumerClient("$default", small.connectionString, "tiny");
      const got = await collect(c, 3, { partitionId: "0", startPosition: earliestEventPosition });
      await c.close();
      expect(got.map((g) => g.event.sequenceNumber)).toEqual([2, 3, 4]);
      expect(small.stats().hubs.tiny!.partitions[0]).toMatchObject({ beginSequenceNumber: 2, retained: 3, enqueued: 5 });
    } finally {
      await small.stop();
    }
  });
});

async function sasTokenFor(emulator: RunningEventHubsEmulator, hub: string): Promise<string> {
  const { createHmac } = await import("node:crypto");
  const key = /SharedAccessKey=([^;]+)/.exec(emulator.connectionString)![1]!;
  const sr = encodeURIComponent(`sb://127.0.0.1:${emulator.port}/${hub}`);
  const se = Math.floor(Date.now() / 1000) + 600;
  const sig = encodeURIComponent(createHmac("sha256", key).update(`${sr}\n${se}`).digest("base64"));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=RootManageSharedAccessKey`;
}

function putToken(connection: Connection, token: string, audience: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const replies = connection.open_receiver({ source: { address: "$cbs" }, name: "cbs-reply", target: { address: "cbs-reply" } });
    const requests = connection.open_sender({ target: { address: "$cbs" } });
    replies.on("message", (ctx) => {
      const code = ctx.message!.application_properties?.["status-code"];
      if (code === 202) resolve();
      else reject(new Error(`put-token answered ${code}`));
    });
    let sent = false;
    requests.on("sendable", () =>
      !sent && (sent = true) && requests.send({ body: token, reply_to: "cbs-reply", message_id: "1", application_properties: { operation: "put-token", name: audience, type: "servicebus.windows.net:sastoken" } }),
    );
  });
}

/** A management request and its answer: everything the emulator would send before it has been flushed. */
function roundTrip(connection: Connection): Promise<void> {
  return new Promise((resolve) => {
    const replies = connection.open_receiver({ source: { address: "$management" }, name: "mgmt-reply", target: { address: "mgmt-reply" } });
    const requests = connection.open_sender({ target: { address: "$management" } });
    replies.on("message", () => resolve());
    let sent = false;
    requests.on("sendable", () => !sent && (sent = true) && requests.send({ body: [], reply_to: "mgmt-reply", message_id: "2", application_properties: { operation: "READ", name: "flow", type: "com.microsoft:eventhub" } }));
  });
}
