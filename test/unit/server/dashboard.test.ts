import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import { DASHBOARD_CSP, isLoopback } from "../../../src/server/dashboard/index.js";
import { FakeController } from "../../support/fake-controller.js";

describe("dashboard at GET /", () => {
  let server: AdminServer;
  beforeAll(async () => {
    server = await startAdminServer(new FakeController(), { host: "127.0.0.1", port: 0, token: "t0ken" });
  });
  afterAll(() => server.close());

  it("serves one page and its own script and style, under a strict Content-Security-Policy, with no external asset", async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain("unsafe-inline");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style>| style=/);
    for (const asset of ["/dashboard.js", "/dashboard.css"]) {
      const res = await fetch(`${server.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(await res.text(), asset).not.toMatch(/https?:\/\/(?!admin)/);
    }
  });

  it("keeps the token out of URLs: the script reads it from sessionStorage and sends it only as a header", async () => {
    const js = await (await fetch(`${server.url}/dashboard.js`)).text();
    expect(js).toContain("sessionStorage");
    expect(js).not.toContain("localStorage");
    expect(js).not.toContain("new EventSource");
    expect(js).toContain('authorization: "Bearer "');
  });

  it("streams the pairs' status as server-sent events, without a token on loopback", async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/events`, { signal: abort.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as { pairs: Array<{ name: string; state: string }> };
    expect(text).toMatch(/^event: status$/m);
    expect(data.pairs[0]).toMatchObject({ name: "contoso", state: "monitoring.healthy" });
  });

  it("stops reading the controller once the page goes away", async () => {
    const controller = new FakeController();
    let reads = 0;
    const listPairs = controller.listPairs;
    controller.listPairs = () => (reads++, listPairs());
    const own = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token: "t0ken" });
    const abort = new AbortController();
    const res = await fetch(`${own.url}/events`, { signal: abort.signal });
    await res.body!.getReader().read();
    abort.abort();
    await new Promise((r) => setTimeout(r, 300));
    const after = reads;
    await new Promise((r) => setTimeout(r, 2_500)); // more than two stream intervals
    expect(reads).toBe(after);
    await own.close();
  });

  it("asks for the token to read when the admin API is bound beyond loopback", () => {
    expect(["127.0.0.1", "localhost", "::1"].map(isLoopback)).toEqual([true, true, true]);
    expect(["0.0.0.0", "10.1.2.3", "::", "apim-dr.internal"].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
