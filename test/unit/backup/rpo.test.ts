import { describe, expect, it } from "vitest";
import { ageOf, findNewestBackup, newestBackupOf } from "../../../src/backup/latest-backup.js";
import { rpoStatus } from "../../../src/backup/rpo.js";
import { BACKUP_LIFETIME_MS, backupBlobName } from "../../../src/backup/backup-names.js";
import { FakeBackupStore, PRIMARY_ID } from "../../support/fakes/index.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const MIN = 60_000;

describe("latest backup and RPO", () => {
  it("finds the newest backup of the active instance from storage, ignoring other services and blobs of unknown source", async () => {
    const store = new FakeBackupStore();
    store.add("c", { name: backupBlobName("apim-weu", NOW - 90 * MIN), takenAt: NOW - 90 * MIN, sourceServiceId: null, sku: null, sizeBytes: 1 });
    store.add("c", { name: backupBlobName("apim-weu", NOW - 30 * MIN), takenAt: NOW - 30 * MIN, sourceServiceId: PRIMARY_ID.toUpperCase(), sku: "Premium", sizeBytes: 1 });
    store.add("c", { name: backupBlobName("apim-neu", NOW - 5 * MIN), takenAt: NOW - 5 * MIN, sourceServiceId: "/subscriptions/x/apim-neu", sku: "Premium", sizeBytes: 1 });
    store.add("c", { name: backupBlobName("apim-weu", NOW - 1 * MIN), takenAt: NOW - 1 * MIN, sourceServiceId: null, sku: null, sizeBytes: 1 });
    const { newest: latest, unverified } = await findNewestBackup(store, "c", PRIMARY_ID, null, NOW);
    expect(latest?.backup.name).toBe("apim-weu-20261201T113000000Z.apimbackup");
    expect(unverified.map((b) => b.name)).toEqual(["apim-weu-20261201T115900000Z.apimbackup", "apim-weu-20261201T103000000Z.apimbackup"]);
    expect(latest?.ageMs).toBe(30 * MIN);
    expect(latest?.expired).toBe(false);
  });

  it("after a cutover, the baseline restored into the active instance is its newest state until it is backed up itself", () => {
    const standbyId = "/subscriptions/x/providers/microsoft.apimanagement/service/apim-neu";
    const old = { name: "apim-weu-old.apimbackup", takenAt: NOW - 90 * MIN, sourceServiceId: PRIMARY_ID.toLowerCase(), sku: "Premium", sizeBytes: 1 };
    const failback = { name: "apim-neu-failback.apimbackup", takenAt: NOW - 30 * MIN, sourceServiceId: standbyId, sku: "Premium", sizeBytes: 1 };
    const olderStandby = { name: "apim-neu-older.apimbackup", takenAt: NOW - 60 * MIN, sourceServiceId: standbyId, sku: "Premium", sizeBytes: 1 };
    // Failed back: the primary holds the standby's failback backup, newer than the primary's own old one.
    expect(newestBackupOf([old, failback, olderStandby], PRIMARY_ID, failback.name, NOW).newest?.backup.name).toBe(failback.name);
    // Without the baseline the standby's backups are not the primary's.
    expect(newestBackupOf([old, failback, olderStandby], PRIMARY_ID, null, NOW).newest?.backup.name).toBe(old.name);
    // A newer backup of the primary itself wins over the baseline.
    const fresh = { ...old, name: "apim-weu-fresh.apimbackup", takenAt: NOW - MIN };
    expect(newestBackupOf([old, failback, fresh], PRIMARY_ID, failback.name, NOW).newest?.backup.name).toBe(fresh.name);
    // A baseline blob without metadata is not trusted either.
    expect(newestBackupOf([old, { ...failback, sourceServiceId: null }], PRIMARY_ID, failback.name, NOW).newest?.backup.name).toBe(old.name);
  });

  it("says within RPO, breached, expired and none with the reason an operator reads", () => {
    const backup = { name: "apim-weu-x.apimbackup", takenAt: NOW - 30 * MIN, sourceServiceId: null, sku: "Premium", sizeBytes: 1 };
    expect(rpoStatus(ageOf(backup, NOW), 60 * MIN, 0)).toMatchObject({
      breached: false,
      reason: "within RPO: newest backup apim-weu-x.apimbackup is 30 min old (RPO 60 min)",
    });
    expect(rpoStatus(ageOf(backup, NOW), 15 * MIN, 2)).toMatchObject({
      breached: true,
      unbackedChanges: 2,
      reason: "RPO breached: newest backup apim-weu-x.apimbackup is 30 min old (RPO 15 min); 2 configuration change(s) not in any backup",
    });
    const old = { ...backup, takenAt: NOW - BACKUP_LIFETIME_MS };
    expect(ageOf(old, NOW).expired).toBe(true);
    expect(rpoStatus(ageOf(old, NOW), 60 * MIN, 0).reason).toContain("has expired (APIM cannot restore backups older than 30 days)");
    expect(rpoStatus(null, 60 * MIN, 0)).toMatchObject({ breached: true, backupAgeMs: null, reason: "RPO breached: no backup found" });
  });
});
