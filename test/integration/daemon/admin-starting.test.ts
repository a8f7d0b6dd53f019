import { afterEach, describe, expect, it } from "vitest";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import type { ControllerApi } from "../../../src/server/controller-api.js";

// `apim-dr run` binds the admin port before the controller starts; until then the API says so.
describe("admin API before the controller has started", () => {
  let server: AdminServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it("answers 503 'starting' on /healthz and 503 with a retry hint elsewhere, then serves the controller", async () => {
    let controller: ControllerApi | null = null;
    server = await startAdminServer(() => controller, { host: "127.0.0.1", port: 0, token: "t" });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "starting" });
    const pairs = await fetch(`${server.url}/pairs`);
    expect(pairs.status).toBe(503);
    expect(await pairs.json()).toEqual({ error: "the controller is still starting: retry in a few seconds" });

    controller = {
      listPairs: () => [],
      getPair: () => undefined,
      preview: async () => [],
      command: async () => ({ accepted: true, state: "monitoring" }),
      audit: async () => [],
      recordRefusal: async () => undefined,
      metrics: () => "",
      ready: () => true,
      health: () => ({ status: "ok", problems: [] }),
    };
    const ready = await fetch(`${server.url}/healthz`);
    expect(ready.status).toBe(200);
    expect(await (await fetch(`${server.url}/pairs`)).json()).toEqual({ pairs: [] });
  });
});
