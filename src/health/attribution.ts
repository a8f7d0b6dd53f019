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
 * Which side(s) of the pair a signal speaks about. A matching resource id wins; otherwise the
 * signal's region decides (region-wide sources such as Service Health carry no service id).
 */
export function attribute(signal: Signal, pair: PairSpec): Side[] {
  const sides: Side[] = ["primary", "standby"];
  const byResource = sides.filter((side) => sameResourceId(signal.resourceId, pair[side].serviceId));
  if (byResource.length) return byResource;
  const region = normalizeRegion(signal.region);
  if (!region) return [];
  return sides.filter((side) => normalizeRegion(pair[side].region) === region);
}
