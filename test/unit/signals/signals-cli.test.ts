import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { captureContext } from "../../support/cli.js";
import { SAMPLES_DIR, SIGNAL_KEYS } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "apim-dr-signals-"));
  copyFileSync(join(SAMPLES_DIR, "legacy-activitylog-webhook--resourcehealth.json"), join(dir, "rh.json"));
  copyFileSync(join(SAMPLES_DIR, "payload-samples--test-action-metric-alert-with-a-static-threshold-and-the-monitoringservice-platform.json"), join(dir, "metric.json"));
  copyFileSync(join(SAMPLES_DIR, "payload-samples--test-action-activity-log-alert-with-monitoringservice-budget.json"), join(dir, "budget.json"));
  copyFileSync(join(SAMPLES_DIR, "apim-GatewayLogs--field-template-2018.NOT-VALID-JSON.txt"), join(dir, "template.txt"));
  writeFileSync(join(dir, "unknown.json"), JSON.stringify({ hello: "world" }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const io = captureContext({}, dir);
  const code = await main(["signals", ...args], io.ctx);
  const lines = (text: string) => (text === "" ? [] : text.split("\n"));
  return { code, stdout: lines(io.stdout()), stderr: lines(io.stderr()) };
}

describe("apim-dr signals decode", () => {
  it("prints one JSON line per signal, keys in Signal order, and exits 0", async () => {
    const { code, stdout, stderr } = await run("decode", "rh.json", "budget.json", "metric.json");
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    const signals = stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(signals.map((s) => [s.source, s.status])).toEqual([
      ["resourceHealth", "unhealthy"],
      ["alert", "degraded"],
    ]);
    for (const s of signals) expect(Object.keys(s)).toEqual(SIGNAL_KEYS);
  });

  it("gives each bad file one stderr line, still decodes the others, and exits 1", async () => {
    const { code, stdout, stderr } = await run("decode", "template.txt", "rh.json", "unknown.json", "missing.json");
    expect(code).toBe(1);
    expect(stdout.map((l) => (JSON.parse(l) as { source: string }).source)).toEqual(["resourceHealth"]);
    expect(stderr).toEqual([
      `template.txt: not JSON: Unexpected token ',', ..."ationMs": , "cal"... is not valid JSON`,
      'unknown.json: unrecognized payload: expected a common alert schema object (schemaId "azureMonitorCommonAlertSchema"), a {"records":[…]} wrapper, or an activity-log event; got an object with keys hello',
      "missing.json: cannot read the file: no such file",
    ]);
  });

  it("applies --severity-map to fired alerts", async () => {
    const { code, stdout } = await run("decode", "--severity-map", "Sev3=unhealthy", "metric.json");
    expect(code).toBe(0);
    expect((JSON.parse(stdout[0]!) as { status: string }).status).toBe("unhealthy");
  });

  it.each([
    [["decode"], "apim-dr signals: no payload files given\nusage: apim-dr signals decode FILE... [--severity-map Sev2=unhealthy,Sev3=degraded]"],
    [
      ["decode", "--severity-map", "Sev3=broken", "metric.json"],
      'apim-dr signals: --severity-map: invalid severity mapping "Sev3=broken": write SevN=unhealthy or SevN=degraded (N from 0 to 4), comma-separated',
    ],
    [["decode", "--verbose", "metric.json"], "apim-dr signals: unknown option '--verbose'"],
    [["frobnicate"], "apim-dr signals: unknown subcommand 'frobnicate'; the only one is 'decode'"],
    [[], "apim-dr signals: missing subcommand"],
  ])("rejects bad usage %j with exit 2", async (args, message) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr.join("\n").startsWith(message)).toBe(true);
  });
});
