import type { PairStatus } from "../server/controller-api.js";

type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Labels) => {
  const entries = Object.entries(l);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}` : "";
};

/** Prometheus text exposition, built metric family by metric family. */
export class MetricsText {
  private lines: string[] = [];
  family(name: string, type: "gauge" | "counter", help: string, samples: Array<[Labels, number]>): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${Number.isFinite(v) ? v : 0}`);
    return this;
  }
  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}

export interface ControllerCounters {
  signalsReceived: Record<string, number>;
  /** Signals that could not change a verdict, by reason (stale on arrival, stamped in the future). */
  signalsIgnored: Record<string, number>;
  eventsReceived: number;
  eventsDecoded: number;
  eventsDeadLettered: number;
  pollerErrors: Record<string, number>;
  failovers: Record<string, number>;
  /** Unhandled rejections logged and survived: each is a bug. */
  unexpectedErrors: number;
  /** Times this replica took over a pair's lease since it started. */
  takeovers?: Record<string, number>;
}

export function renderMetrics(pairs: PairStatus[], counters: ControllerCounters): string {
  const byPair = <T>(fn: (p: PairStatus) => T) => pairs.map((p) => [p, fn(p)] as const);
  return new MetricsText()
    .family("apim_dr_pair_state", "gauge", "1 for the state each pair is in.", byPair((p) => p.state).map(([p, s]) => [{ pair: p.name, state: s }, 1]))
    .family("apim_dr_pair_active_region", "gauge", "1 for the region serving the pair's custom hostname.", pairs.map((p) => [{ pair: p.name, region: p.activeRegion }, 1]))
    .family("apim_dr_backup_age_seconds", "gauge", "Age of the newest restorable backup (-1 when there is none).", pairs.map((p) => [{ pair: p.name }, p.backup.ageMs === null ? -1 : p.backup.ageMs / 1000]))
    .family("apim_dr_rpo_seconds", "gauge", "Recovery point objective.", pairs.map((p) => [{ pair: p.name }, p.backup.rpoMs / 1000]))
    .family("apim_dr_rpo_breached", "gauge", "1 when the newest backup is older than the RPO.", pairs.map((p) => [{ pair: p.name }, p.backup.breached ? 1 : 0]))
    .family("apim_dr_unbacked_changes", "gauge", "Configuration changes of the active instance that are in no backup yet.", pairs.map((p) => [{ pair: p.name }, p.backup.unbackedChanges]))
    .family(
      "apim_dr_region_health",
      "gauge",
      "1 for each region's current health verdict.",
      pairs.flatMap((p) => [p.health.primary, p.health.standby].map((h) => [{ pair: p.name, region: h.region, verdict: h.verdict }, 1] as [Labels, number])),
    )
    .family("apim_dr_observer_impaired", "gauge", "1 when the controller's own view of the regions is unreliable.", pairs.map((p) => [{ pair: p.name }, p.health.observerImpaired ? 1 : 0]))
    .family(
      "apim_dr_last_decision_timestamp_seconds",
      "gauge",
      "When the last decision was taken, labelled with its verdict.",
      pairs.filter((p) => p.lastDecision).map((p) => [{ pair: p.name, verdict: p.lastDecision!.verdict, state: p.lastDecision!.state }, Date.parse(p.lastDecision!.at) / 1000]),
    )
    .family("apim_dr_failovers_total", "counter", "Failovers completed (traffic moved to the standby) since the controller started.", pairs.map((p) => [{ pair: p.name }, counters.failovers[p.name] ?? 0]))
    .family(
      "apim_dr_leader",
      "gauge",
      "1 for the replica that leads each pair, as this replica sees it (a sole replica leads every pair).",
      pairs.flatMap((p) => {
        const l = p.leadership;
        if (!l) return [];
        const replica = l.role === "sole" ? "sole" : l.leader?.replicaId;
        return replica ? [[{ pair: p.name, replica }, 1] as [Labels, number]] : [];
      }),
    )
    .family("apim_dr_leader_takeovers_total", "counter", "Times this replica took over a pair's lease since it started.", pairs.map((p) => [{ pair: p.name }, counters.takeovers?.[p.name] ?? 0]))
    .family("apim_dr_signals_received_total", "counter", "Normalized signals received, by source.", Object.entries(counters.signalsReceived).map(([source, n]) => [{ source }, n]))
    .family("apim_dr_signals_ignored_total", "counter", "Signals that could not change a verdict, by reason: stale (older than the staleness window on arrival), future (beyond the allowed clock skew) or concernsNoPair (about no configured service or region).", Object.entries(counters.signalsIgnored).map(([reason, n]) => [{ reason }, n]))
    .family("apim_dr_events_received_total", "counter", "Events taken from Event Hubs.", [[{}, counters.eventsReceived]])
    .family("apim_dr_events_decoded_total", "counter", "Events that decoded.", [[{}, counters.eventsDecoded]])
    .family("apim_dr_events_dead_lettered_total", "counter", "Events written to the dead-letter store.", [[{}, counters.eventsDeadLettered]])
    .family("apim_dr_unexpected_errors_total", "counter", "Unhandled rejections the controller logged and survived (each is a bug worth reporting).", [[{}, counters.unexpectedErrors]])
    .family("apim_dr_poller_errors_total", "counter", "Failed poller rounds, by poller.", Object.entries(counters.pollerErrors).map(([poller, n]) => [{ poller }, n]))
    .toString();
}
