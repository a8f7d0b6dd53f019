import { describe, expect, it } from "vitest";
import { addBackup, healthyPair, sendAndSettle, startedPair, stateOf } from "./helpers.js";

describe("a full automatic failover and an operator failback with the real step actors", () => {
  it("restores the fresh backup, moves DNS once, then fails back on request", async () => {
    const { world, pair } = await startedPair();
    addBackup(world, 10 * 60_000);
    await healthyPair(pair);
    await sendAndSettle(pair, { type: "health.primaryUnhealthy", reason: "3 of 3 observers" });
    expect(stateOf(pair)).toBe('{"failingOver":"restoring"}');
    await world.clock.advance(600_000);
    expect(stateOf(pair)).toBe('"failedOver"');
    expect(world.apim.calls.beginRestore).toBe(1);
    expect(world.dns.calls.setCname).toBe(1);
    expect(world.dns.records.get(`${pair.actor.getSnapshot().context.pair.dns.zoneId.toLowerCase()}|api`)?.cname).toBe("apim-neu.azure-api.net");
    const ctx = pair.actor.getSnapshot().context;
    expect(ctx.activeRegion).toBe("standby");
    expect(ctx.lastDecision?.verdict).toBe("failedOver");

    await sendAndSettle(pair, { type: "operator.failbackRequested", actor: "alice" });
    expect(stateOf(pair)).toBe('"failedOver"');
    expect(pair.actor.getSnapshot().context.lastDecision?.reason).toMatch(/primary is unhealthy/);

    await sendAndSettle(pair, { type: "health.primaryHealthy", reason: "recovered" });
    await world.clock.advance(30 * 60_000);
    await sendAndSettle(pair, { type: "operator.failbackRequested", actor: "alice" });
    expect(stateOf(pair)).toBe('{"failingBack":"backingUpActive"}');
    await world.clock.advance(60_000 + 600_000);
    expect(stateOf(pair)).toBe('{"monitoring":"healthy"}');
    expect(world.apim.calls.beginBackup).toBe(1);
    expect(world.apim.calls.beginRestore).toBe(2);
    expect(world.dns.calls.setCname).toBe(2);
    expect(pair.actor.getSnapshot().context.activeRegion).toBe("primary");
    await pair.stop();
  });
});
