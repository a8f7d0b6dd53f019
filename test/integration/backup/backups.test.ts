import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { createAzureAdapters, type AzureAdapters } from "../../../src/azure/index.js";
import { systemClock } from "../../../src/ports/clock.js";
import { BackupScheduler, memoryChangeLedger, type BackupEvent, type BackupPlan } from "../../../src/backup/scheduler.js";
import { findNewestBackup } from "../../../src/backup/latest-backup.js";
import { rpoStatus } from "../../../src/backup/rpo.js";

const CONTAINER = "apim-backups";
const DAY = 86_400_000;

/** The backup scheduler with the production adapters against the simulated APIM and its Azurite. */
describe("backups against the simulator", () => {
  let sim: SimulatedAzure;
  let azure: AzureAdapters;
  const clock = systemClock();
  const running: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    sim = await startSimulatedAzure({ backupDurationMs: 300, restoreDurationMs: 1_500, retryAfterSeconds: 0 });
    azure = createAzureAdapters({
      armEndpoint: sim.armEndpoint,
      caCertPem: sim.caCertPem,
      credential: { type: "simulator" },
      lroPollIntervalMs: 50,
      retry: { maxRetries: 0 },
      backupStorage: { blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountName: sim.storage.accountName, accountKey: sim.storage.accountKey } },
    });
  });
  afterEach(async () => {
    while (running.length) await running.pop()!();
    sim.clearAllFaults();
  });
  afterAll(() => sim?.stop());

  function start(overrides: Partial<BackupPlan> = {}) {
    const events: BackupEvent[] = [];
    const plan: BackupPlan = {
      pair: "contoso",
      protectedServiceId: () => sim.services.primary.id,
      storageAccount: sim.storage.accountName,
      container: CONTAINER,
      access: () => ({ type: "AccessKey", accessKey: sim.storage.accountKey }),
      schedule: "0 0 1 1 *",
      changeDebounceMs: 300,
      retention: { retentionMs: 30 * DAY, keepLatest: 3 },
      retry: { baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 20 },
      serviceBusyPollMs: 200,
      ...overrides,
    };
    const changes = memoryChangeLedger();
    const scheduler = new BackupScheduler(plan, { apim: azure.apim, store: azure.backups!, clock, changes }, (e) => events.push(e));
    const controller = new AbortController();
    const done = scheduler.run(controller.signal);
    running.push(async () => {
      controller.abort();
      await done;
    });
    return { scheduler, events, changes };
  }

  const primaryStats = () => sim.stats().services[sim.services.primary.name]!;
  async function until(what: string, ok: () => boolean, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const completed = (events: BackupEvent[]) => events.filter((e) => e.type === "backup.completed");

  it("takes a backup through ARM that lands in storage with its source, SKU and time, and is found as the newest", async () => {
    const before = primaryStats().backups.succeeded;
    const { scheduler, events } = start();
    scheduler.requestBackup();
    await until("the backup", () => completed(events).length === 1);
    expect(primaryStats().backups.succeeded).toBe(before + 1);
    const name = (completed(events)[0] as Extract<BackupEvent, { type: "backup.completed" }>).backup.name;
    expect(name).toMatch(/^apim-contoso-weu-\d{8}T\d{9}Z\.apimbackup$/);
    const latest = (await findNewestBackup(azure.backups!, CONTAINER, sim.services.primary.id, null, clock.now())).newest;
    expect(latest?.backup).toMatchObject({ name, sourceServiceId: sim.services.primary.id.toLowerCase(), sku: "Premium" });
    expect(rpoStatus(latest, 60 * 60_000, 0).breached).toBe(false);
  });

  it("coalesces a burst of configuration changes into one backup", async () => {
    const before = primaryStats().backups.started;
    const { scheduler, events, changes } = start();
    for (let i = 0; i < 4; i++) {
      sim.change(sim.services.primary.name);
      changes.note(clock.now());
      scheduler.changeNoted();
    }
    // Retention runs after the completed event, while the backup still counts as running.
    await until("the change-triggered backup and its retention", () => completed(events).length === 1 && scheduler.status().running === null);
    expect(primaryStats().backups.started).toBe(before + 1);
    // Nothing is owed a backup any more, so none is due until the yearly schedule: the burst cost exactly one.
    const status = scheduler.status();
    expect(status).toMatchObject({ running: null, unbackedChanges: 0 });
    expect(status.nextScheduledAt).toBeGreaterThan(clock.now() + DAY);
    expect(events.filter((e) => e.type === "backup.started")).toHaveLength(1);
  });

  it("retries through a storage outage, reporting each failure, and succeeds once storage is back", async () => {
    await sim.fault("storage-outage", {}, {});
    const { scheduler, events } = start();
    scheduler.requestBackup();
    await until("a reported failure", () => events.some((e) => e.type === "backup.failed"));
    const failure = events.find((e) => e.type === "backup.failed") as Extract<BackupEvent, { type: "backup.failed" }>;
    expect(failure.error).toMatch(/^backup of service apim-contoso-weu to \S+ failed: Failed to connect to storage account 'devstoreaccount1'.* \(BackupFailed(, HTTP \d+)?\)$/);
    expect(completed(events)).toHaveLength(0);
    sim.clearAllFaults();
    await until("the backup after the outage", () => completed(events).length === 1);
  });

  it("rides out throttling (429 with Retry-After) and reports it", async () => {
    await sim.fault("throttle", {}, { count: 3, retryAfterSeconds: 0 });
    const { scheduler, events } = start();
    scheduler.requestBackup();
    await until("the backup", () => completed(events).length === 1);
    const failures = events.filter((e) => e.type === "backup.failed") as Array<Extract<BackupEvent, { type: "backup.failed" }>>;
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures[0]!.error).toMatch(/\(TooManyRequests, HTTP 429\)$/);
  });

  it("waits while another operation runs on the primary, then backs up", async () => {
    // A restore into the primary keeps it busy (provisioningState Updating, and ARM answers 409 to a second operation).
    const { scheduler: first, events: firstEvents } = start();
    first.requestBackup();
    await until("a backup to restore", () => completed(firstEvents).length === 1);
    const name = (completed(firstEvents)[0] as Extract<BackupEvent, { type: "backup.completed" }>).backup.name;
    await azure.apim.beginRestore(sim.services.primary.id, { storageAccount: sim.storage.accountName, containerName: CONTAINER, backupName: name, access: { type: "AccessKey", accessKey: sim.storage.accountKey } });
    const { scheduler, events } = start();
    scheduler.requestBackup();
    await until("the wait to be reported", () => events.some((e) => e.type === "backup.progress" && e.progress.type === "waitingForService"));
    expect(completed(events)).toHaveLength(0);
    await until("the backup after the restore", () => completed(events).length === 1);
  });

  it("ages backups with clock-shift: an expired newest backup is an RPO breach, and retention deletes all but the newest N", async () => {
    const { scheduler, events } = start({ retention: { retentionMs: 30 * DAY, keepLatest: 1 } });
    scheduler.requestBackup();
    await until("a backup", () => completed(events).length === 1);
    await sim.fault("clock-shift", {}, { byMs: 31 * DAY });
    const aged = (await findNewestBackup(azure.backups!, CONTAINER, sim.services.primary.id, null, clock.now())).newest;
    expect(aged?.expired).toBe(true);
    expect(rpoStatus(aged, 60 * 60_000, 0).reason).toContain("has expired (APIM cannot restore backups older than 30 days)");
    const ofPrimary = async () => (await azure.backups!.list(CONTAINER)).filter((b) => b.sourceServiceId === sim.services.primary.id.toLowerCase() || b.name.startsWith("apim-contoso-weu-"));
    // Earlier tests left backups of the primary in the container: retention must delete every one of them.
    const olderCount = (await ofPrimary()).length;
    scheduler.requestBackup();
    await until("a second backup", () => completed(events).length === 2);
    await until("retention", () => events.filter((e) => e.type === "backup.deleted").length === olderCount);
    const left = await ofPrimary();
    expect(left.map((b) => b.name)).toEqual([(completed(events)[1] as Extract<BackupEvent, { type: "backup.completed" }>).backup.name]);
  });
});
