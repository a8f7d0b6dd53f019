import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startSimulatedAzure, type SimulatedAzure, type SimulatedAzureOptions } from "../../../src/sim/index.js";
import { simControllerConfig, simEnv } from "../../../src/sim/controller-config.js";
import { BlobRestClient } from "../../../src/sim/storage/blob-rest.js";
import type { PairStatus } from "../../../src/server/controller-api.js";
import { CLI_ENTRY, DaemonProcess, execCli, type CliRun } from "./daemon.js";

import { startTcpProxy } from "../../support/tcp-proxy.js";

export const PAIR = "contoso";
const STATE_CONTAINER = "apim-dr-state"; // config/sim.yaml stateStore.stateContainer

export interface RunningCli {
  /** Everything printed so far, stdout and stderr apart. */
  output(): { stdout: string; stderr: string };
  interrupt(): void;
  exited: Promise<number | null>;
}

/** One simulated Azure in this process, one `apim-dr run` child against it, and the ways a test talks to them. */
export interface DaemonWorld {
  sim: SimulatedAzure;
  daemon: DaemonProcess;
  token: string;
  /** `apim-dr ARGS --controller URL` as a child process with the admin token in its environment (stdin is not a terminal). */
  cli(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** A request to the admin API; `token: false` sends none. */
  /** The same, left running: for watching its output as it comes and interrupting it. */
  cliRunning(args: string[]): RunningCli;
  api(path: string, init?: { method?: string; body?: unknown; token?: string | false }): Promise<{ status: number; json: () => unknown; text: string; contentType: string }>;
  pair(): Promise<PairStatus>;
  /** Polls GET /pairs/contoso until `accept` holds, failing with the last status seen. */
  waitForPair(what: string, accept: (p: PairStatus) => boolean, timeoutMs?: number): Promise<PairStatus>;
  /** The snapshot the daemon last persisted for the pair (from the state container), or null. */
  persistedSnapshot(): Promise<{ value: unknown; context: { operation: { kind: string; step: string } | null } } | null>;
  standbyName: string;
  primaryName: string;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 250 ms until it returns a value; the error names what was awaited and what was last seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, lastSeen: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}; last seen: ${lastSeen()}`);
    await sleep(250);
  }
}

export async function startDaemonWorld(
  options: { sim?: SimulatedAzureOptions; pair?: Record<string, unknown>; health?: Record<string, unknown>; stateStoreEndpoint?: (sim: SimulatedAzure) => Promise<string> } = {},
): Promise<DaemonWorld> {
  const dir = await mkdtemp(join(tmpdir(), "apim-dr-daemon-"));
  const sim = await startSimulatedAzure({ stateDir: join(dir, "sim"), ...options.sim });
  const configPath = join(dir, "config.yaml");
  const config = await simControllerConfig(sim, { ...(options.pair ? { pair: options.pair } : {}), ...(options.health ? { health: options.health } : {}) });
  // E.g. the state store behind a proxy a test can cut.
  if (options.stateStoreEndpoint) Object.assign(config.stateStore as object, { blobEndpoint: await options.stateStoreEndpoint(sim) });
  await writeFile(configPath, stringify(config));
  const token = `daemon-test-${randomBytes(12).toString("hex")}`;
  const daemon = new DaemonProcess(configPath, { ...simEnv(sim), APIM_DR_ADMIN_TOKEN: token, APIM_DR_LOG_LEVEL: "info" });
  const blobs = new BlobRestClient(sim.storage.blobEndpoint, sim.storage.accountName, sim.storage.accountKey);

  const cli = (args: string[], env: Record<string, string> = {}) =>
    execCli([...args, "--controller", daemon.url], { ...process.env, APIM_DR_ADMIN_TOKEN: token, USER: "ops-tester", APIM_DR_ACTOR: "ops-tester", ...env });

  // CLI children a test left running are killed on stop.
  const running: Array<{ kill(): void; exited: Promise<unknown> }> = [];
  const cliRunning = (args: string[]): RunningCli => {
    const child = spawn(process.execPath, [...CLI_ENTRY, ...args, "--controller", daemon.url], {
      env: { ...process.env, APIM_DR_ADMIN_TOKEN: token, USER: "ops-tester", APIM_DR_ACTOR: "ops-tester" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    running.push({ kill: () => child.kill("SIGKILL"), exited });
    return { output: () => ({ stdout, stderr }), interrupt: () => void child.kill("SIGINT"), exited };
  };

  const api: DaemonWorld["api"] = async (path, init = {}) => {
    const token_ = init.token === undefined ? token : init.token;
    const res = await fetch(`${daemon.url}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(token_ ? { authorization: `Bearer ${token_}` } : {}), ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, text, contentType: res.headers.get("content-type") ?? "", json: () => JSON.parse(text) as unknown };
  };

  const pair = async () => (await api(`/pairs/${PAIR}`)).json() as PairStatus;
  let last: PairStatus | null = null;
  let lastAnswer = "";
  const waitForPair = (what: string, accept: (p: PairStatus) => boolean, timeoutMs = 90_000) =>
    waitFor(
      what,
      async () => {
        const res = await api(`/pairs/${PAIR}`);
        // A controller still starting answers 503 without a pair status: keep waiting.
        if (res.status !== 200) {
          lastAnswer = `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
          return undefined;
        }
        last = res.json() as PairStatus;
        return accept(last) ? last : undefined;
      },
      timeoutMs,
      () => (last ? `${last.state}, last decision: ${last.lastDecision?.reason ?? "none"}` : lastAnswer || "no status"),
    );

  const persistedSnapshot = async () => {
    const blob = await blobs.getBlob(STATE_CONTAINER, `${PAIR}.json`).catch(() => null);
    return blob ? (JSON.parse(blob.body) as Awaited<ReturnType<DaemonWorld["persistedSnapshot"]>>) : null;
  };

  return {
    sim,
    daemon,
    token,
    cli,
    cliRunning,
    api,
    pair,
    waitForPair,
    persistedSnapshot,
    primaryName: sim.services.primary.name,
    standbyName: sim.services.standby.name,
    async stop() {
      for (const c of running) {
        c.kill();
        await c.exited;
      }
      await daemon.stop();
      await sim.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A started daemon, healthy, whose state account (snapshots, audit trail, checkpoints) is reached through a TCP proxy
 * the test can cut.
 */
export async function startDaemonWorldWithCuttableStore(): Promise<{ world: DaemonWorld; proxy: Awaited<ReturnType<typeof startTcpProxy>> }> {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
  const world = await startDaemonWorld({
    stateStoreEndpoint: async (sim) => {
      const azurite = new URL(sim.storage.blobEndpoint);
      proxy = await startTcpProxy({ host: azurite.hostname, port: Number(azurite.port) });
      return `http://127.0.0.1:${proxy.port}${azurite.pathname}`;
    },
  });
  await world.daemon.start();
  await world.waitForPair("monitoring", (p) => p.state === "monitoring.healthy", 60_000);
  return { world, proxy: proxy! };
}
