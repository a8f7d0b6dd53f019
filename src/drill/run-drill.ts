import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DrillReport } from "./report-types.js";
import { formatScenarioText, renderHtml, renderMarkdown } from "./render-report.js";
import { runScenario } from "./run-scenario.js";
import type { Scenario } from "./scenario.js";

/** Runs scenarios one after another (each on a fresh simulator) and writes report.json, .md and .html. */
export async function runDrill(scenarios: Scenario[], outDir: string, print: (line: string) => void): Promise<DrillReport> {
  await mkdir(outDir, { recursive: true });
  const started = Date.now();
  const report: DrillReport = { passed: true, startedAt: new Date(started).toISOString(), durationMs: 0, scenarios: [] };
  for (const scenario of scenarios) {
    print(`== ${scenario.name}: ${scenario.description}`);
    const result = await runScenario(scenario, join(outDir, scenario.name), print);
    report.scenarios.push(result);
    print("");
    formatScenarioText(result).forEach((l) => print(l));
    print("");
  }
  report.passed = report.scenarios.every((s) => s.passed);
  report.durationMs = Date.now() - started;
  await writeFile(join(outDir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  await writeFile(join(outDir, "report.md"), renderMarkdown(report));
  await writeFile(join(outDir, "report.html"), renderHtml(report));
  return report;
}
