import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarios, parseScenario, ScenarioError } from "../../src/drill/scenario.js";

const DIR = join(import.meta.dirname, "..", "..", "config", "scenarios");
const FILE = "config/scenarios/bad.yaml";

function problemOf(text: string): string {
  try {
    parseScenario(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error("the scenario parsed, but it should not have");
}

const scenario = (steps: string, expect = "{}") => `name: bad\ndescription: a bad scenario\nsteps:\n${steps}\nexpect: ${expect}\n`;

describe("scenario files", () => {
  it("every file in config/scenarios parses, under its own name, with at least one expectation", async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith(".yaml")).sort();
    const scenarios = await loadScenarios(DIR);
    expect(scenarios.map((s) => `${s.name}.yaml`)).toEqual(files);
    for (const s of scenarios) expect(Object.keys(s.expect).length, s.name).toBeGreaterThan(0);
  });

  it("has the scenarios issue 8 asks for", async () => {
    const names = (await loadScenarios(DIR)).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "region-outage", "flapping", "observer-partition", "both-regions-down", "stale-backup-primary-reachable", "stale-backup-primary-gone",
        "expired-backup", "sku-mismatch", "restore-fails-then-succeeds", "standby-unhealthy-after-restore", "dns-changed-behind-our-back",
        "controller-crash-mid-restore", "paused", "change-triggered-backups", "warm-standby",
      ]),
    );
  });

  it("fills defaults: a change step is one change on the primary, waitFor times out after 60 s", () => {
    const parsed = parseScenario(scenario("  - change: {}\n  - waitFor: { state: failedOver }"), FILE);
    expect(parsed.steps).toEqual([{ change: { on: "primary", count: 1 } }, { waitFor: { state: "failedOver", timeoutSeconds: 60 } }]);
  });
});

describe("bad scenarios name the file, the path and the problem", () => {
  it("an unknown fault lists the faults there are", () => {
    expect(problemOf(scenario("  - fault: { name: earthquake }"))).toBe(
      `${FILE}: invalid scenario\n  steps[0].fault.name: expected one of "region-outage", "degrade", "flap", "slow-restore", "restore-failure", "storage-outage", "dns-tamper", "throttle", "clock-shift", "probe-partition", "webhook-failure", "webhook-stall", got "earthquake"`,
    );
  });

  it("a misspelt option suggests the right one", () => {
    expect(problemOf(scenario("  - waitFor: { state: failedOver, timeoutSecond: 5 }"))).toBe(`${FILE}: invalid scenario\n  steps[0].waitFor.timeoutSecond: unknown key; did you mean "timeoutSeconds"?`);
  });

  it("a step of no known kind, or of two kinds at once, lists the kinds", () => {
    const kinds = "fault, clearFault, change, operator, waitFor, hold, killController, freezeController, leaseStore, probePath, thawController, stage, startController, forge, break";
    expect(problemOf(scenario("  - sleep: 3\n  - { hold: { seconds: 1 }, fault: { name: flap } }"))).toBe(
      `${FILE}: invalid scenario\n  steps[0]: a step is an object with exactly one of ${kinds}; it has 'sleep'\n  steps[1]: a step is an object with exactly one of ${kinds}; it has 'hold', 'fault'`,
    );
  });

  it("a negative expectation and an empty timeline", () => {
    expect(problemOf("name: bad\ndescription: d\nsteps: []\nexpect: { restores: -1 }\n")).toBe(
      `${FILE}: invalid scenario\n  steps: expected at least 1 item(s), got 0\n  expect.restores: Too small: expected number to be >=0`,
    );
  });

  it("broken YAML says where", () => {
    expect(problemOf("name: [bad\n")).toMatch(/^config\/scenarios\/bad\.yaml: invalid YAML: .*line 2, column 1/);
  });
});
