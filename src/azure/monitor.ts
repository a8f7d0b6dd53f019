import type { TokenCredential } from "@azure/core-auth";
import { LogsQueryClient, LogsQueryResultStatus, type LogsTable } from "@azure/monitor-query-logs";
import { MetricsClient, type MetricsQueryResult } from "@azure/monitor-query-metrics";
import { AzureOperationError } from "../ports/errors.js";
import type { LogRow, MetricsQuery, MetricsResult, MonitorPort } from "../ports/monitor.js";
import { normalizeRegion } from "../ports/signal.js";
import { normalizeEndpoint, pipelineOptions, type ClientSettings } from "./client-options.js";
import { azureCall } from "./errors.js";
import { subscriptionOf } from "./resource-id.js";

export const PUBLIC_METRICS_ENDPOINT = "https://{region}.metrics.monitor.azure.com";
export const PUBLIC_LOGS_ENDPOINT = "https://api.loganalytics.io/v1";

export interface MonitorAdapterOptions {
  credential: TokenCredential;
  client: ClientSettings;
  /** Metrics data-plane endpoint; `{region}` is replaced by the query's region (the batch API is regional). */
  metricsEndpoint?: string;
  metricsAudience?: string;
  /** Replaces the whole `https://api.loganalytics.io/v1` prefix. */
  logsEndpoint?: string;
  logsAudience?: string;
}

/** MonitorPort on `MetricsClient` (@azure/monitor-query-metrics) and `LogsQueryClient` (@azure/monitor-query-logs). */
export class AzureMonitorAdapter implements MonitorPort {
  private readonly metricsClients = new Map<string, MetricsClient>();
  private logsClient: LogsQueryClient | undefined;
  private readonly metricsEndpoint: string;

  constructor(private readonly options: MonitorAdapterOptions) {
    this.metricsEndpoint = options.metricsEndpoint ?? PUBLIC_METRICS_ENDPOINT;
    normalizeEndpoint(this.metricsEndpoint.replace("{region}", "region"), "metricsEndpoint");
    if (options.logsEndpoint) normalizeEndpoint(options.logsEndpoint, "logsEndpoint");
  }

  async queryMetrics(resourceIds: string[], metricNames: string[], query: MetricsQuery, signal?: AbortSignal): Promise<MetricsResult> {
    if (resourceIds.length === 0 || metricNames.length === 0) {
      throw new AzureOperationError("A metrics query needs at least one resource id and one metric name.", "InvalidMetricsQuery", undefined, false);
    }
    const subscriptions = new Set(resourceIds.map(subscriptionOf));
    if (subscriptions.size > 1) {
      throw new AzureOperationError(
        `Metrics for resources in ${subscriptions.size} subscriptions cannot be queried together: query each subscription separately.`,
        "InvalidMetricsQuery",
        undefined,
        false,
      );
    }
    checkTimespan(query.timespan);
    const namespace = query.metricNamespace ?? providerType(resourceIds[0]!);
    const client = this.metricsClient(query.region);
    const results = await azureCall(`querying metrics ${metricNames.join(", ")}`, () =>
      client.queryResources(resourceIds, metricNames, namespace, {
        startTime: new Date(query.timespan.start),
        endTime: new Date(query.timespan.end),
        ...(query.interval ? { interval: query.interval } : {}),
        ...(query.aggregation ? { aggregation: query.aggregation } : {}),
        ...(query.filter ? { filter: query.filter } : {}),
        // The public options type does not carry an abort signal; the pipeline honours it.
        ...({ abortSignal: signal } as object),
      }),
    );
    return toMetricsResult(results);
  }

  async queryLogs(workspaceId: string, kql: string, timespan: { start: number; end: number }, signal?: AbortSignal): Promise<LogRow[]> {
    checkTimespan(timespan);
    const result = await azureCall(`running the log query on workspace ${workspaceId}`, () =>
      this.logs().queryWorkspace(
        workspaceId,
        kql,
        { startTime: new Date(timespan.start), endTime: new Date(timespan.end) },
        { abortSignal: signal },
      ),
    );
    if (result.status === LogsQueryResultStatus.PartialFailure) {
      // Partial data would make health verdicts from it misleading.
      const { code, message } = result.partialError;
      throw new AzureOperationError(`the log query on workspace ${workspaceId} answered only partially: ${message}`, code || "PartialFailure", 200, true);
    }
    return result.tables.flatMap(rowsAsObjects);
  }

  private metricsClient(region: string | undefined): MetricsClient {
    const needsRegion = this.metricsEndpoint.includes("{region}");
    const normalized = normalizeRegion(region);
    if (needsRegion && !normalized) {
      throw new AzureOperationError(
        `The metrics endpoint ${this.metricsEndpoint} is regional: pass the resources' region (e.g. westeurope) with the query.`,
        "InvalidMetricsQuery",
        undefined,
        false,
      );
    }
    const endpoint = normalizeEndpoint(needsRegion ? this.metricsEndpoint.replace("{region}", normalized!) : this.metricsEndpoint, "metricsEndpoint");
    let client = this.metricsClients.get(endpoint);
    if (!client) {
      const audience = this.options.metricsAudience ?? "https://metrics.monitor.azure.com";
      client = new MetricsClient(endpoint, this.options.credential, {
        ...pipelineOptions(this.options.client),
        credentials: { scopes: [`${audience.replace(/\/+$/, "")}/.default`] },
      });
      this.metricsClients.set(endpoint, client);
    }
    return client;
  }

  private logs(): LogsQueryClient {
    const audience = this.options.logsAudience ?? "https://api.loganalytics.io";
    this.logsClient ??= new LogsQueryClient(this.options.credential, {
      ...pipelineOptions(this.options.client),
      endpoint: normalizeEndpoint(this.options.logsEndpoint ?? PUBLIC_LOGS_ENDPOINT, "logsEndpoint"),
      credentials: { scopes: [`${audience.replace(/\/+$/, "")}/.default`] },
    });
    return this.logsClient;
  }
}

function toMetricsResult(results: MetricsQueryResult[]): MetricsResult {
  const out: MetricsResult = { series: [], failures: [] };
  for (const result of results) {
    const resourceId = result.resourceId ?? "";
    for (const metric of result.metrics) {
      if (metric.errorCode && metric.errorCode !== "Success") {
        out.failures.push({ resourceId, metric: metric.name, code: metric.errorCode, message: metric.errorMessage ?? "" });
        continue;
      }
      for (const series of metric.timeseries) {
        out.series.push({
          resourceId,
          metric: metric.name,
          unit: metric.unit,
          dimensions: Object.fromEntries((series.metadatavalues ?? []).map((m) => [m.name ?? "", m.value ?? ""])),
          points: (series.data ?? []).map((d) => ({
            timestamp: d.timeStamp.getTime(),
            ...(d.average !== undefined ? { average: d.average } : {}),
            ...(d.minimum !== undefined ? { minimum: d.minimum } : {}),
            ...(d.maximum !== undefined ? { maximum: d.maximum } : {}),
            ...(d.total !== undefined ? { total: d.total } : {}),
            ...(d.count !== undefined ? { count: d.count } : {}),
          })),
        });
      }
    }
  }
  return out;
}

function rowsAsObjects(table: LogsTable): LogRow[] {
  const names = table.columnDescriptors.map((c, i) => c.name ?? `column${i}`);
  return table.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, (row[i] ?? null) as LogRow[string]])));
}

/** `Microsoft.ApiManagement/service` from an ARM id: the metrics namespace of a resource. */
function providerType(resourceId: string): string {
  const match = /\/providers\/([^/]+)\/([^/]+)\//i.exec(resourceId);
  if (!match) {
    throw new AzureOperationError(`Cannot tell the metric namespace of '${resourceId}': pass metricNamespace with the query.`, "InvalidMetricsQuery", undefined, false);
  }
  return `${match[1]}/${match[2]}`;
}

function checkTimespan(timespan: { start: number; end: number }): void {
  if (!Number.isFinite(timespan.start) || !Number.isFinite(timespan.end) || timespan.end <= timespan.start) {
    throw new AzureOperationError(
      `Timespan ${timespan.start}..${timespan.end} is not a time range: end must be after start (milliseconds since the epoch).`,
      "InvalidTimespan",
      undefined,
      false,
    );
  }
}
