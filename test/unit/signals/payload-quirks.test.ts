import { describe, expect, it } from "vitest";
import { signalId } from "../../../src/signals/decode/signal-id.js";
import { APIM_WEU, commonAlert, errorOf, sampleJson, signalsOf } from "./helpers.js";

const restResourceHealth = sampleJson("activity-log--ResourceHealth-category-event.json");
const rhAlertContext = sampleJson("payload-samples--activity-log-alert-with-monitoringservice-resourcehealth.json").alertContext as Record<string, unknown>;

/** A Resource Health record as diagnostic settings stream it to Event Hubs. */
function resourceHealthRecord(status: string, extra: Record<string, unknown> = {}) {
  return {
    time: "2026-12-01T08:45:00.1234567Z",
    resourceId: APIM_WEU.toUpperCase(),
    correlationId: "c0ffee00-0000-0000-0000-000000000001",
    operationName: "Microsoft.Resourcehealth/healthevent/Activated/action",
    category: "ResourceHealth",
    resultType: "Active",
    level: "Critical",
    properties: {
      eventCategory: "ResourceHealth",
      eventProperties: { title: "API Management service is unavailable", currentHealthStatus: status, previousHealthStatus: "Available", type: "Downtime", cause: "PlatformInitiated" },
    },
    ...extra,
  };
}

describe("Resource Health", () => {
  it("reads both field spellings: healthStatus/healthEventCause and currentHealthStatus/cause", () => {
    const [rest] = signalsOf(restResourceHealth);
    const [alert] = signalsOf(commonAlert({ monitoringService: "Resource Health" }, rhAlertContext));
    expect([rest!.status, rest!.attributes?.cause, rest!.attributes?.reasonType]).toEqual(["unhealthy", "PlatformInitiated", "Downtime"]);
    expect([alert!.status, alert!.attributes?.cause, alert!.attributes?.reasonType]).toEqual(["unhealthy", "UserInitiated", "Downtime"]);
  });

  it.each([
    ["Unavailable", "unhealthy"],
    ["Degraded", "degraded"],
    ["Available", "healthy"],
    ["Unknown", "unknown"],
  ])("a records-wrapper event %s → %s, with properties.eventProperties lifted", (healthStatus, status) => {
    const [signal, ...rest] = signalsOf({ records: [resourceHealthRecord(healthStatus)] });
    expect(rest).toEqual([]);
    expect(signal).toEqual({
      id: signalId("resourceHealth", ["c0ffee00-0000-0000-0000-000000000001", healthStatus.toLowerCase(), "2026-12-01T08:45:00.123Z", APIM_WEU.toLowerCase()]),
      kind: "health",
      source: "resourceHealth",
      resourceId: APIM_WEU.toUpperCase(),
      region: null,
      status,
      observedAt: "2026-12-01T08:45:00.123Z",
      summary: `Resource Health of APIM-WEU: ${healthStatus} (was Available), Downtime, PlatformInitiated — API Management service is unavailable`,
      attributes: { healthStatus, previousHealthStatus: "Available", reasonType: "Downtime", cause: "PlatformInitiated" },
    });
  });

  it("rejects a health status it does not know, and an event without one, naming the record", () => {
    expect(errorOf({ records: [resourceHealthRecord("Available"), resourceHealthRecord("Sideways")] })).toBe(
      'records[1]: Resource Health status "Sideways" is not one of Available, Unavailable, Degraded, Unknown',
    );
    const { properties: _dropped, ...withoutProperties } = resourceHealthRecord("Available");
    expect(errorOf({ records: [withoutProperties] })).toBe(
      "records[0]: Resource Health event has no health status; expected properties.currentHealthStatus or properties.healthStatus",
    );
  });

  it("a Resolved Resource Health alert still reports the current status (Available → healthy)", () => {
    const ctx = { ...rhAlertContext, status: "Resolved", properties: { ...(rhAlertContext.properties as object), currentHealthStatus: "Available", previousHealthStatus: "Unavailable" } };
    const [signal] = signalsOf(commonAlert({ monitoringService: "Resource Health", monitorCondition: "Resolved" }, ctx));
    expect(signal).toMatchObject({ status: "healthy", source: "resourceHealth" });
  });
});

describe("Service Health", () => {
  const incident = (impactedServices: unknown, extra: Record<string, unknown> = {}) => ({
    records: [
      {
        time: "2026-12-01T08:40:00.0000000Z",
        resourceId: "/SUBSCRIPTIONS/11111111-1111-1111-1111-111111111111",
        correlationId: "5e1f0000-0000-0000-0000-000000000001",
        operationName: "Microsoft.ServiceHealth/incident/action",
        category: "ServiceHealth",
        resultType: "Active",
        properties: {
          eventCategory: "ServiceHealth",
          eventProperties: { title: "API Management - West Europe", incidentType: "Incident", trackingId: "XY12-ABC", communicationId: "111", stage: "Active", impactedServices, ...extra },
        },
      },
    ],
  });

  it("fans out one signal per impacted region; unhealthy where API Management is impacted", () => {
    const signals = signalsOf(
      incident([
        { ServiceName: "API Management", ImpactedRegions: [{ RegionName: "West Europe" }] },
        { ServiceName: "Virtual Machines", ImpactedRegions: [{ RegionName: "West Europe" }, { RegionName: "North Europe" }] },
      ]),
    );
    expect(signals.map((s) => [s.region, s.status, s.resourceId, s.attributes?.impactedServices])).toEqual([
      ["westeurope", "unhealthy", null, "API Management, Virtual Machines"],
      ["northeurope", "degraded", null, "Virtual Machines"],
    ]);
    expect(signals.map((s) => s.id)).toEqual([
      signalId("serviceHealth", ["XY12-ABC", "111", "active", "westeurope"]),
      signalId("serviceHealth", ["XY12-ABC", "111", "active", "northeurope"]),
    ]);
    expect(signals[0]!.summary).toBe('Service Health incident XY12-ABC "API Management - West Europe" active in westeurope (API Management, Virtual Machines)');
  });

  it("reads impactedServices as a JSON string too, and a resolved stage as healthy", () => {
    const asString = JSON.stringify([{ ServiceName: "API Management", ImpactedRegions: [{ RegionName: "West Europe" }] }]);
    const [signal] = signalsOf(incident(asString, { stage: "Resolved" }));
    expect(signal).toMatchObject({ region: "westeurope", status: "healthy", observedAt: "2026-12-01T08:40:00.000Z" });
  });

  it("falls back to properties.region, and says what is missing when no region is named", () => {
    const [signal] = signalsOf(incident(undefined, { region: "West Europe", service: "API Management" }));
    expect(signal).toMatchObject({ region: "westeurope", status: "unhealthy" });
    expect(errorOf(incident(undefined))).toBe(
      "records[0]: Service Health incident names no impacted region; expected properties.impactedServices[].ImpactedRegions or properties.region",
    );
    expect(errorOf(incident("[{not json"))).toMatch(/^records\[0\]: properties\.impactedServices is not a JSON array: /);
  });

  it("maintenance, information and security notices give no signal", () => {
    for (const incidentType of ["Maintenance", "Information", "Security", "ActionRequired"]) {
      expect(signalsOf(incident([{ ServiceName: "API Management", ImpactedRegions: [{ RegionName: "West Europe" }] }], { incidentType }))).toEqual([]);
    }
  });
});

describe("alert field spellings", () => {
  it("reads alertTargetIds as well as alertTargetIDs, PascalCase essentials, and one signal per target", () => {
    const payload = commonAlert({}, { condition: { allOf: [] } });
    const essentials = (payload.data as { essentials: Record<string, unknown> }).essentials;
    delete essentials.alertTargetIDs;
    essentials.AlertTargetIds = [APIM_WEU, `${APIM_WEU.replace("apim-weu", "apim-neu")}`];
    essentials.MonitorCondition = "Fired";
    delete essentials.monitorCondition;
    expect(signalsOf(payload).map((s) => [s.resourceId, s.status])).toEqual([
      [APIM_WEU, "unhealthy"],
      [APIM_WEU.replace("apim-weu", "apim-neu"), "unhealthy"],
    ]);
  });

  it("takes the region from an APIM metric's Location dimension", () => {
    const ctx = {
      conditionType: "SingleResourceMultipleMetricCriteria",
      condition: { allOf: [{ metricName: "Requests", operator: "GreaterThan", threshold: "10", metricValue: 42, dimensions: [{ name: "Location", value: "West Europe" }, { name: "GatewayResponseCodeCategory", value: "5XX" }] }] },
    };
    const [signal] = signalsOf(commonAlert({}, ctx));
    expect(signal).toMatchObject({ region: "westeurope", summary: 'Sev1 alert "apim-dr-test-rule" fired on apim-weu (Platform Metric): Requests 42 GreaterThan 10' });
  });

  it("rejects a fired alert without a valid severity or monitor condition", () => {
    expect(errorOf(commonAlert({ severity: "Sev9" }, {}))).toBe('alert "apim-dr-test-rule": severity "Sev9" is not one of Sev0, Sev1, Sev2, Sev3, Sev4');
    expect(errorOf(commonAlert({ severity: null }, {}))).toBe('alert "apim-dr-test-rule": severity null is not one of Sev0, Sev1, Sev2, Sev3, Sev4');
    expect(errorOf(commonAlert({ monitorCondition: "Acknowledged" }, {}))).toBe('alert essentials.monitorCondition "Acknowledged" is not Fired or Resolved');
    expect(errorOf(commonAlert({ monitorCondition: "Resolved" }, {}))).toBe(
      "resolved alert has no essentials.resolvedDateTime nor an evaluation window end time to date it by",
    );
    expect(errorOf(commonAlert({ firedDateTime: "yesterday" }, {}))).toBe(
      'essentials.firedDateTime "yesterday" is not a date-time; expected ISO-8601 (2026-12-01T08:45:00Z) or US format (12/1/2026 8:45:00 AM)',
    );
    expect(errorOf({ schemaId: "azureMonitorCommonAlertSchema", data: {} })).toBe(
      'common alert schema payload has no data.essentials; expected {"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{…},"alertContext":{…}}}',
    );
  });
});

describe("severity mapping", () => {
  const fired = (severity: string) => commonAlert({ severity }, {});
  it("defaults to Sev0–Sev1 unhealthy and Sev2–Sev4 degraded", () => {
    expect(["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"].map((s) => signalsOf(fired(s))[0]!.status)).toEqual(["unhealthy", "unhealthy", "degraded", "degraded", "degraded"]);
  });

  it("is configurable per severity, and resolved stays healthy whatever the mapping", () => {
    const severityMapping = { Sev2: "unhealthy", Sev0: "degraded" } as const;
    expect(["Sev0", "Sev1", "Sev2", "Sev3"].map((s) => signalsOf(fired(s), { severityMapping })[0]!.status)).toEqual(["degraded", "unhealthy", "unhealthy", "degraded"]);
    const resolved = commonAlert({ severity: "Sev0", monitorCondition: "Resolved", resolvedDateTime: "2026-12-01T09:00:00Z" }, {});
    expect(signalsOf(resolved, { severityMapping })[0]!.status).toBe("healthy");
  });

  it("answers a bad mapping with an error result instead of throwing", () => {
    expect(errorOf(fired("Sev1"), { severityMapping: { Sev7: "unhealthy" } as never })).toBe(
      'invalid severity mapping: "Sev7" is not a severity; use one of Sev0, Sev1, Sev2, Sev3, Sev4',
    );
    expect(errorOf(fired("Sev1"), { severityMapping: { Sev1: "healthy" } as never })).toBe(
      'invalid severity mapping: Sev1=healthy; a fired alert maps to "unhealthy" or "degraded"',
    );
  });
});

describe("non-health payloads give no signal and no error", () => {
  it.each([
    ["a cost alert", commonAlert({ monitoringService: "CostAlerts", severity: null, monitorCondition: null }, { AlertCategory: "budgets" })],
    ["a budget notification", sampleJson("payload-samples--test-action-activity-log-alert-with-monitoringservice-budget.json")],
    ["an Activity Log - Recommendation alert", commonAlert({ monitoringService: "Activity Log - Recommendation" }, {})],
    ["another resource-log category", { records: [{ time: "2026-12-01T08:45:00Z", category: "WebSocketConnectionLogs", resourceId: APIM_WEU, properties: {} }] }],
    ["a Policy record", { records: [{ time: "2026-12-01T08:45:00Z", category: "Policy", operationName: "Microsoft.Authorization/policies/audit/action", resultType: "Succeeded" }] }],
    ["an Autoscale record", { records: [{ time: "2026-12-01T08:45:00Z", category: "Autoscale", operationName: "Microsoft.Insights/AutoscaleSettings/Scaleup/Action" }] }],
    ["an empty records wrapper", { records: [] }],
  ])("%s", (_name, payload) => {
    expect(signalsOf(payload)).toEqual([]);
  });
});

describe("unrecognizable input", () => {
  const expected =
    'expected a common alert schema object (schemaId "azureMonitorCommonAlertSchema"), a {"records":[…]} wrapper, or an activity-log event';
  it.each([
    ["invalid JSON", '{"records": [}', "not JSON: Unexpected token '}', \"{\"records\": [}\" is not valid JSON"],
    ["an empty body", "  ", "empty payload: expected a JSON object"],
    ["undefined", undefined, "empty payload: expected a JSON object"],
    ["a JSON array", "[1,2]", `unrecognized payload: ${expected}; got a JSON array`],
    ["a number", 42, `unrecognized payload: ${expected}; got a JSON number`],
    ["an unrelated object", { hello: "world", n: 1 }, `unrecognized payload: ${expected}; got an object with keys hello, n`],
    ["records that is not a list", { records: {} }, 'unrecognized payload: "records" is an empty object; expected {"records":[…]}'],
    ["a record that is not an object", { records: [7] }, "records[0]: is not a JSON object"],
    [
      "a record without category",
      { records: [{ time: "2026-12-01T08:45:00Z" }] },
      'records[0]: has no "category"; expected a resource-log record (GatewayLogs, Administrative, ResourceHealth, ServiceHealth, …) or an activity-log event',
    ],
    [
      "an unknown schemaId",
      { schemaId: "AzureMonitorMetricAlert", data: {} },
      `unrecognized payload: schemaId "AzureMonitorMetricAlert" is not decoded by apim-dr; ${expected} (enable the common alert schema on the action group)`,
    ],
    [
      "a legacy webhook without activityLog",
      { schemaId: "Microsoft.Insights/activityLogs", data: { context: {} } },
      'activity-log webhook has no data.context.activityLog; expected {"schemaId":"Microsoft.Insights/activityLogs","data":{"context":{"activityLog":{…}}}}',
    ],
  ])("%s", (_name, body, message) => {
    expect(errorOf(body)).toBe(message);
  });

  it("accepts the same payload as an object, a string, a Buffer and with a byte-order mark", () => {
    const text = JSON.stringify(restResourceHealth);
    const expectedSignals = signalsOf(restResourceHealth);
    expect(signalsOf(text)).toEqual(expectedSignals);
    expect(signalsOf(Buffer.from(text))).toEqual(expectedSignals);
    expect(signalsOf(`\uFEFF${text}`)).toEqual(expectedSignals);
  });
});
