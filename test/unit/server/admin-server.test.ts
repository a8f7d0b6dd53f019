import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import type { PairStatus } from "../../../src/server/controller-api.js";
import { FakeController } from "../../support/fake-controller.js";

describe("admin API", () => {
  const controller = new FakeController();
  let server: AdminServer;
  const token = "s3cret-token";
  beforeAll(async () => {
    server = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token });
  });
  afterAll(() => server.close());

  const post = (path: string, body?: unknown, auth: string | null = `Bearer ${token}`) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { ...(auth ? { authorization: auth } : {}), "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });

  it("listens on 127.0.0.1 and serves health, metrics and pairs without a token", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toBe("apim_dr_up 1\n");
    expect(((await (await fetch(`${server.url}/pairs`)).json()) as { pairs: PairStatus[] }).pairs[0]!.name).toBe("contoso");
    expect(((await (await fetch(`${server.url}/pairs/contoso`)).json()) as PairStatus).state).toBe("monitoring.healthy");
  });

  it("refuses mutating calls without the right token, saying what is wrong", async () => {
    const missing = await post("/pairs/contoso/failover", {}, null);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: string }).error).toContain("missing bearer token");
    const wrong = await post("/pairs/contoso/failover", {}, "Bearer nope");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toContain("invalid bearer token");
    expect(controller.commands).toHaveLength(0);
  });

  it("audits refused requests (who, what, why) and never the token, not even one pasted into the body", async () => {
    controller.refusals.length = 0;
    const wrong = await post("/pairs/contoso/pause", { actor: "mallory", reason: `trying nope-token-1 and ${token}` }, "Bearer nope-token-1");
    expect(wrong.status).toBe(401);
    const notNow = await post("/pairs/contoso/failback", { actor: "alice", reason: "primary back" });
    expect(notNow.status).toBe(409);
    expect(controller.refusals).toEqual([
      { pair: "contoso", action: "pause", status: 401, why: expect.stringContaining("invalid bearer token"), actor: "mallory", reason: "trying [token] and [token]", from: "127.0.0.1" },
      { pair: "contoso", action: "failback", status: 409, why: "'failback' is not accepted in state monitoring.healthy", actor: "alice", reason: "primary back", from: "127.0.0.1" },
    ]);
    expect(JSON.stringify(controller.refusals)).not.toContain("nope-token-1");
  });

  it("passes the reason to the controller and answers 202 with the new state", async () => {
    const res = await post("/pairs/contoso/failover", { reason: "drill", planned: true });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, state: "failingOver.checkingBackup" });
    expect(controller.commands.at(-1)).toEqual({ name: "contoso", action: "failover", request: { reason: "drill", planned: true, actor: undefined } });
  });

  it("answers 409 with the current state and the accepted events when the machine cannot take the event", async () => {
    const res = await post("/pairs/contoso/failback");
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: "'failback' is not accepted in state monitoring.healthy",
      state: "monitoring.healthy",
      accepts: ["failover", "pause"],
    });
  });

  it("rejects a malformed body and unknown pairs and routes with clear messages", async () => {
    const bad = await post("/pairs/contoso/failover", "{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^request body is not JSON/);
    const extra = await post("/pairs/contoso/failover", { reson: "typo" });
    expect(((await extra.json()) as { error: string }).error).toBe("unknown field(s) reson: the body accepts reason, actor and planned");
    const unknownPair = await fetch(`${server.url}/pairs/nope`);
    expect(unknownPair.status).toBe(404);
    expect(((await unknownPair.json()) as { error: string }).error).toBe("no pair named 'nope'; known pairs: contoso");
  });

  it("answers 400, never 500, to a malformed path or a pair name that is not one", async () => {
    const malformed = await fetch(`${server.url}/pairs/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "malformed percent-encoding in the path '/pairs/%E0%A4%A': encode each byte as %XX (UTF-8)" });
    const traversal = await fetch(`${server.url}/audit?pair=../../x`);
    expect(traversal.status).toBe(400);
    expect(await traversal.json()).toEqual({ error: "'../../x' is not a pair name: use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)" });
    expect((await fetch(`${server.url}/audit?pair=contoso`)).status).toBe(200);
  });

  it("cuts a mutating request whose body never completes after the body timeout, with 408", async () => {
    const slow = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token, bodyTimeoutMs: 300 });
    try {
      const started = Date.now();
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${slow.url}/pairs/contoso/pause`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": "100" } }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.write('{"reason": "never fin'); // and never the rest
      });
      expect(answer.status).toBe(408);
      expect(JSON.parse(answer.body)).toEqual({ error: "request body not complete after 0.3 s: send the whole body (or none) at once" });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(controller.commands.filter((c) => c.action === "pause")).toHaveLength(0);
    } finally {
      await slow.close();
    }
  });

  it("refuses every mutating call when started without a token", async () => {
    const open = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token: undefined });
    try {
      const res = await fetch(`${open.url}/pairs/contoso/pause`, { method: "POST", headers: { authorization: "Bearer x" } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toContain("started without APIM_DR_ADMIN_TOKEN");
    } finally {
      await open.close();
    }
  });
});
