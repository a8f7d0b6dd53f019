import { describe, expect, it } from "vitest";
import type { MetricSeries, MetricsQuery, MetricsResult, MonitorPort } from "../../../src/ports/monitor.js";
import { MetricsPoller } from "../../../src/signals/pollers/metrics-poller.js";
import { ManualClock } from "../../support/fakes/index.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const service = (i: number, region: string) => ({ serviceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-${i}`, region });

/** A Monitor that answers every service with 10 requests, `failed` of them 5xx, and records each batch call. */
function monitor(failed: (id: string) => number, down: Set<string> = new Set()) {
  const calls: Array<{ ids: string[]; metric: string; region: string }> = [];
  const port: MonitorPort = {
    async queryMetrics(ids: string[], names: string[], query: MetricsQuery): Promise<MetricsResult> {
      calls.push({ ids, metric: names.join(","), region: query.region ?? "" });
      if (down.has(query.region ?? "")) throw new Error(`metrics endpoint of ${query.region} unreachable`);
      const series = ids.flatMap((id): MetricSeries[] =>
        names[0] === "Requests"
          ? [
              { resourceId: id, metric: "Requests", unit: "Count", dimensions: { gatewayresponsecodecategory: "2xx" }, points: [{ timestamp: 0, total: 10 - failed(id) }] },
              { resourceId: id, metric: "Requests", unit: "Count", dimensions: { gatewayresponsecodecategory: "5xx" }, points: [{ timestamp: 0, total: failed(id) }] },
            ]
          : [{ resourceId: id, metric: "Capacity", unit: "Percent", dimensions: {}, points: [{ timestamp: 0, average: 20 }] }],
      );
      return { series, failures: [] };
    },
    queryLogs: async () => [],
  };
  return { port, calls };
}

const settings = { fiveXxRatioThreshold: 0.5, lookbackMs: 300_000, capacityDegradedPercent: 90 };

describe("MetricsPoller", () => {
  it("asks one batch call per metric for up to 50 services of a region, and reads each service's own series", async () => {
    const services = [...Array.from({ length: 60 }, (_, i) => service(i, "westeurope")), service(60, "northeurope"), service(61, "northeurope")];
    const { port, calls } = monitor((id) => (id.endsWith("apim-7") ? 8 : 0));
    const signals = await new MetricsPoller(services, settings, { monitor: port, clock: new ManualClock() }).pollOnce();
    expect(calls.map((c) => `${c.region} ${c.metric} ${c.ids.length}`).sort()).toEqual([
      "northeurope Capacity 2",
      "northeurope Requests 2",
      "westeurope Capacity 10",
      "westeurope Capacity 50",
      "westeurope Requests 10",
      "westeurope Requests 50",
    ]);
    expect(signals.map((s) => s.resourceId)).toEqual(services.map((s) => s.serviceId));
    expect(signals.filter((s) => s.status === "unhealthy").map((s) => [s.resourceId, s.summary])).toEqual([[services[7]!.serviceId, "Requests: 8/10 5xx (80.0%), capacity 20%"]]);
  });

  it("a region whose metrics cannot be read is reported; the other region's services still get their signals", async () => {
    const services = [service(1, "westeurope"), service(2, "northeurope")];
    const { port } = monitor(() => 0, new Set(["westeurope"]));
    const failed: string[] = [];
    const poller = new MetricsPoller(services, settings, { monitor: port, clock: new ManualClock(), onError: (error, batch) => failed.push(`${batch.map((s) => s.region).join()}: ${(error as Error).message}`) });
    const signals = await poller.pollOnce();
    expect(failed).toEqual(["westeurope: metrics endpoint of westeurope unreachable"]);
    expect(signals.map((s) => [s.region, s.status])).toEqual([["northeurope", "healthy"]]);
    // Without a place to report it, the round fails as a whole rather than dropping the region silently.
    await expect(new MetricsPoller(services, settings, { monitor: port, clock: new ManualClock() }).pollOnce()).rejects.toThrow("metrics endpoint of westeurope unreachable");
  });
});
