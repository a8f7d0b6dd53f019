/**
 * Soak benchmark: runs the controller daemon (`apim-dr run`, a child process, as deployed) against the
 * simulated Azure for a while and prints its memory at start and end and every process warning it raised
 * (MaxListenersExceededWarning and the like). See bench/README.md.
 *
 *   npx tsx bench/soak.ts [--duration 10m] [--warm-up 60s] [--sample 5s] [--change-every 30s]   (npm run bench:soak)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { parseDuration } from "../src/sim/faults.js";
import { simControllerConfig, simEnv } from "../src/sim/controller-config.js";
import { startSimulatedAzure } from "../src/sim/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10m" },
    "warm-up": { type: "string", default: "60s" },
    sample: { type: "string", default: "5s" },
    "change-every": { type: "string", default: "30s" },
  },
});
const durationMs = parseDuration(values.duration);
const warmUpMs = Math.min(parseDuration(values["warm-up"]), durationMs / 2);
const sampleMs = parseDuration(values.sample);
const changeEveryMs = parseDuration(values["change-every"]);

interface Memory {
  at: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Abort listeners registered on signals that are alive and not aborted, in all and on the busiest signal. */
  abortListeners: number;
  abortListenersMax: number;
}
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const pct = (from: number, to: number) => `${to >= from ? "+" : ""}${(((to - from) / from) * 100).toFixed(1)} %`;

const dir = await mkdtemp(join(tmpdir(), "apim-dr-soak-"));
const sim = await startSimulatedAzure({ stateDir: join(dir, "sim") });
const configPath = join(dir, "config.yaml");
await writeFile(configPath, stringify(await simControllerConfig(sim, { listen: "127.0.0.1:0" })));

const samples: Memory[] = [];
const warnings: { name: string; message: string }[] = [];
const daemon = spawn(
  process.execPath,
  ["--expose-gc", "--import", join(here, "soak-probe.mjs"), join(here, "..", "dist", "cli", "main.js"), "run", "--config", configPath, "--listen", "127.0.0.1:0"],
  { env: { ...process.env, ...simEnv(sim), APIM_DR_ADMIN_TOKEN: "soak-token", SOAK_SAMPLE_MS: String(sampleMs) }, stdio: ["ignore", "pipe", "pipe", "pipe"] },
);
let stderrTail = "";
daemon.stderr!.on("data", (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString()).slice(-4000)));
let probeBuffer = "";
daemon.stdio[3]!.on("data", (chunk: Buffer) => {
  probeBuffer += chunk.toString();
  let nl;
  while ((nl = probeBuffer.indexOf("\n")) >= 0) {
    const line = JSON.parse(probeBuffer.slice(0, nl)) as { type: string } & Memory & { name: string; message: string };
    probeBuffer = probeBuffer.slice(nl + 1);
    if (line.type === "memory") samples.push(line);
    else warnings.push({ name: line.name, message: line.message });
  }
});
const ready = new Promise<void>((resolve, reject) => {
  let seen = "";
  daemon.stdout!.on("data", (chunk: Buffer) => {
    if (seen.length < 100_000) seen += chunk.toString();
    if (seen.includes("admin api listening on")) resolve();
  });
  daemon.once("exit", (code) => reject(new Error(`the daemon exited with status ${code} before it was ready:\n${stderrTail}`)));
});
const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));

let stopping = false;
const stopAll = async () => {
  stopping = true;
  if (daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill("SIGTERM");
    const force = setTimeout(() => daemon.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(force);
  }
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
};
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

try {
  await ready;
  const started = Date.now();
  console.log(`soak: daemon pid ${daemon.pid} against the simulator for ${values.duration} (warm-up ${values["warm-up"]}, a config change every ${values["change-every"]})`);
  const primary = sim.services.primary.name;
  while (Date.now() - started < durationMs && !stopping) {
    // Configuration changes keep the backup scheduler, the Event Hubs path and the audit busy, as in production.
    await fetch(`${sim.adminUrl}/change`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ service: primary, count: 1 }) });
    await new Promise((r) => setTimeout(r, Math.min(changeEveryMs, durationMs - (Date.now() - started))));
    const last = samples.at(-1);
    if (last) console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  rss ${mb(last.rss)}  heap ${mb(last.heapUsed)}  abort listeners ${last.abortListeners} (max ${last.abortListenersMax} on one signal)  warnings ${warnings.length}`);
  }
  const first = samples[0]!;
  const afterWarmUp = samples.find((s) => s.at - started >= warmUpMs) ?? first;
  const end = samples.at(-1)!;
  const listeners = (s: Memory) => `abort listeners ${s.abortListeners} (max ${s.abortListenersMax} on one signal)`;
  console.log(`start          rss ${mb(first.rss)}  heap used ${mb(first.heapUsed)}  (process start, before the controller runs)`);
  console.log(`after warm-up  rss ${mb(afterWarmUp.rss)}  heap used ${mb(afterWarmUp.heapUsed)}  ${listeners(afterWarmUp)}`);
  console.log(`end            rss ${mb(end.rss)}  heap used ${mb(end.heapUsed)}  ${listeners(end)}  (since warm-up: rss ${pct(afterWarmUp.rss, end.rss)}, heap ${pct(afterWarmUp.heapUsed, end.heapUsed)})`);
  console.log(`warnings       ${warnings.length}${warnings.length ? `: ${[...new Set(warnings.map((w) => `${w.name}: ${w.message}`))].join("; ")}` : ""}`);
  console.log(
    JSON.stringify({
      durationS: Math.round((end.at - started) / 1000),
      rssStartMb: +(first.rss / 2 ** 20).toFixed(1),
      rssAfterWarmUpMb: +(afterWarmUp.rss / 2 ** 20).toFixed(1),
      rssEndMb: +(end.rss / 2 ** 20).toFixed(1),
      heapStartMb: +(first.heapUsed / 2 ** 20).toFixed(1),
      heapAfterWarmUpMb: +(afterWarmUp.heapUsed / 2 ** 20).toFixed(1),
      heapEndMb: +(end.heapUsed / 2 ** 20).toFixed(1),
      abortListenersAfterWarmUp: afterWarmUp.abortListeners,
      abortListenersEnd: end.abortListeners,
      warnings: warnings.length,
    }),
  );
} finally {
  await stopAll();
}
