import { normalizeRegion, type Signal } from "../../ports/signal.js";
import type { ActivityEvent } from "./activity-event.js";
import { parseAzureTime } from "./azure-time.js";
import { DecodeError } from "./errors.js";
import { get, isObject, key, text, type JsonObject } from "./json-fields.js";
import { signalId } from "./signal-id.js";

const RESOLVED = new Set(["resolved", "rca", "complete", "completed"]);

/**
 * A Service Health incident as one signal per impacted region (resourceId null). Active incidents
 * are unhealthy where API Management itself is listed as impacted in that region, degraded where
 * only other services are; resolved incidents are healthy. Maintenance, information, security and
 * action-required notices are not outages and give no signal.
 */
export function serviceHealthSignals(event: ActivityEvent, identity: ReadonlyArray<string | null>): Signal[] {
  const p = event.properties;
  const incidentType = text(p, "incidentType") ?? operationType(event.operationName);
  if (key(incidentType) !== "incident") return [];

  const stage = text(p, "stage");
  const resolved = [event.status, stage].some((v) => RESOLVED.has(key(v)));
  const observedAt = parseAzureTime(event.time.raw, event.time.field);
  const trackingId = text(p, "trackingId");
  const title = text(p, "title", "defaultLanguageTitle");
  const regions = impactedRegions(p);
  if (regions.size === 0) {
    throw new DecodeError("Service Health incident names no impacted region; expected properties.impactedServices[].ImpactedRegions or properties.region");
  }

  return [...regions].map(([region, services]) => {
    const apimImpacted = services.some((s) => key(s) === "apimanagement");
    const attributes: Record<string, string> = { incidentType: incidentType ?? "Incident", impactedServices: services.join(", ") };
    if (trackingId) attributes.trackingId = trackingId;
    if (stage) attributes.stage = stage;
    if (event.status) attributes.eventStatus = event.status;
    return {
      id: signalId("serviceHealth", [
        ...identity,
        trackingId ?? event.correlationId,
        text(p, "communicationId") ?? event.eventDataId,
        resolved ? "resolved" : "active",
        region,
      ]),
      kind: "health" as const,
      source: "serviceHealth" as const,
      resourceId: null,
      region,
      status: resolved ? ("healthy" as const) : apimImpacted ? ("unhealthy" as const) : ("degraded" as const),
      observedAt,
      summary:
        `Service Health incident${trackingId ? ` ${trackingId}` : ""}${title ? ` "${title}"` : ""} ` +
        `${resolved ? "resolved" : "active"} in ${region}` +
        (services.length ? ` (${services.join(", ")})` : ""),
      attributes,
    };
  });
}

/** `Microsoft.ServiceHealth/incident/action` → `incident`. */
function operationType(operationName: string | null): string | null {
  const m = /^microsoft\.servicehealth\/([^/]+)\//i.exec(operationName ?? "");
  return m ? m[1]! : null;
}

/** Region → impacted service names. `impactedServices` is a JSON string in most payloads, an array in some. */
function impactedRegions(p: JsonObject): Map<string, string[]> {
  const regions = new Map<string, string[]>();
  const add = (regionName: string | null, service: string | null) => {
    const region = normalizeRegion(regionName);
    if (!region) return;
    const services = regions.get(region) ?? [];
    if (service && !services.includes(service)) services.push(service);
    regions.set(region, services);
  };

  let impacted = get(p, "impactedServices");
  if (typeof impacted === "string") {
    try {
      impacted = JSON.parse(impacted);
    } catch (error) {
      throw new DecodeError(`properties.impactedServices is not a JSON array: ${(error as Error).message}`);
    }
  }
  if (impacted !== undefined && !Array.isArray(impacted)) {
    throw new DecodeError("properties.impactedServices is not an array of {ServiceName, ImpactedRegions}");
  }
  for (const entry of (impacted as unknown[] | undefined) ?? []) {
    if (!isObject(entry)) continue;
    const service = text(entry, "ServiceName");
    const impactedIn = get(entry, "ImpactedRegions");
    for (const r of Array.isArray(impactedIn) ? impactedIn : []) add(isObject(r) ? text(r, "RegionName") : null, service);
  }
  if (regions.size === 0) {
    for (const name of (text(p, "region") ?? "").split(",")) add(name, text(p, "service"));
  }
  return regions;
}
