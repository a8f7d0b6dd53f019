import type { Signal, SignalChannel } from "../ports/signal.js";
import { RESOURCE_HEALTH_API, channelName, channelOf, channelRank, listing, sortChannels } from "./channels.js";
import { groupOf, stalenessOf, type AuthoritativeRule, type HealthSettings, type SourceGroup } from "./config.js";
import { describeSignal } from "./describe.js";
import { voteGroupOf } from "./vantage.js";

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
 * - down: the quorum of independent groups (or an authoritative rule) says unhealthy, on at least two channels
 * - doubt: some group says unhealthy or degraded, short of that
 * - up: at least one fresh group votes, all of them healthy
 * - none: no fresh vote at all
 */
export interface Assessment {
  kind: "down" | "doubt" | "up" | "none";
  /** An authoritative rule is satisfied: no confirmation window needed. */
  immediate: boolean;
  authoritative: TimedSignal | null;
  /** What an authoritative signal still needs before it confirms: `a second channel`, `1 more independent source`. */
  awaits: string | null;
  unhealthy: GroupVote[];
  degraded: GroupVote[];
  healthy: GroupVote[];
  /** The channels the unhealthy votes came through. */
  channels: SignalChannel[];
  /** Channels (or, for ARM, the read) that see the region healthy while others report a problem: `probes`, `Resource Health API`. */
  healthyWitnesses: string[];
  /** Why a Resource Health record from the hub is, or is not, authoritative; null when none matched a rule. */
  authorityNote: string | null;
  /** The newest signal that no longer counts, to explain an `unknown`. */
  newestStale: TimedSignal | null;
  /** Groups left out of this assessment (observer groups while the observer is impaired). */
  excluded: string[];
  /** Votes left out for one gateway only, each with why (vantage points that contradict each other). */
  notCounted: string[];
}

/** A group left out of one region's assessment, and why (said in the verdict's reason). */
export interface Exclusion {
  group: string;
  why: string;
}

/** Channels that can confirm an outage together; one channel alone never can. */
export const MIN_CHANNELS = 2;

/** Older first; equal times by id, so ties never depend on arrival order. */
function byTime(a: TimedSignal, b: TimedSignal): number {
  return a.at - b.at || (a.signal.id < b.signal.id ? -1 : a.signal.id > b.signal.id ? 1 : 0);
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

/**
 * Whether the controller's own Resource Health API read lets a hub signal be authoritative: it
 * agrees (unhealthy), or it could not be read at all (the region's management plane may be down).
 * Anything else (Available, Degraded, no read yet) leaves the hub signal an ordinary vote.
 */
function apiBacking(api: TimedSignal | null, now: number): { backs: boolean; note: string } {
  if (!api) return { backs: false, note: "the Event Hubs Resource Health record is not authoritative: the Resource Health API has not been read" };
  if (api.signal.attributes?.["unreachable"] === true) {
    return { backs: true, note: `the Resource Health API could not be read (${api.signal.summary}), as when the region's management plane is down: the Event Hubs Resource Health record counts as authoritative` };
  }
  if (api.signal.status === "unhealthy") return { backs: true, note: "" };
  return { backs: false, note: `the Event Hubs Resource Health record is not authoritative: ${describeSignal(api.signal, api.at, now)}` };
}

export function assess(
  latest: ReadonlyMap<string, TimedSignal>,
  settings: HealthSettings,
  now: number,
  options: { excludeObserver?: boolean; exclude?: Exclusion[] } = {},
): Assessment {
  const excluded = options.excludeObserver ? settings.groups.filter((g) => g.observer).map((g) => g.name) : [];
  const left = new Set([...excluded, ...(options.exclude ?? []).map((e) => e.group)]);
  // By group name: another region's replica votes in a group made for it (vantage.ts), not a configured one.
  const fresh = new Map<string, { group: SourceGroup; entries: TimedSignal[] }>();
  let newestStale: TimedSignal | null = null;
  for (const entry of latest.values()) {
    const group = voteGroupOf(settings, entry.signal);
    if (!group || left.has(group.name)) continue;
    if (now - entry.at > stalenessOf(settings, group)) {
      if (!newestStale || byTime(entry, newestStale) > 0) newestStale = entry;
      continue;
    }
    if (entry.signal.status !== "unknown") {
      const slot = fresh.get(group.name) ?? { group, entries: [] };
      slot.entries.push(entry);
      fresh.set(group.name, slot);
    }
  }

  const votes: GroupVote[] = [];
  const configured = new Set(settings.groups.map((g) => g.name));
  const remote = [...fresh.values()].map((f) => f.group).filter((g) => !configured.has(g.name)).sort((a, b) => a.name.localeCompare(b.name));
  for (const group of [...settings.groups, ...remote]) {
    let vote: GroupVote | null = null;
    // A fixed order inside a vote, whatever the arrival order: source as the group lists it, channel, time, id.
    const members = (fresh.get(group.name)?.entries ?? []).sort(
      (a, b) =>
        group.sources.indexOf(a.signal.source) - group.sources.indexOf(b.signal.source) ||
        channelRank(channelOf(a.signal)) - channelRank(channelOf(b.signal)) ||
        byTime(a, b),
    );
    for (const entry of members) {
      const status = entry.signal.status as VoteStatus;
      if (!vote || severity[status] > severity[vote.status]) vote = { group, status, signals: [entry] };
      else if (status === vote.status) vote.signals.push(entry);
    }
    if (vote) votes.push(vote);
  }
  const unhealthy = votes.filter((v) => v.status === "unhealthy");
  const degraded = votes.filter((v) => v.status === "degraded");
  const healthy = votes.filter((v) => v.status === "healthy");
  const channels = sortChannels(unhealthy.flatMap((v) => v.signals.map((s) => channelOf(s.signal))));
  const enoughChannels = channels.length >= MIN_CHANNELS;

  const rhGroup = groupOf(settings, "resourceHealth");
  const apiEntry = latest.get(RESOURCE_HEALTH_API) ?? null;
  const api = apiEntry && rhGroup && now - apiEntry.at <= stalenessOf(settings, rhGroup) ? apiEntry : null;
  let authoritative: TimedSignal | null = null;
  let alone = false;
  let immediate = false;
  let authorityNote: string | null = null;
  for (const rule of settings.authoritative) {
    for (const vote of unhealthy) {
      for (const match of vote.signals.filter((s) => matchesRule(rule, s.signal))) {
        // What arrives on the hub can be forged: it speaks with authority only when the controller's own read backs it.
        if (channelOf(match.signal) === "eventHubs") {
          const backing = apiBacking(api, now);
          if (backing.note) authorityNote ??= backing.note;
          if (!backing.backs) continue;
        }
        authoritative ??= match;
        alone ||= rule.confirms === "alone";
        if (enoughChannels && (rule.confirms === "alone" || unhealthy.length >= 2)) {
          authoritative = match;
          immediate = true;
        }
      }
    }
  }

  let kind: Assessment["kind"];
  if (immediate || (unhealthy.length >= settings.quorum && enoughChannels)) kind = "down";
  else if (unhealthy.length || degraded.length) kind = "doubt";
  else if (healthy.length) kind = "up";
  else kind = "none";
  const awaits =
    !authoritative || immediate
      ? null
      : !enoughChannels
        ? alone || unhealthy.length >= 2
          ? "a second channel"
          : "1 more independent source on another channel"
        : "1 more independent source";
  return { kind, immediate, authoritative, awaits, unhealthy, degraded, healthy, channels, healthyWitnesses: witnesses([...fresh.values()].flatMap((f) => f.entries), channels), authorityNote, newestStale, excluded, notCounted: (options.exclude ?? []).map((e) => e.why) };
}

/**
 * Channels that contradict the unhealthy ones, named as reasons name them: a channel whose fresh
 * signals are all healthy; for ARM, the Resource Health API on its own when it says Available
 * (it is what a forged Resource Health record claims to speak for).
 */
function witnesses(fresh: TimedSignal[], down: SignalChannel[]): string[] {
  if (!down.length) return [];
  const byChannel = new Map<SignalChannel, TimedSignal[]>();
  for (const entry of fresh) {
    const channel = channelOf(entry.signal);
    byChannel.set(channel, [...(byChannel.get(channel) ?? []), entry]);
  }
  const names: string[] = [];
  for (const channel of sortChannels(byChannel.keys()).reverse()) {
    if (down.includes(channel)) continue;
    const entries = byChannel.get(channel)!;
    const allHealthy = entries.every((e) => e.signal.status === "healthy");
    if (channel === "arm" && entries.some((e) => e.signal.source === "resourceHealth" && e.signal.status === "healthy")) names.push("Resource Health API");
    else if (allHealthy) names.push(channelName(channel));
  }
  return names;
}

/** `probes and Resource Health API healthy` */
export function witnessText(a: Assessment): string {
  return a.healthyWitnesses.length ? `${listing(a.healthyWitnesses)} healthy` : "";
}

/** `(resourceHealth Unavailable PlatformInitiated 12s ago; probe 3/3 failed 4s ago)` */
export function evidence(votes: GroupVote[], now: number): string {
  const parts = votes.flatMap((v) => v.signals.map((s) => describeSignal(s.signal, s.at, now)));
  return parts.length ? `(${parts.join("; ")})` : "";
}

export function signalIdsOf(votes: GroupVote[]): string[] {
  return votes.flatMap((v) => v.signals.map((s) => s.signal.id));
}
