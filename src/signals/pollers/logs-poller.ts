import type { Clock } from "../../ports/clock.js";
import type { LogRow, MonitorPort } from "../../ports/monitor.js";
import type { Signal } from "../../ports/signal.js";
import { normalizeRegion } from "../../ports/signal.js";
import { failureShareStatus, type PolledService, type Poller } from "./poll-loop.js";

export interface LogsPollerSettings {
  workspaceId: string;
  /** KQL returning one row per region with columns Region, Total and Failed. */
  query: string;
  lookbackMs: number;
  fiveXxRatioThreshold: number;
}

const column = (row: LogRow, name: string) => row[Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name];

/** Log Analytics over ApiManagementGatewayLogs: failure share per region from the configured query. */
export class LogsPoller implements Poller {
  readonly name = "log";
  constructor(
    private readonly services: PolledService[],
    private readonly settings: LogsPollerSettings,
    private readonly deps: { monitor: MonitorPort; clock: Clock },
  ) {}

  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const end = this.deps.clock.now();
    const observedAt = new Date(end).toISOString();
    const rows = await this.deps.monitor.queryLogs(this.settings.workspaceId, this.settings.query, { start: end - this.settings.lookbackMs, end }, signal);
    for (const row of rows) {
      if (column(row, "Region") === undefined || typeof column(row, "Total") !== "number") {
        throw new Error(`log query must return columns Region, Total and Failed per row; got columns ${Object.keys(row).join(", ")}`);
      }
    }
    return this.services.map(({ serviceId, region }) => {
      const row = rows.find((r) => normalizeRegion(String(column(r, "Region"))) === region);
      const total = row ? Number(column(row, "Total")) : 0;
      const failed = row ? Number(column(row, "Failed") ?? 0) : 0;
      const ratio = total ? failed / total : 0;
      const status = failureShareStatus(failed, total, this.settings.fiveXxRatioThreshold);
      const polled: Signal = {
        id: `log:${region}:${observedAt}`,
        kind: "health",
        channel: "arm",
        source: "log",
        resourceId: serviceId,
        region,
        status,
        observedAt,
        summary: total ? `gateway logs: ${failed}/${total} failed (${(ratio * 100).toFixed(1)}%)` : "gateway logs: no requests in the window",
        attributes: { requests: total, failed },
      };
      return polled;
    });
  }
}
