/**
 * Intake after kill -9 (issue 14, item 5): how long a restarted controller takes to evaluate Event Hubs events again.
 * The simulator runs in this process (as in bench/failover.ts); `apim-dr run` is a child process. Signals (Resource
 * Health "Available" records, which change nothing) are sent every 100 ms across the hub's partitions throughout.
 * Each repetition: wait for intake, kill -9 the controller, start it again, and time spawn → "listening" and
 * spawn → the first event it evaluated (its `apim_dr_events_decoded_total` moving, polled every 25 ms), and
 * spawn → every partition evaluated again (each partition's checkpoint, written right after its batch is evaluated,
 * passes an event sent after the spawn; polled every 100 ms).
 * The contrast runs restart under a different owner id (another replica id): the dead process's claims on the
 * partitions hold until they expire (the SDK's 60 s), so the new owner takes only what the load balancer lets it steal.
 *
 *   npm run build && npx tsx bench/intake-restart.ts [--repetitions 5] [--contrast 1] [--limit-seconds 90] [--source] [--keep]
 *   (npm run bench:intake-restart)
 */
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { existsSync } from "node:fs";
import type * as ControllerProcessModule from "../src/drill/controller-process.js";
import { ADMIN_TOKEN_ENV } from "../src/server/admin-server.js";
import { simControllerConfig, simEnv, SIM_CHECKPOINT_CONTAINER, SIM_STORAGE_KEY_ENV } from "../src/sim/controller-config.js";
import { resourceHealthRecords } from "../src/sim/eventhubs/azure-payloads.js";
import { startSimulatedAzure, SIM_EVENT_HUB_PARTITIONS } from "../src/sim/index.js";

const { values } = parseArgs({
  options: {
    repetitions: { type: "string", default: "5" },
    contrast: { type: "string", default: "1" },
    "limit-seconds": { type: "string", default: "90" },
    /** Run the controller from the TypeScript source through tsx (slower to start) instead of the built dist/. */
    source: { type: "boolean", default: false },
    /** Keep the controller logs (their folder is printed). */
    keep: { type: "boolean", default: false },
  },
});
const REPETITIONS = Number(values.repetitions);
const CONTRAST = Number(values.contrast);
const LIMIT_MS = Number(values["limit-seconds"]) * 1000;
const TOKEN = "bench-admin-token";
const REPLICA = "bench-intake";
const CONSUMER_GROUP = "apim-dr-bench-intake";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The controller as users run it (`node dist/cli/main.js run`): ControllerProcess starts the CLI next to itself.
const BUILT = new URL("../dist/drill/controller-process.js", import.meta.url);
if (!values.source && !existsSync(BUILT)) {
  console.error("bench:intake-restart runs the built controller: run `npm run build` first (or pass --source to run it through tsx)");
  process.exit(2);
}
const { ControllerProcess } = (values.source ? await import("../src/drill/controller-process.js") : await import(BUILT.href)) as typeof ControllerProcessModule;

const dir = await mkdtemp(join(tmpdir(), "apim-dr-bench-intake-"));
const sim = await startSimulatedAzure({ stateDir: join(dir, "sim"), consumerGroups: [CONSUMER_GROUP] });
const base = (await simControllerConfig(sim)) as Record<string, unknown>;
/** The owner id is `apim-dr-<replicaId>`: a coordination section names the replica (one replica, its own lease). */
const configFor = async (replicaId: string) => {
  const path = join(dir, `${replicaId}.yaml`);
  const coordination = {
    leaseStore: { accountName: sim.storage.accountName, blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountKeyEnv: SIM_STORAGE_KEY_ENV } },
    replicaId,
    region: sim.services.standby.region,
  };
  // One consumer group for every run: the contrast differs in the owner id only.
  const signals = base.signals as { eventHubs: Record<string, unknown> };
  await writeFile(path, stringify({ ...base, signals: { ...signals, eventHubs: { ...signals.eventHubs, consumerGroup: CONSUMER_GROUP } }, coordination }));
  return path;
};
const env = { ...simEnv(sim), [ADMIN_TOKEN_ENV]: TOKEN, APIM_DR_LOG_LEVEL: "info" };

// Signals every 100 ms, spread over every partition, for the whole run.
let sent = 0;
const sender = setInterval(() => {
  const body = resourceHealthRecords([{ resourceId: sim.services.primary.id, status: "Available", previous: "Available", at: Date.now() }]);
  sim.eventHubs.publish(sim.eventHubName, body, { partitionKey: `bench-${sent++ % (SIM_EVENT_HUB_PARTITIONS * 4)}` });
}, 100);

async function decoded(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const match = /^apim_dr_events_decoded_total(?:\{\})? (\d+)/m.exec(await res.text());
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const checkpointContainer = new ContainerClient(`${sim.storage.blobEndpoint.replace(/\/+$/, "")}/${SIM_CHECKPOINT_CONTAINER}`, new StorageSharedKeyCredential(sim.storage.accountName, sim.storage.accountKey));

/** Per partition, the sequence number last checkpointed by the bench's consumer group. */
async function checkpointed(): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const blob of checkpointContainer.listBlobsFlat({ includeMetadata: true, prefix: "" })) {
    const match = new RegExp(`/${CONSUMER_GROUP}/checkpoint/(\\d+)$`).exec(blob.name);
    if (match && blob.metadata?.sequencenumber !== undefined) found.set(match[1]!, Number(blob.metadata.sequencenumber));
  }
  return found;
}

/** Per partition, the last sequence number enqueued so far. */
const enqueuedNow = () => new Map((sim.eventHubs.stats().hubs[sim.eventHubName]?.partitions ?? []).map((p) => [p.partitionId, p.lastEnqueuedSequenceNumber]));

/** When every partition has a checkpoint past what it held at `before` (an event sent after the spawn evaluated). */
async function allPartitionsEvaluated(before: Map<string, number>, since: number): Promise<number | null> {
  while (performance.now() - since < LIMIT_MS) {
    const done = await checkpointed().catch(() => new Map<string, number>());
    if ([...before].every(([partition, seq]) => (done.get(partition) ?? -1) > seq)) return performance.now();
    await sleep(100);
  }
  return null;
}

async function firstEvaluated(url: string, since: number): Promise<number | null> {
  while (performance.now() - since < LIMIT_MS) {
    if ((await decoded(url)) > 0) return performance.now();
    await sleep(25);
  }
  return null;
}

interface Row {
  run: string;
  spawnToListeningMs: number;
  spawnToFirstEventMs: number | null;
  listeningToFirstEventMs: number | null;
  spawnToAllPartitionsMs: number | null;
}

const rows: Row[] = [];
const controller = new ControllerProcess(await configFor(REPLICA), env, join(dir, "controller.log"));
let failed = false;
try {
  const url = await controller.start(120_000);
  if ((await firstEvaluated(url, performance.now())) === null) throw new Error(`the first start evaluated no event within ${LIMIT_MS / 1000} s; see ${controller.logPath}`);
  const runs = [...Array.from({ length: REPETITIONS }, (_, i) => ({ run: `same owner id #${i + 1}`, replica: REPLICA })), ...Array.from({ length: CONTRAST }, (_, i) => ({ run: `changed owner id #${i + 1}`, replica: `${REPLICA}-other-${i + 1}` }))];
  let current = controller;
  for (const { run, replica } of runs) {
    await sleep(2_000); // intake runs, checkpoints are written
    await current.kill();
    current = replica === REPLICA ? controller : new ControllerProcess(await configFor(replica), env, join(dir, `${replica}.log`));
    const backlog = enqueuedNow();
    const spawned = performance.now();
    const restartedUrl = await current.start(120_000);
    const listening = performance.now();
    const [first, all] = await Promise.all([firstEvaluated(restartedUrl, spawned), allPartitionsEvaluated(backlog, spawned)]);
    const row: Row = {
      run,
      spawnToListeningMs: Math.round(listening - spawned),
      spawnToFirstEventMs: first === null ? null : Math.round(first - spawned),
      listeningToFirstEventMs: first === null ? null : Math.round(first - listening),
      spawnToAllPartitionsMs: all === null ? null : Math.round(all - spawned),
    };
    rows.push(row);
    const s = (ms: number | null) => (ms === null ? `none within ${LIMIT_MS / 1000} s` : `${(ms / 1000).toFixed(2)} s`);
    console.log(`${run.padEnd(22)} spawn→listening ${s(row.spawnToListeningMs)}, spawn→first event ${s(row.spawnToFirstEventMs)}, listening→first event ${s(row.listeningToFirstEventMs)}, spawn→every partition ${s(row.spawnToAllPartitionsMs)}`);
    if (replica !== REPLICA) {
      // Back to the usual replica (kill the contrast one; the usual one takes its partitions back after the expiry).
      await current.kill();
      current = controller;
      const backlogAgain = enqueuedNow();
      await controller.start(120_000);
      await allPartitionsEvaluated(backlogAgain, performance.now());
    }
  }
  await current.stop();
} catch (error) {
  failed = true;
  throw error;
} finally {
  clearInterval(sender);
  await controller.stop().catch(() => undefined);
  await sim.stop();
  // A failed run keeps its logs.
  if (failed || values.keep) console.error(`logs kept in ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

const summary = (key: "spawnToFirstEventMs" | "spawnToAllPartitionsMs") => {
  const values = rows.filter((r) => r.run.startsWith("same")).map((r) => r[key]);
  const sorted = values.filter((ms): ms is number => ms !== null).sort((a, b) => a - b);
  return { median: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null, max: sorted.at(-1) ?? null, missing: values.length - sorted.length };
};
const first = summary("spawnToFirstEventMs");
const all = summary("spawnToAllPartitionsMs");
const s = (ms: number | null) => (ms === null ? "n/a" : `${(ms / 1000).toFixed(2)} s`);
console.log(`same owner id: spawn→first event median ${s(first.median)}, max ${s(first.max)}; spawn→every partition median ${s(all.median)}, max ${s(all.max)}; ${first.missing + all.missing} timed out; ${sent} signals sent`);
console.log(JSON.stringify({ rows, medianSpawnToFirstEventMs: first.median, medianSpawnToAllPartitionsMs: all.median }));
