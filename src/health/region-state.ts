import { describeSignal, formatDuration, sourceLabel } from "./describe.js";
import { evidence, signalIdsOf, witnessText, type Assessment } from "./assessment.js";
import { channelName, channelsText } from "./channels.js";
import type { HealthSettings } from "./config.js";

export type Verdict = "healthy" | "suspect" | "unhealthy" | "recovering" | "unknown";

export interface RegionVerdict {
  verdict: Verdict;
  /** Names the signals that decided it: source, what it said, how old it is. */
  reason: string;
  /** When this verdict was first reached (ms since epoch, evaluation time). */
  since: number;
  signalIds: string[];
}

/** What one region remembers between evaluations. Windows run on evaluation time, like a Prometheus `for:` clause. */
export interface RegionState {
  verdict: Verdict;
  since: number;
  /** Start of the current uninterrupted run of `down` assessments. */
  downSince: number | null;
  /** Start of the current uninterrupted run of `up` assessments, while recovering. */
  upSince: number | null;
  /** Confirmed unhealthy and not yet through the recovery window. */
  mustRecover: boolean;
}

export function initialRegionState(now: number): RegionState {
  return { verdict: "unknown", since: now, downSince: null, upSince: null, mustRecover: false };
}

function sources(n: number): string {
  return n === 1 ? "1 independent source" : `${n} independent sources`;
}

/** `1 independent source reports`, `2 independent sources report` */
function report(n: number): string {
  return `${sources(n)} ${n === 1 ? "reports" : "report"}`;
}

/**
 * One evaluation step. `hold`, when set, says why this region must not be confirmed unhealthy
 * now (observer impaired): `down` is reported as `suspect` and its window does not run.
 */
export function advance(
  state: RegionState,
  a: Assessment,
  now: number,
  settings: HealthSettings,
  hold: string | null = null,
): { state: RegionState; verdict: RegionVerdict } {
  let verdict: Verdict;
  let reason: string;
  let signalIds = signalIdsOf([...a.unhealthy, ...a.degraded]);
  let { downSince, upSince, mustRecover } = state;
  const problems = evidence([...a.unhealthy, ...a.degraded], now);
  const healthyEvidence = evidence(a.healthy, now);

  if (a.kind === "down") {
    upSince = null;
    if (hold && state.verdict !== "unhealthy") {
      downSince = null;
      verdict = "suspect";
      reason = `suspect: ${hold}; ${report(a.unhealthy.length)} unhealthy ${problems}`;
    } else {
      downSince ??= now;
      const held = now - downSince;
      const agree = `${sources(a.unhealthy.length)} agree on ${channelsText(a.channels)}`;
      if (state.verdict === "unhealthy" || held >= settings.confirmationWindowMs) {
        verdict = "unhealthy";
        reason = `unhealthy: ${agree} for ${formatDuration(held)} ${problems}`;
      } else if (a.immediate && a.authoritative) {
        verdict = "unhealthy";
        const leader = sourceLabel(a.authoritative.signal);
        reason =
          a.unhealthy.length > 1
            ? `unhealthy: ${agree}, led by authoritative ${leader} ${problems}`
            : `unhealthy: authoritative ${leader} on its own, agreed on ${channelsText(a.channels)} ${problems}`;
      } else if (mustRecover) {
        verdict = "unhealthy";
        reason = `unhealthy again before recovery completed: ${agree} ${problems}`;
      } else {
        verdict = "suspect";
        reason = `suspect: ${agree} for ${formatDuration(held)} of the ${formatDuration(settings.confirmationWindowMs)} confirmation window ${problems}`;
      }
      if (verdict === "unhealthy") mustRecover = true;
      if (a.authorityNote) reason = `${reason.trimEnd()}; ${a.authorityNote}`;
    }
  } else if (a.kind === "doubt") {
    downSince = null;
    upSince = null;
    const n = a.unhealthy.length;
    const short = `${n} of ${settings.quorum} required independent sources report unhealthy`;
    let what = n ? short : `degraded, not down: ${report(a.degraded.length)} degraded`;
    if (n && a.channels.length === 1) {
      // One channel: say which, and who contradicts it (the forged-events case reads "Event Hubs alone; probes and Resource Health API healthy").
      const witnesses = witnessText(a);
      what = `${channelName(a.channels[0]!)} alone${witnesses ? `; ${witnesses}` : ""}: ${n >= settings.quorum ? `${report(n)} unhealthy, a second channel must agree` : short}`;
    }
    if (state.verdict === "unhealthy") {
      verdict = "unhealthy";
      reason = `unhealthy: still ${report(a.unhealthy.length + a.degraded.length)} a problem ${problems}; recovery needs every fresh source healthy`;
    } else if (mustRecover) {
      verdict = "recovering";
      reason = `recovering: hysteresis restarted, ${what} ${problems}`;
    } else if (a.authoritative) {
      verdict = "suspect";
      reason = `suspect: authoritative ${describeSignal(a.authoritative.signal, a.authoritative.at, now)} awaits corroboration by ${a.awaits}`;
    } else {
      verdict = "suspect";
      reason = `suspect: ${what} ${problems}`;
    }
    if (a.authorityNote && verdict !== "unhealthy") reason = `${reason.trimEnd()}; ${a.authorityNote}`;
    if (healthyEvidence && verdict !== "unhealthy") reason += `; healthy: ${healthyEvidence}`;
  } else if (a.kind === "up") {
    downSince = null;
    signalIds = signalIdsOf(a.healthy);
    if (mustRecover) {
      upSince ??= now;
      const held = now - upSince;
      if (held >= settings.recoveryWindowMs) {
        mustRecover = false;
        upSince = null;
        verdict = "healthy";
        reason = `healthy: every fresh source healthy for ${formatDuration(held)} after being unhealthy ${healthyEvidence}`;
      } else {
        verdict = "recovering";
        reason = `recovering: healthy for ${formatDuration(held)} of the ${formatDuration(settings.recoveryWindowMs)} recovery window ${healthyEvidence}`;
      }
    } else {
      verdict = "healthy";
      reason = `healthy: ${report(a.healthy.length)} healthy, none reports a problem ${healthyEvidence}`;
    }
  } else {
    downSince = null;
    upSince = null;
    verdict = "unknown";
    signalIds = a.newestStale ? [a.newestStale.signal.id] : [];
    reason = a.newestStale
      ? `unknown: no fresh health signal (newest: ${describeSignal(a.newestStale.signal, a.newestStale.at, now)}, too old to count)`
      : "unknown: no health signal for this region yet";
  }
  if (a.excluded.length) reason += `; not counted while the observer is impaired: ${a.excluded.join(", ")}`;
  for (const why of a.notCounted) reason += `; not counted: ${why}`;

  const since = verdict === state.verdict ? state.since : now;
  return {
    state: { verdict, since, downSince, upSince, mustRecover },
    verdict: { verdict, reason: reason.replace(/ +$/, ""), since, signalIds },
  };
}
