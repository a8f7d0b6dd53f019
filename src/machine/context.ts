import { sameResourceId } from "../ports/signal.js";
import type { Decision, HealthEvent, PairContext, PairSettings, RecordedDecision, RegionHealth } from "./types.js";

export const DECISION_HISTORY_LIMIT = 50;

const unknownHealth: RegionHealth = { verdict: "unknown", reason: "no signal yet", since: null };

/** The per-failover fields: empty at start, and emptied again whenever a failover or failback starts or ends. */
export const failoverReset = {
  chosenBackup: null,
  pendingBackupName: null,
  operation: null,
  currentStep: null,
  attempts: {},
  retryAt: null,
  verifiedAt: { standby: null, primary: null },
  pendingApproval: null,
  failoverTrigger: null,
  heldUntilPrimaryHealthy: null,
} satisfies Partial<PairContext>;

export function initialContext(settings: PairSettings): PairContext {
  return {
    ...failoverReset,
    pair: { ...settings, policy: { ...settings.policy, onRpoBreach: settings.policy.onRpoBreach ?? "awaitApproval" } },
    health: { primary: unknownHealth, standby: unknownHealth, observer: { impaired: false, reason: "", since: null } },
    lastDecision: null,
    decisions: [],
    activeBaseline: null,
    unbackedChanges: [],
    standbyHolds: null,
    automaticFailovers: [],
    activeRegion: "primary",
    pausedFrom: null,
    route: null,
  };
}

function next(current: RegionHealth, verdict: RegionHealth["verdict"], reason: string, at: number): RegionHealth {
  // `since` marks when the verdict started: a repeated verdict must not restart the failback window.
  return { verdict, reason, since: current.verdict === verdict && current.since !== null ? current.since : at };
}

/** Folds a health event into the per-region health; any verdict from the evaluator means the observer works again. */
export function applyHealth(health: PairContext["health"], event: HealthEvent): PairContext["health"] {
  const { reason, at } = event;
  const observerOk = { impaired: false, reason: "", since: null };
  switch (event.type) {
    case "health.primarySuspect":
      return { ...health, primary: next(health.primary, "suspect", reason, at), observer: observerOk };
    case "health.primaryUnhealthy":
      return { ...health, primary: next(health.primary, "unhealthy", reason, at), observer: observerOk };
    case "health.primaryHealthy":
      return { ...health, primary: next(health.primary, "healthy", reason, at), observer: observerOk };
    case "health.standbyUnhealthy":
      return { ...health, standby: next(health.standby, "unhealthy", reason, at), observer: observerOk };
    case "health.standbyHealthy":
      return { ...health, standby: next(health.standby, "healthy", reason, at), observer: observerOk };
    case "health.bothUnhealthy":
      return { primary: next(health.primary, "unhealthy", reason, at), standby: next(health.standby, "unhealthy", reason, at), observer: observerOk };
    case "health.observerImpaired":
      return { ...health, observer: { impaired: true, reason, since: health.observer.impaired ? health.observer.since : at } };
  }
}

/** The context fields a decision updates: lastDecision plus the bounded history. */
export function withDecision(ctx: PairContext, decision: Decision, at: number, state: string): Pick<PairContext, "lastDecision" | "decisions"> {
  const recorded: RecordedDecision = { n: (ctx.lastDecision?.n ?? 0) + 1, verdict: decision.verdict, reason: decision.reason, at, state };
  return { lastDecision: recorded, decisions: [...ctx.decisions, recorded].slice(-DECISION_HISTORY_LIMIT) };
}

/** At most this many unbacked change times are kept; the count stays right for any realistic burst. */
export const UNBACKED_CHANGES_LIMIT = 1_000;

/** The instance that serves traffic: the one the CNAME points at. Everything that protects configuration follows it. */
export function activeServiceId(ctx: PairContext): string {
  return ctx.pair[ctx.activeRegion].serviceId;
}

/** Notes a change of `serviceId` when it is the active instance (a change elsewhere is overwritten by the next cutover). */
export function noteChange(ctx: PairContext, serviceId: string, at: number): Pick<PairContext, "unbackedChanges"> {
  // One change arrives twice (its activity-log record and its alert), with the same event time: count it once.
  if (!sameResourceId(serviceId, activeServiceId(ctx)) || ctx.unbackedChanges.includes(at)) return { unbackedChanges: ctx.unbackedChanges };
  const times = [...ctx.unbackedChanges, at];
  // Keep the first (it bounds the debounce) and the newest.
  return { unbackedChanges: times.length > UNBACKED_CHANGES_LIMIT ? [times[0]!, ...times.slice(-(UNBACKED_CHANGES_LIMIT - 1))] : times };
}

/** A finished backup of the active instance covers every change noted before it started. */
export function coverChanges(ctx: PairContext, sourceServiceId: string | null, startedAt: number): Pick<PairContext, "unbackedChanges"> {
  if (!sameResourceId(sourceServiceId, activeServiceId(ctx))) return { unbackedChanges: ctx.unbackedChanges };
  return { unbackedChanges: ctx.unbackedChanges.filter((t) => t > startedAt) };
}
