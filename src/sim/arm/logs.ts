import { randomUUID } from "node:crypto";
import type { SimState } from "../state.js";
import { KqlError, runKql } from "./kql.js";
import { parseIsoDuration } from "./metrics.js";
import { ArmFailure, requestIds, type ArmRequest, type ArmResponse } from "./http.js";

/** Log Analytics `POST|GET /v1/workspaces/{id}/query` over the gateways' recorded traffic. */
export function handleLogsQuery(state: SimState, req: ArmRequest, workspaceId: string): ArmResponse {
  if (workspaceId.toLowerCase() !== state.world.workspaceId.toLowerCase()) {
    return logsError(req, 404, "WorkspaceNotFoundError", `Workspace '${workspaceId}' could not be found: the simulator's workspace is '${state.world.workspaceId}'.`);
  }
  const body = (req.method === "GET" ? { query: req.query.get("query"), timespan: req.query.get("timespan") } : req.body) as
    | { query?: unknown; timespan?: unknown }
    | undefined;
  if (typeof body?.query !== "string" || !body.query.trim()) {
    return logsError(req, 400, "BadArgumentError", "The request had some invalid properties: 'query' is required.");
  }
  const now = Date.now();
  let window: [number, number] = [0, Number.MAX_SAFE_INTEGER];
  try {
    if (typeof body.timespan === "string" && body.timespan) window = parseTimespan(body.timespan, now);
  } catch (error) {
    if (error instanceof ArmFailure) return logsError(req, 400, "BadArgumentError", `Invalid timespan '${body.timespan}': use an ISO-8601 duration (PT5M) or 'start/end'.`);
    throw error;
  }
  const records = state.traffic.all().filter((r) => r.TimeGenerated >= window[0] && r.TimeGenerated <= window[1]);
  try {
    const table = runKql(body.query, records, now);
    return { status: 200, headers: requestIds(req), body: { tables: [{ name: "PrimaryResult", columns: table.columns, rows: table.rows }] } };
  } catch (error) {
    if (error instanceof KqlError) {
      return logsError(req, 400, "BadArgumentError", `The request had some invalid properties: ${error.message}`, { code: "SyntaxError", message: error.message });
    }
    throw error;
  }
}

function parseTimespan(text: string, now: number): [number, number] {
  const parts = text.split("/");
  if (parts.length === 1) return [now - parseIsoDuration(parts[0]!), now];
  const start = Date.parse(parts[0]!);
  const end = parts[1]!.toUpperCase().startsWith("P") ? start + parseIsoDuration(parts[1]!) : Date.parse(parts[1]!);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new ArmFailure({ status: 400 });
  return [start, end];
}

function logsError(req: ArmRequest, status: number, code: string, message: string, innererror?: { code: string; message: string }): ArmResponse {
  return { status, headers: requestIds(req), body: { error: { message, code, correlationId: randomUUID(), ...(innererror ? { innererror } : {}) } } };
}
