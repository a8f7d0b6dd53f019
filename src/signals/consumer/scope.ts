import type { Signal } from "../../ports/signal.js";
import { apimServiceId } from "../decode/resource-id.js";

const SCOPE = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?/i;

/**
 * Which signals are about the configured services. A signal naming any other resource (another
 * subscription, another resource group, an unknown service) is out of scope: the answer says which,
 * so its event is dead-lettered with that reason. Region-wide signals (no resource id) are in scope.
 */
export function serviceScope(serviceIds: string[]): (signal: Signal) => string | null {
  const services = new Set(serviceIds.map((id) => id.toLowerCase()));
  const parsed = serviceIds.map((id) => SCOPE.exec(id)).filter((m) => m !== null);
  const subscriptions = new Set(parsed.map((m) => m[1]!.toLowerCase()));
  const groups = new Set(parsed.map((m) => `${m[1]}/${m[2]}`.toLowerCase()));
  return (signal) => {
    if (!signal.resourceId) return null;
    const id = apimServiceId(signal.resourceId) ?? signal.resourceId;
    if (services.has(id.toLowerCase())) return null;
    const m = SCOPE.exec(id);
    if (!m) return `unknown resource: '${id}' is not an ARM resource id`;
    if (!subscriptions.has(m[1]!.toLowerCase())) return `other subscription: ${id} is in subscription ${m[1]}, which holds none of the configured services`;
    if (!m[2] || !groups.has(`${m[1]}/${m[2]}`.toLowerCase())) return `other resource group: ${id} is in resource group ${m[2] ?? "(none)"}, which holds none of the configured services`;
    return `unknown resource: ${id} is not one of the configured services`;
  };
}
