import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { flapIsDown, type ActiveFault } from "./faults.js";
import { PROBE_USER_AGENT } from "../ports/probe.js";
import type { SimState } from "./state.js";
import { gatewayHost, pairOf, regionDisplayName, type SimService } from "./world.js";

import { APIM_STATUS_PATH } from "../ports/probe.js";
export const STATUS_PATH = APIM_STATUS_PATH;

export interface RunningGateways {
  /** region → http://127.0.0.1:PORT */
  urls: Record<string, string>;
  close(): Promise<void>;
}

/**
 * One plain-HTTP listener per region, answering like the APIM gateways of the services in that
 * region: the Host header (a service's gateway host or its pair's custom hostname) picks the service.
 */
export async function startGateways(state: SimState, ports: Record<string, number> = {}): Promise<RunningGateways> {
  const servers: Server[] = [];
  const urls: Record<string, string> = {};
  // Degrade spreads its errors evenly: every request adds errorPercent, and 100 accumulated is one 500.
  const errorBudget = new Map<SimService, number>();
  try {
    const regions = [...new Set(state.services.map((s) => s.spec.region))];
    for (const region of regions) {
      const local = state.services.filter((s) => s.spec.region === region);
      const byHost = new Map<string, SimService>();
      for (const service of local) {
        byHost.set(gatewayHost(service.spec.name), service);
        byHost.set(pairOf(state.world, service.spec.name).customHostname.toLowerCase(), service);
      }
      // An unknown host is logged against the region's first service (as a 404).
      const server = createServer((req, res) => void handle(state, byHost.get(hostOf(req)) ?? local[0]!, errorBudget, req, res));
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(ports[region] ?? 0, "127.0.0.1", () => resolve());
      });
      urls[region] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return { urls, close: () => Promise.all(servers.map(closeServer)).then(() => undefined) };
}

function hostOf(req: IncomingMessage): string {
  return (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

async function handle(state: SimState, service: SimService, errorBudget: Map<SimService, number>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = Date.now();
  const now = started;
  const target = { region: service.spec.region, service: service.spec.name };
  // A network partition between the controller and the gateway: its probes never arrive, so nothing is logged either.
  const partition = req.headers["user-agent"] === PROBE_USER_AGENT ? state.faults.find("probe-partition", target, now) : undefined;
  if (partition) {
    if ((partition.options.mode ?? "reset") === "reset") req.socket.destroy();
    return;
  }
  const outage = state.faults.find("region-outage", target, now);
  const flap = state.faults.find("flap", target, now);
  const down: ActiveFault | undefined = outage ?? (flap && flapIsDown(flap, now) ? flap : undefined);
  const url = new URL(req.url ?? "/", "http://gateway");
  const host = hostOf(req);
  const record = (status: number, apiId = "", operationId = "", backendStatus = 0, reason = "") =>
    state.traffic.add({
      TimeGenerated: Date.now(),
      _ResourceId: service.id.toLowerCase(),
      Region: regionDisplayName(service.spec.region),
      CorrelationId: randomUUID(),
      Method: req.method ?? "GET",
      Url: `https://${host}${url.pathname}`,
      Hostname: host,
      ResponseCode: status,
      BackendResponseCode: backendStatus,
      TotalTime: Date.now() - started,
      BackendTime: backendStatus ? 1 : 0,
      ApiId: apiId,
      OperationId: operationId,
      IsRequestSuccess: status < 400,
      CallerIpAddress: req.socket.remoteAddress ?? "127.0.0.1",
      LastErrorReason: reason,
    });

  if (down) {
    const mode = down.options.mode ?? "503";
    if (mode === "reset") {
      req.socket.destroy();
      return;
    }
    // timeout: hold the connection open without answering; stop() closes it.
    if (mode === "timeout") return;
    record(503, "", "", 0, "RegionUnavailable");
    return send(res, 503, { statusCode: 503, message: "Service Unavailable" });
  }
  const degrade = state.faults.find("degrade", target, now);
  if (degrade?.options.latencyMs) await new Promise((r) => setTimeout(r, degrade.options.latencyMs));
  if (res.destroyed) return;

  const ownHosts = [pairOf(state.world, service.spec.name).customHostname.toLowerCase(), gatewayHost(service.spec.name)];
  if (!ownHosts.includes(host)) {
    record(404, "", "", 0, "HostNotFound");
    return send(res, 404, { statusCode: 404, message: "Resource not found" });
  }
  if (degrade) {
    const budget = (errorBudget.get(service) ?? 0) + (degrade.options.errorPercent ?? 50);
    errorBudget.set(service, budget >= 100 ? budget - 100 : budget);
    if (budget >= 100) {
      record(500, "", "", 500, "BackendConnectionFailure");
      return send(res, 500, { statusCode: 500, message: "Internal server error" });
    }
  }
  if (url.pathname === STATUS_PATH) {
    record(200);
    res.writeHead(200, { "content-length": "0" });
    res.end();
    return;
  }
  const [, apiPath, ...opParts] = url.pathname.split("/");
  const api = service.content.apis.find((a) => a.path === apiPath);
  const operation = api?.operations.find((o) => o.method === (req.method ?? "GET") && o.urlTemplate === `/${opParts.join("/")}`);
  if (!api || !operation) {
    record(404, api?.id ?? "", "", 0, "OperationNotFound");
    return send(res, 404, { statusCode: 404, message: "Resource not found" });
  }
  record(200, api.id, operation.id, 200);
  send(res, 200, {
    service: service.spec.name,
    serviceId: service.id,
    region: service.spec.region,
    revision: service.revision,
    api: api.id,
    operation: operation.id,
    hostname: host,
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}
