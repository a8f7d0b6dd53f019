import type { Signal } from "../../ports/signal.js";
import type { ActivityEvent } from "./activity-event.js";
import { administrativeSignals } from "./administrative.js";
import { resourceHealthSignal } from "./resource-health.js";
import { serviceHealthSignals } from "./service-health.js";

export interface ActivityOrigin {
  /** "alert" when the event arrived inside an activity-log alert (Administrative changes keep it as source). */
  viaAlert?: boolean;
  /** Identity of the carrying payload (alert id, condition, time), prefixed to the event's own. */
  identity?: ReadonlyArray<string | null>;
}

/** Signals of one activity-log event by category; Alert, Autoscale, Security, Recommendation and Policy carry no health. */
export function activitySignals(event: ActivityEvent, origin: ActivityOrigin = {}): Signal[] {
  const identity = origin.identity ?? [];
  switch (event.category) {
    case "ResourceHealth":
      return [resourceHealthSignal(event, identity)];
    case "ServiceHealth":
      return serviceHealthSignals(event, identity);
    case "Administrative":
      return administrativeSignals(event, origin.viaAlert ? "alert" : "activityLog", identity);
    default:
      return [];
  }
}
