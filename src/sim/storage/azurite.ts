import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface AzuriteOptions {
  /** Workspace folder; a fresh temporary folder (removed on stop) when omitted. */
  location?: string;
  /** 0 (default) picks a free port. */
  blobPort?: number;
}

export interface RunningAzurite {
  blobEndpoint: string; // http://127.0.0.1:PORT/devstoreaccount1
  accountName: string;
  accountKey: string;
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite's blob service on 127.0.0.1 as a child process and waits until it listens. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const require = createRequire(import.meta.url);
  try {
    require.resolve("azurite/package.json");
  } catch {
    throw new Error("Azurite is not installed: the simulator needs the dev dependency 'azurite' (run `npm ci` in the apim-dr checkout).");
  }
  const ownLocation = !options.location;
  const location = options.location ?? (await mkdtemp(join(tmpdir(), "apim-dr-azurite-")));
  const here = dirname(fileURLToPath(import.meta.url));
  const childScript = join(here, here.includes(`${join("dist", "sim")}`) ? "azurite-child.js" : "azurite-child.ts");
  const execArgv = childScript.endsWith(".ts") ? ["--import", "tsx"] : [];
  const child = spawn(
    process.execPath,
    [
      ...execArgv,
      childScript,
      "--blobHost", "127.0.0.1",
      "--blobPort", String(options.blobPort ?? 0),
      "--location", location,
      "--skipApiVersionCheck",
      "--disableTelemetry",
      "--loose",
    ],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const port = await waitForListening(child);
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
  let stopped = false;
  return {
    blobEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child, ownLocation);
      if (ownLocation) await rm(location, { recursive: true, force: true });
    },
  };
}

function waitForListening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s. Its output:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on https?:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        // Keep draining so Azurite never blocks on a full pipe.
        child.stdout?.resume();
        resolve(Number(match[1]));
      }
    };
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    child.once("exit", (code) => fail(new Error(`Azurite exited with status ${code} before listening. Its output:\n${output}`)));
  });
}

/**
 * SIGTERM makes Azurite close gracefully, which waits for idle keep-alive connections (5 s, then SIGKILL).
 * A throwaway location needs no graceful close: closing stdin ends the child at once (see azurite-child.ts).
 */
function stopChild(child: ChildProcess, throwaway: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    if (throwaway) child.stdin?.end();
    else child.kill("SIGTERM");
  });
}
