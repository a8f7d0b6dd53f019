import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpGatewayProbe } from "../../../src/signals/probes/http-gateway-probe.js";
import { ProbePoller } from "../../../src/signals/pollers/probe-poller.js";
import type { Signal } from "../../../src/ports/signal.js";
import { ManualClock } from "../../support/fakes/index.js";

const STATUS = "/status-0123456789abcdef";
let server: Server;
let base: string;
let mode: "ok" | "500" | "hang" = "ok";
const seenHosts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHosts.push(req.headers.host ?? "");
    if (mode === "hang") return; // never answers
    if (req.headers.host !== "api.contoso.example" || req.url !== STATUS) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(mode === "ok" ? 200 : 500).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("gateway probe", () => {
  const probe = httpGatewayProbe();

  it("addresses the gateway with the custom hostname as Host header", async () => {
    mode = "ok";
    const result = await probe.probe(`${base}${STATUS}`, "api.contoso.example", 2_000);
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(seenHosts.at(-1)).toBe("api.contoso.example");
    expect(await probe.probe(`${base}${STATUS}`, "other.example", 2_000)).toMatchObject({ ok: false, statusCode: 404, error: "HTTP 404" });
  });

  it("reports a timeout as a failure with the time limit in the message", async () => {
    mode = "hang";
    const result = await probe.probe(`${base}${STATUS}`, "api.contoso.example", 200);
    expect(result).toMatchObject({ ok: false, statusCode: null, error: "no answer within 200 ms" });
  });

  it("reports a refused connection", async () => {
    const result = await probe.probe("http://127.0.0.1:1/status", "api.contoso.example", 1_000);
    expect(result.ok).toBe(false);
    expect(result.error).toContain("ECONNREFUSED");
  });
});

describe("probe poller", () => {
  it("turns consecutive failures into degraded, then unhealthy, and recovers on one success", async () => {
    const clock = new ManualClock();
    const emitted: Signal[] = [];
    const poller = new ProbePoller(
      [
        { region: "westeurope", serviceId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/weu", gatewayUrl: base },
        { region: "northeurope", serviceId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.ApiManagement/service/neu", gatewayUrl: "http://127.0.0.1:1" },
      ],
      { hostname: "api.contoso.example", path: STATUS, intervalMs: 10_000, timeoutMs: 1_000, failuresBeforeUnhealthy: 3 },
      { probe: httpGatewayProbe(), clock },
    );
    mode = "ok";
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const round = await poller.pollOnce();
      emitted.push(...round);
      statuses.push(round.find((s) => s.region === "northeurope")!.status);
      await clock.advance(10_000);
    }
    expect(statuses).toEqual(["degraded", "degraded", "unhealthy"]);
    const last = emitted.filter((s) => s.region === "northeurope").at(-1)!;
    expect(last).toMatchObject({ kind: "health", source: "probe", observedAt: "2026-12-01T08:00:20.000Z", id: "probe:northeurope:2026-12-01T08:00:20.000Z" });
    expect(last.summary).toContain("3 in a row");
    expect(emitted.filter((s) => s.region === "westeurope").map((s) => s.status)).toEqual(["healthy", "healthy", "healthy"]);
  });
});
