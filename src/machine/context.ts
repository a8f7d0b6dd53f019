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
} satisfies Partial<PairContext>;

export function initialContext(settings: PairSettings): PairContext {
  return {
    ...failoverReset,
    pair: { ...settings, policy: { ...settings.policy, onRpoBreach: settings.policy.onRpoBreach ?? "awaitApproval" } },
    health: { primary: unknownHealth, standby: unknownHealth, observer: { impaired: false, reason: "", since: null } },
    lastDecision: null,
    decisions: [],
    latestBackup: null,
    standbyHolds: null,
    automaticFailovers: [],
    activeRegion: "primary",
    pausedFrom: null,
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
  const recorded: RecordedDecision = { verdict: decision.verdict, reason: decision.reason, at, state };
  return { lastDecision: recorded, decisions: [...ctx.decisions, recorded].slice(-DECISION_HISTORY_LIMIT) };
}
