import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PairReadiness } from "../../../src/readiness/render.js";
import type { CutoverPlan } from "../../../src/runtime/plan.js";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import type { PairStatus, ReadinessApi } from "../../../src/server/controller-api.js";
import { FakeController } from "../../support/fake-controller.js";

const PLAN: CutoverPlan = {
  title: "failover contoso: from a (westeurope) to b (northeurope)",
  backup: { kind: "existing", name: "a-1.apimbackup", detail: "a-1.apimbackup, 5 min old", breached: false },
  restore: { into: "b", skipWhen: null, note: "" },
  verify: "b's gateway answers for api.contoso.example",
  dns: { record: "api.contoso.example", from: "a.azure-api.net", to: "b.azure-api.net", ttlSeconds: 60 },
  expectedRestore: { ms: 30_000, source: "test" },
  notReady: [{ check: "drift", status: "NOT READY", evidence: "Tls11 differs", fix: "align" }],
};

/** Readiness and plan routes of the admin API, before and after the first readiness round. */
describe("admin API: readiness and plan", () => {
  let server: AdminServer;
  let latest: PairReadiness | null = null;
  const readiness: ReadinessApi = { readiness: () => latest, plan: () => PLAN, metrics: () => 'apim_dr_readiness{pair="contoso",check="drift"} 0\n' };
  beforeAll(async () => {
    server = await startAdminServer(new FakeController(), { host: "127.0.0.1", port: 0, token: "t", readiness: () => readiness });
  });
  afterAll(() => server.close());
  const get = (path: string) => fetch(`${server.url}${path}`);

  it("answers 503 until the first round has finished, and the status carries no readiness line meanwhile", async () => {
    const res = await get("/pairs/contoso/readiness");
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe("the first readiness round is still running: retry in a few seconds");
    expect(((await (await get("/pairs/contoso")).json()) as PairStatus).readiness).toBeUndefined();
  });

  it("serves the newest round, and the status summarizes it in one line", async () => {
    latest = {
      pair: "contoso",
      checkedAt: "2026-12-01T12:00:00.000Z",
      status: "NOT READY",
      checks: [
        { check: "tier", status: "READY", evidence: "Premium" },
        { check: "drift", status: "NOT READY", evidence: "Tls11 differs", fix: "align" },
        { check: "signals", status: "UNKNOWN", evidence: "?" },
      ],
    };
    expect(await (await get("/pairs/contoso/readiness")).json()).toEqual(latest);
    expect(((await (await get("/pairs/contoso")).json()) as PairStatus).readiness).toBe("readiness: 1/3 READY; NOT READY: drift; UNKNOWN: signals (checked 2026-12-01T12:00:00.000Z)");
    expect(await (await get("/metrics")).text()).toBe('apim_dr_up 1\napim_dr_readiness{pair="contoso",check="drift"} 0\n');
  });

  it("serves the plan as data and as the lines the CLI prints; an unknown pair is 404", async () => {
    const body = (await (await get("/pairs/contoso/plan")).json()) as { plan: CutoverPlan; lines: string[] };
    expect(body.plan).toEqual(PLAN);
    expect(body.lines).toContain("  expected restore: 30 s (test)");
    expect(body.lines).toContain("  NOT READY: drift: Tls11 differs (fix: align)");
    expect((await get("/pairs/nope/plan")).status).toBe(404);
  });
});
