import { describe, expect, it } from "vitest";
import type { BackupLocation } from "../../../src/ports/apim.js";
import { PRIMARY_ID, STANDBY_ID, ZONE_ID } from "../../support/fakes/index.js";
import { addBackup, healthyPair, sendAndSettle, startedPair, stateOf } from "./helpers.js";

const location = (backupName: string): BackupLocation => ({ storageAccount: "stbackups", containerName: "apim-backups", backupName, access: { type: "SystemAssignedManagedIdentity" } });

/** ARM refuses (409) a second operation on a busy service: the failover steps must wait for the one in progress instead of burning their attempts. */
describe("a failover step waits while its service is busy with another operation", () => {
  it("a restore into a standby mid warm-standby refresh waits for the refresh, then restores once and fails over", async () => {
    const s = await startedPair();
    const backup = addBackup(s.world, 10 * 60_000);
    // The warm-standby refresh (or a restore started just before a crash) is still running: 600 s in the fake.
    await s.world.apim.beginRestore(STANDBY_ID, location(backup.name));
    await healthyPair(s.pair);
    await sendAndSettle(s.pair, { type: "health.primaryUnhealthy", reason: "quorum 3/3" });

    expect(stateOf(s.pair)).toBe(JSON.stringify({ failingOver: "restoring" }));
    const waiting = s.pair.actor.getSnapshot().context.lastDecision;
    expect(waiting?.verdict).toBe("waiting");
    expect(waiting?.reason).toBe(`apim-neu has a management operation in progress (provisioning state Updating): the restore of ${backup.name} starts when it has finished`);
    expect(s.world.apim.calls.beginRestore).toBe(1);

    await s.world.clock.advance(600_000); // the refresh finishes; the failover's restore starts
    expect(s.world.apim.calls.beginRestore).toBe(2);
    await s.world.clock.advance(600_000);
    expect(stateOf(s.pair)).toBe('"failedOver"');
    const { context } = s.pair.actor.getSnapshot();
    expect(context.pendingApproval).toBeNull();
    expect(context.decisions.filter((d) => d.verdict === "waiting")).toHaveLength(1);
    expect(context.decisions.some((d) => d.verdict === "retry" || d.verdict === "escalate")).toBe(false);
    expect(s.world.dns.records.get(`${ZONE_ID.toLowerCase()}|api`)?.cname).toBe("apim-neu.azure-api.net");
    await s.pair.stop();
  });

  it("the fresh backup of a reachable primary waits for a scheduled backup in progress", async () => {
    const s = await startedPair();
    addBackup(s.world, 3 * 3600_000); // older than the RPO: the failover takes a fresh backup first
    await s.world.apim.beginBackup(PRIMARY_ID, location("apim-weu-scheduled.apimbackup"));
    await healthyPair(s.pair);
    await sendAndSettle(s.pair, { type: "health.primaryUnhealthy", reason: "gateway down, management up" });

    expect(stateOf(s.pair)).toBe(JSON.stringify({ failingOver: "takingFreshBackup" }));
    expect(s.pair.actor.getSnapshot().context.lastDecision?.reason).toMatch(/^apim-weu has a management operation in progress \(provisioning state Updating\): the backup \S+ starts when it has finished$/);
    expect(s.world.apim.calls.beginBackup).toBe(1);

    await s.world.clock.advance(60_000); // the scheduled backup (60 s in the fake) finishes
    expect(s.world.apim.calls.beginBackup).toBe(2);
    await s.world.clock.advance(3 * 600_000);
    expect(stateOf(s.pair)).toBe('"failedOver"');
    expect(s.world.apim.calls.beginRestore).toBe(1);
    await s.pair.stop();
  });
});
