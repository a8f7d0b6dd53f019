import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { earliestEventPosition, EventHubConsumerClient } from "@azure/event-hubs";
import { afterAll, describe, expect, it } from "vitest";

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  // Even when the test timed out: nothing it started may outlive it.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function accepts(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The part of `sim start --json` this test reads. */
interface Descriptor {
  armEndpoint: string;
  adminUrl: string;
  storage: { blobEndpoint: string };
  eventHubsConnectionString: string;
  eventHubName: string;
  gateways: Record<string, string>;
}

describe("apim-dr sim start", () => {
  it("exits on SIGTERM while a consumer is still connected to its Event Hubs emulator, and closes every port", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "apim-dr-sim-sigterm-"));
    dirs.push(stateDir);
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sim", "start", "--json", "--state-dir", stateDir], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    let consumer: EventHubConsumerClient | null = null;
    try {
      const descriptor = await new Promise<Descriptor>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (out.includes("\n")) resolve(JSON.parse(out.split("\n")[0]!) as Descriptor);
        });
        child.once("exit", (code) => reject(new Error(`sim start exited with ${code} before printing: ${stderr}`)));
      });
      const urls: string[] = [
        descriptor.armEndpoint.replace("https", "http"),
        descriptor.adminUrl,
        descriptor.storage.blobEndpoint,
        descriptor.eventHubsConnectionString.replace(/^Endpoint=sb:\/\/([^;]+);.*$/, "http://$1"),
        ...Object.values(descriptor.gateways),
      ];
      for (const url of urls) expect(await accepts(url), url).toBe(true);

      // A controller's consumer: connected, with receivers open on every partition, when the signal comes.
      consumer = new EventHubConsumerClient("$Default", descriptor.eventHubsConnectionString, descriptor.eventHubName);
      const received = new Promise<void>((resolve) => {
        consumer!.subscribe({ processEvents: async (events) => (events.length ? resolve() : undefined), processError: async () => undefined }, { maxWaitTimeInSeconds: 1, startPosition: earliestEventPosition });
      });
      const change = await fetch(`${descriptor.adminUrl}/change`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ service: "westeurope" }) });
      expect(change.status).toBe(200);
      await received;

      child.kill("SIGTERM");
      // Not a speed target: a generous bound so that a process that never exits fails the test instead of hanging it.
      const outcome = await Promise.race([exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), 20_000))]);
      expect(outcome).toEqual({ code: 0, signal: null });
      expect(stderr).not.toContain("exiting anyway"); // it ended by itself, not through the last-resort timer
      for (const url of urls) expect(await accepts(url), url).toBe(false);
    } finally {
      await consumer?.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    }
  });
});
