import type { SimState } from "../state.js";
import { responseCodeCategory, type GatewayRequestRecord } from "../traffic.js";
import type { SimService } from "../world.js";
import { fail, requestIds, requireApiVersion, type ArmRequest, type ArmResponse } from "./http.js";

export const METRICS_ARM_API_VERSIONS = ["2018-01-01", "2019-07-01", "2021-05-01", "2023-10-01", "2024-02-01"] as const;
export const METRICS_BATCH_API_VERSIONS = ["2023-10-01", "2024-02-01"] as const;
const NAMESPACE = "Microsoft.ApiManagement/service";

const DIMENSIONS: Record<string, (r: GatewayRequestRecord) => string> = {
  gatewayresponsecodecategory: (r) => responseCodeCategory(r.ResponseCode),
  gatewayresponsecode: (r) => String(r.ResponseCode),
  backendresponsecode: (r) => String(r.BackendResponseCode),
  location: (r) => r.Region,
  hostname: (r) => r.Hostname,
};

interface MetricDefinition {
  displayDescription: string;
  localizedName: string;
  unit: string;
  aggregations: string[];
}

const METRICS: Record<string, MetricDefinition> = {
  Requests: { displayDescription: "Gateway request metrics with multiple dimensions", localizedName: "Requests", unit: "Count", aggregations: ["Total", "Count", "Maximum", "Minimum", "Average"] },
  Capacity: { displayDescription: "Utilization metric for ApiManagement service. Note: For skus other than Premium, 'Max' aggregation will show the value as 0.", localizedName: "Capacity", unit: "Percent", aggregations: ["Average", "Maximum", "Minimum"] },
};

interface MetricQuery {
  from: number;
  to: number;
  intervalMs: number;
  interval: string;
  names: string[];
  aggregations: string[];
  filter: DimensionFilter[];
}

interface DimensionFilter {
  dimension: string;
  /** null means `'*'`: split by every value. */
  values: string[] | null;
}

/** ARM `{resourceId}/providers/Microsoft.Insights/metrics` (Metrics_List). */
export function handleArmMetrics(state: SimState, req: ArmRequest, service: SimService): ArmResponse {
  requireApiVersion(req, METRICS_ARM_API_VERSIONS, "Microsoft.Insights/metrics");
  const [from, to] = parseTimespan(req.query.get("timespan"));
  const query = parseQuery(req.query, from, to, req.query.get("metricnames"), req.query.get("$filter"));
  return { status: 200, headers: requestIds(req), body: { cost: 0, ...resultFor(state, service, query, "arm") } };
}

/** Data plane `POST /subscriptions/{sub}/metrics:getBatch` (MetricsClient.queryResources). */
export function handleMetricsBatch(state: SimState, req: ArmRequest): ArmResponse {
  requireApiVersion(req, METRICS_BATCH_API_VERSIONS, "metrics:getBatch");
  const namespace = req.query.get("metricnamespace");
  if (!namespace || namespace.toLowerCase() !== NAMESPACE.toLowerCase()) {
    fail(400, "BadRequest", `metricnamespace '${namespace ?? ""}' is not simulated: the simulator serves '${NAMESPACE}' only.`);
  }
  const ids = (req.body as { resourceids?: unknown } | undefined)?.resourceids;
  if (!Array.isArray(ids) || ids.length === 0) fail(400, "BadRequest", "The request body must be {\"resourceids\": [\"/subscriptions/...\"]} with at least one resource id.");
  // Azure's limit for one batch call (same subscription and region).
  if (ids.length > 50) fail(400, "BadRequest", `The batch asks for ${ids.length} resource ids; one call takes at most 50: split it.`);
  const now = Date.now();
  const to = req.query.get("endtime") ? parseTime(req.query.get("endtime")!, "endtime") : now;
  const from = req.query.get("starttime") ? parseTime(req.query.get("starttime")!, "starttime") : to - 3_600_000;
  const query = parseQuery(req.query, from, to, req.query.get("metricnames"), req.query.get("filter"));
  const values = ids.map((id) => {
    const service = state.services.find((s) => s.id.toLowerCase() === String(id).toLowerCase());
    if (!service) fail(400, "BadRequest", `Resource '${String(id)}' was not found in subscription '${state.world.subscriptionId}'.`);
    return { ...resultFor(state, service, query, "batch"), resourceid: service.id };
  });
  return { status: 200, headers: requestIds(req), body: { values } };
}

function parseQuery(q: URLSearchParams, from: number, to: number, metricnames: string | null, filter: string | null): MetricQuery {
  if (!(to > from)) fail(400, "BadRequest", "The timespan's end must be after its start.");
  const names = (metricnames ?? "").split(",").map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) fail(400, "BadRequest", `metricnames is required: one or more of ${Object.keys(METRICS).join(", ")}.`);
  const canonical = names.map((n) => {
    const known = Object.keys(METRICS).find((k) => k.toLowerCase() === n.toLowerCase());
    if (!known) fail(400, "BadRequest", `Failed to find metric configuration for provider: Microsoft.ApiManagement, resource Type: service, metric: ${n}, Valid metrics: ${Object.keys(METRICS).join(",")}`);
    return known;
  });
  const intervalText = q.get("interval") ?? "PT1M";
  const intervalMs = intervalText.toUpperCase() === "FULL" ? to - from : parseIsoDuration(intervalText);
  const aggregations = (q.get("aggregation") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  return {
    from,
    to,
    intervalMs,
    interval: intervalText.toUpperCase() === "FULL" ? toIsoDuration(to - from) : intervalText,
    names: canonical,
    aggregations,
    filter: parseFilter(filter),
  };
}

function resultFor(state: SimState, service: SimService, query: MetricQuery, form: "arm" | "batch"): Record<string, unknown> {
  const records = state.traffic.between(query.from, query.to, service.id);
  const from = new Date(query.from).toISOString();
  const to = new Date(query.to).toISOString();
  return {
    // Metrics_List answers `timespan`; the batch data plane answers `starttime`/`endtime`.
    ...(form === "arm" ? { timespan: `${from}/${to}` } : { starttime: from, endtime: to }),
    interval: query.interval,
    namespace: NAMESPACE,
    resourceregion: service.spec.region,
    value: query.names.map((name) => metric(service, name, query, records)),
  };
}

function metric(service: SimService, name: string, query: MetricQuery, records: GatewayRequestRecord[]): Record<string, unknown> {
  const def = METRICS[name]!;
  const aggregations = query.aggregations.length ? query.aggregations : [name === "Requests" ? "Total" : "Average"];
  const unsupported = aggregations.find((a) => !def.aggregations.some((d) => d.toLowerCase() === a.toLowerCase()));
  const base = {
    id: `${service.id}/providers/Microsoft.Insights/metrics/${name}`,
    type: "Microsoft.Insights/metrics",
    name: { value: name, localizedValue: def.localizedName },
    displayDescription: def.displayDescription,
    unit: def.unit,
  };
  if (unsupported) {
    // Real Azure Monitor reports a bad metric inside the 200, next to the good ones.
    return { ...base, errorCode: "InvalidSamplingType", errorMessage: `Sampling type is not found. Invalid sampling type is: ${unsupported}`, timeseries: [] };
  }
  const series = name === "Requests" ? splitSeries(records, query.filter) : [{ metadatavalues: [], records }];
  return {
    ...base,
    errorCode: "Success",
    timeseries: series.map((s) => ({ metadatavalues: s.metadatavalues, data: buckets(query, s.records, name, aggregations) })),
  };
}

function splitSeries(records: GatewayRequestRecord[], filter: DimensionFilter[]) {
  const matching = records.filter((r) => filter.every((f) => f.values === null || f.values.includes(DIMENSIONS[f.dimension]!(r).toLowerCase())));
  const splitBy = filter.filter((f) => f.values === null || f.values.length > 0).map((f) => f.dimension);
  if (splitBy.length === 0) return [{ metadatavalues: [], records: matching }];
  const groups = new Map<string, { values: string[]; records: GatewayRequestRecord[] }>();
  for (const r of matching) {
    const values = splitBy.map((d) => DIMENSIONS[d]!(r));
    const key = values.join("\u0000");
    const group = groups.get(key) ?? { values, records: [] };
    group.records.push(r);
    groups.set(key, group);
  }
  // A filter naming explicit values still yields a (zero) series for each, as Azure Monitor does.
  for (const f of filter) {
    if (f.values === null || splitBy.length !== 1) continue;
    for (const v of f.values) if (![...groups.values()].some((g) => g.values[0]!.toLowerCase() === v)) groups.set(v, { values: [v], records: [] });
  }
  return [...groups.values()].map((g) => ({
    metadatavalues: splitBy.map((d, i) => ({ name: { value: d, localizedValue: d }, value: g.values[i]! })),
    records: g.records,
  }));
}

function buckets(query: MetricQuery, records: GatewayRequestRecord[], name: string, aggregations: string[]) {
  const out: Record<string, unknown>[] = [];
  for (let start = query.from; start < query.to; start += query.intervalMs) {
    const end = Math.min(start + query.intervalMs, query.to);
    const inBucket = records.filter((r) => r.TimeGenerated >= start && r.TimeGenerated < end);
    const point: Record<string, unknown> = { timeStamp: new Date(start).toISOString().replace(/\.000Z$/, "Z") };
    const value = name === "Requests" ? inBucket.length : capacityPercent(inBucket.length, end - start);
    for (const a of aggregations) {
      const key = a.toLowerCase();
      if (key === "total") point.total = value;
      else if (key === "count") point.count = name === "Requests" ? inBucket.length : 1;
      else if (key === "average") point.average = name === "Requests" ? (inBucket.length ? 1 : 0) : value;
      else if (key === "maximum") point.maximum = name === "Requests" ? (inBucket.length ? 1 : 0) : value;
      else if (key === "minimum") point.minimum = name === "Requests" ? (inBucket.length ? 1 : 0) : value;
    }
    out.push(point);
  }
  return out;
}

/** Simulated gateway load: a small base plus one percent per 10 requests a minute, capped at 100. */
function capacityPercent(requests: number, ms: number): number {
  const perMinute = ms > 0 ? (requests * 60_000) / ms : 0;
  return Math.min(100, Math.round((3 + perMinute / 10) * 100) / 100);
}

function parseFilter(filter: string | null): DimensionFilter[] {
  if (!filter || !filter.trim()) return [];
  const clauses = filter.split(/\s+and\s+/i);
  return clauses.map((clause) => {
    const alternatives = clause.replace(/^\(|\)$/g, "").split(/\s+or\s+/i);
    let dimension: string | null = null;
    const values: string[] = [];
    for (const alt of alternatives) {
      const m = /^\s*(\w+)\s+eq\s+'([^']*)'\s*$/i.exec(alt);
      if (!m) fail(400, "BadRequest", `Unsupported $filter '${filter}': write clauses like "GatewayResponseCodeCategory eq '*'" or "GatewayResponseCodeCategory eq '5xx' or GatewayResponseCodeCategory eq '4xx'", joined with 'and'.`);
      const dim = m[1]!.toLowerCase();
      if (!DIMENSIONS[dim]) fail(400, "BadRequest", `Dimension '${m[1]}' is not supported: use one of GatewayResponseCodeCategory, GatewayResponseCode, BackendResponseCode, Location, Hostname.`);
      if (dimension && dimension !== dim) fail(400, "BadRequest", `Unsupported $filter '${filter}': 'or' may only combine values of one dimension.`);
      dimension = dim;
      values.push(m[2]!.toLowerCase());
    }
    return { dimension: dimension!, values: values.includes("*") ? null : values };
  });
}

function parseTimespan(text: string | null): [number, number] {
  const now = Date.now();
  if (!text) return [now - 3_600_000, now];
  const parts = text.split("/");
  if (parts.length === 2) {
    const from = parseTime(parts[0]!, "timespan");
    const to = parts[1]!.startsWith("P") ? from + parseIsoDuration(parts[1]!) : parseTime(parts[1]!, "timespan");
    return [from, to];
  }
  if (text.startsWith("P")) return [now - parseIsoDuration(text), now];
  fail(400, "BadRequest", `Invalid timespan '${text}': use 'start/end' in ISO-8601, e.g. 2026-12-01T08:00:00Z/2026-12-01T09:00:00Z.`);
}

function parseTime(text: string, what: string): number {
  const t = Date.parse(text);
  if (Number.isNaN(t)) fail(400, "BadRequest", `Invalid ${what} '${text}': use an ISO-8601 time, e.g. 2026-12-01T08:00:00Z.`);
  return t;
}

export function parseIsoDuration(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (!m || text.toUpperCase() === "P" || text.toUpperCase() === "PT") fail(400, "BadRequest", `Invalid duration '${text}': use ISO-8601 like PT1M, PT5M or PT1H.`);
  const ms = (Number(m[1] ?? 0) * 86_400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
  if (ms <= 0) fail(400, "BadRequest", `Invalid duration '${text}': it must be longer than zero.`);
  return ms;
}

function toIsoDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${sec || (!h && !m) ? `${sec}S` : ""}`;
}

