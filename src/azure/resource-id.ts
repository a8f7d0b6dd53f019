import { AzureOperationError } from "../ports/errors.js";

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. `Microsoft.ApiManagement`, as written in the id. */
  provider: string;
  /** e.g. `service`, as written in the id. */
  type: string;
  name: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOP_LEVEL = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/**
 * Parses `/subscriptions/{uuid}/resourceGroups/{rg}/providers/{provider}/{type}/{name}`, checking the
 * provider and type case-insensitively (ARM itself returns e.g. `dnszones` for `dnsZones`).
 * `expected.what` names the resource with its article, e.g. "a DNS zone".
 */
export function parseResourceId(id: string, expected: { provider: string; type: string; what: string }): ParsedResourceId {
  const example = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/${expected.provider}/${expected.type}/my-name`;
  const match = TOP_LEVEL.exec(id.trim().replace(/\/+$/, ""));
  if (!match) throw invalid(`'${id}' is not ${expected.what} resource id: expected the form ${example}.`);
  const [, subscriptionId, resourceGroup, provider, type, name] = match as unknown as [string, string, string, string, string, string];
  if (provider.toLowerCase() !== expected.provider.toLowerCase() || type.toLowerCase() !== expected.type.toLowerCase()) {
    throw invalid(`'${id}' is a ${provider}/${type} resource, not ${expected.what} (${expected.provider}/${expected.type}): check which id is configured here.`);
  }
  if (!UUID.test(subscriptionId)) {
    throw invalid(`'${id}' has subscription '${subscriptionId}', which is not a UUID: copy the id from the resource's JSON view in the portal or from 'az resource show'.`);
  }
  return { subscriptionId, resourceGroup, provider, type, name };
}

export function parseApimServiceId(id: string): ParsedResourceId {
  return parseResourceId(id, { provider: "Microsoft.ApiManagement", type: "service", what: "an API Management service" });
}

export function parseDnsZoneId(id: string): ParsedResourceId {
  return parseResourceId(id, { provider: "Microsoft.Network", type: "dnsZones", what: "a DNS zone" });
}

/** Subscription of any ARM id (for clients that are bound to a subscription), with the same UUID check. */
export function subscriptionOf(id: string): string {
  const match = /^\/subscriptions\/([^/]+)(\/|$)/i.exec(id.trim());
  if (!match) throw invalid(`'${id}' is not an ARM resource id: it must start with /subscriptions/{subscription-id}/.`);
  if (!UUID.test(match[1]!)) throw invalid(`'${id}' has subscription '${match[1]}', which is not a UUID.`);
  return match[1]!;
}

function invalid(message: string): AzureOperationError {
  return new AzureOperationError(message, "InvalidResourceId", undefined, false);
}
