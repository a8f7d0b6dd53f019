import { normalizeRegion, type Signal, type SignalStatus } from "../../ports/signal.js";
import { parseAzureTime } from "./azure-time.js";
import { DecodeError } from "./errors.js";
import { get, num, object, text, type JsonObject } from "./json-fields.js";
import type { DecodeContext } from "./options.js";
import { idKey, resourceName } from "./resource-id.js";
import { signalId } from "./signal-id.js";

/** One gateway request, read from a GatewayLogs record (camelCase `properties`) or a PascalCase ApiManagementGatewayLogs row. */
export interface GatewayRequest {
  resourceId: string | null;
  region: string | null;
  observedAt: string;
  gateway5xx: boolean;
  backend5xx: boolean;
  identity: string;
}

export function readGatewayRequest(record: JsonObject): GatewayRequest {
  const props = object(record, "properties") ?? record;
  const responseCode = num(props, "responseCode") ?? num(record, "responseCode");
  if (responseCode === null) throw new DecodeError("GatewayLogs record has no properties.responseCode; cannot judge the request");
  const backendCode = num(props, "backendResponseCode") ?? num(record, "backendResponseCode");
  const timeField = get(record, "time") !== undefined ? "time" : "TimeGenerated";
  const observedAt = parseAzureTime(get(record, timeField), timeField);
  return {
    resourceId: text(record, "resourceId", "_ResourceId"),
    region: normalizeRegion(text(record, "location", "region") ?? text(props, "region")),
    observedAt,
    gateway5xx: responseCode >= 500,
    backend5xx: backendCode !== null && backendCode >= 500,
    identity: text(record, "correlationId") ?? text(props, "correlationId") ?? `${observedAt}/${responseCode}`,
  };
}

/**
 * Per-region health of one batch of gateway requests: the share of requests that failed
 * (a 5xx to the client or a 5xx from the backend) decides, against the configured ratios.
 * One signal per APIM service and region in the batch.
 */
export function gatewaySignals(requests: GatewayRequest[], ctx: DecodeContext): Signal[] {
  const groups = new Map<string, GatewayRequest[]>();
  for (const request of requests) {
    const group = `${idKey(request.resourceId)}|${request.region}`;
    groups.set(group, [...(groups.get(group) ?? []), request]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const total = group.length;
    const gateway5xx = group.filter((r) => r.gateway5xx).length;
    const backend5xx = group.filter((r) => r.backend5xx).length;
    const failed = group.filter((r) => r.gateway5xx || r.backend5xx).length;
    const ratio = failed / total;
    const status: SignalStatus =
      ratio >= ctx.gatewayFailureRatio.unhealthy ? "unhealthy" : ratio >= ctx.gatewayFailureRatio.degraded ? "degraded" : "healthy";
    const observedAt = group.map((r) => r.observedAt).sort().at(-1)!;
    return {
      id: signalId("gatewayLog", [idKey(first.resourceId), first.region, ...group.map((r) => r.identity).sort()]),
      kind: "health",
      source: "gatewayLog",
      resourceId: first.resourceId,
      region: first.region,
      status,
      observedAt,
      summary:
        `GatewayLogs of ${resourceName(first.resourceId)} in ${first.region ?? "an unnamed region"}: ` +
        `${failed} of ${total} requests failed (${gateway5xx} answered 5xx, ${backend5xx} with backend 5xx)`,
      attributes: { requests: total, failed, gateway5xx, backend5xx, failureRatio: Math.round(ratio * 10_000) / 10_000 },
    };
  });
}
