import type { DrillReport, Phase, ScenarioResult } from "./report-types.js";
import { readinessHtml, readinessMarkdown } from "./render-readiness.js";

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);
const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");

/** The lines `apim-dr drill` prints for one scenario. */
export function formatScenarioText(s: ScenarioResult): string[] {
  const lines = [`${mark(s.passed)}  ${s.name} — ${s.description}`];
  // The drill's own steps were printed as they ran; here the controller's transitions.
  for (const t of s.timeline.filter((e) => e.event.startsWith("→") || e.event === "alert" || e.event === "error")) lines.push(`  ${seconds(t.atMs).padStart(8)}  ${t.event.padEnd(28)} ${t.state.padEnd(30)} ${t.detail}`);
  lines.push(
    `  detection ${seconds(s.detectionMs)}, RTO ${seconds(s.rtoMs)}, data loss ${s.dataLossChanges ?? "—"} change(s), ` +
      `${s.restores} restore(s), ${s.dnsChanges} DNS change(s), final ${s.finalState} on ${s.activeRegion}`,
  );
  for (const e of s.expectations) lines.push(`  [${e.passed ? "x" : " "}] ${e.name}: ${e.detail}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return lines;
}

export function renderMarkdown(report: DrillReport): string {
  const out = [
    `# apim-dr drill report`,
    "",
    `${report.passed ? "**PASSED**" : "**FAILED**"} — ${report.scenarios.length} scenario(s), started ${report.startedAt}, ${seconds(report.durationMs)}`,
    "",
    "| scenario | result | detection | RTO | data loss | restores | DNS changes | final state |",
    "|---|---|---|---|---|---|---|---|",
    ...report.scenarios.map(
      (s) =>
        `| ${s.name} | ${mark(s.passed)} | ${seconds(s.detectionMs)} | ${seconds(s.rtoMs)} | ${s.dataLossChanges ?? "—"} | ${s.restores} | ${s.dnsChanges} | ${s.finalState} (${s.activeRegion}) |`,
    ),
  ];
  for (const s of report.scenarios) {
    out.push("", `## ${s.name}`, "", s.description, "");
    for (const e of s.expectations) out.push(`- [${e.passed ? "x" : " "}] ${e.name}: ${e.detail}`);
    if (s.error) out.push("", `Error: ${s.error}`);
    out.push(...readinessMarkdown(s));
    out.push("", "| t | event | state | detail |", "|---|---|---|---|");
    for (const t of s.timeline) out.push(`| ${seconds(t.atMs)} | ${t.event} | ${t.state} | ${t.detail.replace(/\|/g, "\\|")} |`);
  }
  return out.join("\n") + "\n";
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&#39;" })[c]!);

const PHASE_COLORS: Record<Phase["name"], string> = {
  detection: "#e8a33d",
  "backup check": "#7b8cde",
  "fresh backup": "#5aa5c8",
  restore: "#3f7fbf",
  verification: "#58a55c",
  "DNS change": "#2e7d32",
  failback: "#9c6ade",
  "awaiting operator": "#c0504d",
};

/** A horizontal bar per phase on a shared time axis. */
export function renderTimelineSvg(s: ScenarioResult): string {
  const width = 760;
  const left = 130;
  const row = 22;
  const total = Math.max(1, s.durationMs, ...s.phases.map((p) => p.endMs));
  const x = (ms: number) => left + ((width - left - 20) * ms) / total;
  const height = 40 + row * Math.max(1, s.phases.length);
  const bars = s.phases.map((p, i) => {
    const y = 10 + i * row;
    const w = Math.max(2, x(p.endMs) - x(p.startMs));
    return (
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end" font-size="12">${escapeXml(p.name)}</text>` +
      `<rect x="${x(p.startMs).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${row - 6}" fill="${PHASE_COLORS[p.name]}"><title>${escapeXml(`${p.name}: ${seconds(p.startMs)} → ${seconds(p.endMs)}`)}</title></rect>` +
      `<text x="${(x(p.startMs) + w + 4).toFixed(1)}" y="${y + 14}" font-size="11" fill="#555">${seconds(p.endMs - p.startMs)}</text>`
    );
  });
  const axisY = height - 20;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) => `<text x="${x(total * f).toFixed(1)}" y="${axisY + 14}" font-size="10" text-anchor="middle" fill="#555">${seconds(total * f)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`${s.name} phases`)}" font-family="sans-serif">` +
    bars.join("") +
    `<line x1="${left}" y1="${axisY}" x2="${width - 20}" y2="${axisY}" stroke="#999"/>` +
    ticks.join("") +
    (s.phases.length ? "" : `<text x="${left}" y="24" font-size="12" fill="#555">no failover phases (nothing was changed)</text>`) +
    `</svg>`
  );
}

export function renderHtml(report: DrillReport): string {
  const sections = report.scenarios.map(
    (s) => `<section>
<h2>${escapeXml(s.name)} <span class="${s.passed ? "pass" : "fail"}">${mark(s.passed)}</span></h2>
<p>${escapeXml(s.description)}</p>
<p>detection ${seconds(s.detectionMs)} · RTO ${seconds(s.rtoMs)} · data loss ${s.dataLossChanges ?? "—"} change(s) · ${s.restores} restore(s) · ${s.dnsChanges} DNS change(s) · final ${escapeXml(s.finalState)} on ${escapeXml(s.activeRegion)}</p>
${renderTimelineSvg(s)}
<ul>${s.expectations.map((e) => `<li class="${e.passed ? "pass" : "fail"}">${mark(e.passed)} ${escapeXml(e.name)}: ${escapeXml(e.detail)}</li>`).join("")}</ul>
${s.error ? `<p class="fail">Error: ${escapeXml(s.error)}</p>` : ""}
${readinessHtml(s)}
<details><summary>timeline (${s.timeline.length} entries)</summary><table><tr><th>t</th><th>event</th><th>state</th><th>detail</th></tr>
${s.timeline.map((t) => `<tr><td>${seconds(t.atMs)}</td><td>${escapeXml(t.event)}</td><td>${escapeXml(t.state)}</td><td>${escapeXml(t.detail)}</td></tr>`).join("\n")}
</table></details>
</section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>apim-dr drill report</title>
<style>body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}.pass{color:#2e7d32}.fail{color:#c62828}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}section{margin-bottom:2em}</style>
</head><body>
<h1>apim-dr drill report <span class="${report.passed ? "pass" : "fail"}">${report.passed ? "PASSED" : "FAILED"}</span></h1>
<p>${report.scenarios.length} scenario(s), started ${escapeXml(report.startedAt)}, ${seconds(report.durationMs)}</p>
${sections.join("\n")}
</body></html>
`;
}
