import { get, key, object, stringOnly, text, type JsonObject } from "./json-fields.js";

/** Activity-log categories; anything else is a non-health category or another resource log. */
export type ActivityCategory =
  | "Administrative"
  | "ResourceHealth"
  | "ServiceHealth"
  | "Alert"
  | "Autoscale"
  | "Security"
  | "Recommendation"
  | "Policy";

/**
 * One activity-log event, whichever form it arrived in: the REST/portal event (`value`/`localizedValue`
 * wrappers), an alert's `alertContext`, a `{"records":[…]}` record (`time`, `resultType`,
 * `properties.eventProperties`) or the legacy webhook's `data.context.activityLog`.
 */
export interface ActivityEvent {
  category: ActivityCategory | null;
  operationName: string | null;
  /** `status` of REST and alert forms, `resultType` of records: Started, Succeeded, Success, Active, Resolved… */
  status: string | null;
  resourceId: string | null;
  correlationId: string | null;
  eventDataId: string | null;
  /** Raw time field and its name, parsed by whoever needs it (so the error names the field). */
  time: { raw: unknown; field: string };
  /** Event properties, with a record's `properties.eventProperties` lifted to the top. */
  properties: JsonObject;
}

const CATEGORIES: Record<string, ActivityCategory> = {
  administrative: "Administrative",
  // Records name Administrative events after the operation type (the mapping table's "Part of operation name").
  write: "Administrative",
  delete: "Administrative",
  action: "Administrative",
  resourcehealth: "ResourceHealth",
  servicehealth: "ServiceHealth",
  alert: "Alert",
  autoscale: "Autoscale",
  security: "Security",
  recommendation: "Recommendation",
  policy: "Policy",
};

const OPERATION_PREFIXES: Array<[string, ActivityCategory]> = [
  ["microsoft.resourcehealth/", "ResourceHealth"],
  ["microsoft.servicehealth/", "ServiceHealth"],
  ["microsoft.insights/autoscalesettings/", "Autoscale"],
  ["microsoft.insights/alertrules/", "Alert"],
  ["microsoft.security/", "Security"],
  ["microsoft.advisor/", "Recommendation"],
  ["microsoft.authorization/policies/", "Policy"],
];

export function activityCategory(name: string | null): ActivityCategory | null {
  return CATEGORIES[key(name)] ?? null;
}

/** True when the object has the fields of an activity-log event or resource-log record. */
export function looksLikeActivityEvent(raw: JsonObject): boolean {
  return get(raw, "category", "eventSource") !== undefined || (get(raw, "operationName") !== undefined && get(raw, "eventTimestamp", "time") !== undefined);
}

export function toActivityEvent(raw: JsonObject, fallback: { category?: ActivityCategory; resourceId?: string | null } = {}): ActivityEvent {
  const outer = object(raw, "properties") ?? {};
  const inner = object(outer, "eventProperties");
  const properties: JsonObject = inner ? { ...outer, ...inner } : outer;
  const operationName = text(raw, "operationName");
  const timeField = get(raw, "eventTimestamp") !== undefined ? "eventTimestamp" : "time";
  return {
    category: fallback.category ?? categoryOf(raw, outer, operationName),
    operationName,
    status: text(raw, "status", "resultType"),
    resourceId: text(raw, "resourceId") ?? stringOnly(properties, "entity") ?? fallback.resourceId ?? text(object(raw, "authorization"), "scope"),
    correlationId: text(raw, "correlationId"),
    eventDataId: text(raw, "eventDataId"),
    time: { raw: get(raw, timeField), field: timeField },
    properties,
  };
}

function categoryOf(raw: JsonObject, properties: JsonObject, operationName: string | null): ActivityCategory | null {
  // A record's own category is the operation type ("Write"); properties.eventCategory, when present, names the real one.
  for (const name of [stringOnly(properties, "eventCategory"), stringOnly(raw, "category"), stringOnly(raw, "eventSource")]) {
    const category = activityCategory(name);
    if (category) return category;
  }
  const op = (operationName ?? "").toLowerCase();
  for (const [prefix, category] of OPERATION_PREFIXES) if (op.startsWith(prefix)) return category;
  return null;
}
