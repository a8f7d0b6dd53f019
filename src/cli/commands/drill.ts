import { stat } from "node:fs/promises";
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
  help: {
    usage,
    options: [
      ["--scenario NAME, -s NAME", "run this scenario (repeatable; default region-outage)"],
      ["--all", "run every scenario in config/scenarios (about 9 minutes on 2 cores)"],
      ["--list", "list the scenarios and what each must show, run nothing"],
      ["--out DIR", "where the report goes (default reports/<timestamp>): report.html, report.json, report.md and per-scenario logs"],
    ],
    notes: ["Exit status 0 only when every expectation held."],
    examples: ["apim-dr drill", "apim-dr drill --scenario flapping --scenario paused --out /tmp/drill", "apim-dr drill --list"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      { scenario: { type: "string", multiple: true, short: "s" }, all: { type: "boolean" }, list: { type: "boolean" }, out: { type: "string" } },
      usage,
    );
    if (values.list && (values.all || values.scenario)) {
      throw new UsageError(`--list only lists the scenarios; it cannot be combined with ${values.all ? "--all" : "--scenario"}: drop one\nusage: ${usage}`);
    }
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
    const existing = await stat(outDir).catch(() => null);
    if (existing && !existing.isDirectory()) throw new UsageError(`--out ${values.out}: that is a file, not a directory; name a directory for the report (it is created when missing)`);
    const report = await runDrill(chosen, outDir, ctx.out);
    const passed = report.scenarios.filter((s) => s.passed).length;
    ctx.out(`${report.passed ? "PASSED" : "FAILED"}: ${passed}/${report.scenarios.length} scenario(s) in ${(report.durationMs / 1000).toFixed(1)} s`);
    ctx.out(`report: ${join(outDir, "report.html")} (also report.json, report.md)`);
    return report.passed ? 0 : 1;
  },
};
