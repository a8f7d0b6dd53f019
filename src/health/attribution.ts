import { normalizeRegion, sameResourceId, type Signal } from "../ports/signal.js";

export type Side = "primary" | "standby";

export interface PairMember {
  /** ARM id of the APIM service. */
  serviceId: string;
  /** Azure region name; normalized on use (`West Europe` → `westeurope`). */
  region: string;
}

export interface PairSpec {
  primary: PairMember;
  standby: PairMember;
}

/**
 * Whether a signal speaks about a whole region rather than one resource: Service Health always (it
 * names regions), any other source when it names a region but no resource (a region-level
 * Resource Health event).
 */
export function isRegionWide(signal: Signal): boolean {
  return signal.source === "serviceHealth" || (!signal.resourceId && !!normalizeRegion(signal.region));
}

/**
 * Which side(s) of the pair a signal speaks about, by its kind: a region-wide signal counts for the
 * side(s) in its region; any other signal only for the service its resource id names. A signal
 * about another service in the same region counts for neither side.
 */
export function attribute(signal: Signal, pair: PairSpec): Side[] {
  const sides: Side[] = ["primary", "standby"];
  if (!isRegionWide(signal)) return sides.filter((side) => sameResourceId(signal.resourceId, pair[side].serviceId));
  const region = normalizeRegion(signal.region);
  return sides.filter((side) => normalizeRegion(pair[side].region) === region);
}
