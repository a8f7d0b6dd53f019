import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePayload } from "../../../src/signals/decode/index.js";
import { APIM_WEU, commonAlert, sampleJson, sampleText, signalsOf } from "./helpers.js";

const firedAlert = () => sampleJson("payload-samples--test-action-metric-alert-with-a-static-threshold-and-the-monitoringservice-platform.json");

describe("signal ids", () => {
  it("are pinned: persisted dedup keys must survive an upgrade", () => {
    expect(signalsOf(sampleText("payload-samples--sample-alert-payload.json"))[0]!.id).toBe("alert:b6f12c0dea0a29f7893db263495b7c8e");
  });

  it("are the same for the same observation, however it is spelled", () => {
    const original = firedAlert();
    const respelled = structuredClone(original) as { data: { essentials: Record<string, unknown> } };
    const e = respelled.data.essentials;
    e.alertTargetIDs = (e.alertTargetIDs as string[]).map((t) => t.toUpperCase()); // resource ids compare case-insensitively
    e.firedDateTime = "2021-11-15T09:35:24.3468506+00:00"; // same instant, other spelling
    e.alertId = String(e.alertId).toUpperCase();
    expect(signalsOf(respelled)[0]!.id).toBe(signalsOf(original)[0]!.id);
    expect(signalsOf(JSON.stringify(original))[0]!.id).toBe(signalsOf(original)[0]!.id);
  });

  it("differ between the fired and the resolved notification of one alert", () => {
    const fired = commonAlert({}, {});
    const resolved = commonAlert({ monitorCondition: "Resolved", resolvedDateTime: "2026-12-01T09:15:00Z" }, {});
    const refired = commonAlert({ firedDateTime: "2026-12-01T10:00:00Z" }, {});
    const ids = [fired, resolved, refired].map((p) => signalsOf(p)[0]!.id);
    expect(new Set(ids).size).toBe(3);
  });

  it("differ per region of one Service Health incident and per update of it", () => {
    const incident = (stage: string, communicationId: string) => ({
      ...sampleJson("activity-log--ServiceHealth-category-event.json"),
      properties: {
        incidentType: "Incident",
        trackingId: "XY12-ABC",
        communicationId,
        stage,
        impactedServices: JSON.stringify([{ ServiceName: "API Management", ImpactedRegions: [{ RegionName: "West Europe" }, { RegionName: "North Europe" }] }]),
      },
    });
    const active = signalsOf(incident("Active", "1")).map((s) => s.id);
    expect(new Set(active).size).toBe(2);
    const resolved = signalsOf(incident("Resolved", "2")).map((s) => s.id);
    expect(resolved.filter((id) => active.includes(id))).toEqual([]);
    expect(signalsOf(incident("Active", "1")).map((s) => s.id)).toEqual(active);
  });

  it("differ between Resource Health transitions of one resource", () => {
    const event = (status: string, at: string) => ({
      records: [
        {
          time: at,
          resourceId: APIM_WEU,
          correlationId: "rh-1",
          category: "ResourceHealth",
          properties: { eventProperties: { currentHealthStatus: status } },
        },
      ],
    });
    const down = signalsOf(event("Unavailable", "2026-12-01T08:45:00Z"))[0]!.id;
    const up = signalsOf(event("Available", "2026-12-01T09:45:00Z"))[0]!.id;
    expect(down).not.toBe(up);
    expect(signalsOf(event("Unavailable", "2026-12-01T08:45:00.000Z"))[0]!.id).toBe(down);
  });
});

describe("decodePayload on arbitrary input", () => {
  it("never throws, never fails internally, and explains every rejection in one line", () => {
    const bodies = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.json(),
      fc.record({ records: fc.array(fc.anything(), { maxLength: 3 }) }),
      fc.record({ schemaId: fc.constant("azureMonitorCommonAlertSchema"), data: fc.anything() }),
      fc.record({ category: fc.constantFrom("ResourceHealth", "ServiceHealth", "Administrative", "GatewayLogs"), properties: fc.anything(), time: fc.anything() }),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const result = decodePayload(body);
        if (result.ok) return Array.isArray(result.signals);
        return result.error.length > 0 && !/[\r\n]/.test(result.error) && !result.error.startsWith("decoder failed unexpectedly");
      }),
      { numRuns: 500 },
    );
  });
});
