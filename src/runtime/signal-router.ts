import { isRegionWide } from "../health/attribution.js";
import { normalizeRegion, type Signal } from "../ports/signal.js";
import { apimServiceId } from "../signals/decode/resource-id.js";

/** What the router needs to know of a pair: the ids and regions of its two services. */
export interface RoutedPair {
  pair: { primary: { serviceId: string; region: string }; standby: { serviceId: string; region: string } };
}

/**
 * Which pairs a signal concerns, found by lookup instead of offering it to every pair: a signal
 * with a resource id goes to the one pair owning that service (a child resource counts as its
 * service; any other resource concerns no pair), a region-wide signal to the pairs with a service
 * in its region. With N pairs a signal costs O(1) to route, not N evaluations.
 */
export class SignalRouter<P extends RoutedPair> {
  private readonly byService = new Map<string, P[]>();
  private readonly byRegion = new Map<string, P[]>();

  constructor(pairs: Iterable<P>) {
    for (const p of pairs) {
      for (const side of [p.pair.primary, p.pair.standby]) {
        add(this.byService, side.serviceId.toLowerCase(), p);
        const region = normalizeRegion(side.region);
        if (region) add(this.byRegion, region, p);
      }
    }
  }

  /** The pairs the signal concerns; empty when it concerns none of them. */
  route(signal: Signal): readonly P[] {
    if (isRegionWide(signal)) return this.byRegion.get(normalizeRegion(signal.region) ?? "") ?? [];
    const changed = signal.kind === "change" ? signal.attributes?.["changedResourceId"] : undefined;
    for (const id of [signal.resourceId, typeof changed === "string" ? changed : null]) {
      if (!id) continue;
      const owners = this.byService.get(id.toLowerCase()) ?? this.byService.get((apimServiceId(id) ?? "").toLowerCase());
      if (owners) return owners;
    }
    return [];
  }
}

function add<P>(map: Map<string, P[]>, key: string, pair: P): void {
  const list = map.get(key);
  if (!list) map.set(key, [pair]);
  else if (!list.includes(pair)) list.push(pair);
}
