import type { Signal, SignalChannel } from "../ports/signal.js";

export type { SignalChannel };

/** Display order in reasons: the least trusted channel first. */
const ORDER: SignalChannel[] = ["eventHubs", "replicas", "arm", "probe"];
const NAMES: Record<SignalChannel, string> = { eventHubs: "Event Hubs", replicas: "other regions' probes", arm: "ARM reads", probe: "probes" };

/** An unstamped signal counts as Event Hubs: the channel an outsider with send rights can write to. */
export function channelOf(signal: Signal): SignalChannel {
  return signal.channel ?? "eventHubs";
}

export function channelName(channel: SignalChannel): string {
  return NAMES[channel];
}

export function channelRank(channel: SignalChannel): number {
  return ORDER.indexOf(channel);
}

export function sortChannels(channels: Iterable<SignalChannel>): SignalChannel[] {
  const set = new Set(channels);
  return ORDER.filter((c) => set.has(c));
}

/** `2 channels (Event Hubs, probes)` */
export function channelsText(channels: SignalChannel[]): string {
  return `${channels.length} channel${channels.length === 1 ? "" : "s"} (${channels.map(channelName).join(", ")})`;
}

/** `a`, `a and b`, `a, b and c` */
export function listing(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * Where the newest signal of one source (per alert id, for alerts) is kept. The channel is part of
 * the key: the Resource Health API read and a Resource Health record from the hub are different
 * observations, and one must never overwrite the other.
 */
export function entryKey(signal: Signal): string {
  const alertId = signal.attributes?.["alertId"];
  const replica = signal.attributes?.["replicaId"];
  // Each other replica is its own vantage point: one entry per replica, never overwriting another's.
  const base = channelOf(signal) === "replicas" && typeof replica === "string" ? `replicas|${signal.source}|${replica}` : `${channelOf(signal)}|${signal.source}`;
  return typeof alertId === "string" && alertId ? `${base}|${alertId.toLowerCase()}` : base;
}

/** The key of this replica's own probe verdict. */
export const OWN_PROBE = "probe|probe";

/** The key of the controller's own Resource Health API read. */
export const RESOURCE_HEALTH_API = "arm|resourceHealth";
