import type { CheckResult, ReadinessStatus } from "./types.js";

/** One pair's readiness as data: what `check --json`, GET /pairs/{name}/readiness and the drill report carry. */
export interface PairReadiness {
  pair: string;
  /** ISO-8601 time of the reads. */
  checkedAt: string;
  /** READY when every check is; NOT READY when any is; otherwise UNKNOWN. */
  status: ReadinessStatus;
  checks: CheckResult[];
}

export function overall(checks: readonly CheckResult[]): ReadinessStatus {
  if (checks.some((c) => c.status === "NOT READY")) return "NOT READY";
  return checks.every((c) => c.status === "READY") ? "READY" : "UNKNOWN";
}

export function pairReadiness(pair: string, checkedAt: number, checks: CheckResult[]): PairReadiness {
  return { pair, checkedAt: new Date(checkedAt).toISOString(), status: overall(checks), checks };
}

/** A plain-text table: check, status, evidence, and under each NOT READY or UNKNOWN the fix. */
export function renderReadiness(r: PairReadiness): string[] {
  const width = Math.max(...r.checks.map((c) => c.check.length), 5);
  const lines = [`pair ${r.pair}: ${r.status} (checked ${r.checkedAt})`, `  ${"check".padEnd(width)}  ${"status".padEnd(9)}  evidence`];
  for (const c of r.checks) {
    lines.push(`  ${c.check.padEnd(width)}  ${c.status.padEnd(9)}  ${c.evidence}`);
    if (c.fix && c.status !== "READY") lines.push(`  ${"".padEnd(width)}  ${"".padEnd(9)}  fix: ${c.fix}`);
  }
  return lines;
}

/** `readiness: 11/13 READY, NOT READY: hostname, drift` — the line `status` shows. */
export function readinessSummary(r: PairReadiness): string {
  const readyCount = r.checks.filter((c) => c.status === "READY").length;
  const named = (s: ReadinessStatus) => r.checks.filter((c) => c.status === s).map((c) => c.check);
  const parts = [`${readyCount}/${r.checks.length} READY`];
  if (named("NOT READY").length) parts.push(`NOT READY: ${named("NOT READY").join(", ")}`);
  if (named("UNKNOWN").length) parts.push(`UNKNOWN: ${named("UNKNOWN").join(", ")}`);
  return `readiness: ${parts.join("; ")} (checked ${r.checkedAt})`;
}
