import { describe, expect, it } from "vitest";
import { signalId } from "../../../src/signals/decode/signal-id.js";
import { APIM_WEU, APIM_WEU_ALERT_ID, commonAlert, sampleJson, signalsOf } from "./helpers.js";

// The article's per-service samples are only the alertContext; inside an envelope each one
// exercises the decoder path its monitoringService selects.
const context = (file: string) => sampleJson(`payload-samples--${file}.json`).alertContext;
const alertKey = APIM_WEU_ALERT_ID.toLowerCase();
const FIRED_AT = "2026-12-01T08:45:00.123Z";

describe("alertContext samples inside a common-schema envelope", () => {
  it("Resource Health (UserInitiated stop): unhealthy with its cause, dated by the health event", () => {
    const payload = commonAlert({ monitoringService: "Resource Health", signalType: "Activity Log", severity: "Sev4" }, context("activity-log-alert-with-monitoringservice-resourcehealth"));
    expect(signalsOf(payload)).toEqual([
      {
        id: signalId("resourceHealth", [alertKey, "Fired", FIRED_AT, "<GUID>", "unavailable", "2019-06-24T15:42:54.074Z", APIM_WEU.toLowerCase()]),
        kind: "health",
        source: "resourceHealth",
        resourceId: APIM_WEU,
        region: null,
        status: "unhealthy",
        observedAt: "2019-06-24T15:42:54.074Z",
        summary:
          "Resource Health of apim-weu: Unavailable (was Available), Downtime, UserInitiated — This virtual machine is stopping and deallocating as requested by an authorized user or process",
        attributes: { healthStatus: "Unavailable", previousHealthStatus: "Available", reasonType: "Downtime", cause: "UserInitiated" },
      },
    ]);
  });

  it("Service Health maintenance with numeric channels/eventSource/level: not an incident, no signal", () => {
    const payload = commonAlert({ monitoringService: "ServiceHealth", signalType: "Activity Log" }, context("activity-log-alert-with-monitoringservice-servicehealth"));
    expect(signalsOf(payload)).toEqual([]);
  });

  it("the same Service Health context as an incident: one signal for East US", () => {
    const ctx = context("activity-log-alert-with-monitoringservice-servicehealth") as Record<string, unknown>;
    const properties = { ...(ctx.properties as object), incidentType: "Incident", stage: "Active" };
    const [signal, ...rest] = signalsOf(commonAlert({ monitoringService: "ServiceHealth" }, { ...ctx, properties }));
    expect(rest).toEqual([]);
    expect(signal).toMatchObject({ source: "serviceHealth", resourceId: null, region: "eastus", status: "degraded", observedAt: "2019-06-24T11:31:19.031Z" });
    expect(signal!.attributes).toEqual({ incidentType: "Incident", impactedServices: "Azure Synapse Analytics", trackingId: "<GUID>", stage: "Active", eventStatus: "Active" });
  });

  for (const service of ["autoscale", "policy", "security"]) {
    it(`Activity Log - ${service}: no signal`, () => {
      const payload = commonAlert({ monitoringService: `Activity Log - ${service[0]!.toUpperCase()}${service.slice(1)}`, signalType: "Activity Log" }, context(`activity-log-alert-with-monitoringservice-activity-log-${service}`));
      expect(signalsOf(payload)).toEqual([]);
    });
  }

  it("Activity Log - Administrative on a VM: no signal; the same alert on an APIM API write: a change", () => {
    const ctx = context("activity-log-alert-with-monitoringservice-activity-log-administrative") as Record<string, unknown>;
    const essentials = { monitoringService: "Activity Log - Administrative", signalType: "Activity Log", severity: "Sev4" };
    expect(signalsOf(commonAlert(essentials, ctx))).toEqual([]);

    const apiWrite = { ...ctx, operationName: "Microsoft.ApiManagement/service/apis/write", properties: { entity: `${APIM_WEU}/apis/echo-api` } };
    expect(signalsOf(commonAlert(essentials, apiWrite))).toEqual([
      {
        id: signalId("alert", [alertKey, "Fired", FIRED_AT, "8ee9c32a-92a1-4a8f-989c-b0ba09292a91", "microsoft.apimanagement/service/apis/write",
          `${APIM_WEU}/apis/echo-api`.toLowerCase(), "succeeded", "2019-03-22T13:56:31.291Z"]),
        kind: "change",
        source: "alert",
        resourceId: APIM_WEU,
        region: null,
        status: "unknown",
        observedAt: "2019-03-22T13:56:31.291Z",
        summary: "APIM configuration change: Microsoft.ApiManagement/service/apis/write succeeded on apis/echo-api of service apim-weu",
        attributes: { operation: "Microsoft.ApiManagement/service/apis/write", status: "Succeeded", changedResourceId: `${APIM_WEU}/apis/echo-api` },
      },
    ]);
  });

  it("log search (Application Insights) resolved without resolvedDateTime: dated by its US-format search interval end", () => {
    const payload = commonAlert({ monitoringService: "Application Insights", signalType: "Log", monitorCondition: "Resolved" }, context("log-search-alert-with-monitoringservice-application-insights"));
    expect(signalsOf(payload)).toEqual([
      {
        id: signalId("alert", [alertKey, "Resolved", "2019-03-22T13:51:33.000Z", APIM_WEU.toLowerCase()]),
        kind: "health",
        source: "alert",
        resourceId: APIM_WEU,
        region: null,
        status: "healthy",
        observedAt: "2019-03-22T13:51:33.000Z",
        summary: 'Sev1 alert "apim-dr-test-rule" resolved on apim-weu (Application Insights Log): 2 results',
        attributes: { alertRule: "apim-dr-test-rule", monitorCondition: "Resolved", alertId: APIM_WEU_ALERT_ID, severity: "Sev1", monitoringService: "Application Insights", signalType: "Log" },
      },
    ]);
  });

  it("log search (Platform, US dates) fired Sev1: unhealthy", () => {
    const [signal] = signalsOf(commonAlert({ monitoringService: "Log Analytics", signalType: "Log" }, context("log-search-alert-with-monitoringservice-platform")));
    expect(signal).toMatchObject({ status: "unhealthy", observedAt: FIRED_AT, summary: 'Sev1 alert "apim-dr-test-rule" fired on apim-weu (Log Analytics Log): 2 results' });
  });

  it("log alert V2 resolved: dated by the condition window end", () => {
    const [signal] = signalsOf(commonAlert({ monitoringService: "Log Alerts V2", signalType: "Log", monitorCondition: "Resolved" }, context("log-search-alert-with-monitoringservice-log-alerts-v2")));
    expect(signal).toMatchObject({ status: "healthy", observedAt: "2020-07-09T13:54:34.000Z" });
  });

  it.each([
    ["metric-alert-for-availability-tests-and-the-monitoringservice-platform", "Failed Location 5 GreaterThan 2"],
    ["metric-alert-with-a-dynamic-threshold-and-the-monitoringservice-platform", "Egress 50101 GreaterThan 47658"],
    ["metric-alert-with-a-static-threshold-and-the-monitoringservice-platform", "Percentage CPU 31.1105 GreaterThan 25"],
  ])("%s fired Sev2: degraded, condition in the summary", (file, condition) => {
    const [signal, ...rest] = signalsOf(commonAlert({ severity: "Sev2" }, context(file)));
    expect(rest).toEqual([]);
    expect(signal).toMatchObject({ source: "alert", status: "degraded", region: null, summary: `Sev2 alert "apim-dr-test-rule" fired on apim-weu (Platform Metric): ${condition}` });
  });

  it("smart detector resolved: dated by its analysis time", () => {
    const smart = sampleJson("payload-samples--test-action-activity-log-alerts-with-monitoringservice-smart-alert.json") as { data: { essentials: object; alertContext: object } };
    const [signal] = signalsOf(commonAlert({ ...smart.data.essentials, monitorCondition: "Resolved" }, { ...smart.data.alertContext, AnalysisTimestamp: "2021-10-29T07:09:09.1115084Z" }));
    expect(signal).toMatchObject({ status: "healthy", observedAt: "2021-10-29T07:09:09.111Z" });
  });

  it("Prometheus fired Sev0: unhealthy", () => {
    const [signal] = signalsOf(commonAlert({ monitoringService: "Prometheus", signalType: "Metric", severity: "Sev0" }, context("sample-prometheus-alert")));
    expect(signal).toMatchObject({ source: "alert", status: "unhealthy", summary: 'Sev0 alert "apim-dr-test-rule" fired on apim-weu (Prometheus Metric)' });
  });
});
