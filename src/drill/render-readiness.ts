import type { ScenarioResult } from "./report-types.js";

// The readiness table of a scenario's report, kept apart from render-report.ts: one call per format.

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** Markdown lines: the controller's readiness checks at the end of the scenario (none when it served none). */
export function readinessMarkdown(s: ScenarioResult): string[] {
  const r = s.readiness;
  if (!r) return [];
  return [
    "",
    `Readiness at the end: **${r.status}** (checked ${r.checkedAt})`,
    "",
    "| check | status | evidence | fix |",
    "|---|---|---|---|",
    ...r.checks.map((c) => `| ${c.check} | ${c.status} | ${cell(c.evidence)} | ${c.status === "READY" ? "" : cell(c.fix ?? "")} |`),
  ];
}

/** An HTML table of the same. */
export function readinessHtml(s: ScenarioResult): string {
  const r = s.readiness;
  if (!r) return "";
  const rows = r.checks
    .map((c) => `<tr class="${c.status === "READY" ? "pass" : "fail"}"><td>${escapeXml(c.check)}</td><td>${escapeXml(c.status)}</td><td>${escapeXml(c.evidence)}</td><td>${c.status === "READY" ? "" : escapeXml(c.fix ?? "")}</td></tr>`)
    .join("\n");
  return `<h3>Readiness at the end: ${escapeXml(r.status)}</h3>\n<table><tr><th>check</th><th>status</th><th>evidence</th><th>fix</th></tr>\n${rows}\n</table>`;
}
