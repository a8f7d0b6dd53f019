import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/ports/state.js";
import { phasesFrom } from "../../../src/drill/expectations.js";
import { formatScenarioText, renderHtml } from "../../../src/drill/render-report.js";
import type { ScenarioResult, TimelineEntry } from "../../../src/drill/report-types.js";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const transition = (s: number, state: string): AuditEntry => ({ at: at(s), pair: "contoso", type: "transition", state, reason: `because of what happened at ${s} s` });

// A failover at 10 s (outage at 6 s) and an operator failback at 50 s, as the controller audits them.
const audit: AuditEntry[] = [
  transition(10, "failingOver.checkingBackup"),
  transition(12, "failingOver.restoring"),
  transition(15, "failingOver.verifyingStandby"),
  transition(16, "failingOver.switchingDns"),
  transition(16.5, "failingOver.verifyingCutover"),
  transition(17, "failedOver"),
  transition(50, "failingBack.checkingPrimary"),
  transition(51, "failingBack.backingUpActive"),
  transition(53, "failingBack.restoringPrimary"),
  transition(56, "failingBack.verifyingPrimary"),
  transition(57, "failingBack.switchingDnsBack"),
  transition(57.5, "failingBack.verifyingCutover"),
  transition(58, "monitoring.healthy"),
];

function scenario(): ScenarioResult {
  const timeline: TimelineEntry[] = [
    { atMs: 6_000, event: "fault", state: "monitoring.healthy", detail: 'region-outage on primary (westeurope) {"managementPlane":"down"}' },
    { atMs: 30_000, event: "fault cleared", state: "failedOver", detail: "region-outage on primary" },
    ...audit.map((e) => ({ atMs: Date.parse(e.at) - T0, event: `→ ${e.state}`, state: e.state!, detail: e.reason! })),
  ].sort((a, b) => a.atMs - b.atMs);
  return {
    name: "region-outage",
    description: "primary lost; failover; operator failback",
    passed: true,
    expectations: [{ name: "RTO", passed: true, detail: "expected at most 60 s, measured 11.0 s" }],
    outageAtMs: 6_000,
    detectionMs: 4_000,
    rtoMs: 11_000,
    dataLossChanges: 0,
    stages: [],
    restores: 2,
    dnsChanges: 2,
    finalState: "monitoring.healthy",
    activeRegion: "primary",
    durationMs: 60_000,
    phases: phasesFrom(audit, T0, T0 + 6_000),
    timeline,
  };
}

describe("drill report", () => {
  it("names each failover and failback step, both verifications by what they verified", () => {
    expect(scenario().phases.map((p) => [p.name, p.startMs / 1000, p.endMs / 1000])).toEqual([
      ["detection", 6, 10],
      ["backup check", 10, 12],
      ["restore standby", 12, 15],
      ["verify standby", 15, 16],
      ["DNS to standby", 16, 16.5],
      ["verify cutover", 16.5, 17],
      ["failback: check primary", 50, 51],
      ["failback: back up standby", 51, 53],
      ["failback: restore primary", 53, 56],
      ["failback: verify primary", 56, 57],
      ["failback: DNS to primary", 57, 57.5],
      ["failback: verify cutover", 57.5, 58],
    ]);
  });

  it("the HTML marks fault start and clear, draws the RTO and detection spans, keeps the time column on one line and links the scenario's files", () => {
    const html = renderHtml({ passed: true, startedAt: at(0), durationMs: 60_000, scenarios: [scenario()] });
    const svg = /<svg[\s\S]*?<\/svg>/.exec(html)![0];
    const labels = [...svg.matchAll(/<text[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels.slice(0, 2)).toEqual(["RTO (outage → cutover verified)", "detection (outage → decision)"]);
    expect(labels).toContain("verify standby");
    expect(labels).toContain("failback: verify primary");
    // The RTO bar spans outage (6 s) to cutover verified (17 s) on the same axis as the steps.
    const bar = (label: string) => {
      const m = new RegExp(`>${label.replace(/[()]/g, "\\$&")}</text><rect x="([\\d.]+)" y="[\\d.]+" width="([\\d.]+)"`).exec(svg)!;
      return { x: Number(m[1]), w: Number(m[2]) };
    };
    const rto = bar("RTO (outage → cutover verified)");
    const detection = bar("detection (outage → decision)");
    const cutover = bar("verify cutover");
    expect(rto.x).toBeCloseTo(detection.x, 0);
    expect(rto.x + rto.w).toBeCloseTo(cutover.x + cutover.w, 0);
    expect(svg).toContain(">fault: region-outage at 6.0 s</text>");
    expect(svg).toContain(">cleared: region-outage at 30.0 s</text>");
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2);
    expect(html).toMatch(/\.timeline td:first-child[^{]*\{white-space:nowrap\}/);
    expect(html).toContain('<a href="region-outage/controller.log">controller.log</a>');
    expect(html).toContain('<a href="region-outage/config.yaml">config.yaml</a>');
  });

  it("the console prints each state once, its reasons in one column however long the state name", () => {
    const lines = formatScenarioText(scenario()).filter((l) => l.includes("→"));
    expect(lines).toHaveLength(audit.length);
    for (const line of lines) {
      const state = /→ (\S+)/.exec(line)![1]!;
      expect(line.split(state)).toHaveLength(2); // named once
    }
    const reasonColumn = lines.map((l) => l.indexOf("because of"));
    expect(new Set(reasonColumn).size).toBe(1);
    expect(lines[0]).toBe(`    10.0 s  → failingOver.checkingBackup${" ".repeat("failingBack.switchingDnsBack".length - "failingOver.checkingBackup".length)}  because of what happened at 10 s`);
  });
});
