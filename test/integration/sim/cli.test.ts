import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../../src/cli/main.js";
import { validateConfig } from "../../../src/config/index.js";
import { captureContext } from "../../support/cli.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(u.port), u.hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("apim-dr sim", () => {
  it("start --json runs until SIGTERM, writes sim.json, sim.env and a valid controller config, and leaves nothing behind", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "apim-dr-sim-cli-"));
    dirs.push(stateDir);
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sim", "start", "--json", "--state-dir", stateDir], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.once("exit", (code) => reject(new Error(`sim start exited with ${code} before printing: ${err}`)));
      });
      const descriptor = JSON.parse(line);
      for (const key of ["armEndpoint", "caCertPath", "adminUrl", "configPath", "subscriptionId"]) expect(descriptor[key]).toEqual(expect.any(String));
      expect(descriptor.storage).toMatchObject({ blobEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/), accountName: "devstoreaccount1" });
      expect(Object.keys(descriptor.gateways).sort()).toEqual(["northeurope", "westeurope"]);
      expect(descriptor.eventHubsConnectionString).toMatch(/^Endpoint=sb:\/\/127\.0\.0\.1:\d+;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[^;]+;UseDevelopmentEmulator=true$/);
      expect(descriptor).toMatchObject({ eventHubName: "apim-dr-signals", eventHubsConsumerGroup: "$Default", envPath: join(stateDir, "sim.env") });
      expect(JSON.parse(await readFile(join(stateDir, "sim.json"), "utf8"))).toEqual(descriptor);
      const configText = await readFile(descriptor.configPath, "utf8");
      expect(configText).not.toContain(descriptor.eventHubsConnectionString);
      const config = validateConfig(parse(configText), "config.yaml");
      expect(config.azure.armEndpoint).toBe(descriptor.armEndpoint);
      expect(config.pairs[0]!.primary.serviceId).toBe(descriptor.services.primary.id);
      expect(config.pairs[0]!.backup.blobEndpoint).toBe(descriptor.storage.blobEndpoint);
      expect(config.signals.eventHubs).toMatchObject({ connectionStringEnv: "APIM_DR_SIM_EVENTHUBS", eventHubName: "apim-dr-signals" });
      // The documented way to load the secrets the config names: set -a; . .sim/sim.env
      const { stdout: exported } = await promisify(execFile)("sh", ["-c", `set -a; . '${descriptor.envPath}'; printf '%s\\n' "$APIM_DR_SIM_EVENTHUBS" "$APIM_DR_SIM_STORAGE_KEY"`], { env: {} });
      expect(exported.split("\n").slice(0, 2)).toEqual([descriptor.eventHubsConnectionString, descriptor.storage.connectionString.match(/AccountKey=([^;]+)/)[1]]);

      const changed = captureContext({}, stateDir);
      expect(await main(["sim", "change", "--service", "westeurope", "--count", "2", "--state-dir", "."], changed.ctx)).toBe(0);
      expect(changed.stdout()).toBe("apim-contoso-weu is now at revision 2");
      const faulted = captureContext({}, stateDir);
      expect(await main(["sim", "fault", "region-outage", "--region", "westeurope", "--mode", "timeout", "--state-dir", "."], faulted.ctx)).toBe(0);
      const stats = captureContext();
      expect(await main(["sim", "stats", "--json", "--admin", descriptor.adminUrl], stats.ctx)).toBe(0);
      const parsed = JSON.parse(stats.stdout());
      expect(parsed.services["apim-contoso-weu"]).toMatchObject({ region: "westeurope", sku: "Premium", revision: 2, restoredFromRevision: null, backups: { started: 0, succeeded: 0, failed: 0 } });
      expect(parsed.dns["api.contoso.example"]).toMatchObject({ cname: "apim-contoso-weu.azure-api.net", writes: 0 });
      expect(parsed.faults).toEqual([expect.objectContaining({ name: "region-outage", region: "westeurope", options: { mode: "timeout" } })]);
      const badOption = captureContext({}, stateDir);
      expect(await main(["sim", "fault", "degrade", "--error-percent", "150", "--state-dir", "."], badOption.ctx)).toBe(2);
      expect(badOption.stderr()).toBe("apim-dr sim: the simulator refused POST /faults: fault 'degrade': option errorPercent must be between 0 and 100, got 150");

      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(await refused(descriptor.storage.blobEndpoint)).toBe(true);
      expect(await refused(descriptor.armEndpoint.replace("https", "http"))).toBe(true);
      expect(await refused(descriptor.eventHubsConnectionString.replace(/^Endpoint=sb:\/\/([^;]+);.*$/, "http://$1"))).toBe(true);
      expect(existsSync(join(stateDir, "sim.json"))).toBe(false);
      expect(existsSync(join(stateDir, "sim.env"))).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    }
  });

  it("commands that need a running simulator say how to start one", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "apim-dr-sim-none-"));
    dirs.push(cwd);
    const run = captureContext({}, cwd);
    expect(await main(["sim", "stats", "--json"], run.ctx)).toBe(1);
    expect(run.stderr()).toBe(`apim-dr sim: no simulator running: start one with 'apim-dr sim start' (looked for ${join(".sim", "sim.json")}), or pass --admin URL`);
    const usage = captureContext({}, cwd);
    expect(await main(["sim", "fault", "earthquake"], usage.ctx)).toBe(2);
    expect(usage.stderr()).toContain("unknown fault 'earthquake': use one of region-outage, degrade, flap");
  });

  it("sim start refuses a pair count it cannot run, naming the range", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "apim-dr-sim-pairs-"));
    dirs.push(cwd);
    for (const bad of ["0", "2.5", "501"]) {
      const run = captureContext({}, cwd);
      expect(await main(["sim", "start", "--pairs", bad], run.ctx)).toBe(2);
      expect(run.stderr()).toContain(`--pairs ${bad}: give a whole number of pairs from 1 to 500`);
    }
  });
});
