import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readinessSummary } from "../readiness/render.js";
import { renderPlan } from "../runtime/plan.js";
import { OPERATOR_ACTIONS, type ControllerApi, type OperatorAction, type OperatorRequest, type PairStatus, type ReadinessApi, type RefusedRequest } from "./controller-api.js";
import { isLoopback, serveDashboardAsset, streamStatus } from "./dashboard/index.js";

export const ADMIN_TOKEN_ENV = "APIM_DR_ADMIN_TOKEN";
/** How long a request body may take to arrive: a client that never finishes must not hold a connection for minutes. */
export const BODY_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;
/** Pair names as the stores accept them (src/azure/blob-state-store.ts): nothing that could walk a path. */
const PAIR_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Constant-time comparison (of digests, so lengths never leak either). */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

function requireToken(req: IncomingMessage, token: string | undefined): void {
  if (!token) {
    throw new HttpError(401, `mutating calls are disabled: the controller was started without ${ADMIN_TOKEN_ENV}; set it and restart`);
  }
  const header = req.headers.authorization ?? "";
  const presented = /^Bearer (.+)$/i.exec(header)?.[1];
  if (!presented) throw new HttpError(401, `missing bearer token: send 'Authorization: Bearer <token>' (the CLI reads ${ADMIN_TOKEN_ENV})`);
  if (!tokenMatches(presented, token)) throw new HttpError(401, `invalid bearer token: it does not match the controller's ${ADMIN_TOKEN_ENV}`);
}

function bearerOf(req: IncomingMessage): string | undefined {
  return /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
}

/** What an unauthenticated body says about who and why, when it says it readably; nothing otherwise. */
async function claimedBody(req: IncomingMessage, timeoutMs: number): Promise<OperatorRequest> {
  try {
    return await readJson(req, timeoutMs);
  } catch {
    return {};
  }
}

/**
 * The audit record of a refused request. Tokens never go into the trail: neither header is recorded, and a
 * token pasted into the actor or the reason (the expected one or the one presented) is blanked out.
 */
function refusalFor(
  req: IncomingMessage,
  what: Pick<RefusedRequest, "pair" | "action" | "status" | "why">,
  body: OperatorRequest,
  tokens: (string | undefined)[],
): RefusedRequest {
  const secrets = tokens.filter((t): t is string => Boolean(t && t.length >= 4));
  const scrub = (text: string | undefined) => (text === undefined ? undefined : secrets.reduce((t, secret) => t.split(secret).join("[token]"), text));
  return {
    ...what,
    ...(body.actor !== undefined ? { actor: scrub(body.actor) } : {}),
    ...(body.reason !== undefined ? { reason: scrub(body.reason) } : {}),
    ...(req.socket.remoteAddress ? { from: req.socket.remoteAddress } : {}),
  };
}

/** The whole body, or 408 when it does not arrive within `timeoutMs`, or 413 past 64 KiB. */
function readBody(req: IncomingMessage, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (settle: () => void) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      settle();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) done(() => reject(new HttpError(413, "request body over 64 KiB")));
      else chunks.push(chunk);
    };
    const onEnd = () => done(() => resolve(Buffer.concat(chunks).toString("utf8")));
    const onError = (error: Error) => done(() => reject(new HttpError(400, `request body could not be read: ${error.message}`)));
    const timer = setTimeout(
      () => done(() => reject(new HttpError(408, `request body not complete after ${timeoutMs / 1000} s: send the whole body (or none) at once`))),
      timeoutMs,
    );
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

async function readJson(req: IncomingMessage, timeoutMs: number): Promise<OperatorRequest> {
  const text = (await readBody(req, timeoutMs)).trim();
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `request body is not JSON (${(error as Error).message}); send {"reason": "..."} or nothing`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object such as {"reason": "..."}');
  const { reason, actor, planned, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) throw new HttpError(400, `unknown field(s) ${unknown.join(", ")}: the body accepts reason, actor and planned`);
  if (reason !== undefined && typeof reason !== "string") throw new HttpError(400, "reason must be a string");
  if (actor !== undefined && typeof actor !== "string") throw new HttpError(400, "actor must be a string");
  if (planned !== undefined && typeof planned !== "boolean") throw new HttpError(400, "planned must be true or false");
  return { reason, actor, planned };
}

function send(res: ServerResponse, status: number, body: unknown, contentType = "application/json", close = false): void {
  const text = contentType === "application/json" ? JSON.stringify(body, null, 2) + "\n" : String(body);
  res.writeHead(status, { "content-type": `${contentType}; charset=utf-8`, "cache-control": "no-store", ...(close ? { connection: "close" } : {}) });
  res.end(text);
}

/** The path's segments, decoded; a malformed percent-encoding is the client's mistake (400), not ours. */
function pathParts(pathname: string): string[] {
  try {
    return pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `malformed percent-encoding in the path '${pathname}': encode each byte as %XX (UTF-8)`);
  }
}

function pairParam(value: string | null): string | undefined {
  if (value === null) return undefined;
  if (!PAIR_NAME.test(value)) {
    throw new HttpError(400, `'${value}' is not a pair name: use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)`);
  }
  return value;
}

/**
 * The admin HTTP API: read-only routes for everyone who can reach it (bound to 127.0.0.1 unless
 * configured otherwise), operator commands only with the bearer token.
 */
export async function startAdminServer(
  /** The controller, or a getter answering null until it has started (so the port can be bound first). */
  controller: ControllerApi | (() => ControllerApi | null),
  options: {
    host: string;
    port: number;
    token: string | undefined;
    bodyTimeoutMs?: number;
    startupProblem?: () => string | null;
    /** Readiness checks and the failover plan; absent, their routes answer 404. */
    readiness?: () => ReadinessApi | null;
  },
): Promise<AdminServer> {
  const bodyTimeoutMs = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      // A body left unread (too slow, too big) ends the connection once the answer is out.
      const unread = !req.complete;
      if (unread) res.once("finish", () => req.socket.destroy());
      if (error instanceof HttpError) send(res, error.status, { error: error.message, ...error.extra }, "application/json", unread);
      else send(res, 500, { error: `internal error: ${(error as Error).message}` }, "application/json", unread);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://admin");
    } catch {
      throw new HttpError(400, `'${req.url}' is not a request path`);
    }
    const parts = pathParts(url.pathname);
    const method = req.method ?? "GET";
    // The dashboard page holds no data, so it loads even while the controller starts.
    if (serveDashboardAsset(req, res, url.pathname)) return;
    const api = typeof controller === "function" ? controller() : controller;
    if (!api) {
      const problem = options.startupProblem?.() ?? null;
      if (method === "GET" && url.pathname === "/healthz") return send(res, 503, problem ? { status: "degraded", problems: [problem] } : { status: "starting" });
      throw new HttpError(503, "the controller is still starting: retry in a few seconds");
    }
    if (method === "GET" && url.pathname === "/healthz") {
      if (!api.ready()) return send(res, 503, { status: "starting" });
      // Degraded is still 200: restarting the process would not fix the store and would lose the unsaved state.
      return send(res, 200, api.health());
    }
    const readiness = options.readiness?.() ?? null;
    // The status of a pair carries a one-line readiness summary once the first round has run.
    const withReadiness = (p: PairStatus): PairStatus => {
      const r = readiness?.readiness(p.name);
      return r ? { ...p, readiness: readinessSummary(r) } : p;
    };
    if (method === "GET" && url.pathname === "/events") {
      if (!isLoopback(options.host)) requireToken(req, options.token);
      return streamStatus(res, () => api.listPairs().map(withReadiness), api);
    }
    if (method === "GET" && url.pathname === "/metrics") return send(res, 200, api.metrics() + (readiness?.metrics() ?? ""), "text/plain; version=0.0.4");
    if (method === "GET" && url.pathname === "/pairs") return send(res, 200, { pairs: api.listPairs().map(withReadiness) });
    const noSuchPair = (name: string) => new HttpError(404, `no pair named '${name}'; known pairs: ${api.listPairs().map((p) => p.name).join(", ") || "none"}`);
    if (method === "GET" && url.pathname === "/audit") {
      const pair = pairParam(url.searchParams.get("pair"));
      if (pair !== undefined && !api.getPair(pair)) throw noSuchPair(pair);
      return send(res, 200, { entries: await api.audit(pair) });
    }
    if (parts[0] === "pairs" && parts[1]) {
      const name = parts[1];
      const pair = api.getPair(name);
      if (!pair) throw noSuchPair(name);
      if (method === "GET" && parts.length === 2) return send(res, 200, withReadiness(pair));
      if (method === "GET" && parts.length === 3 && (parts[2] === "readiness" || parts[2] === "plan")) {
        if (!readiness) throw new HttpError(404, `this controller serves no ${parts[2]}`);
        if (parts[2] === "plan") {
          const plan = readiness.plan(name);
          return send(res, 200, { plan, lines: renderPlan(plan) });
        }
        const result = readiness.readiness(name);
        if (!result) throw new HttpError(503, "the first readiness round is still running: retry in a few seconds");
        return send(res, 200, result);
      }
      const action = parts[2] as OperatorAction;
      if (parts.length === 4 && parts[3] === "preview" && method === "GET" && OPERATOR_ACTIONS.includes(action)) {
        return send(res, 200, { action, lines: await api.preview(name, action, { planned: url.searchParams.get("planned") === "true" }) });
      }
      if (parts.length === 3 && OPERATOR_ACTIONS.includes(action)) {
        if (method !== "POST") throw new HttpError(405, `use POST /pairs/${name}/${action}`);
        const refused = (status: number, why: string, body: OperatorRequest) =>
          api.recordRefusal(refusalFor(req, { pair: name, action, status, why }, body, [options.token, bearerOf(req)]));
        try {
          requireToken(req, options.token);
        } catch (error) {
          if (error instanceof HttpError) await refused(error.status, error.message, await claimedBody(req, bodyTimeoutMs));
          throw error;
        }
        const body = await readJson(req, bodyTimeoutMs);
        const result = await api.command(name, action, body);
        if (!result.accepted) {
          const status = result.unavailable ? 503 : 409;
          await refused(status, result.message, body);
          throw new HttpError(status, result.message, { state: result.state, accepts: result.accepts, ...(result.leaderUrl ? { leaderUrl: result.leaderUrl } : {}) });
        }
        return send(res, 202, { accepted: true, state: result.state, busy: result.busy });
      }
    }
    throw new HttpError(404, `no route ${method} ${url.pathname}; see GET /pairs, GET /pairs/{name}, GET /pairs/{name}/readiness, GET /pairs/{name}/plan, POST /pairs/{name}/{${OPERATOR_ACTIONS.join("|")}}, GET /metrics, GET /healthz, GET / (dashboard), GET /events (its live status)`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
