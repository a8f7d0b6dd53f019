import type { Signal } from "../../ports/signal.js";
import type { ActivityEvent } from "./activity-event.js";
import { parseAzureTime } from "./azure-time.js";
import { key } from "./json-fields.js";
import { apimServiceId, idKey, resourceName } from "./resource-id.js";
import { signalId } from "./signal-id.js";

// Write or delete of the service or any child: apis, products, policies, namedValues, backends, users…
const APIM_CHANGE = /^microsoft\.apimanagement\/service(\/[a-z0-9]+)*\/(write|delete)$/i;
// REST and alert forms say Succeeded; Event Hubs records say Success in resultType.
const SUCCEEDED = new Set(["succeeded", "success"]);

/**
 * An Administrative event that changed an APIM service's configuration, as a `change` signal.
 * Only the Succeeded event of an operation counts: Started/Accepted events precede a change that
 * may still fail, and a backup triggered by them could miss the change it was meant to capture.
 * `resourceId` is the service; the changed child is kept in `attributes.changedResourceId`.
 */
export function administrativeSignals(event: ActivityEvent, source: "activityLog" | "alert", identity: ReadonlyArray<string | null>): Signal[] {
  const operation = event.operationName;
  if (!operation || !APIM_CHANGE.test(operation) || !SUCCEEDED.has(key(event.status))) return [];
  const observedAt = parseAzureTime(event.time.raw, event.time.field);
  const serviceId = apimServiceId(event.resourceId);
  const attributes: Record<string, string> = { operation, status: event.status ?? "Succeeded" };
  if (event.resourceId) attributes.changedResourceId = event.resourceId;
  const changed = event.resourceId && serviceId && event.resourceId.length > serviceId.length ? event.resourceId.slice(serviceId.length + 1) : null;
  return [
    {
      id: signalId(source, [...identity, event.correlationId, operation.toLowerCase(), idKey(event.resourceId), "succeeded", observedAt]),
      kind: "change",
      source,
      resourceId: serviceId ?? event.resourceId,
      region: null,
      status: "unknown",
      observedAt,
      summary: `APIM configuration change: ${operation} succeeded on ${changed ? `${changed} of ` : ""}service ${resourceName(serviceId ?? event.resourceId)}`,
      attributes,
    },
  ];
}
