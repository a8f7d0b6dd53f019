import type { PairHealth } from "./evaluator.js";

// The evaluator produces exactly the machine's health events (the contract lives in src/ports).
export type { HealthEvent, HealthEventType } from "../ports/health-events.js";
import type { HealthEvent } from "../ports/health-events.js";

/**
 * What the machine should be told about the primary. Both regions down is reported as
 * `both` INSTEAD of primary unhealthy, so it can never start a failover into a dead standby.
 * `recovering` and `unknown` tell the machine nothing new.
 */
function primaryFact(h: PairHealth | null): "suspect" | "unhealthy" | "healthy" | "both" | null {
  if (!h) return null;
  if (h.bothUnhealthy.unhealthy) return "both";
  const v = h.primary.verdict;
  return v === "suspect" || v === "unhealthy" || v === "healthy" ? v : null;
}

function standbyFact(h: PairHealth | null): "unhealthy" | "healthy" | null {
  if (!h) return null;
  const v = h.standby.verdict;
  return v === "unhealthy" || v === "healthy" ? v : null;
}

/**
 * The machine's events for what changed between two evaluations (`previous` null: first one).
 * The machine treats any verdict event as "the observer works again", so:
 * - while the observer is impaired, `health.observerImpaired` comes LAST in every batch that
 *   carries other events, re-asserting the impairment after them;
 * - when the impairment clears, the current primary (or standby) verdict is restated even if
 *   it did not change, so the machine learns that the observer is back.
 * Standby news comes before primary news, so a primary event meets the standby's state.
 */
export function verdictEvents(previous: PairHealth | null, current: PairHealth, now: number): HealthEvent[] {
  const events: HealthEvent[] = [];
  const wasImpaired = previous?.observerImpaired.impaired ?? false;
  const impaired = current.observerImpaired.impaired;
  const observerBack = wasImpaired && !impaired;

  const standbyNow = standbyFact(current);
  const standbyChanged = standbyNow !== null && standbyNow !== standbyFact(previous);
  const primaryNow = primaryFact(current);
  const primaryChanged = primaryNow !== null && primaryNow !== primaryFact(previous);

  if (standbyNow && (standbyChanged || (observerBack && !primaryNow))) {
    const type = standbyNow === "unhealthy" ? "health.standbyUnhealthy" : "health.standbyHealthy";
    events.push({ type, reason: current.standby.reason, at: now });
  }
  if (primaryNow && (primaryChanged || observerBack)) {
    if (primaryNow === "both") events.push({ type: "health.bothUnhealthy", reason: current.bothUnhealthy.reason, at: now });
    else {
      const type = { suspect: "health.primarySuspect", unhealthy: "health.primaryUnhealthy", healthy: "health.primaryHealthy" } as const;
      events.push({ type: type[primaryNow], reason: current.primary.reason, at: now });
    }
  }
  if (impaired && (!wasImpaired || events.length)) {
    events.push({ type: "health.observerImpaired", reason: current.observerImpaired.reason, at: now });
  }
  return events;
}
