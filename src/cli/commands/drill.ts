import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandArgs, UsageError, type CliCommand } from "../command.js";
import { loadScenarios, ScenarioError } from "../../drill/scenario.js";
import { runDrill } from "../../drill/run-drill.js";

const usage = "apim-dr drill [--scenario NAME]... [--all | --list] [--out DIR]";
const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "config", "scenarios");
const DEFAULT_SCENARIO = "region-outage";

export const command: CliCommand = {
  name: "drill",
  summary: "run DR drills: simulated Azure + the real controller, faults, failover, failback, report",
  usage,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      { scenario: { type: "string", multiple: true, short: "s" }, all: { type: "boolean" }, list: { type: "boolean" }, out: { type: "string" } },
      usage,
    );
    let scenarios;
    try {
      scenarios = await loadScenarios(SCENARIO_DIR);
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(error.message);
      throw error;
    }
    if (values.list) {
      for (const s of scenarios) ctx.out(`${s.name.padEnd(34)} ${s.description}`);
      return 0;
    }
    if (values.all && values.scenario) throw new UsageError(`--all and --scenario exclude each other\nusage: ${usage}`);
    const names = values.all ? scenarios.map((s) => s.name) : (values.scenario ?? [DEFAULT_SCENARIO]);
    const chosen = names.map((name) => {
      const found = scenarios.find((s) => s.name === name);
      if (!found) throw new UsageError(`no scenario named '${name}'; 'apim-dr drill --list' shows the ${scenarios.length} scenarios`);
      return found;
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const outDir = resolve(ctx.cwd, values.out ?? join("reports", stamp));
    const report = await runDrill(chosen, outDir, ctx.out);
    const passed = report.scenarios.filter((s) => s.passed).length;
    ctx.out(`${report.passed ? "PASSED" : "FAILED"}: ${passed}/${report.scenarios.length} scenario(s) in ${(report.durationMs / 1000).toFixed(1)} s`);
    ctx.out(`report: ${join(outDir, "report.html")} (also report.json, report.md)`);
    return report.passed ? 0 : 1;
  },
};
