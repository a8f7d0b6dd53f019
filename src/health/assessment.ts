import type { Signal, SignalSource } from "../ports/signal.js";
import { stalenessOf, type AuthoritativeRule, type HealthSettings, type SourceGroup } from "./config.js";
import { describeSignal } from "./describe.js";

/** A signal with its parsed observation time. */
export interface TimedSignal {
  signal: Signal;
  at: number;
}

export type VoteStatus = "unhealthy" | "degraded" | "healthy";

/** One independent group's vote: its worst fresh member, and the signals behind it. */
export interface GroupVote {
  group: SourceGroup;
  status: VoteStatus;
  signals: TimedSignal[];
}

/**
 * What the fresh signals for one region say right now, before windows and hysteresis:
 * - down: the quorum of independent groups (or an authoritative rule) says unhealthy
 * - doubt: some group says unhealthy or degraded, short of that
 * - up: at least one fresh group votes, all of them healthy
 * - none: no fresh vote at all
 */
export interface Assessment {
  kind: "down" | "doubt" | "up" | "none";
  /** An authoritative rule is satisfied: no confirmation window needed. */
  immediate: boolean;
  authoritative: TimedSignal | null;
  unhealthy: GroupVote[];
  degraded: GroupVote[];
  healthy: GroupVote[];
  /** The newest signal that no longer counts, to explain an `unknown`. */
  newestStale: TimedSignal | null;
  /** Groups left out of this assessment (observer groups while the observer is impaired). */
  excluded: string[];
}

const severity: Record<VoteStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

function matchesRule(rule: AuthoritativeRule, signal: Signal): boolean {
  if (!rule.sources.includes(signal.source) || rule.status !== signal.status) return false;
  return Object.entries(rule.attributes ?? {}).every(([key, expected]) => {
    const actual = signal.attributes?.[key];
    if (typeof expected === "string" && typeof actual === "string") return expected.toLowerCase() === actual.toLowerCase();
    return actual === expected;
  });
}

export function assess(
  latest: ReadonlyMap<SignalSource, TimedSignal>,
  settings: HealthSettings,
  now: number,
  options: { excludeObserver?: boolean } = {},
): Assessment {
  const votes: GroupVote[] = [];
  const excluded: string[] = [];
  let newestStale: TimedSignal | null = null;
  for (const group of settings.groups) {
    if (options.excludeObserver && group.observer) {
      excluded.push(group.name);
      continue;
    }
    const limit = stalenessOf(settings, group);
    let vote: GroupVote | null = null;
    for (const source of group.sources) {
      const entry = latest.get(source);
      if (!entry) continue;
      if (now - entry.at > limit) {
        if (!newestStale || entry.at > newestStale.at) newestStale = entry;
        continue;
      }
      const status = entry.signal.status;
      if (status === "unknown") continue;
      if (!vote || severity[status] > severity[vote.status]) vote = { group, status, signals: [entry] };
      else if (status === vote.status) vote.signals.push(entry);
    }
    if (vote) votes.push(vote);
  }
  const unhealthy = votes.filter((v) => v.status === "unhealthy");
  const degraded = votes.filter((v) => v.status === "degraded");
  const healthy = votes.filter((v) => v.status === "healthy");

  let authoritative: TimedSignal | null = null;
  let immediate = false;
  for (const rule of settings.authoritative) {
    for (const vote of unhealthy) {
      const match = vote.signals.find((s) => matchesRule(rule, s.signal));
      if (!match) continue;
      authoritative ??= match;
      if (rule.confirms === "alone" || unhealthy.length >= 2) {
        authoritative = match;
        immediate = true;
      }
    }
  }

  let kind: Assessment["kind"];
  if (immediate || unhealthy.length >= settings.quorum) kind = "down";
  else if (unhealthy.length || degraded.length) kind = "doubt";
  else if (healthy.length) kind = "up";
  else kind = "none";
  return { kind, immediate, authoritative, unhealthy, degraded, healthy, newestStale, excluded };
}

/** `(resourceHealth Unavailable PlatformInitiated 12s ago; probe 3/3 failed 4s ago)` */
export function evidence(votes: GroupVote[], now: number): string {
  const parts = votes.flatMap((v) => v.signals.map((s) => describeSignal(s.signal, s.at, now)));
  return parts.length ? `(${parts.join("; ")})` : "";
}

export function signalIdsOf(votes: GroupVote[]): string[] {
  return votes.flatMap((v) => v.signals.map((s) => s.signal.id));
}
