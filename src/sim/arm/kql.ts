import type { GatewayRequestRecord } from "../traffic.js";

/** The ApiManagementGatewayLogs columns the simulator fills, with their Log Analytics types. */
export const GATEWAY_LOG_COLUMNS: { name: keyof GatewayRequestRecord; type: "datetime" | "string" | "int" | "long" | "bool" }[] = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "_ResourceId", type: "string" },
  { name: "Region", type: "string" },
  { name: "CorrelationId", type: "string" },
  { name: "Method", type: "string" },
  { name: "ResponseCode", type: "int" },
  { name: "BackendResponseCode", type: "int" },
  { name: "TotalTime", type: "long" },
  { name: "BackendTime", type: "long" },
  { name: "ApiId", type: "string" },
  { name: "OperationId", type: "string" },
  { name: "IsRequestSuccess", type: "bool" },
  { name: "CallerIpAddress", type: "string" },
  { name: "LastErrorReason", type: "string" },
];

export const SUPPORTED_QUERY_EXAMPLE =
  "ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize Total = count(), Failed = countif(ResponseCode >= 500) by Region";

export const SUPPORTED_KQL =
  "ApiManagementGatewayLogs followed by any of: '| where COL OP VALUE [and ...]' (OP: == != =~ > >= < <=; VALUE: number, 'text', true/false, ago(5m), datetime(ISO)); " +
  "'| summarize [NAME =] count()|countif(PRED)|avg(COL)|sum(COL)|min(COL)|max(COL)|dcount(COL), ... [by COL, ...]'; '| project COL, ...'; '| order by COL [asc|desc]'; '| take N' / '| limit N'; '| count'. " +
  "Example: ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize Total = count(), Failed = countif(ResponseCode >= 500) by Region";

export class KqlError extends Error {}

export interface KqlColumn {
  name: string;
  type: string;
}

export interface KqlTable {
  columns: KqlColumn[];
  rows: unknown[][];
}

type Value = string | number | boolean | null;
type Row = Record<string, Value>;
interface Predicate {
  column: string;
  op: string;
  value: Value;
}

/** Runs one query of the documented subset over the gateway log; anything else throws KqlError naming the subset. */
export function runKql(query: string, records: readonly GatewayRequestRecord[], now: number): KqlTable {
  const stages = query.split("|").map((s) => s.trim());
  if (stages[0] !== "ApiManagementGatewayLogs") {
    throw new KqlError(`the simulator only knows the table ApiManagementGatewayLogs, got '${stages[0]}'. Supported: ${SUPPORTED_KQL}`);
  }
  let columns: KqlColumn[] = GATEWAY_LOG_COLUMNS.map((c) => ({ name: c.name, type: c.type }));
  let rows: Row[] = records.map((r) => {
    const row: Row = {};
    for (const c of GATEWAY_LOG_COLUMNS) row[c.name] = c.type === "datetime" ? (r[c.name] as number) : (r[c.name] as Value);
    return row;
  });
  for (const stage of stages.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^where\s+(.+)$/i.exec(stage))) {
      const preds = m[1]!.split(/\s+and\s+/i).map((p) => parsePredicate(p, columns, now));
      rows = rows.filter((row) => preds.every((p) => test(row, p)));
    } else if ((m = /^summarize\s+(.+?)(?:\s+by\s+(.+))?$/i.exec(stage))) {
      ({ columns, rows } = summarize(m[1]!, m[2], columns, rows, now));
    } else if ((m = /^project\s+(.+)$/i.exec(stage))) {
      const names = m[1]!.split(",").map((n) => n.trim());
      const picked = names.map((n) => column(columns, n));
      columns = picked;
      rows = rows.map((row) => Object.fromEntries(picked.map((c) => [c.name, row[c.name] ?? null])));
    } else if ((m = /^(?:order|sort)\s+by\s+(\w+)(?:\s+(asc|desc))?$/i.exec(stage))) {
      const c = column(columns, m[1]!);
      const dir = (m[2] ?? "desc").toLowerCase() === "asc" ? 1 : -1;
      rows = [...rows].sort((a, b) => compare(a[c.name] ?? null, b[c.name] ?? null) * dir);
    } else if ((m = /^(?:take|limit)\s+(\d+)$/i.exec(stage))) {
      rows = rows.slice(0, Number(m[1]));
    } else if (/^count$/i.test(stage)) {
      const n = rows.length;
      columns = [{ name: "Count", type: "long" }];
      rows = [{ Count: n }];
    } else {
      throw new KqlError(`unsupported query stage '| ${stage}'. Supported: ${SUPPORTED_KQL}`);
    }
  }
  return {
    columns,
    rows: rows.map((row) => columns.map((c) => render(row[c.name] ?? null, c.type))),
  };
}

function summarize(aggText: string, byText: string | undefined, columns: KqlColumn[], rows: Row[], now: number) {
  const aggs = splitTopLevel(aggText).map((a) => {
    const m = /^(?:(\w+)\s*=\s*)?(\w+)\s*\((.*)\)$/.exec(a.trim());
    if (!m) throw new KqlError(`unsupported aggregation '${a.trim()}'. Supported: ${SUPPORTED_KQL}`);
    const fn = m[2]!.toLowerCase();
    const arg = m[3]!.trim();
    const defaultName = fn === "count" ? "count_" : fn === "countif" ? "countif_" : `${fn}_${arg}`;
    const name = m[1] ?? defaultName;
    if (fn === "count" && arg === "") return { name, type: "long", fn: (g: Row[]) => g.length };
    if (fn === "countif") {
      const p = parsePredicate(arg, columns, now);
      return { name, type: "long", fn: (g: Row[]) => g.filter((r) => test(r, p)).length };
    }
    if (["avg", "sum", "min", "max", "dcount"].includes(fn)) {
      const c = column(columns, arg);
      const type = fn === "avg" ? "real" : fn === "dcount" ? "long" : c.type;
      return {
        name,
        type,
        fn: (g: Row[]) => {
          const values = g.map((r) => r[c.name]).filter((v): v is number | string | boolean => v !== null);
          if (fn === "dcount") return new Set(values).size;
          const nums = values.map(Number);
          if (nums.length === 0) return null;
          if (fn === "avg") return nums.reduce((x, y) => x + y, 0) / nums.length;
          if (fn === "sum") return nums.reduce((x, y) => x + y, 0);
          return fn === "min" ? Math.min(...nums) : Math.max(...nums);
        },
      };
    }
    throw new KqlError(`unsupported aggregation '${fn}(${arg})'. Supported: ${SUPPORTED_KQL}`);
  });
  const by = byText ? byText.split(",").map((n) => column(columns, n.trim())) : [];
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = JSON.stringify(by.map((c) => row[c.name]));
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(row);
  }
  if (by.length === 0 && groups.size === 0) groups.set("[]", []);
  const outColumns = [...by, ...aggs.map((a) => ({ name: a.name, type: a.type }))];
  const outRows = [...groups.values()].map((g) => {
    const row: Row = {};
    for (const c of by) row[c.name] = g[0]![c.name] ?? null;
    for (const a of aggs) row[a.name] = a.fn(g);
    return row;
  });
  return { columns: outColumns, rows: outRows };
}

function parsePredicate(text: string, columns: KqlColumn[], now: number): Predicate {
  const m = /^\s*(\w+)\s*(==|!=|=~|>=|<=|>|<)\s*(.+?)\s*$/.exec(text);
  if (!m) throw new KqlError(`unsupported condition '${text.trim()}'. Supported: ${SUPPORTED_KQL}`);
  const c = column(columns, m[1]!);
  return { column: c.name, op: m[2]!, value: literal(m[3]!, now) };
}

function literal(text: string, now: number): Value {
  let m: RegExpExecArray | null;
  if ((m = /^ago\((\d+(?:\.\d+)?)(ms|s|m|h|d)\)$/i.exec(text))) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as "ms"]!;
    return now - Number(m[1]) * unit;
  }
  if ((m = /^datetime\((.+)\)$/i.exec(text))) {
    const t = Date.parse(m[1]!.replace(/^["']|["']$/g, ""));
    if (Number.isNaN(t)) throw new KqlError(`invalid datetime literal '${text}'`);
    return t;
  }
  if ((m = /^'([^']*)'$/.exec(text)) || (m = /^"([^"]*)"$/.exec(text))) return m[1]!;
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  throw new KqlError(`unsupported value '${text}'. Supported: ${SUPPORTED_KQL}`);
}

function test(row: Row, p: Predicate): boolean {
  const v = row[p.column] ?? null;
  if (p.op === "=~") return String(v).toLowerCase() === String(p.value).toLowerCase();
  const c = compare(v, p.value);
  switch (p.op) {
    case "==": return c === 0;
    case "!=": return c !== 0;
    case ">": return c > 0;
    case ">=": return c >= 0;
    case "<": return c < 0;
    default: return c <= 0;
  }
}

function compare(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

function column(columns: KqlColumn[], name: string): KqlColumn {
  const c = columns.find((col) => col.name === name);
  if (!c) throw new KqlError(`unknown column '${name}': available here are ${columns.map((col) => col.name).join(", ")}`);
  return c;
}

/** Log Analytics renders datetimes as ISO strings and other cells as native JSON. */
function render(value: Value, type: string): unknown {
  if (value === null) return null;
  if (type === "datetime") return new Date(value as number).toISOString();
  return value;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
