/**
 * Failover benchmark: region outages against the simulator (with APIM's real `Retry-After: 60` on
 * backup/restore polls) for N pairs at once, and the idle cost of N pairs. The controller is the
 * real `apim-dr run` in a child process; its CPU and RSS are read from /proc. See bench/README.md.
 *
 *   npx tsx bench/failover.ts [--outage 1,10,50] [--idle 1,10,50,200] [--idle-seconds 30]
 *                             [--restore-ms 3000] [--throttle 10] [--no-drill] [--readiness-seconds N] [--profile DIR] [--heap-snapshot DIR] [--keep]
 *   (npm run bench:failover)
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { ControllerClient } from "../src/server/controller-client.js";
import type { ControllerProcess } from "../src/drill/controller-process.js";
import { runScenario } from "../src/drill/run-scenario.js";
import { loadScenarios } from "../src/drill/scenario.js";
import type { AuditEntry } from "../src/ports/state.js";
import { ADMIN_TOKEN_ENV } from "../src/server/admin-server.js";
import type { PairStatus } from "../src/server/controller-api.js";
import { simControllerConfig, simEnv } from "../src/sim/controller-config.js";
import { startSimulatedAzure, type SimEvent, type SimulatedAzure } from "../src/sim/index.js";

const { values } = parseArgs({
  options: {
    outage: { type: "string", default: "1,10,50" },
    idle: { type: "string", default: "1,10,50,200" },
    "idle-seconds": { type: "string", default: "30" },
    "restore-ms": { type: "string", default: "3000" },
    throttle: { type: "string", default: "10" },
    "no-drill": { type: "boolean", default: false },
    /** Write a CPU profile of each controller run into this folder (node --cpu-prof). */
    profile: { type: "string" },
    /** The controller's V8 old-space limit in MiB (node --max-old-space-size); V8's own default when absent. */
    "heap-limit": { type: "string" },
    /** Readiness rounds every N seconds instead of config/sim.yaml's 5 (the drills' pace; production's example is 300). */
    "readiness-seconds": { type: "string" },
    /** Write a heap snapshot of the controller into this folder at the end of each idle measurement. */
    "heap-snapshot": { type: "string" },
    /** Leave each run's folder (the controller's log, its config, the simulator's state) instead of removing it. */
    keep: { type: "boolean", default: false },
  },
});
const list = (text: string) => (text ? text.split(",").map(Number).filter((n) => n > 0) : []);
const OUTAGE_PAIRS = list(values.outage);
const IDLE_PAIRS = list(values.idle);
const IDLE_SECONDS = Number(values["idle-seconds"]);
const RESTORE_MS = Number(values["restore-ms"]);
const THROTTLE_PAIRS = Number(values.throttle);
const TOKEN = "bench-admin-token";
const CLK_TCK = 100; // Linux USER_HZ
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- the controller process, from /proc

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return kb ? Number(kb[1]) / 1024 : NaN;
}

/** CPU of one core used by the process over `ms`, in percent. */
async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuTicks(pid);
  const w0 = performance.now();
  await sleep(ms);
  return ((cpuTicks(pid) - t0) / CLK_TCK / ((performance.now() - w0) / 1000)) * 100;
}

/** The controller's NODE_OPTIONS: the CPU profile preload and the heap-snapshot signal, when asked for. */
function nodeOptions(): Record<string, string> {
  const options = [
    ...(values.profile ? [`--import ${join(import.meta.dirname, "support", "cpu-profile.mjs")}`] : []),
    ...(values["heap-snapshot"] ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${values["heap-snapshot"]}`] : []),
    ...(values["heap-limit"] ? [`--max-old-space-size=${Number(values["heap-limit"])}`] : []),
  ];
  return {
    ...(options.length ? { NODE_OPTIONS: options.join(" ") } : {}),
    ...(values.profile ? { APIM_DR_BENCH_PROFILE_DIR: values.profile } : {}),
  };
}

// The controller as deployed: the built CLI (dist/), not the TypeScript source through tsx, whose loader and
// transpiled sources would count in the controller's CPU and memory.
const BUILT = join(import.meta.dirname, "..", "dist", "drill", "controller-process.js");
if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first (the benchmark runs the built controller).`);
const { ControllerProcess: BuiltControllerProcess } = (await import(BUILT)) as { ControllerProcess: typeof ControllerProcess };

interface Running {
  sim: SimulatedAzure;
  controller: ControllerProcess;
  client: ControllerClient;
  pid: number;
  dir: string;
  events: SimEvent[];
}

async function start(pairs: number, extra: { throttled?: boolean } = {}): Promise<Running> {
  const dir = await mkdtemp(join(tmpdir(), `apim-dr-bench-${pairs}-`));
  const sim = await startSimulatedAzure({ stateDir: join(dir, "sim"), world: { pairCount: pairs }, restoreDurationMs: RESTORE_MS, ...(extra.throttled ? { retryAfterSeconds: 5 } : {}) });
  const events: SimEvent[] = [];
  sim.onEvent((e) => events.push(e));
  const configPath = join(dir, "config.yaml");
  const config = (await simControllerConfig(sim)) as { readiness?: { intervalSeconds?: number } };
  if (values["readiness-seconds"]) config.readiness = { ...config.readiness, intervalSeconds: Number(values["readiness-seconds"]) };
  await writeFile(configPath, stringify(config));
  const controller = new BuiltControllerProcess(configPath, { ...simEnv(sim), [ADMIN_TOKEN_ENV]: TOKEN, APIM_DR_LOG_LEVEL: "info", ...nodeOptions() }, join(dir, "controller.log"));
  let url: string;
  try {
    url = await controller.start(120_000);
  } catch (error) {
    await controller.kill();
    await sim.stop();
    throw error;
  }
  const client = new ControllerClient(url, TOKEN);
  const pid = controller.pid;
  if (pid === undefined) throw new Error("the controller has no pid");
  return { sim, controller, client, pid, dir, events };
}

async function stop(r: Running): Promise<void> {
  await r.controller.stop();
  await r.sim.stop();
  if (values.keep) console.log(`  kept ${r.dir} (controller.log, config.yaml, the simulator's state)`);
  else await rm(r.dir, { recursive: true, force: true });
}

/** Polls `check` every `everyMs` (1 s by default: a pair's status costs the controller CPU, the bench must not load it). */
async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | null | false>, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}`);
    await sleep(everyMs);
  }
}

const allHealthy = (pairs: PairStatus[]) => pairs.every((p) => p.health.primary.verdict === "healthy" && p.health.standby.verdict === "healthy");

// ---------------------------------------------------------------- idle

interface IdleRow {
  pairs: number;
  cpuPercent: number;
  /** This process: the simulator (ARM, gateways answering the probes, Event Hubs) and the bench loop. */
  simCpuPercent: number;
  armReadsPerMin: number;
  rssMiB: number;
  flaps: number;
}

async function measureIdle(r: Running, pairs: number): Promise<IdleRow> {
  await until("every pair healthy", 120_000, async () => allHealthy(await r.client.listPairs()));
  await sleep(5_000); // start-up work (first reads, replay) settles
  const reads0 = r.sim.stats().arm.reads;
  const suspect0 = await suspectTransitions(r);
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const cpu = await cpuPercent(r.pid, IDLE_SECONDS * 1000);
  const own = process.cpuUsage(own0);
  const minutes = (performance.now() - t0) / 60_000;
  const simCpuPercent = ((own.user + own.system) / 1000 / (minutes * 60_000)) * 100;
  const reads = r.sim.stats().arm.reads - reads0;
  const row = { pairs, cpuPercent: cpu, simCpuPercent, armReadsPerMin: reads / minutes, rssMiB: rssMiB(r.pid), flaps: (await suspectTransitions(r)) - suspect0 };
  if (values["heap-snapshot"]) {
    process.kill(r.pid, "SIGUSR2");
    await sleep(10_000 + pairs * 100); // Node writes the snapshot synchronously: give it time before anything else
  }
  return row;
}

/** Entries into monitoring.suspect over all pairs: a healthy idle world should have none. */
async function suspectTransitions(r: Running): Promise<number> {
  try {
    const audit = await r.client.audit();
    return audit.filter((e) => e.type === "transition" && e.state === "monitoring.suspect").length;
  } catch {
    return NaN; // the controller did not answer in time (a figure in itself): the flaps stay unknown
  }
}

// ---------------------------------------------------------------- region outage

interface OutageRow {
  pairs: number;
  throttled: boolean;
  failedOver: number;
  detectionMs: Stat;
  toRestoreStartMs: Stat;
  restoreEndToSeenMs: Stat;
  verificationMs: Stat;
  dnsMs: Stat;
  lastRtoMs: number;
  peakRestores: number;
  armReadsPerMin: number;
  rssMiB: number;
}

interface Stat {
  median: number;
  max: number;
}

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN, max: s.length ? s[s.length - 1]! : NaN };
};

async function measureOutage(r: Running, pairs: number, throttled: boolean): Promise<OutageRow> {
  const { sim, client } = r;
  await until("every pair healthy", 120_000, async () => allHealthy(await client.listPairs()));
  // A backup within the RPO for every pair, so the failover restores it (no fresh backup of a dead primary).
  for (const p of sim.pairs) sim.change(p.primary.name, 1);
  await until("a recorded backup of every pair", 180_000, async () => {
    const list = await client.listPairs();
    return list.every((p) => p.backup.latest !== null && p.backup.unbackedChanges === 0 && p.backup.running === null);
  });
  if (throttled) await sim.fault("throttle", {}, { durationMs: 20_000, retryAfterSeconds: 5 });
  const reads0 = sim.stats().arm.reads;
  const outageAt = Date.now();
  await sim.fault("region-outage", { region: sim.services.primary.region }, { managementPlane: "down" });
  let peakRestores = 0;
  // Watched in the simulator (every CNAME on its standby), not through the controller's API.
  await until(
    "every CNAME on its standby",
    600_000,
    async () => {
      const stats = sim.stats();
      const running = Object.values(stats.services).reduce((n, s) => n + s.restores.started - s.restores.succeeded - s.restores.failed, 0);
      peakRestores = Math.max(peakRestores, running);
      return sim.pairs.every((p) => stats.dns[`${p.recordName}.${sim.dns.zoneName}`]?.cname === p.standby.gatewayHost);
    },
    100,
  );
  const minutes = (Date.now() - outageAt) / 60_000;
  const armReadsPerMin = (sim.stats().arm.reads - reads0) / minutes;
  const rss = rssMiB(r.pid);
  // The audit trail is appended just after the transition the status shows.
  const audit = await until("the audit trail of every failover", 30_000, async () => {
    const entries = await client.audit();
    const done = new Set(entries.filter((e) => e.type === "transition" && e.state === "failedOver" && Date.parse(e.at) >= outageAt).map((e) => e.pair));
    return done.size >= sim.pairs.length ? entries : null;
  }).catch(() => client.audit());
  const restoreEnds = new Map<string, number>();
  for (const e of r.events) if (e.type === "operation" && e.kind === "restore" && e.status === "succeeded") restoreEnds.set(e.serviceId.toLowerCase(), Date.parse(e.at));

  const rows = sim.pairs.map((p) => {
    const own = audit.filter((e: AuditEntry) => e.pair === p.name && e.type === "transition" && Date.parse(e.at) >= outageAt).map((e) => ({ at: Date.parse(e.at), state: e.state ?? "" }));
    const first = (prefix: string) => own.find((t) => t.state.startsWith(prefix))?.at ?? NaN;
    const detected = first("failingOver");
    const restoring = first("failingOver.restoring");
    const verifying = first("failingOver.verifyingStandby");
    const switching = first("failingOver.switchingDns");
    const done = first("failedOver");
    const restoreEnd = restoreEnds.get(p.standby.id.toLowerCase()) ?? NaN;
    return { detection: detected - outageAt, toRestore: restoring - detected, seen: verifying - restoreEnd, verification: switching - verifying, dns: done - switching, rto: done - outageAt };
  });
  const ok = rows.filter((x) => Number.isFinite(x.rto));
  return {
    pairs,
    throttled,
    failedOver: ok.length,
    detectionMs: stat(ok.map((x) => x.detection)),
    toRestoreStartMs: stat(ok.map((x) => x.toRestore)),
    restoreEndToSeenMs: stat(ok.map((x) => x.seen)),
    verificationMs: stat(ok.map((x) => x.verification)),
    dnsMs: stat(ok.map((x) => x.dns)),
    lastRtoMs: Math.max(...ok.map((x) => x.rto)),
    peakRestores,
    armReadsPerMin,
    rssMiB: rss,
  };
}

// ---------------------------------------------------------------- the default region-outage drill

interface DrillShare {
  rtoMs: number;
  detectionMs: number;
  restoreMs: number;
  dnsMs: number;
  ownMs: number;
  ownAfterDetectionMs: number;
}

async function drillShare(): Promise<DrillShare> {
  const scenario = (await loadScenarios(join(import.meta.dirname, "..", "config", "scenarios"))).find((s) => s.name === "region-outage")!;
  const dir = await mkdtemp(join(tmpdir(), "apim-dr-bench-drill-"));
  try {
    const result = await runScenario(scenario, dir);
    if (!result.passed || result.rtoMs === null) throw new Error(`the region-outage drill failed: ${result.error ?? JSON.stringify(result.expectations.filter((e) => !e.passed))}`);
    const phase = (name: string) => result.phases.filter((p) => p.name === name).slice(0, 1).reduce((n, p) => n + p.endMs - p.startMs, 0);
    const restoreMs = scenario.simulator?.restoreDurationMs ?? 3000;
    const dnsMs = phase("DNS change");
    const detectionMs = result.detectionMs ?? 0;
    const ownMs = result.rtoMs - restoreMs - dnsMs;
    return { rtoMs: result.rtoMs, detectionMs, restoreMs, dnsMs, ownMs, ownAfterDetectionMs: ownMs - detectionMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- main

const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "–");
const both = (x: Stat) => `${s(x.median)} / ${s(x.max)}`;

async function main(): Promise<void> {
  const idle: IdleRow[] = [];
  const outages: OutageRow[] = [];
  const sizes = [...new Set([...IDLE_PAIRS, ...OUTAGE_PAIRS])].sort((a, b) => a - b);
  for (const n of sizes) {
    process.stderr.write(`${n} pair(s): starting the simulator and the controller\n`);
    const r = await start(n);
    try {
      if (IDLE_PAIRS.includes(n)) {
        idle.push(await measureIdle(r, n));
        process.stderr.write(`  idle: ${JSON.stringify(idle.at(-1))}\n`);
      }
      if (OUTAGE_PAIRS.includes(n)) {
        outages.push(await measureOutage(r, n, false));
        process.stderr.write(`  outage: ${JSON.stringify(outages.at(-1))}\n`);
      }
    } finally {
      await stop(r);
    }
  }
  if (THROTTLE_PAIRS > 0) {
    process.stderr.write(`${THROTTLE_PAIRS} pair(s) under ARM throttling: starting\n`);
    const r = await start(THROTTLE_PAIRS, { throttled: true });
    try {
      outages.push(await measureOutage(r, THROTTLE_PAIRS, true));
      process.stderr.write(`  outage: ${JSON.stringify(outages.at(-1))}\n`);
    } finally {
      await stop(r);
    }
  }
  const drill = values["no-drill"] ? null : await drillShare();

  const readinessPace = values["readiness-seconds"] ? `readiness every ${values["readiness-seconds"]} s` : "readiness every 5 s (config/sim.yaml)";
  console.log(`\nIdle (${IDLE_SECONDS} s after every pair is healthy; ${readinessPace}; CPU in % of one core)\n`);
  console.log("| pairs | controller CPU | simulator CPU | ARM requests/min | controller RSS | suspect flaps |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const r of idle) console.log(`| ${r.pairs} | ${r.cpuPercent.toFixed(1)} % | ${r.simCpuPercent.toFixed(0)} % | ${Math.round(r.armReadsPerMin)} | ${Math.round(r.rssMiB)} MiB | ${Number.isNaN(r.flaps) ? "? (audit not read in time)" : r.flaps} |`);

  console.log(`\nRegion outage (primary region lost, management plane too; restore ${RESTORE_MS / 1000} s; Retry-After 60 on backup/restore polls). Median / max over the pairs.\n`);
  console.log("| pairs | failed over | detection | detection→restore start | restore end→seen | verification | DNS | last pair's RTO | peak concurrent restores | ARM requests/min | controller RSS |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of outages) {
    console.log(
      `| ${r.pairs}${r.throttled ? " (ARM throttled 20 s, Retry-After 5)" : ""} | ${r.failedOver}/${r.pairs} | ${both(r.detectionMs)} | ${both(r.toRestoreStartMs)} | ${both(r.restoreEndToSeenMs)} | ${both(r.verificationMs)} | ${both(r.dnsMs)} | ${s(r.lastRtoMs)} | ${r.peakRestores} | ${Math.round(r.armReadsPerMin)} | ${Math.round(r.rssMiB)} MiB |`,
    );
  }
  const one = outages.find((r) => r.pairs === 1 && !r.throttled);
  const fifty = outages.find((r) => r.pairs === 50 && !r.throttled);
  if (one && fifty) console.log(`\n50 pairs: last RTO ${s(fifty.lastRtoMs)} = ${(fifty.lastRtoMs / one.lastRtoMs).toFixed(2)}× one pair (${s(one.lastRtoMs)})`);
  const throttled = outages.find((r) => r.throttled);
  const same = throttled && outages.find((r) => r.pairs === throttled.pairs && !r.throttled);
  if (throttled && same) console.log(`ARM throttling added ${s(throttled.lastRtoMs - same.lastRtoMs)} to the last RTO of ${throttled.pairs} pairs (${throttled.failedOver}/${throttled.pairs} completed)`);
  if (drill) {
    console.log(
      `\nDefault region-outage drill: RTO ${s(drill.rtoMs)} = simulated restore ${s(drill.restoreMs)} + DNS ${s(drill.dnsMs)} + the controller's own share ${s(drill.ownMs)} ` +
        `(detection ${s(drill.detectionMs)}, everything after it ${s(drill.ownAfterDetectionMs)})`,
    );
  }
  console.log(JSON.stringify({ idle, outages, drill }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
