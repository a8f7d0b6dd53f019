import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { createAzureAdapters, type AzureAdapters } from "../../../src/azure/index.js";
import { systemClock } from "../../../src/ports/clock.js";
import { ResourceHealthPoller } from "../../../src/signals/pollers/resource-health-poller.js";
import { MetricsPoller } from "../../../src/signals/pollers/metrics-poller.js";
import { LogsPoller } from "../../../src/signals/pollers/logs-poller.js";
import { ProbePoller } from "../../../src/signals/pollers/probe-poller.js";
import { httpGatewayProbe } from "../../../src/signals/probes/http-gateway-probe.js";
import { SUPPORTED_QUERY_EXAMPLE } from "../../../src/sim/arm/kql.js";
import type { PolledService } from "../../../src/signals/pollers/poll-loop.js";

const STATUS_PATH = "/status-0123456789abcdef";

describe("pollers through the production adapters against the simulator", () => {
  let sim: SimulatedAzure;
  let azure: AzureAdapters;
  let services: PolledService[];
  const clock = systemClock();

  beforeAll(async () => {
    sim = await startSimulatedAzure();
    azure = createAzureAdapters({
      armEndpoint: sim.armEndpoint,
      caCertPem: sim.caCertPem,
      credential: { type: "simulator" },
      metricsEndpoint: sim.metricsEndpoint,
      logsEndpoint: sim.logsEndpoint,
      retry: { maxRetries: 0 },
    });
    services = [
      { serviceId: sim.services.primary.id, region: sim.services.primary.region },
      { serviceId: sim.services.standby.id, region: sim.services.standby.region },
    ];
  });
  afterAll(() => sim?.stop());
  afterEach(() => sim.clearAllFaults());

  /** Real traffic through a region's gateway, addressed with the custom hostname. */
  async function traffic(region: string, requests: number) {
    const probe = httpGatewayProbe();
    for (let i = 0; i < requests; i++) await probe.probe(`${sim.gateways[region]}${STATUS_PATH}`, sim.customHostname, 2_000);
  }

  it("Resource Health: unhealthy with its platform cause for the region in an outage, healthy elsewhere", async () => {
    await sim.fault("region-outage", { region: sim.services.primary.region }, {});
    const signals = await new ResourceHealthPoller(services, { resourceHealth: azure.resourceHealth, clock }).pollOnce();
    const [primary, standby] = signals;
    expect(primary).toMatchObject({ source: "resourceHealth", status: "unhealthy", region: "westeurope", resourceId: sim.services.primary.id });
    expect(primary!.attributes).toMatchObject({ state: "Unavailable", cause: "PlatformInitiated" });
    expect(standby).toMatchObject({ status: "healthy", region: "northeurope" });
  });

  it("metrics: the 5xx share of real gateway requests decides unhealthy vs healthy", async () => {
    await sim.fault("degrade", { region: sim.services.primary.region }, { errorPercent: 100 });
    await traffic("westeurope", 6);
    await traffic("northeurope", 4);
    const poller = new MetricsPoller(services, { fiveXxRatioThreshold: 0.5, lookbackMs: 5 * 60_000, capacityDegradedPercent: 90 }, { monitor: azure.monitor, clock });
    const [primary, standby] = await poller.pollOnce();
    expect(primary).toMatchObject({ source: "metric", status: "unhealthy" });
    expect(primary!.summary).toMatch(/^Requests: (\d+)\/\1 5xx \(100\.0%\)/);
    expect(standby).toMatchObject({ status: "healthy" });
    expect(standby!.attributes?.failed).toBe(0);
  });

  it("logs: one signal per region from the configured KQL over the gateway logs", async () => {
    await sim.fault("degrade", { region: sim.services.standby.region }, { errorPercent: 100 });
    await traffic("northeurope", 5);
    const poller = new LogsPoller(
      services,
      { workspaceId: sim.workspaceId, query: SUPPORTED_QUERY_EXAMPLE, lookbackMs: 5 * 60_000, fiveXxRatioThreshold: 0.5 },
      { monitor: azure.monitor, clock },
    );
    const signals = await poller.pollOnce();
    const standby = signals.find((s) => s.region === "northeurope")!;
    expect(standby).toMatchObject({ source: "log", status: "unhealthy" });
    expect(standby.summary).toMatch(/^gateway logs: \d+\/\d+ failed/);
  });

  it("logs: a query without the expected columns is reported, not guessed", async () => {
    const poller = new LogsPoller(
      services,
      { workspaceId: sim.workspaceId, query: "ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize count() by Region", lookbackMs: 5 * 60_000, fiveXxRatioThreshold: 0.5 },
      { monitor: azure.monitor, clock },
    );
    await expect(poller.pollOnce()).rejects.toThrow("log query must return columns Region, Total and Failed per row; got columns Region, count_");
  });

  it("probes: the simulated gateways answer for the custom hostname, and an outage turns into failed probes", async () => {
    await sim.fault("region-outage", { region: sim.services.primary.region }, {});
    const poller = new ProbePoller(
      [
        { region: "westeurope", serviceId: sim.services.primary.id, gatewayUrl: sim.gateways.westeurope! },
        { region: "northeurope", serviceId: sim.services.standby.id, gatewayUrl: sim.gateways.northeurope! },
      ],
      { hostname: sim.customHostname, path: STATUS_PATH, intervalMs: 1_000, timeoutMs: 2_000, failuresBeforeUnhealthy: 1 },
      { probe: httpGatewayProbe(), clock },
    );
    const [primary, standby] = await poller.pollOnce();
    expect(primary).toMatchObject({ status: "unhealthy" });
    expect(primary!.summary).toContain("HTTP 503");
    expect(standby).toMatchObject({ status: "healthy" });
  });
});
