import { afterEach, describe, expect, it } from "vitest";
import { BackupScheduler, memoryChangeLedger, nextCronTime, type BackupEvent, type BackupPlan } from "../../../src/backup/scheduler.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import type { BackupRecord } from "../../../src/ports/backups.js";
import { FakeApim, FakeBackupStore, ManualClock, PRIMARY_ID } from "../../support/fakes/index.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function setup(overrides: Partial<BackupPlan> = {}) {
  const clock = new ManualClock(Date.parse("2026-12-01T08:00:00Z"));
  const store = new FakeBackupStore();
  const apim = new FakeApim(clock, store);
  apim.addService(PRIMARY_ID, "westeurope");
  apim.durations.backup = 60_000;
  const events: BackupEvent[] = [];
  const plan: BackupPlan = {
    pair: "contoso",
    protectedServiceId: () => PRIMARY_ID,
    storageAccount: "backups",
    container: CONTAINER,
    access: () => ({ type: "SystemAssignedManagedIdentity" }),
    schedule: "0 */6 * * *",
    changeDebounceMs: 2 * MIN,
    retention: { retentionMs: 30 * DAY, keepLatest: 3 },
    retry: { baseDelayMs: 30_000, maxDelayMs: 10 * MIN, maxAttempts: Infinity },
    ...overrides,
  };
  const changes = memoryChangeLedger();
  const scheduler = new BackupScheduler(plan, { apim, store, clock, changes }, (e) => events.push(e));
  const noteChange = () => {
    changes.note(clock.now());
    scheduler.changeNoted();
  };
  const controller = new AbortController();
  const done = scheduler.run(controller.signal);
  stops.push(async () => {
    controller.abort();
    await done;
  });
  const started = () => [...apim.operations.values()].filter((o) => o.handle.kind === "backup").map((o) => o.location);
  const blobs = async () => new Map((await store.list(CONTAINER)).map((b) => [b.name, b]));
  const put = (record: BackupRecord) => store.add(CONTAINER, record);
  const setProvisioningState = (state: string) => (apim.services.get(PRIMARY_ID.toLowerCase())!.provisioningState = state);
  return { clock, store, apim, events, scheduler, noteChange, started, blobs, put, setProvisioningState };
}

const CONTAINER = "apim-backups";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

const types = (events: BackupEvent[]) => events.map((e) => e.type).filter((t) => t !== "backup.progress");

describe("BackupScheduler", () => {
  it("backs up on the cron schedule, in UTC, with time-sortable unique blob names and metadata", async () => {
    const { clock, events, started, blobs } = setup();
    expect(nextCronTime("0 */6 * * *", clock.now())).toBe(Date.parse("2026-12-01T12:00:00Z"));
    await clock.advance(4 * 60 * MIN - 1);
    expect(started()).toHaveLength(0);
    await clock.advance(1 + 2 * MIN);
    expect(started().map((b) => b.backupName)).toEqual(["apim-weu-20261201T120000000Z.apimbackup"]);
    expect(started()[0]!.access).toEqual({ type: "SystemAssignedManagedIdentity" });
    const blob = (await blobs()).get("apim-weu-20261201T120000000Z.apimbackup")!;
    expect(blob).toMatchObject({ sourceServiceId: PRIMARY_ID.toLowerCase(), sku: "Premium", takenAt: Date.parse("2026-12-01T12:00:00Z") });
    expect(types(events)).toEqual(["backup.started", "backup.completed"]);
    await clock.advance(6 * 60 * MIN);
    expect(started()).toHaveLength(2);
  });

  it("coalesces a burst of changes into one backup after the debounce window", async () => {
    const { clock, scheduler, started, noteChange } = setup();
    for (let i = 0; i < 5; i++) {
      noteChange();
      await clock.advance(30_000);
    }
    expect(scheduler.status().unbackedChanges).toBe(5);
    expect(started()).toHaveLength(0);
    await clock.advance(2 * MIN);
    expect(started()).toHaveLength(1);
    await clock.advance(2 * MIN);
    expect(scheduler.status().unbackedChanges).toBe(0);
    expect(started()).toHaveLength(1);
  });

  it("never postpones a continuous stream of changes by more than five debounce windows", async () => {
    const { clock, started, noteChange } = setup();
    for (let i = 0; i < 12; i++) {
      noteChange();
      await clock.advance(MIN);
    }
    expect(started().length).toBeGreaterThanOrEqual(1);
    expect(started()[0]!.backupName).toBe("apim-weu-20261201T081000000Z.apimbackup");
  });

  it("follows a backup with another when changes arrive while it runs", async () => {
    const { clock, scheduler, started, noteChange } = setup();
    noteChange();
    await clock.advance(2 * MIN); // backup starts, runs for 1 min
    expect(scheduler.status().running).toBe("change");
    await clock.advance(30_000);
    noteChange(); // may be missing from the running backup
    await clock.advance(30_000);
    expect(scheduler.status().unbackedChanges).toBe(1);
    await clock.advance(3 * MIN);
    expect(started()).toHaveLength(2);
    expect(scheduler.status().unbackedChanges).toBe(0);
  });

  it("waits while the primary has a management operation in progress", async () => {
    const { clock, events, scheduler, started, setProvisioningState } = setup();
    setProvisioningState("Updating");
    scheduler.requestBackup();
    await clock.advance(2 * MIN);
    expect(started()).toHaveLength(0);
    expect(events.some((e) => e.type === "backup.progress" && e.progress.type === "waitingForService")).toBe(true);
    setProvisioningState("Succeeded");
    await clock.advance(2 * MIN);
    expect(started()).toHaveLength(1);
  });

  it("retries a 409 and throttling with backoff, honoring Retry-After, and reports each failure", async () => {
    const { clock, apim, events, scheduler, started } = setup();
    apim.failNext.beginBackup = [
      new AzureOperationError("Another operation is in progress on the service", "Conflict", 409, true),
      new AzureOperationError("Too many requests", "TooManyRequests", 429, true, 5 * MIN),
    ];
    scheduler.requestBackup();
    await clock.advance(0);
    const failures = () => events.filter((e) => e.type === "backup.failed");
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatchObject({ error: "Another operation is in progress on the service (Conflict, HTTP 409)", attempt: 1, retryInMs: 30_000 });
    await clock.advance(30_000);
    expect(failures()[1]).toMatchObject({ error: "Too many requests (TooManyRequests, HTTP 429)", attempt: 2, retryInMs: 5 * MIN });
    expect(scheduler.status().lastError).toBe("Too many requests (TooManyRequests, HTTP 429)");
    await clock.advance(5 * MIN + 2 * MIN);
    expect(started()).toHaveLength(1);
    expect(scheduler.status().lastError).toBeNull();
  });

  it("deletes backups past retention but always keeps the newest N", async () => {
    const { clock, events, scheduler, blobs, put } = setup({ retention: { retentionMs: 7 * DAY, keepLatest: 2 } });
    for (const [name, daysAgo] of [["a", 40], ["b", 20], ["c", 10], ["d", 1]] as const) {
      put({ name: `apim-weu-${name}.apimbackup`, takenAt: clock.now() - daysAgo * DAY, sourceServiceId: PRIMARY_ID.toLowerCase(), sku: "Premium", sizeBytes: 1 });
    }
    put({ name: "other-service.apimbackup", takenAt: clock.now() - 40 * DAY, sourceServiceId: "/subscriptions/x/other", sku: "Premium", sizeBytes: 1 });
    scheduler.requestBackup();
    await clock.advance(2 * MIN);
    expect([...(await blobs()).keys()].sort()).toEqual(["apim-weu-20261201T080000000Z.apimbackup", "apim-weu-d.apimbackup", "other-service.apimbackup"]);
    expect(events.filter((e) => e.type === "backup.deleted").map((e) => (e as { name: string }).name).sort()).toEqual([
      "apim-weu-a.apimbackup",
      "apim-weu-b.apimbackup",
      "apim-weu-c.apimbackup",
    ]);
  });

  it("holds back while not allowed (a failover drives the services) and backs up the changes once allowed", async () => {
    let refusal: string | null = "the pair is failingOver.restoring";
    const { clock, events, scheduler, started, noteChange } = setup({ allowed: () => refusal });
    noteChange();
    await clock.advance(2 * MIN);
    expect(started()).toHaveLength(0);
    expect(events.filter((e) => e.type === "backup.skipped")).toEqual([
      { type: "backup.skipped", pair: "contoso", trigger: "change", reason: "the pair is failingOver.restoring", at: Date.parse("2026-12-01T08:02:00Z") },
    ]);
    refusal = null;
    await clock.advance(2 * MIN);
    expect(started()).toHaveLength(1);
    expect(scheduler.status().unbackedChanges).toBe(0);
  });

  it("stops retrying a failed backup once a failover has started, and backs up after it", async () => {
    let refusal: string | null = null;
    const { clock, apim, scheduler, events, started } = setup({ allowed: () => refusal });
    apim.failNext.beginBackup = [new AzureOperationError("management plane unreachable", "ServiceUnavailable", 503, true)];
    scheduler.requestBackup();
    await clock.advance(0);
    expect(events.filter((e) => e.type === "backup.failed")).toHaveLength(1);
    refusal = "the pair is failingOver.restoring";
    await clock.advance(30_000); // the retry is due, but a failover now drives the services
    expect(started()).toHaveLength(0);
    expect(events.at(-1)).toMatchObject({ type: "backup.skipped", trigger: "manual", reason: "the pair is failingOver.restoring" });
    refusal = null;
    await clock.advance(2 * 60_000); // the held-back request is still there
    expect(started()).toHaveLength(1);
  });

  it("reports a retention failure without failing the backup", async () => {
    const { clock, store, events, scheduler } = setup();
    scheduler.requestBackup();
    // The third listing is retention's (the fake APIM writing the blob lists first, then the controller finds the blob it annotated).
    const list = store.list.bind(store);
    let listings = 0;
    store.list = async (container) => {
      if (++listings === 3) throw new AzureOperationError("storage unreachable", "ServiceUnavailable", 503, true);
      return list(container);
    };
    await clock.advance(2 * MIN);
    expect(types(events)).toEqual(["backup.started", "backup.completed", "backup.retentionFailed"]);
  });
});
