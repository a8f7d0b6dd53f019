import type { AuditEntry } from "../ports/state.js";
import { matches, notificationOf, type NotificationEvent } from "../notify/events.js";
import type { SimStats } from "../sim/state.js";
import type { Expectation, Phase, ScenarioResult } from "./report-types.js";
import type { Observation } from "./run-scenario.js";

const transitions = (audit: AuditEntry[]) => audit.filter((e) => e.type === "transition" && e.state).map((e) => ({ at: Date.parse(e.at), state: e.state! }));
const firstAfter = (audit: AuditEntry[], since: number, prefixes: string[]) => transitions(audit).find((t) => t.at >= since && prefixes.some((p) => t.state.startsWith(p)));

/** State prefix → the bar's label and kind; the first match wins. */
const PHASE_OF: Array<[string, string, Phase["kind"]]> = [
  ["failingOver.checkingBackup", "backup check", "backup"],
  ["failingOver.takingFreshBackup", "fresh backup", "backup"],
  ["failingOver.restoring", "restore standby", "restore"],
  ["failingOver.verifyingStandby", "verify standby", "verification"],
  ["failingOver.switchingDns", "DNS to standby", "dns"],
  ["failingOver.verifyingCutover", "verify cutover", "verification"],
  ["awaitingOperator", "awaiting operator", "operator"],
  ["failingBack.checkingPrimary", "failback: check primary", "failback"],
  ["failingBack.backingUpActive", "failback: back up standby", "backup"],
  ["failingBack.restoringPrimary", "failback: restore primary", "restore"],
  ["failingBack.verifyingPrimary", "failback: verify primary", "verification"],
  ["failingBack.switchingDnsBack", "failback: DNS to primary", "dns"],
  ["failingBack.verifyingCutover", "failback: verify cutover", "verification"],
  ["failingBack", "failback", "failback"],
];

/** The failover and failback phases on the drill's time axis, from the controller's own transitions. */
export function phasesFrom(audit: AuditEntry[], t0: number, outageAt: number | null): Phase[] {
  const phases: Phase[] = [];
  const list = transitions(audit);
  if (outageAt !== null) {
    const detected = list.find((t) => t.at >= outageAt && (t.state.startsWith("failingOver") || t.state.startsWith("awaitingOperator")));
    if (detected) phases.push({ name: "detection", kind: "detection", startMs: outageAt - t0, endMs: detected.at - t0 });
  }
  list.forEach((t, i) => {
    const match = PHASE_OF.find(([prefix]) => t.state.startsWith(prefix));
    const end = list[i + 1]?.at;
    if (!match || end === undefined) return;
    const [, name, kind] = match;
    const last = phases.at(-1);
    // Consecutive transitions inside one phase (a step retried) make one bar.
    if (last && last.name === name && last.endMs === t.at - t0) last.endMs = end - t0;
    else phases.push({ name, kind, startMs: t.at - t0, endMs: end - t0 });
  });
  return phases;
}

type Outcome = Pick<ScenarioResult, "expectations" | "detectionMs" | "rtoMs" | "dataLossChanges" | "restores" | "dnsChanges" | "finalState" | "activeRegion">;

/** Measures the run and checks each of the scenario's expectations, saying what was seen. */
export function checkExpectations(o: Observation): Outcome {
  const { stats, audit, status, sim } = o;
  const services = Object.values(stats.services);
  const primary = stats.services[sim.services.primary.name]!;
  const standby = stats.services[sim.services.standby.name]!;
  const restores = services.reduce((n, s) => n + s.restores.succeeded, 0);
  const dnsChanges = Object.values(stats.dns).reduce((n, r) => n + r.writes, 0);
  const detected = o.outageAt === null ? undefined : firstAfter(audit, o.outageAt, ["failingOver", "awaitingOperator"]);
  const failedOver = o.outageAt === null ? undefined : firstAfter(audit, o.outageAt, ["failedOver"]);
  const detectionMs = detected && o.outageAt !== null ? detected.at - o.outageAt : null;
  const rtoMs = failedOver && o.outageAt !== null ? failedOver.at - o.outageAt : null;
  const dataLossChanges = o.stages.length
    ? o.stages.reduce((n, s) => n + s.dataLossChanges, 0)
    : o.primaryRevisionAtOutage !== null && standby.restoredFromRevision !== null
      ? Math.max(0, o.primaryRevisionAtOutage - standby.restoredFromRevision)
      : null;
  const finalState = status?.state ?? "unknown";
  const activeRegion = status ? (status.activeRegion === sim.services.primary.region ? "primary" : "standby") : "unknown";
  const e = o.scenario.expect;
  const expectations: Expectation[] = [];
  const check = (name: string, passed: boolean, detail: string) => expectations.push({ name, passed, detail });

  if (e.finalState !== undefined) check("final state", finalState.startsWith(e.finalState), `expected ${e.finalState}, got ${finalState}`);
  if (e.activeRegion !== undefined) check("traffic on", activeRegion === e.activeRegion, `expected the ${e.activeRegion}, got the ${activeRegion} (${status?.activeRegion ?? "?"})`);
  if (e.restores !== undefined) check("restores", restores === e.restores, `expected ${e.restores}, the simulator counted ${restores} (${services.map((s) => `${s.name}: ${s.restores.started} started, ${s.restores.succeeded} succeeded`).join("; ")})`);
  const restoresStarted = services.reduce((n, s) => n + s.restores.started, 0);
  if (e.restoresStarted !== undefined) check("restores started", restoresStarted === e.restoresStarted, `expected ${e.restoresStarted}, the simulator counted ${restoresStarted} started (${services.map((s) => `${s.name}: ${s.restores.started} started, ${s.restores.failed} failed`).join("; ")})`);
  if (e.restoresAfterOutage !== undefined) {
    const after = o.standbyRestoresAtOutage === null ? null : standby.restores.started - o.standbyRestoresAtOutage;
    check("restores after the outage", after === e.restoresAfterOutage, after === null ? "no outage was injected" : `expected ${e.restoresAfterOutage} restore(s) started on the standby after the outage, counted ${after} (${o.standbyRestoresAtOutage} before it)`);
  }
  if (e.dnsChanges !== undefined) check("DNS changes", dnsChanges === e.dnsChanges, `expected ${e.dnsChanges}, the simulator counted ${dnsChanges} write(s); CNAME now ${Object.values(stats.dns)[0]?.cname}`);
  const cname = Object.values(stats.dns)[0]?.cname ?? null;
  if (e.cname !== undefined) check("CNAME", cname === e.cname, `expected ${e.cname}, the record points at ${cname ?? "nothing"}`);
  for (const s of o.stages) {
    check(`stage "${s.name}"`, s.dataLossChanges <= s.maxDataLoss, `the ${s.active} serves traffic at revision ${s.activeRevision}, the newest state is revision ${s.newestRevision}: ${s.dataLossChanges} change(s) lost (at most ${s.maxDataLoss})`);
  }
  const lossDetail = o.stages.length ? `summed over ${o.stages.length} stage(s)` : `primary revision ${o.primaryRevisionAtOutage ?? "?"} at the outage, standby restored from ${standby.restoredFromRevision ?? "none"}`;
  if (e.dataLossChanges !== undefined) check("data loss", dataLossChanges === e.dataLossChanges, `expected ${e.dataLossChanges} missing change(s), measured ${dataLossChanges ?? "n/a"} (${lossDetail})`);
  if (e.maxRtoSeconds !== undefined) check("RTO", rtoMs !== null && rtoMs <= e.maxRtoSeconds * 1000, `expected at most ${e.maxRtoSeconds} s, measured ${rtoMs === null ? "no failover" : `${(rtoMs / 1000).toFixed(1)} s`}`);
  if (e.noFailover) {
    const moved = transitions(audit).filter((t) => t.state.startsWith("failingOver") || t.state.startsWith("failedOver"));
    check("no failover", moved.length === 0 && dnsChanges === 0, moved.length ? `the pair entered ${moved[0]!.state}` : `no failover started, ${dnsChanges} DNS write(s)`);
  }
  if (e.otherPairsUntouched) {
    const touched = o.otherPairs.filter((p) => !p.state.startsWith("monitoring") || p.statesEntered.some((s) => !s.startsWith("monitoring")));
    const dnsMoved = o.sim.pairs.slice(1).filter((p) => stats.dns[`${p.recordName}.${o.sim.dns.zoneName}`]?.cname !== p.primary.gatewayHost);
    check(
      "other pairs untouched",
      o.otherPairs.length > 0 && touched.length === 0 && dnsMoved.length === 0,
      o.otherPairs.length === 0
        ? "the world has no other pair: set world.pairs above 1"
        : touched.length || dnsMoved.length
          ? [...touched.map((p) => `${p.name} is ${p.state} (entered ${p.statesEntered.filter((s) => !s.startsWith("monitoring")).join(", ") || "nothing else"})`), ...dnsMoved.map((p) => `${p.name}'s CNAME moved`)].join("; ")
          : `${o.otherPairs.length} other pair(s) stayed in monitoring, their CNAMEs on their primaries`,
    );
  }
  for (const text of e.decisionsInclude ?? []) {
    const hit = audit.find((a) => (a.reason ?? "").includes(text));
    check(`decision says "${text}"`, !!hit, hit ? `${hit.type}${hit.state ? ` in ${hit.state}` : ""}: ${hit.reason}` : `no audit entry says it (${audit.length} entries)`);
  }
  if (e.backupsAtLeast !== undefined) check("backups", primary.backups.succeeded >= e.backupsAtLeast, `expected at least ${e.backupsAtLeast} backup(s) of the primary, got ${primary.backups.succeeded}`);
  if (e.maxBackupAgeSeconds !== undefined) {
    const age = status?.backup.ageMs ?? null;
    check("backup age", age !== null && age <= e.maxBackupAgeSeconds * 1000, `expected the newest backup at most ${e.maxBackupAgeSeconds} s old, it is ${age === null ? "missing" : `${(age / 1000).toFixed(0)} s`} old; ${status?.backup.unbackedChanges ?? "?"} unbacked change(s)`);
  }
  if (e.readinessNotReady !== undefined) {
    const notReady = o.readiness?.checks.filter((c) => c.status === "NOT READY").map((c) => c.check) ?? null;
    const want = [...e.readinessNotReady].sort();
    check("readiness", notReady !== null && JSON.stringify([...notReady].sort()) === JSON.stringify(want), notReady === null ? "the controller served no readiness" : `expected NOT READY: ${want.join(", ") || "none"}; the controller says NOT READY: ${notReady.join(", ") || "none"}`);
  }
  if (e.readinessWithinInterval) {
    const took = o.breakAt !== null && o.breakReportedAt !== null ? o.breakReportedAt - o.breakAt : null;
    check("readiness reported", took !== null && took <= o.readinessIntervalMs, took === null ? "the break was never reported NOT READY" : took < 0 ? `reported by the round already running when the break was made (interval ${o.readinessIntervalMs / 1000} s)` : `reported by the round that started ${(took / 1000).toFixed(1)} s after the break (interval ${o.readinessIntervalMs / 1000} s)`);
  }
  if (e.maxTakeoverSeconds !== undefined) {
    const t = o.takeover;
    check(
      "takeover",
      !!t && t.ms !== null && t.ms <= e.maxTakeoverSeconds * 1000,
      !t ? "no leader was killed or frozen" : t.ms === null ? `no other replica took over from ${t.replica}` : `${t.by} acted ${(t.ms / 1000).toFixed(1)} s after ${t.replica} was lost (at most ${e.maxTakeoverSeconds} s)`,
    );
  }
  if (e.refusedWritesLoggedBy !== undefined) {
    const log = o.logs?.get(e.refusedWritesLoggedBy) ?? "";
    const lines = log.split("\n").filter((l) => /no longer the leader|FencedOut|deposed|not the leader/.test(l));
    check(`${e.refusedWritesLoggedBy} knows it was deposed`, lines.length > 0, lines.length ? `${lines.length} log line(s), e.g. ${JSON.parse(lines[0]!).msg ?? lines[0]}` : "its log says nothing about losing the lead");
  }
  if (e.refusedAuditLoggedBy !== undefined) {
    const lines = (o.logs?.get(e.refusedAuditLoggedBy) ?? "").split("\n").filter((l) => l.includes("audit append refused"));
    check(`${e.refusedAuditLoggedBy}'s audit append refused`, lines.length > 0, lines.length ? `${lines.length} log line(s), e.g. ${JSON.parse(lines[0]!).msg ?? lines[0]}` : "its log shows no refused audit append");
  }
  if (e.auditSeqsInOrder) {
    const seqs = audit.flatMap((entry) => (typeof entry.seq === "number" ? [entry.seq] : []));
    const wrong = seqs.findIndex((seq, i) => i > 0 && seq <= seqs[i - 1]!);
    check("audit seqs once, in order", seqs.length > 0 && wrong < 0, wrong < 0 ? `${seqs.length} entries, seq ${seqs[0]} to ${seqs.at(-1)}` : `seq ${seqs[wrong]} follows ${seqs[wrong - 1]} (entry ${wrong + 1} of ${seqs.length})`);
  }
  for (const want of e.notified ?? []) {
    const result = notifiedCheck(audit, stats.webhooks, want);
    check(`notified ${want.event} (${want.target})`, result.passed, result.detail);
  }
  return { expectations, detectionMs, rtoMs, dataLossChanges, restores, dnsChanges, finalState, activeRegion };
}

/** When the controller first recorded `event` (its own audit time), and whether the webhook got it within the limit. */
export function notifiedCheck(audit: AuditEntry[], webhooks: SimStats["webhooks"], want: { event: string; target: string; withinSeconds: number }): { passed: boolean; detail: string } {
  const recorded = audit.find((entry) => {
    const n = notificationOf({ ...entry, seq: entry.seq ?? 0 });
    return n !== null && matches(n, [want.event as NotificationEvent]);
  });
  if (!recorded) return { passed: false, detail: `the controller recorded no ${want.event} (${audit.length} audit entries)` };
  const at = Date.parse(recorded.at);
  const got = webhooks.deliveries.find((d) => d.target === want.target && d.event === want.event && d.at >= at - 1000);
  const others = webhooks.deliveries.filter((d) => d.target === want.target).map((d) => d.event).join(", ") || "nothing";
  if (!got) return { passed: false, detail: `${want.target} received no ${want.event} after it was recorded at ${recorded.at} (it received: ${others})` };
  const delay = got.at - at;
  const signed = want.target === "oncall" ? `, signature ${got.signature}` : "";
  const passed = delay <= want.withinSeconds * 1000 && (want.target !== "oncall" || got.signature === "valid");
  return { passed, detail: `received ${(Math.max(0, delay) / 1000).toFixed(1)} s after the controller recorded it (at most ${want.withinSeconds} s)${signed}: "${got.title ?? ""}"` };
}
