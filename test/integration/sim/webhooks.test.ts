import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { signature } from "../../../src/notify/formats/generic.js";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { captureContext } from "../../support/cli.js";

let sim: SimulatedAzure;
beforeAll(async () => {
  sim = await startSimulatedAzure();
});
afterAll(async () => {
  await sim?.stop();
});

const post = (target: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${sim.webhooksUrl}/hooks/${target}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal });

describe("the simulator's webhook receiver", () => {
  it("records each notification with its event, pair and signature check; can fail and stall; sim stats lists them", async () => {
    const body = JSON.stringify({ event: "awaitingOperator", pair: "contoso", title: "contoso: waiting for an operator" });
    const event = { "x-apim-dr-event": "awaitingOperator", "x-apim-dr-pair": "contoso" };
    expect((await post("oncall", body, { ...event, "x-apim-dr-signature": signature(body, sim.webhookSecret) })).status).toBe(200);
    expect((await post("oncall", body, { ...event, "x-apim-dr-signature": signature(body, "wrong key") })).status).toBe(200);

    await sim.fault("webhook-failure");
    expect((await post("teams", "{}", event)).status).toBe(500);
    sim.clearFault("webhook-failure");

    await sim.fault("webhook-stall");
    await expect(post("slack", "{}", event, AbortSignal.timeout(300))).rejects.toThrow();
    sim.clearFault("webhook-stall");

    const w = sim.stats().webhooks;
    expect(w).toMatchObject({ received: 4, ok: 2, failed: 1, stalled: 1 });
    expect(w.deliveries.map((d) => [d.target, d.event, d.pair, d.signature, d.answer])).toEqual([
      ["oncall", "awaitingOperator", "contoso", "valid", "ok"],
      ["oncall", "awaitingOperator", "contoso", "invalid", "ok"],
      ["teams", "awaitingOperator", "contoso", "missing", "failed"],
      ["slack", "awaitingOperator", "contoso", "missing", "stalled"],
    ]);
    expect(w.deliveries[0]!.title).toBe("contoso: waiting for an operator");

    const stats = captureContext();
    expect(await main(["sim", "stats", "--admin", sim.adminUrl], stats.ctx)).toBe(0);
    expect(stats.stdout()).toContain("webhooks: 4 received (2 answered ok, 1 failed, 1 stalled)");
    expect(stats.stdout()).toMatch(/oncall: awaitingOperator for contoso, signature valid, ok/);
  });
});
