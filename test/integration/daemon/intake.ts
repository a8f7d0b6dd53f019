import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { SIM_CHECKPOINT_CONTAINER } from "../../../src/sim/controller-config.js";
import { resourceHealthRecords } from "../../../src/sim/eventhubs/azure-payloads.js";
import { SIM_EVENT_HUB_PARTITIONS, type SimulatedAzure } from "../../../src/sim/index.js";
import { sleep, type DaemonWorld } from "./world.js";

/** How the tests of Event Hubs intake see it: what was sent, what the daemon took in, what it checkpointed. */

/** Events the running daemon decoded since it started (its /metrics). */
export async function decodedEvents(world: DaemonWorld): Promise<number> {
  const text = (await world.api("/metrics")).text;
  const match = /^apim_dr_events_decoded_total(?:\{\})? (\d+)/m.exec(text);
  if (!match) throw new Error(`/metrics has no apim_dr_events_decoded_total:\n${text.slice(0, 500)}`);
  return Number(match[1]);
}

export async function deadLetteredEvents(world: DaemonWorld): Promise<number> {
  const match = /^apim_dr_events_dead_lettered_total(?:\{\})? (\d+)/m.exec((await world.api("/metrics")).text);
  return Number(match?.[1] ?? 0);
}

/** Per partition, the sequence number the controller's consumer group last checkpointed (read with the storage SDK). */
export async function checkpoints(sim: SimulatedAzure): Promise<Map<string, number>> {
  const container = new ContainerClient(`${sim.storage.blobEndpoint.replace(/\/+$/, "")}/${SIM_CHECKPOINT_CONTAINER}`, new StorageSharedKeyCredential(sim.storage.accountName, sim.storage.accountKey));
  const found = new Map<string, number>();
  for await (const blob of container.listBlobsFlat({ includeMetadata: true })) {
    const match = /\/checkpoint\/(\d+)$/.exec(blob.name);
    if (match && blob.metadata?.sequencenumber !== undefined) found.set(match[1]!, Number(blob.metadata.sequencenumber));
  }
  return found;
}

/** Per partition, the last sequence number the hub holds. */
export function enqueued(sim: SimulatedAzure): Map<string, number> {
  const partitions = sim.eventHubs.stats().hubs[sim.eventHubName]?.partitions ?? [];
  return new Map(partitions.filter((p) => !p.isEmpty).map((p) => [p.partitionId, p.lastEnqueuedSequenceNumber]));
}

/** True when every event in `upTo` (partition → sequence number) is checkpointed. */
export async function checkpointedUpTo(sim: SimulatedAzure, upTo: Map<string, number>): Promise<boolean> {
  const done = await checkpoints(sim);
  return [...upTo].every(([partition, seq]) => (done.get(partition) ?? -1) >= seq);
}

/**
 * Sends `count` Resource Health "Available" records for the primary (a healthy world stays healthy), one every
 * `everyMs`, spread over every partition. Resolves with the highest sequence number sent per partition.
 */
export async function sendHealthSignals(sim: SimulatedAzure, count: number, everyMs = 100): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const body = resourceHealthRecords([{ resourceId: sim.services.primary.id, status: "Available", previous: "Available", at: Date.now() }]);
    const published = sim.eventHubs.publish(sim.eventHubName, body, { partitionKey: `intake-${i % (SIM_EVENT_HUB_PARTITIONS * 4)}` });
    sent.set(published.partitionId, Math.max(sent.get(published.partitionId) ?? -1, published.sequenceNumber));
    await sleep(everyMs);
  }
  return sent;
}
