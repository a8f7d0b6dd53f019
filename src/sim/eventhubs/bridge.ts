import type { SimEvent } from "../events.js";
import {
  administrativeAlert,
  administrativeRecords,
  gatewayLogRecords,
  logSearchAlert,
  metricAlert,
  regionDisplayName,
  resourceHealthAlert,
  resourceHealthRecords,
  serviceHealthAlert,
  type HealthStatus,
} from "./azure-payloads.js";
import type { RunningEventHubsEmulator } from "./emulator.js";

export interface SimEventBridgeOptions {
  /** Where simulator events come from: `SimulatedAzure.onEvent` (or `SimEvents.on`). */
  onEvent: (listener: (event: SimEvent) => void) => () => void;
  emulator: Pick<RunningEventHubsEmulator, "publish">;
  /** The hub the controller consumes (in Azure: where action groups and diagnostic settings send). */
  hub: string;
  subscriptionId: string;
  /** The simulated APIM services: faults name a region or a service (name or id). */
  services: { id: string; name: string; region: string }[];
  /** GatewayLogs records per fault change (default 20). */
  gatewayRecordsPerChange?: number;
  /**
   * How long after a fault changes Resource Health reports it (alerts and records, dated then).
   * Azure's lags by tens of seconds; default 0 publishes at once.
   */
  resourceHealthLagMs?: number;
  /** How long after a region-wide outage changes the Service Health incident is posted or resolved. Default 0. */
  serviceHealthLagMs?: number;
}

/** Health a fault puts a service in, as Azure's own monitoring would report it. */
const GATEWAY_FAILURES_QUERY =
  "ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize Failed = countif(ResponseCode >= 500) by Region";

const FAULT_HEALTH: Partial<Record<string, { status: HealthStatus; severity: 1 | 2; failedShare: number; code: number }>> = {
  "region-outage": { status: "Unavailable", severity: 1, failedShare: 1, code: 503 },
  degrade: { status: "Degraded", severity: 2, failedShare: 0.5, code: 500 },
  flap: { status: "Degraded", severity: 2, failedShare: 0.5, code: 503 },
};

/**
 * Publishes what Azure would put on the Event Hub when the simulator's world changes:
 * - region-outage / degrade / flap on or off → per affected service a metric alert and a log search
 *   alert split by region (fired, then resolved), GatewayLogs records at once, and after
 *   `resourceHealthLagMs` a Resource Health alert and Resource Health records; for a region-wide
 *   outage, after `serviceHealthLagMs`, a Service Health incident (active, then resolved);
 * - a configuration change or restore, a finished backup/restore, a DNS change → Administrative
 *   activity-log records and an Administrative activity-log alert.
 * Faults without a health symptom in Azure (throttle, slow-restore, …) publish nothing.
 * Returns the function that disconnects the bridge (lagging reports not yet published are dropped).
 */
export function bridgeSimEventsToEventHubs(options: SimEventBridgeOptions): () => void {
  const perChange = options.gatewayRecordsPerChange ?? 20;
  const resourceHealthLag = lagOption(options.resourceHealthLagMs, "resourceHealthLagMs");
  const serviceHealthLag = lagOption(options.serviceHealthLagMs, "serviceHealthLagMs");
  const firedAt = new Map<string, number>();
  const pending = new Set<NodeJS.Timeout>();
  const publish = (body: unknown, partitionKey: string) => options.emulator.publish(options.hub, body, { partitionKey });

  /** Runs `report` with the time it is made: now, or `lagMs` after `at` (equal lags keep fired/resolved in order). */
  function after(lagMs: number, at: number, report: (reportedAt: number) => void): void {
    if (lagMs === 0) return report(at);
    const timer = setTimeout(() => {
      pending.delete(timer);
      report(at + lagMs);
    }, lagMs);
    pending.add(timer);
  }

  function affected(region: string | null, service: string | null) {
    return options.services.filter((s) => {
      if (service) return [s.id, s.name].some((ref) => ref.toLowerCase() === service.toLowerCase());
      return region ? s.region.toLowerCase() === region.toLowerCase() : false;
    });
  }

  function onFault(event: Extract<SimEvent, { type: "fault" }>): void {
    const health = FAULT_HEALTH[event.name];
    if (!health) return;
    const at = Date.parse(event.at);
    for (const service of affected(event.region, event.service)) {
      const key = `${event.name}|${service.id}`;
      const current: HealthStatus = event.active ? health.status : "Available";
      const previous: HealthStatus = event.active ? "Available" : health.status;
      after(resourceHealthLag, at, (reportedAt) => {
        publish(resourceHealthAlert({ resourceId: service.id, current, previous, at: reportedAt }), service.id);
        publish(resourceHealthRecords([{ resourceId: service.id, status: current, previous, at: reportedAt }]), service.id);
      });
      if (event.active) firedAt.set(key, at);
      const fired = firedAt.get(key) ?? at;
      if (!event.active) firedAt.delete(key);
      publish(
        metricAlert({
          ruleName: `apim-5xx-${service.name}`,
          resourceId: service.id,
          severity: health.severity,
          condition: event.active ? "Fired" : "Resolved",
          firedAt: fired,
          ...(event.active ? {} : { resolvedAt: at }),
          metricName: "Requests",
          threshold: 5,
          metricValue: event.active ? health.failedShare * 100 : 0,
          timeAggregation: "Total",
          dimensions: [
            { name: "GatewayResponseCodeCategory", value: "5xx" },
            { name: "Location", value: regionDisplayName(service.region) },
          ],
        }),
        service.id,
      );
      publish(
        logSearchAlert({
          ruleName: `apim-gateway-failures-${service.name}`,
          resourceId: service.id,
          severity: health.severity,
          condition: event.active ? "Fired" : "Resolved",
          firedAt: fired,
          ...(event.active ? {} : { resolvedAt: at }),
          query: GATEWAY_FAILURES_QUERY,
          threshold: 10,
          metricValue: event.active ? Math.round(perChange * health.failedShare) : 0,
          dimensions: [{ name: "Region", value: regionDisplayName(service.region) }],
        }),
        service.id,
      );
      const failed = event.active ? Math.round(perChange * health.failedShare) : 0;
      publish(
        gatewayLogRecords(
          Array.from({ length: perChange }, (_, i) => ({
            serviceId: service.id,
            region: service.region,
            responseCode: i < failed ? health.code : 200,
            ...(i < failed && health.code === 503 ? { backendResponseCode: 0 } : {}),
            at: at + i,
          })),
        ),
        service.id,
      );
    }
    if (event.name === "region-outage" && event.region && !event.service) {
      const region = event.region;
      const trackingId = `SIM-${region.toUpperCase()}`;
      const key = `service-health|${region}`;
      if (event.active) firedAt.set(key, at);
      const impactStartedAt = firedAt.get(key) ?? at;
      if (!event.active) firedAt.delete(key);
      const stage = event.active ? "Active" : "Resolved";
      after(serviceHealthLag, at, (reportedAt) =>
        publish(
          serviceHealthAlert({ subscriptionId: options.subscriptionId, service: "API Management", regions: [region], trackingId, stage, impactStartedAt, at: reportedAt }),
          region,
        ),
      );
    }
  }

  function onAdministrative(resourceId: string, operationName: string, at: number, status: "Succeeded" | "Failed" = "Succeeded"): void {
    const op = { resourceId, operationName, at, status };
    publish(administrativeRecords([op]), resourceId);
    publish(administrativeAlert(op), resourceId);
  }

  const unsubscribe = options.onEvent((event) => {
    switch (event.type) {
      case "fault":
        return onFault(event);
      case "configChange":
        return event.operation === "restore"
          ? onAdministrative(event.serviceId, "Microsoft.ApiManagement/service/restore/action", Date.parse(event.at))
          : onAdministrative(changedResource(event.serviceId, event.detail, event.revision), "Microsoft.ApiManagement/service/apis/operations/write", Date.parse(event.at));
      case "operation":
        return onAdministrative(event.serviceId, `Microsoft.ApiManagement/service/${event.kind}/action`, Date.parse(event.at), event.status === "succeeded" ? "Succeeded" : "Failed");
      case "dnsChange":
        return onAdministrative(event.recordId, "Microsoft.Network/dnszones/CNAME/write", Date.parse(event.at));
    }
  });
  return () => {
    unsubscribe();
    for (const timer of pending) clearTimeout(timer);
    pending.clear();
  };
}

function lagOption(value: number | undefined, name: string): number {
  if (value === undefined) return 0;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

/** `added operation orders/op-r3` → the operation's ARM id under the service. */
function changedResource(serviceId: string, detail: string, revision: number): string {
  const match = /operation ([^/\s]+)\/(\S+)/.exec(detail);
  const [api, operation] = match ? [match[1]!, match[2]!] : ["sim-api", `op-r${revision}`];
  return `${serviceId}/apis/${api}/operations/${operation}`;
}
