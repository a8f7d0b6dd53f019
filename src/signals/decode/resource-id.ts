const APIM_SERVICE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.apimanagement\/service\/[^/]+/i;

/** The APIM service id a resource id belongs to (original casing), or null when it is not under Microsoft.ApiManagement/service. */
export function apimServiceId(resourceId: string | null): string | null {
  const m = resourceId ? APIM_SERVICE.exec(resourceId.trim()) : null;
  return m ? m[0] : null;
}

/** The last segment of a resource id, for summaries: `…/service/apim-weu` → `apim-weu`. */
export function resourceName(resourceId: string | null): string {
  if (!resourceId) return "(no resource)";
  const parts = resourceId.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? resourceId;
}

/** Lower-cased for identity hashing: resource ids compare case-insensitively. */
export function idKey(resourceId: string | null): string | null {
  return resourceId ? resourceId.toLowerCase() : null;
}
