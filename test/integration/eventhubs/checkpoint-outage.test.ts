import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "../../../src/sim/eventhubs/emulator.js";
import { createEventHubsEventSource } from "../../../src/azure/eventhubs/consumer.js";
import { CuttableLink } from "../../../src/sim/cuttable-link.js";
import type { EventStreamError, StreamEvent } from "../../../src/ports/events.js";
import { eventually } from "./helpers.js";

describe("Event Hubs intake while the checkpoint store is unreachable (issue 14)", () => {
  let azurite: RunningAzurite;
  let emulator: RunningEventHubsEmulator;
  let link: CuttableLink;

  beforeAll(async () => {
    [azurite, emulator] = await Promise.all([startAzurite(), startEventHubsEmulator({ hubs: [{ name: "signals", partitionCount: 2, consumerGroups: ["ctl-neu"] }] })]);
    link = await CuttableLink.start(Number(new URL(azurite.blobEndpoint).port));
  });
  afterAll(async () => {
    await link?.stop();
    await emulator?.stop();
    await azurite?.stop();
  });

  it("keeps receiving; checkpoints fail meanwhile and catch up when the store returns", async () => {
    const viaLink = azurite.connectionString.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, `BlobEndpoint=http://127.0.0.1:${link.port}`);
    const seen: StreamEvent[] = [];
    const errors: EventStreamError[] = [];
    const stream = await createEventHubsEventSource({
      eventHub: { connectionString: emulator.connectionString, eventHubName: "signals" },
      checkpoints: { connectionString: viaLink, containerName: "outage" },
      consumerGroup: "ctl-neu",
      ownerId: "apim-dr-ctl-neu",
      maxWaitTimeInSeconds: 1,
      // A short ownership expiry, so the test outlives it in seconds (Azure's SDK default is 60 s).
      loadBalancing: { updateIntervalInMs: 500, partitionOwnershipExpirationIntervalInMs: 5_000 },
    }).startEventStream({ handler: async (e) => void seen.push(e), onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length === 10, "the first 10 events");

    await eventually(() => stream.stats().checkpoints >= 2, "the first checkpoints");
    link.setReachable(false);
    const checkpointsBefore = stream.stats().checkpoints;
    for (let i = 10; i < 20; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length >= 20, "10 events published while the checkpoint store is down", 10_000);
    // Past the partition ownership expiry: still receiving.
    await new Promise((r) => setTimeout(r, 8_000));
    for (let i = 20; i < 30; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length >= 30, "10 events published after the ownership expired", 10_000);
    // Received and handled, though not one checkpoint could be written meanwhile.
    expect(stream.stats().checkpoints).toBe(checkpointsBefore);

    // Back: the next batch's checkpoint catches up.
    link.setReachable(true);
    for (let i = 30; i < 32; i++) emulator.publish("signals", { i }, { partitionId: String(i % 2) });
    await eventually(() => seen.length >= 32, "2 events after the store returned", 20_000);
    await stream.close();
    expect(new Set(seen.map((e) => (e.body as { i: number }).i)).size).toBe(32);
    const checkpoints: Record<string, number> = {};
    for await (const blob of new ContainerClient(azurite.connectionString, "outage").listBlobsFlat({ includeMetadata: true })) {
      if (blob.name.includes("/checkpoint/")) checkpoints[blob.name.split("/").pop()!] = Number(blob.metadata?.sequencenumber);
    }
    expect(checkpoints).toEqual({ "0": 15, "1": 15 });
  }, 120_000);
});
