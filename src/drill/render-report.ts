import type { DrillReport, Phase, ScenarioResult } from "./report-types.js";
import { readinessHtml, readinessMarkdown } from "./render-readiness.js";

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);
const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");

/** The lines `apim-dr drill` prints for one scenario. */
export function formatScenarioText(s: ScenarioResult): string[] {
  const lines = [`${mark(s.passed)}  ${s.name} — ${s.description}`];
  // The drill's own steps were printed as they ran; here the controller's transitions, each state once
  // (the event names it), padded to the longest so the reasons line up.
  const shown = s.timeline.filter((e) => e.event.startsWith("→") || e.event === "alert" || e.event === "error");
  const width = Math.max(0, ...shown.map((t) => t.event.length));
  for (const t of shown) lines.push(`  ${seconds(t.atMs).padStart(8)}  ${t.event.padEnd(width)}  ${t.detail}`);
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

const KIND_COLORS: Record<Phase["kind"] | "rto", string> = {
  detection: "#e8a33d",
  backup: "#7b8cde",
  restore: "#3f7fbf",
  verification: "#58a55c",
  dns: "#2e7d32",
  operator: "#c0504d",
  failback: "#9c6ade",
  rto: "#d9534f",
};

/** A fault started or cleared, from the drill's own timeline. */
interface FaultMark {
  atMs: number;
  cleared: boolean;
  label: string;
}

function faultMarks(s: ScenarioResult): FaultMark[] {
  return s.timeline
    .filter((t) => t.event === "fault" || t.event === "fault cleared")
    .map((t) => ({ atMs: t.atMs, cleared: t.event === "fault cleared", label: `${t.event === "fault" ? "fault" : "cleared"}: ${t.detail.split(" ")[0]}` }));
}

/**
 * The scenario on one time axis: a dashed line where each fault started (red) and cleared (green), the RTO
 * span (outage → cutover verified) and the detection span, then one bar per failover and failback step.
 */
export function renderTimelineSvg(s: ScenarioResult): string {
  const width = 900;
  const left = 240;
  const right = 60;
  const row = 22;
  const top = 18 + 14 * Math.max(1, faultMarks(s).length);
  const rto: Phase[] =
    s.outageAtMs !== null && s.rtoMs !== null ? [{ name: "RTO (outage → cutover verified)", kind: "detection", startMs: s.outageAtMs, endMs: s.outageAtMs + s.rtoMs }] : [];
  const rows = [...rto, ...s.phases];
  const total = Math.max(1, s.durationMs, ...s.phases.map((p) => p.endMs));
  const x = (ms: number) => left + ((width - left - right) * ms) / total;
  const axisY = top + row * Math.max(1, rows.length) + 6;
  const height = axisY + 24;
  const bars = rows.map((p, i) => {
    const y = top + i * row;
    const w = Math.max(2, x(p.endMs) - x(p.startMs));
    const color = i < rto.length ? KIND_COLORS.rto : KIND_COLORS[p.kind];
    const label = p.name === "detection" ? "detection (outage → decision)" : p.name;
    return (
      `<text x="${left - 8}" y="${y + 13}" text-anchor="end" font-size="12"${i < rto.length ? ' font-weight="bold"' : ""}>${escapeXml(label)}</text>` +
      `<rect x="${x(p.startMs).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${row - 6}" fill="${color}"${i < rto.length ? ' fill-opacity="0.35" stroke="' + color + '"' : ""}><title>${escapeXml(`${label}: ${seconds(p.startMs)} → ${seconds(p.endMs)}`)}</title></rect>` +
      `<text x="${(x(p.startMs) + w + 4).toFixed(1)}" y="${y + 13}" font-size="11" fill="#555">${seconds(p.endMs - p.startMs)}</text>`
    );
  });
  const marks = faultMarks(s).map((m, i) => {
    const color = m.cleared ? "#2e7d32" : "#c62828";
    const mx = x(m.atMs).toFixed(1);
    return (
      `<line x1="${mx}" y1="${10 + i * 14}" x2="${mx}" y2="${axisY}" stroke="${color}" stroke-width="1.5" stroke-dasharray="4 3"/>` +
      `<text x="${(x(m.atMs) + 4).toFixed(1)}" y="${20 + i * 14}" font-size="11" fill="${color}">${escapeXml(`${m.label} at ${seconds(m.atMs)}`)}</text>`
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (f) => `<text x="${x(total * f).toFixed(1)}" y="${axisY + 16}" font-size="10" text-anchor="middle" fill="#555">${seconds(total * f)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeXml(`${s.name} timeline`)}" font-family="sans-serif">` +
    bars.join("") +
    marks.join("") +
    `<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="#999"/>` +
    ticks.join("") +
    (rows.length ? "" : `<text x="${left}" y="${top + 14}" font-size="12" fill="#555">no failover phases (nothing was changed)</text>`) +
    `</svg>`
  );
}

export function renderHtml(report: DrillReport): string {
  const sections = report.scenarios.map(
    (s) => `<section>
<h2>${escapeXml(s.name)} <span class="${s.passed ? "pass" : "fail"}">${mark(s.passed)}</span></h2>
<p>${escapeXml(s.description)}</p>
<p class="figures">detection ${seconds(s.detectionMs)} · RTO ${seconds(s.rtoMs)} · data loss ${s.dataLossChanges ?? "—"} change(s) · ${s.restores} restore(s) · ${s.dnsChanges} DNS change(s) · final ${escapeXml(s.finalState)} on ${escapeXml(s.activeRegion)}</p>
<p class="files">files: <a href="${encodeURIComponent(s.name)}/controller.log">controller.log</a> · <a href="${encodeURIComponent(s.name)}/config.yaml">config.yaml</a></p>
${renderTimelineSvg(s)}
<ul>${s.expectations.map((e) => `<li class="${e.passed ? "pass" : "fail"}">${mark(e.passed)} ${escapeXml(e.name)}: ${escapeXml(e.detail)}</li>`).join("")}</ul>
${s.error ? `<p class="fail">Error: ${escapeXml(s.error)}</p>` : ""}
${readinessHtml(s)}
<details><summary>timeline (${s.timeline.length} entries)</summary><table class="timeline"><tr><th>t</th><th>event</th><th>state</th><th>detail</th></tr>
${s.timeline.map((t) => `<tr${t.event.startsWith("fault") ? ' class="fault"' : ""}><td>${seconds(t.atMs)}</td><td>${escapeXml(t.event)}</td><td>${escapeXml(t.state)}</td><td>${escapeXml(t.detail)}</td></tr>`).join("\n")}
</table></details>
</section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>apim-dr drill report</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}.pass{color:#2e7d32}.fail{color:#c62828}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}.timeline td:first-child,.timeline td:nth-child(2){white-space:nowrap}.timeline tr.fault td{background:#fdecea}section{margin-bottom:2em}.files{font-size:13px}</style>
</head><body>
<h1>apim-dr drill report <span class="${report.passed ? "pass" : "fail"}">${report.passed ? "PASSED" : "FAILED"}</span></h1>
<p>${report.scenarios.length} scenario(s), started ${escapeXml(report.startedAt)}, ${seconds(report.durationMs)}</p>
${sections.join("\n")}
</body></html>
`;
}
