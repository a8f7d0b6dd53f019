import type { RegionRole } from "../ports/region.js";
import type { Exclusion, TimedSignal } from "./assessment.js";
import { listing, OWN_PROBE } from "./channels.js";
import { groupOf, stalenessOf, type HealthSettings } from "./config.js";
import { describeSignal } from "./describe.js";
import { remoteVantageOf, vantageGroupName, voteGroupOf } from "./vantage.js";

export interface VantageDispute {
  /** Votes left out of this gateway's assessment, with why. */
  exclude: Exclusion[];
  /** This replica's own view of the gateway is impaired (another region sees it healthy); null otherwise. */
  impaired: { reason: string; signalIds: string[] } | null;
}

const failing = (e: TimedSignal) => e.signal.status === "unhealthy" || e.signal.status === "degraded";

/** When the remote replica's current status began (published with the verdict); its measurement time when not told. */
function remoteSince(e: TimedSignal): number {
  const since = e.signal.attributes?.["since"];
  const at = typeof since === "string" ? Date.parse(since) : Number.NaN;
  return Number.isNaN(at) ? e.at : at;
}

/**
 * Two vantage points that contradict each other about ONE gateway (issue 14): the one that fails is
 * not counted, because a gateway that answers another region's probes is not down; it is the failing
 * observer's path that is broken.
 * - My probes fail, another region's replica probed it healthy since my probes began failing: my
 *   probes are not counted for it (observer impairment for that gateway, named in the reason).
 * - Another region's probes fail, mine probed it healthy since theirs began failing: theirs are not
 *   counted (the same rule seen from the other side, so both replicas reach the same verdict).
 * Only measurements made after the other side's failure began count as contradiction: a healthy
 * verdict from before an outage must not explain the outage away.
 */
export function vantageDisputes(
  side: RegionRole,
  latest: ReadonlyMap<string, TimedSignal>,
  ownFailingSince: number | null,
  settings: HealthSettings,
  now: number,
): VantageDispute {
  const none: VantageDispute = { exclude: [], impaired: null };
  const probeGroup = groupOf(settings, "probe");
  const own = latest.get(OWN_PROBE);
  if (!settings.vantage || !probeGroup || !own || now - own.at > stalenessOf(settings, probeGroup)) return none;
  const remotes = [...latest.values()].filter((e) => {
    const group = remoteVantageOf(e.signal) ? voteGroupOf(settings, e.signal) : undefined;
    return group !== undefined && now - e.at <= stalenessOf(settings, group);
  });
  const ownText = describeSignal(own.signal, own.at, now);
  const who = (e: TimedSignal) => {
    const remote = remoteVantageOf(e.signal)!;
    return `replica ${remote.replicaId} (${remote.region})`;
  };

  if (failing(own)) {
    const since = ownFailingSince ?? own.at;
    const witnesses = remotes.filter((e) => e.signal.status === "healthy" && e.at >= since);
    if (!witnesses.length) return none;
    const names = listing(witnesses.map(who));
    const seen = witnesses.map((e) => describeSignal(e.signal, e.at, now)).join("; ");
    return {
      exclude: [{ group: probeGroup.name, why: `own probes (${ownText}): observer impaired for this gateway, ${names} probes it healthy (${seen})` }],
      impaired: {
        reason: `observer impaired for the ${side} gateway: own probes fail (${ownText}) while ${names} probing the same gateway from another region succeed${witnesses.length === 1 ? "s" : ""} (${seen}): own probes of it not counted, no failover on them`,
        signalIds: [own.signal.id, ...witnesses.map((e) => e.signal.id)],
      },
    };
  }
  if (own.signal.status !== "healthy") return none;
  const contradicted = remotes.filter((e) => failing(e) && own.at >= remoteSince(e));
  return {
    exclude: contradicted.map((e) => ({
      group: vantageGroupName(remoteVantageOf(e.signal)!.replicaId),
      why: `${describeSignal(e.signal, e.at, now)}: ${who(e)}'s path to this gateway, not the gateway, since own probes of it succeed (${ownText})`,
    })),
    impaired: null,
  };
}
