import type { PairRecord } from "../runtime/records/record-stream.js";

/** What a notification target can subscribe to; a new kind of record that should page someone is one more entry and one more case below. */
export const NOTIFICATION_EVENTS = [
  "awaitingOperator",
  "failoverStarted",
  "failoverCompleted",
  "failoverFailed",
  "failbackCompleted",
  "rpoBreached",
  "rpoRecovered",
  "observerImpaired",
  "readinessNotReady",
  "leadershipChanged",
] as const;

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export type Severity = "critical" | "warning" | "info";

/** One message for a person: what happened, why (the decision's reason) and what to do. */
export interface Notification {
  /** The event the message is about; `alsoMatches` are further events the same record stands for (a filter on any of them delivers it). */
  event: NotificationEvent;
  alsoMatches: NotificationEvent[];
  severity: Severity;
  pair: string;
  /** The pair's state after the record. */
  state: string;
  at: string;
  seq: number;
  title: string;
  /** Why: the reason the controller recorded. */
  reason: string;
  /** What to do, as sentences and commands an operator can paste. */
  actions: string[];
}

const cmd = (pair: string, action: string) => `apim-dr ${action} --pair ${pair}`;

/** The record → notification mapping; null for the many records no person needs to be woken for. */
export function notificationOf(record: PairRecord): Notification | null {
  const { pair, state = "", reason = "" } = record;
  const from = typeof record.detail?.from === "string" ? record.detail.from : "";
  const base = { pair, state, at: record.at, seq: record.seq, reason: reason || "(no reason recorded)", alsoMatches: [] as NotificationEvent[] };
  const inspect = `Inspect: ${cmd(pair, "status")}`;

  if (record.type === "transition") {
    const wasFailingOver = from.startsWith("failingOver");
    if (state === "awaitingOperator") {
      return {
        ...base,
        event: "awaitingOperator",
        alsoMatches: wasFailingOver ? ["failoverFailed"] : [],
        severity: "critical",
        title: wasFailingOver ? `${pair}: failover stopped, waiting for an operator` : `${pair}: waiting for an operator`,
        actions: [inspect, `Approve what it waits for: ${cmd(pair, "approve")}`, `Or abort it: ${cmd(pair, "abort")}`],
      };
    }
    if (state.startsWith("failingOver") && !wasFailingOver) {
      return { ...base, event: "failoverStarted", severity: "warning", title: `${pair}: failover to the standby started`, actions: [`Follow it: ${cmd(pair, "status")}`, `Stop it: ${cmd(pair, "abort")}`] };
    }
    if (state === "failedOver" && wasFailingOver) {
      return { ...base, event: "failoverCompleted", severity: "warning", title: `${pair}: failed over, the standby serves traffic`, actions: [inspect, `Once the primary region is healthy again: ${cmd(pair, "failback")}`] };
    }
    if (wasFailingOver && !state.startsWith("failingOver") && state !== "failedOver") {
      return { ...base, event: "failoverFailed", severity: "critical", title: `${pair}: failover did not complete (now ${state})`, actions: [inspect, `Read the decisions: apim-dr audit --pair ${pair}`] };
    }
    if (from.startsWith("failingBack") && state.startsWith("monitoring")) {
      return { ...base, event: "failbackCompleted", severity: "info", title: `${pair}: failed back, the primary serves traffic`, actions: ["Nothing to do."] };
    }
    return null;
  }
  if (record.verdict === "rpoBreached") {
    return { ...base, event: "rpoBreached", severity: "warning", title: `${pair}: newest backup is older than the RPO`, actions: [inspect, `Take a backup now: ${cmd(pair, "backup")}`] };
  }
  if (record.verdict === "rpoRecovered") {
    return { ...base, event: "rpoRecovered", severity: "info", title: `${pair}: backups are within the RPO again`, actions: ["Nothing to do."] };
  }
  if (record.type === "alert" && reason.startsWith("observer impaired")) {
    return { ...base, event: "observerImpaired", severity: "warning", title: `${pair}: the controller's view of the regions is unreliable`, actions: [inspect, "No automatic failover on its signals until it recovers: check the controller's network and signal sources."] };
  }
  if (record.type === "readiness" && record.verdict === "NOT READY") {
    const check = typeof record.detail?.check === "string" ? record.detail.check : "a check";
    const fix = typeof record.detail?.fix === "string" ? [`Fix: ${record.detail.fix}`] : [];
    return { ...base, event: "readinessNotReady", severity: "warning", title: `${pair}: readiness check ${check} is NOT READY`, actions: [...fix, `See every check: apim-dr check --config FILE --pair ${pair}`, `What a failover would do now: ${cmd(pair, "plan")}`] };
  }
  if (record.verdict === "leadership.acquired" || record.verdict === "leadership.lost") {
    const acquired = record.verdict === "leadership.acquired";
    return {
      ...base,
      event: "leadershipChanged",
      severity: acquired ? "info" : "warning",
      title: acquired ? `${pair}: ${record.actor ?? "a replica"} now leads the pair` : `${pair}: ${record.actor ?? "a replica"} no longer leads the pair`,
      actions: acquired ? ["Nothing to do; the new leader resumes where the last one stopped.", inspect] : [`Check that another replica took over: ${cmd(pair, "status")}`],
    };
  }
  return null;
}

export function matches(n: Notification, filter: readonly NotificationEvent[]): boolean {
  return filter.includes(n.event) || n.alsoMatches.some((e) => filter.includes(e));
}
