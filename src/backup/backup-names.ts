/** APIM refuses to restore a backup older than this (APIM's own rule). */
export const BACKUP_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

export const BACKUP_SUFFIX = ".apimbackup";

/**
 * `{service}-{UTC timestamp}.apimbackup`, e.g. `apim-weu-20261201T084500123Z.apimbackup`:
 * unique per millisecond and sorting by time within a service.
 */
export function backupBlobName(serviceName: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${serviceName}-${stamp}${BACKUP_SUFFIX}`;
}

/** The service name part of an ARM id `/subscriptions/…/providers/Microsoft.ApiManagement/service/{name}`. */
export function serviceNameOf(serviceId: string): string {
  const name = serviceId.split("/").filter(Boolean).pop();
  if (!name) throw new Error(`not an APIM service id: '${serviceId}'`);
  return name;
}
