/** Azure Monitor platform metrics and Log Analytics queries, returned as plain data. */
export interface MetricsQuery {
  /** Milliseconds since the Unix epoch, start inclusive, end exclusive. */
  timespan: { start: number; end: number };
  /** ISO-8601 duration of one data point, e.g. `PT1M`. */
  interval?: string;
  /** Comma-separated aggregations, e.g. `Total` or `Average,Maximum`. */
  aggregation?: string;
  /** OData filter over dimensions, e.g. `GatewayResponseCodeCategory eq '*'` to split by it. */
  filter?: string;
  /** Defaults to the provider type of the first resource id, e.g. `Microsoft.ApiManagement/service`. */
  metricNamespace?: string;
  /** Region of the resources: needed when the metrics endpoint is regional (it contains `{region}`). */
  region?: string;
}

export interface MetricPoint {
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count?: number;
}

/** One time series: a metric of a resource for one combination of dimension values. */
export interface MetricSeries {
  resourceId: string;
  metric: string;
  unit: string;
  /** Dimension name → value, e.g. `{ GatewayResponseCodeCategory: "5xx" }`; empty when not split. */
  dimensions: Record<string, string>;
  points: MetricPoint[];
}

/** A metric that Azure could not compute; it arrives inside a successful answer. */
export interface MetricFailure {
  resourceId: string;
  metric: string;
  code: string;
  message: string;
}

export interface MetricsResult {
  series: MetricSeries[];
  failures: MetricFailure[];
}

/** One result row, column name → cell value. */
export type LogRow = Record<string, string | number | boolean | null | Date | Record<string, unknown>>;

export interface MonitorPort {
  queryMetrics(resourceIds: string[], metricNames: string[], query: MetricsQuery, signal?: AbortSignal): Promise<MetricsResult>;
  /** Runs a KQL query over the timespan; throws AzureOperationError when the query fails or answers only partially. */
  queryLogs(workspaceId: string, kql: string, timespan: { start: number; end: number }, signal?: AbortSignal): Promise<LogRow[]>;
}
