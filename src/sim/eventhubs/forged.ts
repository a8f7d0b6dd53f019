import { logSearchAlert, metricAlert, regionDisplayName, resourceHealthAlert, resourceHealthRecords } from "./azure-payloads.js";

/**
 * What someone with send rights on the hub could publish to fake an outage of a healthy service:
 * a Resource Health "Unavailable (PlatformInitiated)" alert and record, a Sev1 metric alert and a
 * Sev1 log search alert, all well-formed and about the real service. Nothing in the simulated world
 * changes: the gateway keeps answering and the Resource Health API keeps saying Available.
 */
export function forgedOutage(service: { id: string; name: string; region: string }, at: number): unknown[] {
  const location = regionDisplayName(service.region);
  return [
    resourceHealthAlert({ resourceId: service.id, current: "Unavailable", previous: "Available", cause: "PlatformInitiated", at }),
    resourceHealthRecords([{ resourceId: service.id, status: "Unavailable", previous: "Available", cause: "PlatformInitiated", at }]),
    metricAlert({
      ruleName: `apim-5xx-${service.name}`,
      resourceId: service.id,
      severity: 1,
      condition: "Fired",
      firedAt: at,
      metricName: "Requests",
      threshold: 5,
      metricValue: 100,
      timeAggregation: "Total",
      dimensions: [
        { name: "GatewayResponseCodeCategory", value: "5xx" },
        { name: "Location", value: location },
      ],
    }),
    logSearchAlert({
      ruleName: `apim-gateway-failures-${service.name}`,
      resourceId: service.id,
      severity: 1,
      condition: "Fired",
      firedAt: at,
      query: "ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize Failed = countif(ResponseCode >= 500) by Region",
      threshold: 10,
      metricValue: 20,
      dimensions: [{ name: "Region", value: location }],
    }),
  ];
}
