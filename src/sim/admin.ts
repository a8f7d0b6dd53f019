import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FAULT_NAMES, isFaultName, type FaultOptions } from "./faults.js";
import { PRECONDITION_BREAK_NAMES, breakPrecondition, isPreconditionBreak, repairAll } from "./preconditions.js";
import type { SimState } from "./state.js";

export interface AdminServer {
  url: string;
  close(): Promise<void>;
}

export interface AdminActions {
  /** Publishes forged outage events about a healthy service; returns how many. */
  forge(service: string): number;
}

/**
 * Plain-HTTP JSON control API on 127.0.0.1:
 * GET /stats · POST /faults {name, region?, service?, clear?, options?} · DELETE /faults · POST /change {service, count?} · POST /forge {service}
 * · POST /break {name, service?, days?, ttl?} · POST /repair
 */
export async function startAdminServer(state: SimState, port = 0, actions?: AdminActions): Promise<AdminServer> {
  const server: Server = createServer((req, res) => {
    void answer(state, req, actions).then(({ status, body }) => {
      const payload = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(payload)) });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(state: SimState, req: IncomingMessage, actions?: AdminActions): Promise<{ status: number; body: unknown }> {
  const path = new URL(req.url ?? "/", "http://admin").pathname;
  try {
    const body = await readJson(req);
    if (req.method === "GET" && path === "/stats") return { status: 200, body: state.stats() };
    if (req.method === "GET" && path === "/healthz") return { status: 200, body: { ok: true } };
    if (req.method === "DELETE" && path === "/faults") return { status: 200, body: { cleared: state.clearAllFaults() } };
    if (req.method === "POST" && path === "/faults") {
      const b = body as { name?: unknown; region?: unknown; service?: unknown; clear?: unknown; options?: unknown };
      if (typeof b.name !== "string" || !isFaultName(b.name)) {
        return { status: 400, body: { error: `unknown fault '${String(b.name)}': use one of ${FAULT_NAMES.join(", ")}` } };
      }
      const scope = { name: b.name, region: typeof b.region === "string" ? b.region : null, service: typeof b.service === "string" ? b.service : null };
      if (b.clear === true) return { status: 200, body: { cleared: state.clearFault(scope) } };
      const fault = await state.setFault({ ...scope, options: (b.options ?? {}) as FaultOptions });
      return { status: 200, body: { fault, applied: fault === null } };
    }
    if (req.method === "POST" && path === "/change") {
      const b = body as { service?: unknown; count?: unknown };
      if (typeof b.service !== "string") return { status: 400, body: { error: "POST /change needs {\"service\": NAME, \"count\": N}" } };
      const service = state.change(b.service, b.count === undefined ? 1 : Number(b.count));
      return { status: 200, body: { service: service.spec.name, revision: service.revision } };
    }
    if (req.method === "POST" && path === "/forge" && actions) {
      const b = body as { service?: unknown };
      if (typeof b.service !== "string") return { status: 400, body: { error: "POST /forge needs {\"service\": NAME}" } };
      return { status: 200, body: { service: state.resolveService(b.service).spec.name, published: actions.forge(b.service) } };
    }
    if (req.method === "POST" && path === "/break") {
      const b = body as { name?: unknown; service?: unknown; days?: unknown; ttl?: unknown };
      if (typeof b.name !== "string" || !isPreconditionBreak(b.name)) {
        return { status: 400, body: { error: `unknown precondition break '${String(b.name)}': use one of ${PRECONDITION_BREAK_NAMES.join(", ")}` } };
      }
      const changed = await breakPrecondition(state, b.name, {
        ...(typeof b.service === "string" ? { service: b.service } : {}),
        ...(b.days !== undefined ? { days: Number(b.days) } : {}),
        ...(b.ttl !== undefined ? { ttl: Number(b.ttl) } : {}),
      });
      return { status: 200, body: { broken: b.name, changed } };
    }
    if (req.method === "POST" && path === "/repair") {
      await repairAll(state);
      return { status: 200, body: { repaired: true } };
    }
    return { status: 404, body: { error: `no admin endpoint ${req.method} ${path}: use GET /stats, POST /faults, DELETE /faults, POST /change, POST /forge, POST /break, POST /repair` } };
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new Error("the request body is not valid JSON"));
      }
    });
    req.on("error", reject);
  });
}
