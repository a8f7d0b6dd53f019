import { describe, expect, it } from "vitest";
import type { Signal } from "../../../src/ports/signal.js";
import { signalId } from "../../../src/signals/decode/signal-id.js";
import { errorOf, sampleFiles, sampleJson, sampleText, signalsOf } from "./helpers.js";

// Every published sample in test/fixtures/azure-samples, with exactly what it decodes to.
// Ids are spelled out as the identity they hash (lower-cased resource ids, normalized times),
// which is the dedup contract; dedup-id.test.ts pins the hash itself.

const NO_SIGNAL = { signals: [] as Signal[] };
const ENVELOPE_MISSING =
  'unrecognized payload: an "alertContext" section without the common alert schema envelope; expected {"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{…},"alertContext":{…}}}';

const WCUS_ALERT = "/subscriptions/<subscription ID>/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330";
const WCUS_VM = "/subscriptions/<subscription ID>/resourcegroups/pipelinealertrg/providers/microsoft.compute/virtualmachines/wcus-r2-gen2";
const TEST_ALERT = "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/12345678-1234-1234-1234-1234567890ab";
const TEST_WORKSPACE =
  "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-RG/providers/microsoft.operationalinsights/workspaces/test-logAnalyticsWorkspace";
const TEST_STORAGE = "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-RG/providers/Microsoft.Storage/storageAccounts/test-storageAccount";

const lower = (s: string) => s.toLowerCase();

const wcusResolved: Signal = {
  id: signalId("alert", [lower(WCUS_ALERT), "Resolved", "2019-03-22T14:03:16.224Z", lower(WCUS_VM)]),
  kind: "health",
  source: "alert",
  resourceId: WCUS_VM,
  region: null,
  status: "healthy",
  observedAt: "2019-03-22T14:03:16.224Z",
  summary: 'Sev3 alert "WCUS-R2-Gen2" resolved on wcus-r2-gen2 (Platform Metric): Percentage CPU 7.727 GreaterThan 25',
  attributes: { alertRule: "WCUS-R2-Gen2", monitorCondition: "Resolved", alertId: WCUS_ALERT, severity: "Sev3", monitoringService: "Platform", signalType: "Metric" },
};

const storageMetricFired: Signal = {
  id: signalId("alert", [lower(TEST_ALERT), "Fired", "2021-11-15T09:35:24.346Z", lower(TEST_STORAGE)]),
  kind: "health",
  source: "alert",
  resourceId: TEST_STORAGE,
  region: null,
  status: "degraded",
  observedAt: "2021-11-15T09:35:24.346Z",
  summary: 'Sev3 alert "test-metricAlertRule" fired on test-storageAccount (Platform Metric): Transactions 78.09 GreaterThan 0.3',
  attributes: { alertRule: "test-metricAlertRule", monitorCondition: "Fired", alertId: TEST_ALERT, severity: "Sev3", monitoringService: "Platform", signalType: "Metric" },
};

type Expectation = { signals: Signal[] } | { error: string };

const expectations: Record<string, Expectation> = {
  // Activity-log events as the REST API / portal shows them ({value, localizedValue} wrappers).
  "Administrative-category-event.json": NO_SIGNAL, // a network security group write: not an APIM change
  "Alert-category-event.json": NO_SIGNAL, // classic alert activation record: retired alert type, no severity
  "Autoscale-category-event.json": NO_SIGNAL,
  "Recommendation-category-event.json": NO_SIGNAL,
  "Security-category-event.json": NO_SIGNAL,
  "Policy-category-event.INVALID-JSON-as-published.txt": { error: "not JSON: Bad control character in string literal in JSON at position 2971" },
  "activity-log--ResourceHealth-category-event.json": {
    signals: [
      {
        id: signalId("resourceHealth", ["a80024e1-883d-37ur-8b01-7591a1befccb", "unavailable", "2018-09-04T15:33:43.650Z",
          "/subscriptions/<subscription id>/resourcegroups/<resource group>/providers/microsoft.compute/virtualmachines/<resource name>"]),
        kind: "health",
        source: "resourceHealth",
        resourceId: "/subscriptions/<subscription ID>/resourceGroups/<resource group>/providers/Microsoft.Compute/virtualMachines/<resource name>",
        region: null,
        status: "unhealthy",
        observedAt: "2018-09-04T15:33:43.650Z",
        summary: "Resource Health of <resource name>: Unavailable, Downtime, PlatformInitiated — Virtual Machine health status changed to unavailable",
        attributes: { healthStatus: "Unavailable", reasonType: "Downtime", cause: "PlatformInitiated", healthEventCategory: "Unplanned" },
      },
    ],
  },
  "activity-log--ServiceHealth-category-event.json": {
    signals: [
      {
        id: signalId("serviceHealth", ["NA0F-BJG", "636361902146035247", "active", "uksouth"]),
        kind: "health",
        source: "serviceHealth",
        resourceId: null,
        region: "uksouth",
        status: "degraded", // API Management is not among the impacted services
        observedAt: "2017-07-20T23:30:14.802Z",
        summary: 'Service Health incident NA0F-BJG "Network Infrastructure - UK South" active in uksouth (Service Fabric)',
        attributes: { incidentType: "Incident", impactedServices: "Service Fabric", trackingId: "NA0F-BJG", stage: "Active", eventStatus: "Active" },
      },
    ],
  },
  "activity-log--records-wrapper-storage-eventhub.json": NO_SIGNAL, // a support-ticket write

  // APIM GatewayLogs.
  "apim-GatewayLogs--sample-entry-2020.json": {
    error: 'time "2020-10-14T17:xx:xx.xx" is not a date-time; expected ISO-8601 (2026-12-01T08:45:00Z) or US format (12/1/2026 8:45:00 AM)',
  },
  "apim-GatewayLogs--field-template-2018.NOT-VALID-JSON.txt": {
    error: `not JSON: Unexpected token ',', ..."ationMs": , "cal"... is not valid JSON`,
  },

  // Common alert schema, full envelopes.
  "common-schema--sample-alert-payload-with-customProperties.json": { signals: [wcusResolved] },
  "payload-samples--sample-alert-payload.json": { signals: [wcusResolved] },
  "payload-samples--sample-test-action-alert.json": { signals: [wcusResolved] },
  "payload-samples--test-action-activity-log-alert-with-monitoringservice-actual-cost-budget.json": NO_SIGNAL,
  "payload-samples--test-action-activity-log-alerts-with-monitoringservice-forecasted-budget.json": NO_SIGNAL,
  "payload-samples--test-action-activity-log-alert-with-monitoringservice-budget.json": NO_SIGNAL, // schemaId "AIP Budget Notification"
  "payload-samples--test-action-activity-log-alert-with-monitoringservice-administrative.json": NO_SIGNAL, // a VM restart
  "payload-samples--test-action-activity-log-alert-with-monitoringservice-resource-health.json": {
    signals: [
      {
        id: signalId("resourceHealth", [lower(TEST_ALERT), "Fired", "2021-11-16T09:54:08.993Z", "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb", "unavailable",
          "2021-11-16T09:50:20.406Z", "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-rg/providers/microsoft.compute/virtualmachines/test-vm"]),
        kind: "health",
        source: "resourceHealth",
        resourceId: "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM",
        region: null,
        status: "unhealthy",
        observedAt: "2021-11-16T09:50:20.406Z",
        summary: "Resource Health of test-VM: Unavailable (was Available), Downtime, UserInitiated — Rebooted by user",
        attributes: { healthStatus: "Unavailable", previousHealthStatus: "Available", reasonType: "Downtime", cause: "UserInitiated" },
      },
    ],
  },
  "payload-samples--test-action-activity-log-alert-with-monitoringservice-servicehealth.json": {
    signals: [
      {
        id: signalId("serviceHealth", [lower("/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh1234abcd5678efgh"),
          "Fired", "2021-11-17T05:34:48.062Z", "ABC1-DEF", "11223344556677", "resolved", "global"]),
        kind: "health",
        source: "serviceHealth",
        resourceId: null,
        region: "global",
        status: "healthy",
        observedAt: "2021-11-17T05:34:44.577Z",
        summary: 'Service Health incident ABC1-DEF "Test Action Group - Test Service Health Alert" resolved in global (Azure Service Name)',
        attributes: { incidentType: "Incident", impactedServices: "Azure Service Name", trackingId: "ABC1-DEF", stage: "Resolved", eventStatus: "Resolved" },
      },
    ],
  },
  "payload-samples--test-action-activity-log-alerts-with-monitoringservice-smart-alert.json": {
    signals: [
      {
        id: signalId("alert", [lower(TEST_ALERT), "Fired", "2021-10-28T19:09:09.111Z",
          "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-rg/providers/microsoft.insights/components/test-applicationinsights"]),
        kind: "health",
        source: "alert",
        resourceId: "/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/test-RG/providers/microsoft.insights/components/test-applicationInsights",
        region: null,
        status: "degraded",
        observedAt: "2021-10-28T19:09:09.111Z",
        summary: 'Sev3 alert "Dependency Latency Degradation - test-applicationInsights" fired on test-applicationInsights (SmartDetector Log)',
        attributes: {
          alertRule: "Dependency Latency Degradation - test-applicationInsights",
          monitorCondition: "Fired",
          alertId: TEST_ALERT,
          severity: "Sev3",
          monitoringService: "SmartDetector",
          signalType: "Log",
        },
      },
    ],
  },
  "payload-samples--test-action-log-search-alert-v1-metric.json": {
    signals: [
      {
        id: signalId("alert", [lower(TEST_ALERT), "Fired", "2021-11-16T15:17:21.923Z", lower(TEST_WORKSPACE)]),
        kind: "health",
        source: "alert",
        resourceId: TEST_WORKSPACE,
        region: null,
        status: "degraded",
        observedAt: "2021-11-16T15:17:21.923Z",
        summary: 'Sev3 alert "test-logAlertRule-v1-metricMeasurement" fired on test-logAnalyticsWorkspace (Log Analytics Log): 2 results',
        attributes: { alertRule: "test-logAlertRule-v1-metricMeasurement", monitorCondition: "Fired", alertId: TEST_ALERT, severity: "Sev3", monitoringService: "Log Analytics", signalType: "Log" },
      },
    ],
  },
  "payload-samples--test-action-log-search-alert-v1-numresults.json": {
    signals: [
      {
        id: signalId("alert", [lower(TEST_ALERT), "Fired", "2021-11-16T15:15:58.330Z", lower(TEST_WORKSPACE)]),
        kind: "health",
        source: "alert",
        resourceId: TEST_WORKSPACE,
        region: null,
        status: "degraded",
        observedAt: "2021-11-16T15:15:58.330Z",
        summary: 'Sev3 alert "test-logAlertRule-v1-numResults" fired on test-logAnalyticsWorkspace (Log Analytics Log): 1 result',
        attributes: { alertRule: "test-logAlertRule-v1-numResults", monitorCondition: "Fired", alertId: TEST_ALERT, severity: "Sev3", monitoringService: "Log Analytics", signalType: "Log" },
      },
    ],
  },
  "payload-samples--test-action-log-search-alert-v2.json": {
    signals: [
      {
        id: signalId("alert", [lower(TEST_ALERT), "Fired", "2021-11-16T11:47:41.472Z", lower(TEST_WORKSPACE)]),
        kind: "health",
        source: "alert",
        resourceId: TEST_WORKSPACE,
        region: null,
        status: "degraded",
        observedAt: "2021-11-16T11:47:41.472Z",
        summary: 'Sev3 alert "test-logAlertRule-v2" fired on test-logAnalyticsWorkspace (Log Alerts V2 Log): log query 3 GreaterThan 0',
        attributes: { alertRule: "test-logAlertRule-v2", monitorCondition: "Fired", alertId: TEST_ALERT, severity: "Sev3", monitoringService: "Log Alerts V2", signalType: "Log" },
      },
    ],
  },
  "payload-samples--test-action-metric-alert-with-a-static-threshold-and-the-monitoringservice-platform.json": { signals: [storageMetricFired] },
  "payload-samples--test-action-metric-alert-with-dynamic-threshold-and-monitoringservice-platform.json": { signals: [storageMetricFired] },

  // Only the alertContext section of an alert, as the article shows it per monitoring service:
  // rejected alone; fragments.test.ts decodes each inside an envelope.
  "payload-samples--activity-log-alert-with-monitoringservice-activity-log-administrative.json": { error: ENVELOPE_MISSING },
  "payload-samples--activity-log-alert-with-monitoringservice-activity-log-autoscale.json": { error: ENVELOPE_MISSING },
  "payload-samples--activity-log-alert-with-monitoringservice-activity-log-policy.json": { error: ENVELOPE_MISSING },
  "payload-samples--activity-log-alert-with-monitoringservice-activity-log-security.json": { error: ENVELOPE_MISSING },
  "payload-samples--activity-log-alert-with-monitoringservice-resourcehealth.json": { error: ENVELOPE_MISSING },
  "payload-samples--activity-log-alert-with-monitoringservice-servicehealth.json": { error: ENVELOPE_MISSING },
  "payload-samples--log-search-alert-with-monitoringservice-application-insights.json": { error: ENVELOPE_MISSING },
  "payload-samples--log-search-alert-with-monitoringservice-log-alerts-v2.json": { error: ENVELOPE_MISSING },
  "payload-samples--log-search-alert-with-monitoringservice-platform.json": { error: ENVELOPE_MISSING },
  "payload-samples--metric-alert-for-availability-tests-and-the-monitoringservice-platform.json": { error: ENVELOPE_MISSING },
  "payload-samples--metric-alert-with-a-dynamic-threshold-and-the-monitoringservice-platform.json": { error: ENVELOPE_MISSING },
  "payload-samples--metric-alert-with-a-static-threshold-and-the-monitoringservice-platform.json": { error: ENVELOPE_MISSING },
  "payload-samples--sample-prometheus-alert.json": { error: ENVELOPE_MISSING },

  // The legacy (non-common) activity-log alert webhook.
  "legacy-activitylog-webhook--resourcehealth.json": {
    signals: [
      {
        id: signalId("resourceHealth", ["2b37e2d0-7bda-4de7-ur8c6-1447d02265b2", "unavailable", "2018-09-04T23:09:03.343Z",
          "/subscriptions/<subscription id>/resourcegroups/<resource group>/providers/microsoft.compute/virtualmachines/<resource name>"]),
        kind: "health",
        source: "resourceHealth",
        resourceId: "/subscriptions/<subscription Id>/resourceGroups/<resource group>/providers/Microsoft.Compute/virtualMachines/<resource name>",
        region: null,
        status: "unhealthy",
        observedAt: "2018-09-04T23:09:03.343Z",
        summary: "Resource Health of <resource name>: Unavailable (was Available), Downtime, PlatformInitiated — Virtual Machine health status changed to unavailable",
        attributes: { healthStatus: "Unavailable", previousHealthStatus: "Available", reasonType: "Downtime", cause: "PlatformInitiated" },
      },
    ],
  },
  "legacy-activitylog-webhook--servicehealth.json": {
    signals: [
      {
        id: signalId("serviceHealth", ["0NIH-U2O", "636439673646212912", "active", "australiaeast"]),
        kind: "health",
        source: "serviceHealth",
        resourceId: null,
        region: "australiaeast",
        status: "degraded",
        observedAt: "2017-10-18T23:49:25.373Z",
        summary: 'Service Health incident 0NIH-U2O "Virtual Machines - Australia East" active in australiaeast (Virtual Machines)',
        attributes: { incidentType: "Incident", impactedServices: "Virtual Machines", trackingId: "0NIH-U2O", stage: "Active", eventStatus: "Active" },
      },
    ],
  },

  // Reference documents kept beside the samples: not payloads, rejected as such.
  "activity-log-schema.md": { error: "not JSON: No number after minus sign in JSON at position 1" },
  "ApiManagementGatewayLogs-LogAnalytics-table-columns.md": { error: "not JSON: No number after minus sign in JSON at position 1" },
  "common-schema--essentials-fields.md": { error: `not JSON: Unexpected token '<', "<!-- Verba"... is not valid JSON` },
};

describe("published Azure samples", () => {
  it("has an expectation for every sample file and no stale ones", () => {
    expect(Object.keys(expectations).sort()).toEqual(sampleFiles());
  });

  for (const [file, expectation] of Object.entries(expectations)) {
    it(`${file} → ${"error" in expectation ? "error" : expectation.signals.length ? `${expectation.signals.length} signal(s)` : "no signal"}`, () => {
      const body = Buffer.from(sampleText(file), "utf8");
      if ("error" in expectation) expect(errorOf(body)).toBe(expectation.error);
      else expect(signalsOf(body)).toEqual(expectation.signals);
    });
  }

  it("decodes a GatewayLogs sample once its placeholder time is a real one", () => {
    const record = { ...sampleJson("apim-GatewayLogs--sample-entry-2020.json"), time: "2020-10-14T17:21:10.45" };
    const resourceId = "/SUBSCRIPTIONS/<subscription ID>/RESOURCEGROUPS/<resource group>/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM-HELLO-WORLD";
    expect(signalsOf(record)).toEqual([
      {
        id: signalId("gatewayLog", [resourceId.toLowerCase(), "eastus", "3f06647e-xxxx-xxxx-xxxx-530eb9f15261"]),
        kind: "health",
        source: "gatewayLog",
        resourceId,
        region: "eastus",
        status: "healthy",
        observedAt: "2020-10-14T17:21:10.450Z",
        summary: "GatewayLogs of APIM-HELLO-WORLD in eastus: 0 of 1 requests failed (0 answered 5xx, 0 with backend 5xx)",
        attributes: { requests: 1, failed: 0, gateway5xx: 0, backend5xx: 0, failureRatio: 0 },
      },
    ]);
  });
});
