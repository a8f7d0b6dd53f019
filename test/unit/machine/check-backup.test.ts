import { describe, expect, it } from "vitest";
import { PRIMARY_ID } from "../../support/fakes/index.js";
import { addBackup, healthyPair, sendAndSettle, startedPair, stateOf } from "./helpers.js";

const primary = PRIMARY_ID.toLowerCase();

describe("checking the backup during a failover", () => {
  it("does not wait on the dead primary's management plane when the newest backup is within the RPO and holds every change", async () => {
    const { world, pair } = await startedPair();
    addBackup(world, 10 * 60_000); // RPO 60 min
    world.apim.down.add(primary);
    await healthyPair(pair);
    const readsBefore = world.apim.servicesRead.length;
    await sendAndSettle(pair, { type: "health.primaryUnhealthy", reason: "region lost" });
    expect(stateOf(pair)).toBe('{"failingOver":"restoring"}');
    expect(pair.actor.getSnapshot().context.lastDecision?.reason).toMatch(/^restoring backup apim-weu-prior.apimbackup into the standby/);
    expect(world.apim.servicesRead.slice(readsBefore)).not.toContain(primary);
    await pair.stop();
  });

  it("still asks the primary when the newest backup is older than the RPO (a fresh backup may save the changes)", async () => {
    const { world, pair } = await startedPair();
    addBackup(world, 2 * 60 * 60_000);
    await healthyPair(pair);
    const readsBefore = world.apim.servicesRead.length;
    await sendAndSettle(pair, { type: "health.primaryUnhealthy", reason: "gateway lost" });
    expect(world.apim.servicesRead.slice(readsBefore)).toContain(primary);
    expect(stateOf(pair)).toBe('{"failingOver":"takingFreshBackup"}');
    await pair.stop();
  });
});
