import type { Clock } from "../../ports/clock.js";
import type { MetricSeries, MonitorPort } from "../../ports/monitor.js";
import type { Signal } from "../../ports/signal.js";
import { sameResourceId } from "../../ports/signal.js";
import { failureShareStatus, type PolledService, type Poller } from "./poll-loop.js";

export interface MetricsPollerSettings {
  /** Share of 5xx responses at or above which a region counts as unhealthy; half of it is degraded. */
  fiveXxRatioThreshold: number;
  /** Window of data each round reads. */
  lookbackMs: number;
  /** Average capacity (percent) above which the gateway counts as degraded. */
  capacityDegradedPercent: number;
}

/** Dimension names come back lower-cased from the metrics batch API; compare without case. */
const dimension = (s: MetricSeries, name: string) =>
  Object.entries(s.dimensions).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

const sumTotals = (series: MetricSeries[]) => series.reduce((n, s) => n + s.points.reduce((m, p) => m + (p.total ?? 0), 0), 0);

/** APIM platform metrics: the 5xx share of `Requests` (split by GatewayResponseCodeCategory) and `Capacity`. */
export class MetricsPoller implements Poller {
  readonly name = "metric";
  constructor(
    private readonly services: PolledService[],
    private readonly settings: MetricsPollerSettings,
    private readonly deps: { monitor: MonitorPort; clock: Clock },
  ) {}

  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const end = this.deps.clock.now();
    const observedAt = new Date(end).toISOString();
    const timespan = { start: end - this.settings.lookbackMs, end };
    return Promise.all(
      this.services.map(async ({ serviceId, region }) => {
        const [requests, capacity] = await Promise.all([
          this.deps.monitor.queryMetrics([serviceId], ["Requests"], { timespan, interval: "PT1M", aggregation: "Total", filter: "GatewayResponseCodeCategory eq '*'", region }, signal),
          this.deps.monitor.queryMetrics([serviceId], ["Capacity"], { timespan, interval: "PT1M", aggregation: "Average", region }, signal),
        ]);
        const mine = requests.series.filter((s) => sameResourceId(s.resourceId, serviceId));
        const total = sumTotals(mine);
        const failed = sumTotals(mine.filter((s) => dimension(s, "GatewayResponseCodeCategory")?.toLowerCase() === "5xx"));
        const capacityPoints = capacity.series.flatMap((s) => s.points).map((p) => p.average).filter((v): v is number => v !== undefined);
        const capacityAvg = capacityPoints.length ? capacityPoints.reduce((a, b) => a + b, 0) / capacityPoints.length : null;
        const ratio = total ? failed / total : 0;
        const { fiveXxRatioThreshold: limit, capacityDegradedPercent } = this.settings;
        let status = failureShareStatus(failed, total, limit);
        if (status === "healthy" && capacityAvg !== null && capacityAvg > capacityDegradedPercent) status = "degraded";
        const capacityText = capacityAvg === null ? "" : `, capacity ${capacityAvg.toFixed(0)}%`;
        const polled: Signal = {
          id: `metric:${serviceId.toLowerCase()}:${observedAt}`,
          kind: "health",
        channel: "arm",
          source: "metric",
          resourceId: serviceId,
          region,
          status,
          observedAt,
          summary: total ? `Requests: ${failed}/${total} 5xx (${(ratio * 100).toFixed(1)}%)${capacityText}` : `Requests: no traffic in the window${capacityText}`,
          attributes: { requests: total, failed, ...(capacityAvg === null ? {} : { capacity: Math.round(capacityAvg) }) },
        };
        return polled;
      }),
    );
  }
}
