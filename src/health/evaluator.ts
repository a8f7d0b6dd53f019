import type { Signal } from "../ports/signal.js";
import { assess, evidence, signalIdsOf, type Assessment, type Exclusion, type TimedSignal } from "./assessment.js";
import { attribute, type PairSpec } from "./attribution.js";
import type { RegionRole } from "../ports/region.js";
import { entryKey, OWN_PROBE } from "./channels.js";
import { stalenessOf, validateHealthSettings, type HealthSettings } from "./config.js";
import { notIndependent, remoteVantageOf, voteGroupOf } from "./vantage.js";
import { vantageDisputes } from "./vantage-disputes.js";
import { advance, initialRegionState, type RegionState, type RegionVerdict } from "./region-state.js";

export type { PairSpec, PairMember } from "./attribution.js";
export type { RegionVerdict, Verdict } from "./region-state.js";

export interface ObserverStatus {
  impaired: boolean;
  reason: string;
  /** When the current impairment began (evaluation time), null when not impaired. */
  since: number | null;
  signalIds: string[];
}

export interface BothUnhealthy {
  unhealthy: boolean;
  reason: string;
}

export interface PairHealth {
  primary: RegionVerdict;
  standby: RegionVerdict;
  observerImpaired: ObserverStatus;
  bothUnhealthy: BothUnhealthy;
  evaluatedAt: number;
}

export type RejectReason = "notHealth" | "invalidTime" | "future" | "stale" | "ignoredSource" | "unattributed" | "duplicate" | "outOfOrder";

export type ObserveOutcome =
  | { accepted: true; sides: RegionRole[] }
  | { accepted: false; reason: RejectReason; detail: string };

export interface HealthEvaluator {
  /** Folds one signal in. Rejected signals change nothing; the outcome says why. */
  observe(signal: Signal, now: number): ObserveOutcome;
  /** Advances windows and hysteresis to `now` and returns both regions' verdicts. */
  evaluate(now: number): PairHealth;
  /** How many signals were accepted or rejected, by reason (for /metrics). */
  counts(): Readonly<Record<"accepted" | RejectReason, number>>;
}

/** Width of the time buckets the seen ids are forgotten by. */
const SEEN_BUCKET_MS = 10_000;

/**
 * Signals are kept as the newest per (side, channel, source, and alert id for alerts): whatever
 * order a batch or a replay arrives in, the same newest signal wins (ties broken by id), so a late
 * or repeated signal cannot change it, and folding in any order equals folding in event-time order.
 */
export function createEvaluator(settings: HealthSettings, pair: PairSpec): HealthEvaluator {
  validateHealthSettings(settings);
  const latest: Record<RegionRole, Map<string, TimedSignal>> = { primary: new Map(), standby: new Map() };
  // Ids already observed, for dedup; forgotten by time in buckets, so pruning costs the buckets, not every id.
  const seen = new Map<string, number>();
  const seenByBucket = new Map<number, string[]>();
  const counts = { accepted: 0, notHealth: 0, invalidTime: 0, future: 0, stale: 0, ignoredSource: 0, unattributed: 0, duplicate: 0, outOfOrder: 0 };
  let regions: Record<RegionRole, RegionState> | null = null;
  let impairedSince: number | null = null;
  const ownFailingSince: Record<RegionRole, number | null> = { primary: null, standby: null };
  let lastNow = Number.NEGATIVE_INFINITY;
  const retentionMs = Math.max(...settings.groups.map((g) => stalenessOf(settings, g))) + settings.maxClockSkewMs;

  function reject(reason: RejectReason, detail: string): ObserveOutcome {
    counts[reason]++;
    return { accepted: false, reason, detail };
  }

  function observe(signal: Signal, now: number): ObserveOutcome {
    if (signal.kind !== "health") return reject("notHealth", `signal ${signal.id} is a ${signal.kind} signal; only health signals decide verdicts`);
    const at = Date.parse(signal.observedAt);
    if (Number.isNaN(at)) return reject("invalidTime", `signal ${signal.id} has observedAt '${signal.observedAt}', which is not an ISO-8601 time; fix its decoder`);
    if (at > now + settings.maxClockSkewMs) {
      return reject("future", `signal ${signal.id} is stamped ${signal.observedAt}, more than ${settings.maxClockSkewMs} ms ahead of the controller clock; check the sender's clock`);
    }
    const remote = remoteVantageOf(signal);
    const independence = remote ? notIndependent(settings, remote) : null;
    if (independence) return reject("ignoredSource", `signal ${signal.id} is not counted: ${independence}`);
    const group = voteGroupOf(settings, signal);
    if (!group) {
      return reject("ignoredSource", `signal ${signal.id} comes from '${signal.source}', which is in no source group; add it to health.groups to count it`);
    }
    // Already too old to count (a replay after a long stop, a lagging sender): it must not change a verdict.
    if (now - at > stalenessOf(settings, group)) {
      return reject("stale", `signal ${signal.id} is stamped ${signal.observedAt}, older than the ${stalenessOf(settings, group)} ms staleness window of '${group.name}' on arrival`);
    }
    const sides = attribute(signal, pair);
    if (!sides.length) {
      return reject("unattributed", `signal ${signal.id} (resource ${signal.resourceId ?? "none"}, region ${signal.region ?? "none"}) matches neither service of this pair`);
    }
    if (seen.has(signal.id)) return reject("duplicate", `signal ${signal.id} was already observed`);
    seen.set(signal.id, at);
    const bucket = Math.floor(at / SEEN_BUCKET_MS);
    const ids = seenByBucket.get(bucket);
    if (ids) ids.push(signal.id);
    else seenByBucket.set(bucket, [signal.id]);
    const key = entryKey(signal);
    const newer = sides.filter((side) => {
      const current = latest[side].get(key);
      return !current || at > current.at || (at === current.at && signal.id > current.signal.id);
    });
    if (!newer.length) {
      return reject("outOfOrder", `signal ${signal.id} (${signal.observedAt}) is older than the newest ${signal.source} signal already observed for this region`);
    }
    for (const side of newer) {
      latest[side].set(key, { signal, at });
      // When this replica's probes of that gateway began failing: only another region's verdict measured since then contradicts them.
      if (key === OWN_PROBE) ownFailingSince[side] = signal.status === "healthy" || signal.status === "unknown" ? null : (ownFailingSince[side] ?? at);
    }
    counts.accepted++;
    return { accepted: true, sides: newer };
  }

  /** Observer groups fail for both regions at once, and Azure-side signals do not confirm both outages. */
  function observerImpairment(now: number, full: Record<RegionRole, Assessment>, exclude: Record<RegionRole, Exclusion[]>): ObserverStatus | null {
    const observerDown = (a: Assessment) => a.unhealthy.filter((v) => v.group.observer);
    const probes = { primary: observerDown(full.primary), standby: observerDown(full.standby) };
    if (!probes.primary.length || !probes.standby.length) return null;
    const azure = {
      primary: assess(latest.primary, settings, now, { excludeObserver: true, exclude: exclude.primary }),
      standby: assess(latest.standby, settings, now, { excludeObserver: true, exclude: exclude.standby }),
    };
    if (azure.primary.unhealthy.length && azure.standby.unhealthy.length) return null;
    const failing = `own probes fail for both primary ${evidence(probes.primary, now)} and standby ${evidence(probes.standby, now)}`;
    const azureSaysHealthy = (a: Assessment) => a.kind === "up";
    const reason =
      azureSaysHealthy(azure.primary) && azureSaysHealthy(azure.standby)
        ? `observer impaired: ${failing} while Azure-side signals say healthy: primary ${evidence(azure.primary.healthy, now)}, standby ${evidence(azure.standby.healthy, now)}`
        : `observer impaired: ${failing} at once, and Azure-side signals do not confirm an outage of both`;
    return { impaired: true, reason, since: impairedSince ?? now, signalIds: signalIdsOf([...probes.primary, ...probes.standby]) };
  }

  function evaluate(requestedNow: number): PairHealth {
    // A clock that steps back must not rewind windows.
    const now = Math.max(requestedNow, lastNow);
    lastNow = now;
    for (const [bucket, ids] of seenByBucket) {
      if ((bucket + 1) * SEEN_BUCKET_MS > now - retentionMs) continue;
      for (const id of ids) seen.delete(id);
      seenByBucket.delete(bucket);
    }
    // One entry per alert id piles up over time; long-expired ones can go (per-source entries stay to explain `unknown`).
    for (const side of ["primary", "standby"] as const) {
      for (const [key, entry] of latest[side]) if (entry.signal.attributes?.["alertId"] && entry.at < now - retentionMs) latest[side].delete(key);
    }

    // Vantage points that contradict each other about one gateway (issue 14): the failing side's vote is left out.
    const disputes = { primary: vantageDisputes("primary", latest.primary, ownFailingSince.primary, settings, now), standby: vantageDisputes("standby", latest.standby, ownFailingSince.standby, settings, now) };
    const exclude = { primary: disputes.primary.exclude, standby: disputes.standby.exclude };
    const full = { primary: assess(latest.primary, settings, now, { exclude: exclude.primary }), standby: assess(latest.standby, settings, now, { exclude: exclude.standby }) };
    const wholeObserver = observerImpairment(now, full, exclude);
    const gatewayImpairments = [disputes.primary.impaired, disputes.standby.impaired].filter((d) => d !== null);
    const impairment: ObserverStatus | null =
      wholeObserver ??
      (gatewayImpairments.length
        ? { impaired: true, reason: gatewayImpairments.map((d) => d.reason).join("; "), since: impairedSince ?? now, signalIds: gatewayImpairments.flatMap((d) => d.signalIds) }
        : null);
    impairedSince = impairment ? impairment.since : null;
    const used = wholeObserver
      ? {
          primary: assess(latest.primary, settings, now, { excludeObserver: true, exclude: exclude.primary }),
          standby: assess(latest.standby, settings, now, { excludeObserver: true, exclude: exclude.standby }),
        }
      : full;
    regions ??= { primary: initialRegionState(now), standby: initialRegionState(now) };
    // Only an observer impaired everywhere holds the primary; one impaired gateway view just does not count.
    const hold = wholeObserver ? "observer impaired, failover withheld" : null;
    const primary = advance(regions.primary, used.primary, now, settings, hold);
    const standby = advance(regions.standby, used.standby, now, settings);
    regions.primary = primary.state;
    regions.standby = standby.state;

    // A recovering standby has not yet proven itself: it is no failover target either.
    const both = primary.verdict.verdict === "unhealthy" && ["unhealthy", "recovering"].includes(standby.verdict.verdict);
    return {
      primary: primary.verdict,
      standby: standby.verdict,
      observerImpaired: impairment ?? { impaired: false, reason: "observer not impaired", since: null, signalIds: [] },
      bothUnhealthy: {
        unhealthy: both,
        reason: both
          ? `both regions unhealthy: no failover, escalate to the operator (primary ${primary.verdict.reason}; standby ${standby.verdict.reason})`
          : "at most one region unhealthy",
      },
      evaluatedAt: now,
    };
  }

  return { observe, evaluate, counts: () => ({ ...counts }) };
}
