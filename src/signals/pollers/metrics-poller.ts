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

/** The metrics batch API answers for up to 50 resources of one subscription and region in one call. */
export const METRICS_BATCH_SIZE = 50;

/**
 * APIM platform metrics: the 5xx share of `Requests` (split by GatewayResponseCodeCategory) and `Capacity`. One poller
 * serves every pair: a round asks two batch calls per 50 services of a subscription and region (at 50 pairs, 4 calls
 * instead of 200). A batch that fails (its region's metrics endpoint is down, say) is reported and the others still count.
 */
export class MetricsPoller implements Poller {
  readonly name = "metric";
  private readonly batches: PolledService[][];

  constructor(
    private readonly services: PolledService[],
    private readonly settings: MetricsPollerSettings,
    private readonly deps: { monitor: MonitorPort; clock: Clock; onError?: (error: unknown, batch: PolledService[]) => void },
  ) {
    this.batches = batchesOf(services);
  }

  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const end = this.deps.clock.now();
    const observedAt = new Date(end).toISOString();
    const timespan = { start: end - this.settings.lookbackMs, end };
    const answered = new Map<string, Signal>();
    const failures: unknown[] = [];
    await Promise.all(
      this.batches.map(async (batch) => {
        try {
          for (const polled of await this.pollBatch(batch, timespan, observedAt, signal)) answered.set(polled.resourceId!.toLowerCase(), polled);
        } catch (error) {
          failures.push(error);
          this.deps.onError?.(error, batch);
        }
      }),
    );
    // Without a place to report a failed batch, the round fails as a whole (nothing is dropped silently).
    if (failures.length > 0 && !this.deps.onError) throw failures[0];
    return this.services.flatMap((s) => answered.get(s.serviceId.toLowerCase()) ?? []);
  }

  private async pollBatch(batch: PolledService[], timespan: { start: number; end: number }, observedAt: string, signal?: AbortSignal): Promise<Signal[]> {
    const ids = batch.map((s) => s.serviceId);
    const region = batch[0]!.region;
    const [requests, capacity] = await Promise.all([
      this.deps.monitor.queryMetrics(ids, ["Requests"], { timespan, interval: "PT1M", aggregation: "Total", filter: "GatewayResponseCodeCategory eq '*'", region }, signal),
      this.deps.monitor.queryMetrics(ids, ["Capacity"], { timespan, interval: "PT1M", aggregation: "Average", region }, signal),
    ]);
    return batch.map(({ serviceId, region }) => {
      const mine = requests.series.filter((s) => sameResourceId(s.resourceId, serviceId));
      const total = sumTotals(mine);
      const failed = sumTotals(mine.filter((s) => dimension(s, "GatewayResponseCodeCategory")?.toLowerCase() === "5xx"));
      const capacityPoints = capacity.series
        .filter((s) => sameResourceId(s.resourceId, serviceId))
        .flatMap((s) => s.points)
        .map((p) => p.average)
        .filter((v): v is number => v !== undefined);
      const capacityAvg = capacityPoints.length ? capacityPoints.reduce((a, b) => a + b, 0) / capacityPoints.length : null;
      const ratio = total ? failed / total : 0;
      const { fiveXxRatioThreshold: limit, capacityDegradedPercent } = this.settings;
      let status = failureShareStatus(failed, total, limit);
      if (status === "healthy" && capacityAvg !== null && capacityAvg > capacityDegradedPercent) status = "degraded";
      const capacityText = capacityAvg === null ? "" : `, capacity ${capacityAvg.toFixed(0)}%`;
      return {
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
      } satisfies Signal;
    });
  }
}

/** The services grouped by subscription and region (what one batch call may ask for), at most METRICS_BATCH_SIZE each. */
export function batchesOf(services: PolledService[]): PolledService[][] {
  const groups = new Map<string, PolledService[]>();
  for (const service of services) {
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(service.serviceId)?.[1] ?? "";
    const key = `${subscription.toLowerCase()}|${service.region.toLowerCase().replace(/\s+/g, "")}`;
    const group = groups.get(key) ?? [];
    group.push(service);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap((group) => Array.from({ length: Math.ceil(group.length / METRICS_BATCH_SIZE) }, (_, i) => group.slice(i * METRICS_BATCH_SIZE, (i + 1) * METRICS_BATCH_SIZE)));
}
