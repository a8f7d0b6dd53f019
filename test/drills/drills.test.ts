import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScenario } from "../../src/drill/run-scenario.js";
import { parseScenario, type Scenario } from "../../src/drill/scenario.js";

// The real thing: the simulator in-process and `apim-dr run` as a child process, per scenario.
const SCENARIOS = join(import.meta.dirname, "..", "..", "config", "scenarios");
const TIMEOUT_MS = 240_000;
let workDir: string;

async function scenario(name: string): Promise<Scenario> {
  const file = join(SCENARIOS, `${name}.yaml`);
  return parseScenario(await readFile(file, "utf8"), file);
}

const failed = (result: Awaited<ReturnType<typeof runScenario>>) =>
  [result.error, ...result.expectations.filter((e) => !e.passed).map((e) => `${e.name}: ${e.detail}`)].filter(Boolean).join("\n");

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "apim-dr-drills-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("drills against the simulator and a real controller process", () => {
  it(
    "region-outage: fails over, then back on the operator's command: two restores, two DNS changes, nothing lost",
    async () => {
      const result = await runScenario(await scenario("region-outage"), join(workDir, "region-outage"));
      expect(result.passed, failed(result)).toBe(true);
      expect(result).toMatchObject({ restores: 2, dnsChanges: 2, dataLossChanges: 0, activeRegion: "primary" });
      expect(result.finalState).toBe("monitoring.healthy");
      expect(result.rtoMs).not.toBeNull();
      expect(result.detectionMs).not.toBeNull();
      expect(result.detectionMs!).toBeLessThanOrEqual(result.rtoMs!);
      expect(result.phases.map((p) => p.name)).toEqual(expect.arrayContaining(["detection", "backup check", "restore", "verification", "DNS change", "failback"]));
    },
    TIMEOUT_MS,
  );

  it(
    "one-service-fault: of three pairs in the same regions, only the pair whose primary failed fails over",
    async () => {
      const result = await runScenario(await scenario("one-service-fault"), join(workDir, "one-service-fault"));
      expect(result.passed, failed(result)).toBe(true);
      expect(result).toMatchObject({ restores: 1, dnsChanges: 1, finalState: "failedOver", activeRegion: "standby" });
      expect(result.expectations).toContainEqual(expect.objectContaining({ name: "other pairs untouched", passed: true, detail: "2 other pair(s) stayed in monitoring, their CNAMEs on their primaries" }));
    },
    TIMEOUT_MS,
  );

  it(
    "controller-crash-mid-restore: after kill -9 and a restart, the same restore finishes; exactly one restore was started",
    async () => {
      const result = await runScenario(await scenario("controller-crash-mid-restore"), join(workDir, "crash"));
      expect(result.passed, failed(result)).toBe(true);
      expect(result).toMatchObject({ restores: 1, dnsChanges: 1, dataLossChanges: 0, finalState: "failedOver", activeRegion: "standby" });
      expect(result.expectations).toContainEqual(expect.objectContaining({ name: "restores started", passed: true }));
      const controllerEvents = result.timeline.filter((t) => t.event === "controller").map((t) => t.detail);
      expect(controllerEvents).toEqual([expect.stringMatching(/^apim-dr run listening on/), "killed with SIGKILL", expect.stringMatching(/^apim-dr run listening on/)]);
    },
    TIMEOUT_MS,
  );

  it(
    "a scenario whose expectation does not hold fails, saying what was seen",
    async () => {
      const base = await scenario("sku-mismatch");
      // Same run, but claiming a failover happened: the drill must say it did not.
      const wrong: Scenario = { ...base, name: "sku-mismatch-wrong", expect: { ...base.expect, finalState: "failedOver", dnsChanges: 1 } };
      const result = await runScenario(wrong, join(workDir, "wrong"));
      expect(result.passed).toBe(false);
      expect(result.expectations.filter((e) => !e.passed)).toEqual([
        { name: "final state", passed: false, detail: "expected failedOver, got awaitingOperator" },
        { name: "DNS changes", passed: false, detail: "expected 1, the simulator counted 0 write(s); CNAME now apim-contoso-weu.azure-api.net" },
      ]);
      expect(result.expectations.find((e) => e.name.startsWith("decision says"))).toMatchObject({ passed: true, detail: expect.stringContaining("but the standby is Standard") });
    },
    TIMEOUT_MS,
  );
});
