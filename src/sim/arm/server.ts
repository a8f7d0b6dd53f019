import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { flapIsDown } from "../faults.js";
import type { SimState } from "../state.js";
import type { SimTls } from "../tls.js";
import type { SimService } from "../world.js";
import { handleApim, handleServiceList } from "./apim.js";
import { handleDns } from "./dns.js";
import { ArmFailure, armError, requestIds, type ArmRequest, type ArmResponse } from "./http.js";
import { handleLogsQuery } from "./logs.js";
import { handleArmMetrics, handleMetricsBatch } from "./metrics.js";
import { handleResourceHealth, handleResourceHealthList } from "./resource-health.js";
import { handleStorage } from "./storage.js";

export interface ArmServer {
  endpoint: string;
  close(): Promise<void>;
}

/** One HTTPS listener for ARM, the Monitor metrics data plane and the Log Analytics query API. */
export async function startArmServer(state: SimState, tls: SimTls, port = 0): Promise<ArmServer> {
  const server: Server = createServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
    void serve(state, req, res, endpoint);
  });
  let endpoint = "";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(state: SimState, req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  state.armRequests[req.method === "GET" ? "reads" : "writes"]++;
  let response: ArmResponse;
  try {
    const url = new URL(req.url ?? "/", origin);
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new ArmFailure(armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: it is not valid JSON."));
      }
    }
    const request: ArmRequest = { method: req.method ?? "GET", path: decodeURIComponent(url.pathname), query: url.searchParams, headers: req.headers, body, origin };
    response = await route(state, request);
  } catch (error) {
    response = error instanceof ArmFailure ? error.response : armError(500, "InternalServerError", `simulator error: ${(error as Error).message}`);
  }
  const headers: Record<string, string> = { "cache-control": "no-cache", ...response.headers };
  if (response.body === undefined) {
    res.writeHead(response.status, { ...headers, "content-length": "0" });
    res.end();
    return;
  }
  const payload = JSON.stringify(response.body);
  res.writeHead(response.status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}

const SERVICE_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)(\/.*)?$/i;
const SERVICE_LIST_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/?$/i;
const HEALTH_LIST_PATH = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?\/providers\/Microsoft\.ResourceHealth\/availabilityStatuses\/?$/i;
const DNS_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/dnsZones\/([^/]+)(\/.*)?$/i;
const STORAGE_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+)(\/.*)?$/i;
const BATCH_PATH = /^\/subscriptions\/([^/]+)\/metrics:getBatch$/i;
const LOGS_PATH = /^\/v1\/workspaces\/([^/]+)\/query$/i;

async function route(state: SimState, req: ArmRequest): Promise<ArmResponse> {
  const auth = req.headers.authorization;
  if (!auth || !/^Bearer\s+\S+/i.test(auth)) {
    return armError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or is not a Bearer token.", requestIds(req));
  }
  let m: RegExpExecArray | null;
  if ((m = LOGS_PATH.exec(req.path))) return handleLogsQuery(state, req, m[1]!);
  if ((m = BATCH_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    if (req.method !== "POST") return armError(405, "MethodNotAllowed", "metrics:getBatch takes POST.");
    return handleMetricsBatch(state, req);
  }
  if ((m = HEALTH_LIST_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    if (m[2] !== undefined) checkResourceGroup(state, req, m[2]);
    return handleResourceHealthList(state, req);
  }
  if ((m = SERVICE_LIST_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    checkResourceGroup(state, req, m[2]!);
    throttle(state, req, null);
    return handleServiceList(state, req, (service) => !managementPlaneDown(state, service));
  }
  if ((m = SERVICE_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    checkResourceGroup(state, req, m[2]!);
    const service = state.serviceByName(m[3]!);
    const rest = (m[4] ?? "").replace(/\/$/, "");
    if (!service) {
      return armError(404, "ResourceNotFound", `The Resource 'Microsoft.ApiManagement/service/${m[3]}' under resource group '${m[2]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`, requestIds(req));
    }
    if (/^\/providers\/Microsoft\.ResourceHealth\/availabilityStatuses\/current$/i.test(rest) && req.method === "GET") {
      return handleResourceHealth(state, req, service);
    }
    if (/^\/providers\/Microsoft\.Insights\/metrics$/i.test(rest) && req.method === "GET") return handleArmMetrics(state, req, service);
    throttle(state, req, service);
    managementPlane(state, service);
    return handleApim(state, req, service, rest);
  }
  if ((m = STORAGE_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    checkResourceGroup(state, req, m[2]!);
    throttle(state, req, null);
    return handleStorage(state, req, m[3]!, (m[4] ?? "").replace(/\/$/, ""));
  }
  if ((m = DNS_PATH.exec(req.path))) {
    checkSubscription(state, req, m[1]!);
    checkResourceGroup(state, req, m[2]!);
    throttle(state, req, null);
    return handleDns(state, req, m[3]!, (m[4] ?? "").replace(/\/$/, ""));
  }
  return armError(404, "NotFound", `No simulated resource matches '${req.method} ${req.path}'. See src/sim/README.md for the endpoints the simulator serves.`, requestIds(req));
}

function checkSubscription(state: SimState, req: ArmRequest, subscriptionId: string): void {
  if (subscriptionId.toLowerCase() !== state.world.subscriptionId.toLowerCase()) {
    throw new ArmFailure(armError(404, "SubscriptionNotFound", `The subscription '${subscriptionId}' could not be found.`, { ...requestIds(req), "x-ms-failure-cause": "gateway" }));
  }
}

function checkResourceGroup(state: SimState, req: ArmRequest, group: string): void {
  if (group.toLowerCase() !== state.world.resourceGroup.toLowerCase()) {
    throw new ArmFailure(armError(404, "ResourceGroupNotFound", `Resource group '${group}' could not be found.`, { ...requestIds(req), "x-ms-failure-cause": "gateway" }));
  }
}

/** throttle fault: 429 with Retry-After, for n calls or for a duration. */
function throttle(state: SimState, req: ArmRequest, service: SimService | null): void {
  const target = service ? { region: service.spec.region, service: service.spec.name } : null;
  const fault = state.faults.find("throttle", target, Date.now());
  if (!fault) return;
  state.faults.consume(fault);
  const retryAfter = String(fault.options.retryAfterSeconds ?? state.timings.retryAfterSeconds);
  throw new ArmFailure(
    armError(429, "TooManyRequests", `The request is being throttled as the limit has been reached for operation type - ${req.method === "GET" ? "Read" : "Write"}. Retry after ${retryAfter} seconds.`, {
      ...requestIds(req),
      "retry-after": retryAfter,
    }),
  );
}

/** region-outage with managementPlane down (or a flapping region while down): ARM cannot reach the service. */
function managementPlane(state: SimState, service: SimService): void {
  if (managementPlaneDown(state, service)) {
    throw new ArmFailure(
      armError(503, "ServiceUnavailable", `The API Management service '${service.spec.name}' in region '${service.spec.region}' is temporarily unavailable. Retry later.`, {
        "retry-after": String(state.timings.retryAfterSeconds),
      }),
    );
  }
}

function managementPlaneDown(state: SimState, service: SimService): boolean {
  const now = Date.now();
  const target = { region: service.spec.region, service: service.spec.name };
  const outage = state.faults.find("region-outage", target, now);
  const flap = state.faults.find("flap", target, now);
  return !!((outage && outage.options.managementPlane === "down") || (flap && flap.options.managementPlane === "down" && flapIsDown(flap, now)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
