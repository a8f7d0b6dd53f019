import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EventHubConsumerClient, earliestEventPosition } from "@azure/event-hubs";
import {
  administrativeAlert,
  administrativeRecords,
  azureTime,
  gatewayLogRecords,
  logSearchAlert,
  metricAlert,
  resourceHealthAlert,
  resourceHealthRecords,
  serviceHealthAlert,
} from "../../../src/sim/eventhubs/azure-payloads.js";
import { bridgeSimEventsToEventHubs } from "../../../src/sim/eventhubs/bridge.js";
import { startEventHubsEmulator, type RunningEventHubsEmulator } from "../../../src/sim/eventhubs/emulator.js";
import { SimEvents } from "../../../src/sim/events.js";
import { decodePayload } from "../../../src/signals/decode/index.js";
import type { Signal } from "../../../src/ports/signal.js";
import { collect } from "./helpers.js";

const SUB = "5f0c4b1e-2a3d-4c5b-8e6f-7a8b9c0d1e2f";
const APIM = `/subscriptions/${SUB}/resourceGroups/rg-apim-dr/providers/Microsoft.ApiManagement/service/apim-weu`;
const AT = Date.UTC(2026, 11, 1, 8, 45, 0, 123);

function decode(payload: unknown): Signal[] {
  // Through bytes, as the consumer would see them.
  const result = decodePayload(Buffer.from(JSON.stringify(payload)));
  if (!result.ok) throw new Error(result.error);
  return result.signals;
}

describe("Azure payload renderers", () => {
  it("writes Azure's time quirks: 7-digit fractions and +00:00 offsets", () => {
    expect(azureTime(AT)).toBe("2026-12-01T08:45:00.1230000Z");
    expect(azureTime(AT, "+00:00")).toBe("2026-12-01T08:45:00.1230000+00:00");
  });

  it("renders metric alerts that decode as unhealthy when fired and healthy when resolved, with one alert id", () => {
    const base = { ruleName: "apim-5xx", resourceId: APIM, severity: 1 as const, firedAt: AT, metricName: "Requests", threshold: 5, metricValue: 80 };
    const fired = metricAlert({ ...base, condition: "Fired" });
    const resolved = metricAlert({ ...base, condition: "Resolved", resolvedAt: AT + 600_000, metricValue: 0 });
    expect(fired.data.essentials.alertTargetIDs).toEqual([`/subscriptions/${SUB}/resourcegroups/rg-apim-dr/providers/microsoft.apimanagement/service/apim-weu`]);
    expect(fired.data.essentials.alertId).toBe(resolved.data.essentials.alertId);
    expect(fired.data.alertContext.condition.allOf[0]!.threshold).toBe("5");
    expect(resolved.data.essentials).toMatchObject({ monitorCondition: "Resolved", resolvedDateTime: "2026-12-01T08:55:00.1230000Z" });
    expect(decode(fired)).toMatchObject([{ kind: "health", source: "alert", status: "unhealthy" }]);
    expect(decode(resolved)).toMatchObject([{ kind: "health", source: "alert", status: "healthy" }]);
    expect(decode(metricAlert({ ...base, severity: 3, condition: "Fired" }))[0]!.status).toBe("degraded");
  });

  it("renders log search alerts", () => {
    const alert = logSearchAlert({ ruleName: "apim-gateway-errors", resourceId: APIM, severity: 2, condition: "Fired", firedAt: AT, query: "ApiManagementGatewayLogs | where ResponseCode >= 500", threshold: 10, metricValue: 42 });
    expect(alert.data.essentials.monitoringService).toBe("Log Alerts V2");
    expect(decode(alert)).toMatchObject([{ source: "alert", status: "degraded" }]);
  });

  it("renders Resource Health alerts (currentHealthStatus) and records (healthStatus) that both decode", () => {
    const alert = resourceHealthAlert({ resourceId: APIM, current: "Unavailable", previous: "Available", at: AT });
    expect(alert.data.alertContext.properties).toMatchObject({ currentHealthStatus: "Unavailable", previousHealthStatus: "Available", cause: "PlatformInitiated" });
    expect(alert.data.alertContext.eventTimestamp).toBe("2026-12-01T08:45:00.1230000+00:00");
    expect(decode(alert)).toMatchObject([{ source: "resourceHealth", status: "unhealthy" }]);

    const records = resourceHealthRecords([{ resourceId: APIM, status: "Degraded", previous: "Available", at: AT }]);
    expect(records.records[0]!.properties).toMatchObject({ healthStatus: "Degraded", healthEventType: "Degraded" });
    expect(records.records[0]!.properties).not.toHaveProperty("currentHealthStatus");
    expect(decode(records)).toMatchObject([{ source: "resourceHealth", status: "degraded" }]);
    expect(decode(resourceHealthRecords([{ resourceId: APIM, status: "Available", previous: "Degraded", at: AT }]))[0]!.status).toBe("healthy");
  });

  it("renders Service Health incidents with numeric fields and impactedServices as a JSON string, one signal per region", () => {
    const alert = serviceHealthAlert({ subscriptionId: SUB, service: "API Management", regions: ["westeurope", "northeurope"], trackingId: "SIM-1", stage: "Active", impactStartedAt: AT, at: AT });
    expect(alert.data.alertContext).toMatchObject({ channels: 1, eventSource: 2, level: 3 });
    expect(typeof alert.data.alertContext.properties.impactedServices).toBe("string");
    const signals = decode(alert);
    expect(signals.map((s) => [s.source, s.region, s.status])).toEqual([
      ["serviceHealth", "westeurope", "unhealthy"],
      ["serviceHealth", "northeurope", "unhealthy"],
    ]);
    const resolved = decode(serviceHealthAlert({ subscriptionId: SUB, service: "API Management", regions: ["westeurope"], trackingId: "SIM-1", stage: "Resolved", impactStartedAt: AT, at: AT + 60_000 }));
    expect(resolved.map((s) => s.status)).toEqual(["healthy"]);
  });

  it("renders Administrative records and alerts that decode as changes of the APIM service", () => {
    const op = { resourceId: `${APIM}/apis/orders`, operationName: "Microsoft.ApiManagement/service/apis/write", at: AT };
    const records = administrativeRecords([op]);
    expect(records.records[0]).toMatchObject({ category: "Write", level: "Information", resultType: "Success" });
    expect(decode(records)).toMatchObject([{ kind: "change", source: "activityLog", status: "unknown" }]);
    expect(decode(administrativeAlert(op))).toMatchObject([{ kind: "change", status: "unknown" }]);
  });

  it("renders GatewayLogs records (capital Level, upper-case resourceId, display location) that decode per region", () => {
    const failing = gatewayLogRecords(Array.from({ length: 10 }, (_, i) => ({ serviceId: APIM, region: "westeurope", responseCode: i < 8 ? 503 : 200, at: AT + i })));
    expect(failing.records[0]).toMatchObject({ Level: 2, isRequestSuccess: false, location: "West Europe", resourceId: APIM.toUpperCase(), category: "GatewayLogs" });
    expect(decode(failing)).toMatchObject([{ source: "gatewayLog", region: "westeurope", status: "unhealthy" }]);
    const fine = gatewayLogRecords([{ serviceId: APIM, region: "westeurope", responseCode: 200, at: AT }]);
    expect(decode(fine)).toMatchObject([{ status: "healthy" }]);
  });
});

describe("simulator events bridged to the Event Hubs emulator", () => {
  let emulator: RunningEventHubsEmulator;
  beforeAll(async () => {
    emulator = await startEventHubsEmulator({ hubs: [{ name: "apim-signals", partitionCount: 2 }] });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("publishes what Azure would for an outage, its end and a configuration change", async () => {
    const events = new SimEvents();
    const standby = `/subscriptions/${SUB}/resourceGroups/rg-apim-dr/providers/Microsoft.ApiManagement/service/apim-neu`;
    const disconnect = bridgeSimEventsToEventHubs({
      onEvent: (listener) => events.on(listener),
      emulator,
      hub: "apim-signals",
      subscriptionId: SUB,
      services: [
        { id: APIM, name: "apim-weu", region: "westeurope" },
        { id: standby, name: "apim-neu", region: "northeurope" },
      ],
      gatewayRecordsPerChange: 4,
    });
    events.emit({ type: "fault", name: "region-outage", region: "westeurope", service: null, active: true, at: new Date(AT).toISOString() });
    events.emit({ type: "fault", name: "throttle", region: null, service: null, active: true, at: new Date(AT).toISOString() });
    events.emit({ type: "fault", name: "region-outage", region: "westeurope", service: null, active: false, at: new Date(AT + 60_000).toISOString() });
    events.emit({ type: "configChange", serviceId: APIM, region: "westeurope", revision: 3, operation: "change", detail: "added operation orders/op-r3", at: new Date(AT + 120_000).toISOString() });
    disconnect();
    events.emit({ type: "configChange", serviceId: APIM, region: "westeurope", revision: 4, operation: "change", detail: "ignored: bridge disconnected", at: new Date(AT + 180_000).toISOString() });

    // Per outage change: RH alert, RH records, metric alert, log search alert, gateway logs, Service Health = 6; twice; plus 2 for the change.
    const total = emulator.stats().published;
    expect(total).toBe(14);
    const consumer = new EventHubConsumerClient("$default", emulator.connectionString, "apim-signals");
    const got = await collect(consumer, total, { startPosition: earliestEventPosition });
    await consumer.close();

    const signals = got
      .sort((a, b) => a.event.enqueuedTimeUtc.getTime() - b.event.enqueuedTimeUtc.getTime() || a.event.sequenceNumber - b.event.sequenceNumber)
      .flatMap((g) => {
        const result = decodePayload(g.event.body);
        if (!result.ok) throw new Error(result.error);
        return result.signals;
      });
    const weu = signals.filter((s) => s.kind === "health" && (s.region === "westeurope" || (s.resourceId ?? "").toLowerCase() === APIM.toLowerCase()));
    expect(new Set(weu.map((s) => s.source))).toEqual(new Set(["resourceHealth", "alert", "gatewayLog", "serviceHealth"]));
    expect(weu.filter((s) => s.status === "unhealthy").length).toBeGreaterThanOrEqual(4);
    expect(weu.filter((s) => s.status === "healthy").length).toBeGreaterThanOrEqual(4);
    // Nothing about the standby region: the outage was scoped to westeurope.
    expect(signals.some((s) => s.region === "northeurope" || (s.resourceId ?? "").toLowerCase() === standby.toLowerCase())).toBe(false);
    const changes = signals.filter((s) => s.kind === "change");
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect(changes.every((s) => (s.resourceId ?? "").toLowerCase().startsWith(APIM.toLowerCase()))).toBe(true);
  });
});

describe("bridge timing: Resource Health and Service Health lag the fault", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The bridge's publish calls, decoded, in order. */
  function recordingBridge(lags: { resourceHealthLagMs?: number; serviceHealthLagMs?: number }) {
    const events = new SimEvents();
    const published: Signal[][] = [];
    const disconnect = bridgeSimEventsToEventHubs({
      onEvent: (listener) => events.on(listener),
      emulator: { publish: (_hub, body) => (published.push(decode(body)), { hub: "h", partitionId: "0", sequenceNumber: 0, offset: "0", enqueuedTimeUtc: new Date(0) }) },
      hub: "h",
      subscriptionId: SUB,
      services: [{ id: APIM, name: "apim-weu", region: "westeurope" }],
      gatewayRecordsPerChange: 2,
      ...lags,
    });
    const outage = (active: boolean, at: number) => events.emit({ type: "fault", name: "region-outage", region: "westeurope", service: null, active, at: new Date(at).toISOString() });
    const sources = () => published.flat().map((s) => `${s.source}:${s.status}`);
    return { outage, sources, published, disconnect };
  }

  it("publishes alerts and gateway logs at once, Resource Health after its lag dated then, Service Health after its own lag; fired before resolved even when cleared within the lag", () => {
    vi.useFakeTimers({ now: AT });
    const bridge = recordingBridge({ resourceHealthLagMs: 2_000, serviceHealthLagMs: 5_000 });
    bridge.outage(true, AT);
    expect(bridge.sources()).toEqual(["alert:unhealthy", "alert:unhealthy", "gatewayLog:unhealthy"]);
    vi.advanceTimersByTime(1_000);
    bridge.outage(false, AT + 1_000);
    expect(bridge.sources().slice(3)).toEqual(["alert:healthy", "alert:healthy", "gatewayLog:healthy"]);
    vi.advanceTimersByTime(999);
    expect(bridge.sources()).toHaveLength(6);
    vi.advanceTimersByTime(1);
    const unavailable = bridge.published.flat().slice(6);
    expect(unavailable.map((s) => [s.source, s.status, s.observedAt])).toEqual([
      ["resourceHealth", "unhealthy", new Date(AT + 2_000).toISOString()],
      ["resourceHealth", "unhealthy", new Date(AT + 2_000).toISOString()],
    ]);
    vi.advanceTimersByTime(1_000);
    expect(bridge.sources().slice(8)).toEqual(["resourceHealth:healthy", "resourceHealth:healthy"]);
    vi.advanceTimersByTime(3_000);
    expect(bridge.sources().slice(10)).toEqual(["serviceHealth:unhealthy", "serviceHealth:healthy"]);
    bridge.disconnect();
  });

  it("drops reports still waiting for their lag when disconnected", () => {
    vi.useFakeTimers({ now: AT });
    const bridge = recordingBridge({ resourceHealthLagMs: 2_000, serviceHealthLagMs: 2_000 });
    bridge.outage(true, AT);
    bridge.disconnect();
    vi.advanceTimersByTime(10_000);
    expect(bridge.sources()).toEqual(["alert:unhealthy", "alert:unhealthy", "gatewayLog:unhealthy"]);
  });

  it("refuses a negative lag", () => {
    expect(() => recordingBridge({ resourceHealthLagMs: -1 })).toThrow("resourceHealthLagMs must be a non-negative number of milliseconds, got -1");
  });
});
