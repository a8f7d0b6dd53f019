/**
 * bench:ingest — how many signal events per second apim-dr takes in.
 *
 * 1. decode alone: decodePayload over the raw bytes of a mix of Azure payloads (JSON parsing included);
 * 2. end to end: the Event Hubs emulator → the controller's consumer (real EventHubConsumerClient,
 *    BlobCheckpointStore on Azurite) → signal consumer → decoded signals;
 * 3. bare consumer: the same consumer and checkpointing, with a handler that only counts.
 * Bounded (a fixed number of events and a time limit per run), loopback only, stops what it starts.
 * Last line: {"decodePerSec":…, "endToEndPerSec":…, "bareConsumerPerSec":…}
 */
import { parseArgs } from "node:util";
import { createEventHubsEventSource } from "../src/azure/eventhubs/consumer.js";
import type { EventStream } from "../src/ports/events.js";
import { systemClock } from "../src/ports/clock.js";
import { createMemoryDeadLetterStore } from "../src/signals/consumer/memory-dead-letters.js";
import { startSignalConsumer, type SignalConsumer } from "../src/signals/consumer/signal-consumer.js";
import { decodePayload } from "../src/signals/decode/index.js";
import {
  administrativeAlert,
  administrativeRecords,
  gatewayLogRecords,
  logSearchAlert,
  metricAlert,
  regionDisplayName,
  resourceHealthAlert,
  resourceHealthRecords,
  serviceHealthAlert,
} from "../src/sim/eventhubs/azure-payloads.js";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "../src/sim/eventhubs/emulator.js";
import { startAzurite, type RunningAzurite } from "../src/sim/storage/azurite.js";

const PARTITIONS = 4;
/** Distinct payloads cycled through; the decoders keep no cache, so repeats cost the same. */
const POOL_SIZE = 900;
const SUBSCRIPTION = "5f0c4b1e-2a3d-4c5b-8e6f-7a8b9c0d1e2f";
const SERVICES = [
  { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim-dr/providers/Microsoft.ApiManagement/service/apim-contoso-weu`, region: "westeurope" },
  { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim-dr/providers/Microsoft.ApiManagement/service/apim-contoso-neu`, region: "northeurope" },
];

const USAGE = "usage: tsx bench/ingest.ts [--events N (default 20000)] [--time-limit SECONDS per run (default 120)] [--batch-size N (default 50, the controller's)]";

function options(): { events: number; timeLimitMs: number; batchSize: number } {
  let values: { events?: string; "time-limit"?: string; "batch-size"?: string };
  try {
    values = parseArgs({ options: { events: { type: "string" }, "time-limit": { type: "string" }, "batch-size": { type: "string" } }, strict: true }).values;
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  const events = Number(values.events ?? 20_000);
  const seconds = Number(values["time-limit"] ?? 120);
  if (!Number.isInteger(events) || events < PARTITIONS) throw new Error(`--events must be a whole number of at least ${PARTITIONS}, got '${values.events}'\n${USAGE}`);
  if (!(seconds > 0)) throw new Error(`--time-limit must be a positive number of seconds, got '${values["time-limit"]}'\n${USAGE}`);
  const batchSize = Number(values["batch-size"] ?? 50);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size must be a positive whole number, got '${values["batch-size"]}'\n${USAGE}`);
  return { events, timeLimitMs: seconds * 1000, batchSize };
}

/** One of nine shapes Azure puts on the hub, in turn: alerts of every kind, activity-log and resource-log records. */
function payload(i: number): unknown {
  const service = SERVICES[i % SERVICES.length]!;
  const at = Date.UTC(2026, 11, 1, 8, 0, 0) + i * 1000;
  const op = { resourceId: `${service.id}/apis/orders/operations/op-${i}`, operationName: "Microsoft.ApiManagement/service/apis/operations/write", at };
  switch (i % 9) {
    case 0:
    case 1:
      return metricAlert({
        ruleName: "apim-5xx",
        resourceId: service.id,
        severity: 1,
        condition: i % 9 === 0 ? "Fired" : "Resolved",
        firedAt: at,
        resolvedAt: at + 300_000,
        metricName: "Requests",
        threshold: 5,
        metricValue: 80,
        dimensions: [{ name: "Location", value: regionDisplayName(service.region) }],
      });
    case 2:
      return logSearchAlert({ ruleName: "apim-gateway-failures", resourceId: service.id, severity: 2, condition: "Fired", firedAt: at, query: "ApiManagementGatewayLogs | summarize count() by Region", threshold: 10, metricValue: 25, dimensions: [{ name: "Region", value: regionDisplayName(service.region) }] });
    case 3:
      return resourceHealthAlert({ resourceId: service.id, current: "Unavailable", previous: "Available", at });
    case 4:
      return resourceHealthRecords([{ resourceId: service.id, status: "Degraded", previous: "Available", at }]);
    case 5:
      return serviceHealthAlert({ subscriptionId: SUBSCRIPTION, service: "API Management", regions: [service.region], trackingId: `BENCH-${i}`, stage: "Active", impactStartedAt: at, at });
    case 6:
      return administrativeAlert(op);
    case 7:
      return administrativeRecords([op, { ...op, resourceId: `${service.id}/products/p-${i}`, operationName: "Microsoft.ApiManagement/service/products/write" }]);
    default:
      return gatewayLogRecords(Array.from({ length: 20 }, (_, r) => ({ serviceId: service.id, region: service.region, responseCode: r % 5 === 0 ? 503 : 200, at: at + r })));
  }
}

const pool: Buffer[] = Array.from({ length: POOL_SIZE }, (_, i) => Buffer.from(JSON.stringify(payload(i)), "utf8"));
const bodyOf = (i: number) => pool[i % POOL_SIZE]!;

interface RunResult {
  events: number;
  ms: number;
  complete: boolean;
}

const perSecond = (r: RunResult) => Math.round((r.events / r.ms) * 1000);

function decodeAlone(events: number): RunResult & { signals: number } {
  for (let i = 0; i < 2_000; i++) decodePayload(bodyOf(i)); // warm-up: let the JIT settle first
  let signals = 0;
  const start = performance.now();
  for (let i = 0; i < events; i++) {
    const result = decodePayload(bodyOf(i));
    if (!result.ok) throw new Error(`payload ${i % POOL_SIZE} does not decode: ${result.error}`);
    signals += result.signals.length;
  }
  return { events, ms: performance.now() - start, complete: true, signals };
}

let interrupted = false;

/** Resolves when `done()` holds, the deadline passes or the run is interrupted (checked every 5 ms). */
function until(done: () => boolean, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (done() || interrupted || performance.now() > deadline) {
        clearInterval(timer);
        resolve(done());
      }
    }, 5);
  });
}

interface Lab {
  emulator: RunningEventHubsEmulator;
  azurite: RunningAzurite;
  /** Events per handler batch, and so per checkpoint write. */
  batchSize: number;
}

/**
 * Waits until the consumer reads every partition of `hub`, publishes `events` payloads round-robin over
 * the partitions and times until `processed()` reaches them. Publishing is inside the timed window.
 */
async function timeConsumer(lab: Lab, hub: string, events: number, timeLimitMs: number, processed: () => number): Promise<RunResult & { publishMs: number }> {
  const readers = () => Object.entries(lab.emulator.stats().readers).filter(([k, n]) => k.startsWith(`${hub}/`) && n > 0).length;
  if (!(await until(() => readers() === PARTITIONS, performance.now() + 30_000))) {
    throw new Error(`the consumer did not read all ${PARTITIONS} partitions of '${hub}' within 30 s (reading ${readers()})`);
  }
  const start = performance.now();
  for (let i = 0; i < events; i++) lab.emulator.publish(hub, bodyOf(i), { partitionId: String(i % PARTITIONS) });
  const publishMs = performance.now() - start;
  const complete = await until(() => processed() >= events, start + timeLimitMs);
  return { events: processed(), ms: performance.now() - start, complete, publishMs };
}

function sourceFor(lab: Lab, hub: string) {
  return createEventHubsEventSource({
    eventHub: { connectionString: lab.emulator.connectionString, eventHubName: hub },
    checkpoints: { connectionString: lab.azurite.connectionString, containerName: `checkpoints-${hub}` },
    maxBatchSize: lab.batchSize,
    maxWaitTimeInSeconds: 1,
    loadBalancing: { updateIntervalInMs: 500 },
  });
}

async function endToEnd(lab: Lab, events: number, timeLimitMs: number) {
  const deadLetters = createMemoryDeadLetterStore();
  let consumer: SignalConsumer | undefined;
  try {
    consumer = await startSignalConsumer({ source: sourceFor(lab, "bench-e2e"), deadLetters, clock: systemClock(), onSignals: async () => undefined });
    const c = consumer;
    const result = await timeConsumer(lab, "bench-e2e", events, timeLimitMs, () => c.stats().decoded + c.stats().deadLettered);
    return { ...result, stats: c.stats() };
  } finally {
    await consumer?.close();
  }
}

async function bareConsumer(lab: Lab, events: number, timeLimitMs: number) {
  let counted = 0;
  let stream: EventStream | undefined;
  try {
    stream = await sourceFor(lab, "bench-bare").startEventStream({ handler: async () => void counted++, onError: () => undefined });
    return await timeConsumer(lab, "bench-bare", events, timeLimitMs, () => counted);
  } finally {
    await stream?.close();
  }
}

async function run(): Promise<number> {
  const { events, timeLimitMs, batchSize } = options();
  const averageKb = pool.reduce((sum, b) => sum + b.length, 0) / pool.length / 1024;
  console.log(`bench:ingest — ${events} events per run, 9 Azure payload shapes in turn (average ${averageKb.toFixed(1)} KB), ${PARTITIONS} partitions, batches of ${batchSize} (one checkpoint each), loopback`);

  const decode = decodeAlone(events);
  console.log(`decode alone     ${String(perSecond(decode)).padStart(8)} events/s   (${events} events in ${(decode.ms / 1000).toFixed(2)} s, ${(decode.signals / events).toFixed(2)} signals per event)`);

  let azurite: RunningAzurite | undefined;
  let emulator: RunningEventHubsEmulator | undefined;
  const onSignal = () => (interrupted = true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    azurite = await startAzurite();
    emulator = await startEventHubsEmulator({
      hubs: ["bench-e2e", "bench-bare"].map((name) => ({ name, partitionCount: PARTITIONS })),
      maxEventsPerPartition: Math.max(10_000, Math.ceil(events / PARTITIONS)),
    });
    const lab: Lab = { azurite, emulator, batchSize };

    const e2e = await endToEnd(lab, events, timeLimitMs);
    console.log(
      `end to end       ${String(perSecond(e2e)).padStart(8)} events/s   (${e2e.events} events in ${(e2e.ms / 1000).toFixed(2)} s, publishing ${(e2e.publishMs / 1000).toFixed(2)} s of it; ${e2e.stats.signals} signals, ${e2e.stats.deadLettered} dead-lettered)`,
    );
    const bare = await bareConsumer(lab, events, timeLimitMs);
    console.log(`bare consumer    ${String(perSecond(bare)).padStart(8)} events/s   (${bare.events} events in ${(bare.ms / 1000).toFixed(2)} s, publishing ${(bare.publishMs / 1000).toFixed(2)} s of it)`);

    const incomplete = [e2e.complete ? null : "end to end", bare.complete ? null : "bare consumer"].filter(Boolean);
    if (incomplete.length) {
      console.error(`${interrupted ? "interrupted" : `time limit of ${timeLimitMs / 1000} s reached`}: ${incomplete.join(" and ")} did not take in all ${events} events; the figures cover what arrived`);
    }
    console.log(JSON.stringify({ decodePerSec: perSecond(decode), endToEndPerSec: perSecond(e2e), bareConsumerPerSec: perSecond(bare) }));
    return incomplete.length ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await emulator?.stop();
    await azurite?.stop();
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench:ingest: ${(error as Error).message ?? String(error)}`);
    process.exitCode = 1;
  },
);
