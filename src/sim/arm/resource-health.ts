import type { SimState } from "../state.js";
import type { SimService } from "../world.js";
import { requestIds, requireApiVersion, type ArmRequest, type ArmResponse } from "./http.js";

export const RESOURCE_HEALTH_API_VERSIONS = ["2015-01-01", "2017-07-01", "2018-07-01", "2020-05-01", "2022-05-01", "2022-10-01", "2023-10-01-preview", "2025-05-01"] as const;

/** `{resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`. */
export function handleResourceHealth(state: SimState, req: ArmRequest, service: SimService): ArmResponse {
  requireApiVersion(req, RESOURCE_HEALTH_API_VERSIONS, "Microsoft.ResourceHealth/availabilityStatuses");
  return { status: 200, headers: requestIds(req), body: availabilityStatus(state, service) };
}

/**
 * `…/resourceGroups/{rg}/providers/Microsoft.ResourceHealth/availabilityStatuses` (AvailabilityStatuses_ListByResourceGroup)
 * and `/subscriptions/{sub}/providers/…/availabilityStatuses` (ListBySubscriptionId): `{value, nextLink}`, one
 * `current` status per resource. The simulator lists its APIM services (real Azure lists every resource type
 * Resource Health covers in the scope: the storage account and the DNS zone too).
 */
export function handleResourceHealthList(state: SimState, req: ArmRequest): ArmResponse {
  requireApiVersion(req, RESOURCE_HEALTH_API_VERSIONS, "Microsoft.ResourceHealth/availabilityStatuses");
  if (req.method !== "GET") return { status: 405, headers: requestIds(req), body: { error: { code: "MethodNotAllowed", message: "availabilityStatuses lists take GET." } } };
  return { status: 200, headers: requestIds(req), body: { value: state.services.map((s) => availabilityStatus(state, s)), nextLink: null } };
}

export function availabilityStatus(state: SimState, service: SimService): Record<string, unknown> {
  const now = Date.now();
  const target = { region: service.spec.region, service: service.spec.name };
  const outage = state.faults.find("region-outage", target, now);
  const flap = state.faults.find("flap", target, now);
  const degrade = state.faults.find("degrade", target, now);
  const base = { id: `${service.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`, name: "current", type: "Microsoft.ResourceHealth/AvailabilityStatuses", location: service.spec.region };
  const reported = new Date(now).toISOString();
  if (outage) {
    const since = new Date(outage.since).toISOString();
    return {
      ...base,
      properties: {
        availabilityState: "Unavailable",
        title: "Unavailable",
        summary: `We're sorry, your API Management service in ${service.spec.region} is unavailable because of a platform issue in the region.`,
        detailedStatus: "A regional outage is affecting the service's gateway.",
        reasonType: "Unplanned",
        context: "Platform Initiated",
        category: "Unplanned",
        healthEventType: "Downtime",
        healthEventCause: "PlatformInitiated",
        healthEventCategory: "Unplanned",
        reasonChronicity: "Persistent",
        occuredTime: since,
        rootCauseAttributionTime: since,
        reportedTime: reported,
      },
    };
  }
  // Resource Health reports intermittent failures as Degraded for as long as they last (as the
  // Event Hubs bridge does), not as an outage that starts and ends every few seconds.
  const intermittent = degrade ?? flap;
  if (intermittent) {
    const since = new Date(intermittent.since).toISOString();
    return {
      ...base,
      properties: {
        availabilityState: "Degraded",
        title: "Degraded",
        summary: "Your API Management service is experiencing degraded performance.",
        reasonType: "Unplanned",
        context: "Platform Initiated",
        category: "Unplanned",
        healthEventCause: "PlatformInitiated",
        reasonChronicity: "Transient",
        occuredTime: since,
        reportedTime: reported,
      },
    };
  }
  return {
    ...base,
    properties: {
      availabilityState: "Available",
      title: "Available",
      summary: "There aren't any known Azure platform problems affecting this resource.",
      reasonType: "",
      reasonChronicity: "Persistent",
      occuredTime: new Date(state.startedAt).toISOString(),
      reportedTime: reported,
    },
  };
}
