import { describe, expect, it } from "vitest";
import { WarmStandby, type WarmStandbyEvent } from "../../../src/backup/warm-standby.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import type { BackupRecord } from "../../../src/ports/backups.js";
import { FakeApim, FakeBackupStore, ManualClock } from "../../support/fakes/index.js";

const STANDBY = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-neu";
const CONTAINER = "apim-backups";

function setup(allowed: () => string | null = () => null) {
  const clock = new ManualClock();
  const store = new FakeBackupStore();
  const apim = new FakeApim(clock, store);
  apim.addService(STANDBY, "northeurope");
  apim.durations.restore = 60_000;
  const events: WarmStandbyEvent[] = [];
  const warm = new WarmStandby(
    { standbyServiceId: STANDBY, storageAccount: "backups", container: CONTAINER, access: () => ({ type: "SystemAssignedManagedIdentity" }), allowed },
    { apim, clock },
    (e) => events.push(e),
  );
  const backup = (name: string): BackupRecord => {
    const record = { name, takenAt: clock.now(), sourceServiceId: "primary", sku: "Premium", sizeBytes: 1 };
    store.add(CONTAINER, record);
    return record;
  };
  return { clock, apim, warm, events, backup };
}

describe("warm standby", () => {
  it("waits while the standby runs another management operation, like every other restore, instead of being refused", async () => {
    const { clock, apim, warm, events, backup } = setup();
    // An operator's (or another tool's) backup of the standby runs for 2 minutes.
    apim.durations.backup = 120_000;
    await apim.beginBackup(STANDBY, { storageAccount: "backups", containerName: CONTAINER, backupName: "manual", access: { type: "SystemAssignedManagedIdentity" } });
    warm.offer(backup("b1"));
    await clock.advance(60_000);
    expect(apim.calls.beginRestore).toBe(0);
    await clock.advance(60_000); // the other operation ends
    await clock.advance(30_000); // the next look finds the standby idle and the restore starts
    expect(apim.calls.beginRestore).toBe(1);
    await clock.advance(60_000);
    await warm.idle();
    expect(apim.holds.get(STANDBY.toLowerCase())).toBe("b1");
    expect(events.map((e) => e.type)).toEqual(["warm.started", "warm.restored"]);
  });

  it("restores each new backup into the standby and reports it", async () => {
    const { clock, apim, warm, events, backup } = setup();
    warm.offer(backup("b1"));
    await clock.advance(60_000);
    await warm.idle();
    expect(apim.holds.get(STANDBY.toLowerCase())).toBe("b1");
    expect(events.map((e) => e.type)).toEqual(["warm.started", "warm.restored"]);
  });

  it("restores only the newest of the backups that arrived while one restore ran", async () => {
    const { clock, apim, warm, events, backup } = setup();
    warm.offer(backup("b1"));
    await clock.advance(10_000);
    warm.offer(backup("b2"));
    warm.offer(backup("b3"));
    await clock.advance(60_000);
    await clock.advance(60_000);
    await warm.idle();
    expect(apim.calls.beginRestore).toBe(2);
    expect(apim.holds.get(STANDBY.toLowerCase())).toBe("b3");
    expect(events.filter((e) => e.type === "warm.restored").map((e) => e.backupName)).toEqual(["b1", "b3"]);
  });

  it("never touches the standby while a failover drives it", async () => {
    const { apim, warm, events, backup } = setup(() => "the pair is failingOver.restoring");
    warm.offer(backup("b1"));
    await warm.idle();
    expect(apim.calls.beginRestore).toBe(0);
    expect(events).toEqual([{ type: "warm.skipped", backupName: "b1", reason: "the pair is failingOver.restoring", at: expect.any(Number) }]);
  });

  it("reports a failed restore and tries again with the next backup", async () => {
    const { clock, apim, warm, events, backup } = setup();
    apim.failNext.beginRestore = [new AzureOperationError("Another operation is in progress", "Conflict", 409, true)];
    warm.offer(backup("b1"));
    await warm.idle();
    expect(events.at(-1)).toMatchObject({ type: "warm.failed", backupName: "b1", error: "Another operation is in progress (Conflict, HTTP 409)" });
    warm.offer(backup("b2"));
    await clock.advance(60_000);
    await warm.idle();
    expect(apim.holds.get(STANDBY.toLowerCase())).toBe("b2");
  });
});
