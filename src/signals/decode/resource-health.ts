import type { Signal, SignalStatus } from "../../ports/signal.js";
import type { ActivityEvent } from "./activity-event.js";
import { parseAzureTime } from "./azure-time.js";
import { DecodeError } from "./errors.js";
import { key, text } from "./json-fields.js";
import { idKey, resourceName } from "./resource-id.js";
import { signalId } from "./signal-id.js";

const STATUS: Record<string, SignalStatus> = {
  available: "healthy",
  unavailable: "unhealthy",
  degraded: "degraded",
  unknown: "unknown",
};

/**
 * A Resource Health event as one signal. Alert payloads and the webhook name the fields
 * currentHealthStatus/previousHealthStatus/type/cause; the documented activity-log event names
 * them healthStatus/healthEventType/healthEventCause: both are read.
 */
export function resourceHealthSignal(event: ActivityEvent, identity: ReadonlyArray<string | null>): Signal {
  const p = event.properties;
  const reported = text(p, "currentHealthStatus", "healthStatus");
  if (!reported) {
    throw new DecodeError("Resource Health event has no health status; expected properties.currentHealthStatus or properties.healthStatus");
  }
  const status = STATUS[key(reported)];
  if (!status) throw new DecodeError(`Resource Health status "${reported}" is not one of Available, Unavailable, Degraded, Unknown`);
  const observedAt = parseAzureTime(event.time.raw, event.time.field);
  const previous = text(p, "previousHealthStatus");
  const reasonType = text(p, "type", "healthEventType");
  const cause = text(p, "cause", "healthEventCause");
  const eventCategory = text(p, "healthEventCategory");
  const title = text(p, "title");

  const attributes: Record<string, string> = { healthStatus: reported };
  if (previous) attributes.previousHealthStatus = previous;
  if (reasonType) attributes.reasonType = reasonType;
  if (cause) attributes.cause = cause;
  if (eventCategory) attributes.healthEventCategory = eventCategory;

  const why = [reasonType, cause].filter(Boolean).join(", ");
  return {
    id: signalId("resourceHealth", [...identity, event.eventDataId ?? event.correlationId, key(reported), observedAt, idKey(event.resourceId)]),
    kind: "health",
    source: "resourceHealth",
    resourceId: event.resourceId,
    region: null,
    status,
    observedAt,
    summary:
      `Resource Health of ${resourceName(event.resourceId)}: ${reported}` +
      (previous ? ` (was ${previous})` : "") +
      (why ? `, ${why}` : "") +
      (title ? ` — ${title}` : ""),
    attributes,
  };
}
