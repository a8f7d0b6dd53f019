import { normalizeRegion, type Signal } from "../ports/signal.js";
import { channelOf } from "./channels.js";
import { groupOf, type HealthSettings, type SourceGroup } from "./config.js";

/**
 * Other replicas as vantage points (issue 14). Each replica publishes its probe verdicts through the
 * coordination store (src/vantage); they arrive here as `probe` signals on the `replicas` channel,
 * stamped with the publishing replica's id and region.
 */
export interface RemoteVantage {
  replicaId: string;
  region: string;
}

/** The replica behind a signal read from the coordination store; null for this replica's own signals. */
export function remoteVantageOf(signal: Signal): RemoteVantage | null {
  if (channelOf(signal) !== "replicas") return null;
  const replicaId = signal.attributes?.["replicaId"];
  const region = signal.attributes?.["replicaRegion"];
  return typeof replicaId === "string" && typeof region === "string" ? { replicaId, region } : null;
}

/** `probes@ctl-neu`: each other region's replica is a source group of its own. */
export function vantageGroupName(replicaId: string): string {
  return `probes@${replicaId}`;
}

/**
 * Why another replica's verdict cannot count, or null when it counts as an independent source.
 * A replica in this replica's own region is not independent: it shares the region's network, DNS
 * resolvers and egress with this one, so whatever breaks this replica's view of a gateway (a
 * regional network fault, a firewall change, an impaired zone) breaks its view too. Counting it
 * would make one failure domain cast two votes.
 */
export function notIndependent(settings: HealthSettings, remote: RemoteVantage): string | null {
  if (!settings.vantage) return `replica ${remote.replicaId}'s probe verdicts count only with coordination configured`;
  if (normalizeRegion(remote.region) === normalizeRegion(settings.vantage.region)) {
    return `replica ${remote.replicaId} runs in this replica's region (${remote.region}): same network, same failure domain, not an independent vantage point`;
  }
  return null;
}

/**
 * The group a signal votes in: its source's configured group, or for another region's replica a group
 * of its own (`probes@<replica>`, fresh for `maxAgeMs`). Undefined: the signal casts no vote.
 */
export function voteGroupOf(settings: HealthSettings, signal: Signal): SourceGroup | undefined {
  const remote = remoteVantageOf(signal);
  if (!remote) return channelOf(signal) === "replicas" ? undefined : groupOf(settings, signal.source);
  if (notIndependent(settings, remote)) return undefined;
  return { name: vantageGroupName(remote.replicaId), sources: [signal.source], stalenessMs: settings.vantage!.maxAgeMs };
}
