import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { createAzureAdapters, type AzureAdapters, type AzureAdapterSettings } from "../../../src/azure/index.js";
import { AzureApimAdapter, locationResumeToken } from "../../../src/azure/apim.js";
import type { BackupLocation, OperationProgress, StorageAccess } from "../../../src/ports/apim.js";
import { AzureOperationError } from "../../../src/ports/errors.js";

const CONTAINER = "apim-backups";
const DAY = 86_400_000;

function settingsFor(sim: SimulatedAzure, extra: Partial<AzureAdapterSettings> = {}): AzureAdapterSettings {
  return {
    armEndpoint: sim.armEndpoint,
    caCertPem: sim.caCertPem,
    credential: { type: "simulator" },
    lroPollIntervalMs: 50,
    // One quick retry keeps throttling tests short while still exercising the SDK's retry policy.
    retry: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 200 },
    metricsEndpoint: sim.metricsEndpoint,
    logsEndpoint: sim.logsEndpoint,
    backupStorage: {
      blobEndpoint: sim.storage.blobEndpoint,
      auth: { type: "accountKey", accountName: sim.storage.accountName, accountKey: sim.storage.accountKey },
    },
    ...extra,
  };
}

function failureOf(promise: Promise<unknown>): Promise<AzureOperationError> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(AzureOperationError);
      return error as AzureOperationError;
    },
  );
}

/** A request to a regional gateway addressed with the custom hostname, as clients send it. */
function gatewayGet(url: string, host: string, path = "/status-0123456789abcdef"): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers: { host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("production adapters against the simulated Azure", () => {
  let sim: SimulatedAzure;
  let azure: AzureAdapters;
  let backupCounter = 0;

  beforeAll(async () => {
    sim = await startSimulatedAzure({ backupDurationMs: 200, restoreDurationMs: 400, retryAfterSeconds: 0 });
    azure = createAzureAdapters(settingsFor(sim));
  });
  afterAll(async () => {
    await sim?.stop();
  });
  afterEach(() => {
    sim.clearAllFaults();
  });

  const location = (access: StorageAccess, backupName = `backup-${++backupCounter}.apimbackup`): BackupLocation => ({
    storageAccount: sim.storage.accountName,
    containerName: CONTAINER,
    backupName,
    access,
  });
  const accessKey = (): StorageAccess => ({ type: "AccessKey", accessKey: sim.storage.accountKey });

  describe("APIM", () => {
    it("reads the service with its region normalized, SKU, hostnames, identity and etag", async () => {
      const service = await azure.apim.getService(sim.services.primary.id);
      expect(service.id.toLowerCase()).toBe(sim.services.primary.id.toLowerCase());
      expect(service).toMatchObject({
        name: sim.world.primary.name,
        region: "westeurope",
        skuName: "Premium",
        skuCapacity: 1,
        provisioningState: "Succeeded",
      });
      expect(service.hostnames).toContainEqual({
        type: "Proxy",
        hostName: sim.customHostname,
        certificateThumbprint: sim.world.certificateThumbprint,
        certificateExpiry: "2036-01-01T07:00:00.000Z",
        keyVaultId: sim.world.primary.certificate.keyVaultId,
      });
      expect(service.identity?.userAssignedClientIds).toEqual(sim.world.primary.userAssignedClientIds);
      expect(service.identity?.principalId).toBeTruthy();
      expect(service.etag).toBeTruthy();
    });

    it("reports a service that does not exist with ARM's code and message", async () => {
      const missing = sim.services.primary.id.replace(/[^/]+$/, "apim-nowhere");
      const error = await failureOf(azure.apim.getService(missing));
      expect(error).toMatchObject({ code: "ResourceNotFound", statusCode: 404, retryable: false });
      expect(error.message).toMatch(/^reading API Management service apim-nowhere failed: The Resource 'Microsoft.ApiManagement\/service\/apim-nowhere'/);
    });

    it("polls a running backup at its own pace, not at APIM's Retry-After of 60 s, and reads its end from the operation", async () => {
      const backup = await azure.apim.beginBackup(sim.services.primary.id, location(accessKey()));
      const readsBefore = sim.stats().arm.reads;
      const progress: OperationProgress[] = [];
      await azure.apim.waitForOperation(backup, { onProgress: (p) => progress.push(p) });
      // A 200 ms backup polled every 50 ms: several polls, each answered `Retry-After: 60`, none waited for.
      expect(progress.filter((p) => p.status === "running").length).toBeGreaterThanOrEqual(2);
      expect(sim.stats().arm.reads - readsBefore).toBeGreaterThanOrEqual(2);
      expect(progress.at(-1)).toMatchObject({ status: "succeeded" });
    });

    it("sees the end of a restore through the resource group's service list when its own polls are a minute apart", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      // Own-pace polls every 60 s: only the list (every 50 ms here) can tell this adapter that the 400 ms restore ended.
      const apim = new AzureApimAdapter({ credential: azure.credential, client: { armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem }, pollIntervalMs: 60_000, watchIntervalMs: 50 });
      const before = sim.stats().services[sim.world.standby.name]!;
      const progress: OperationProgress[] = [];
      await apim.waitForOperation(await apim.beginRestore(sim.services.standby.id, backupAt), { onProgress: (p) => progress.push(p) });
      expect(progress.at(-1)).toMatchObject({ status: "succeeded" });
      expect(sim.stats().services[sim.world.standby.name]!.restores.succeeded - before.restores.succeeded).toBe(1);
    }, 30_000);

    it("reads a failed restore's error from the operation once the list shows the service out of Updating", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      const apim = new AzureApimAdapter({ credential: azure.credential, client: { armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem }, pollIntervalMs: 60_000, watchIntervalMs: 50 });
      await sim.fault("restore-failure", { service: sim.world.standby.name }, { count: 1 });
      const error = await failureOf(apim.waitForOperation(await apim.beginRestore(sim.services.standby.id, backupAt)));
      expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
    }, 30_000);

    const accessTypes: [string, () => StorageAccess][] = [
      ["AccessKey", accessKey],
      ["SystemAssignedManagedIdentity", () => ({ type: "SystemAssignedManagedIdentity" })],
      ["UserAssignedManagedIdentity", () => ({ type: "UserAssignedManagedIdentity", clientId: sim.world.standby.userAssignedClientIds[0]! })],
    ];
    it.each(accessTypes)("backs up the primary and restores it into the standby with %s", async (_, access) => {
      const primaryRevision = sim.change(sim.world.primary.name, 2);
      const before = sim.stats().services[sim.world.standby.name]!;
      const backupAt = location(access());

      const backup = await azure.apim.beginBackup(sim.services.primary.id, backupAt);
      const progress: OperationProgress[] = [];
      await azure.apim.waitForOperation(backup, { onProgress: (p) => progress.push(p) });

      expect(backup).toMatchObject({ kind: "backup", serviceId: sim.services.primary.id, backupName: backupAt.backupName });
      expect(progress.at(-1)).toMatchObject({ status: "succeeded" });
      expect(progress[0]?.operationId).toMatch(/\/operationresults\//);
      const listed = await azure.backups!.list(CONTAINER);
      expect(listed.map((b) => b.name)).toContain(backupAt.backupName);

      const restore = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      await azure.apim.waitForOperation(restore);

      const after = sim.stats().services[sim.world.standby.name]!;
      expect(after.restoredFromRevision).toBe(primaryRevision);
      expect(after.restores.started - before.restores.started).toBe(1);
      expect(after.restores.succeeded - before.restores.succeeded).toBe(1);
    });

    it("resumes a restore from its token after the original poller is gone, without starting a second restore", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      const before = sim.stats().services[sim.world.standby.name]!.restores;

      const handle = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      // A restarted controller: new adapters, only the persisted handle survives.
      const persisted = JSON.parse(JSON.stringify(handle)) as typeof handle;
      const restarted = createAzureAdapters(settingsFor(sim));
      const statuses: string[] = [];
      await restarted.apim.waitForOperation(persisted, { onProgress: (p) => statuses.push(p.status) });

      const after = sim.stats().services[sim.world.standby.name]!.restores;
      expect(after.started - before.started).toBe(1);
      expect(after.succeeded - before.succeeded).toBe(1);
      expect(statuses.at(-1)).toBe("succeeded");
    });

    it("follows an operation known only by the Location ARM answered (accepted before the SDK could give a token) to its end", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      const before = sim.stats().services[sim.world.standby.name]!.restores;
      const handle = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      expect(handle.operationId).toMatch(/\/operationresults\//);
      const byLocation = { ...handle, resumeToken: locationResumeToken(handle.operationId!) };
      const statuses: string[] = [];
      await createAzureAdapters(settingsFor(sim)).apim.waitForOperation(byLocation, { onProgress: (p) => statuses.push(p.status) });
      const after = sim.stats().services[sim.world.standby.name]!.restores;
      expect([after.started - before.started, after.succeeded - before.succeeded]).toEqual([1, 1]);
      expect(statuses.at(-1)).toBe("succeeded");

      await sim.fault("restore-failure", { service: sim.world.standby.name }, { count: 1 });
      // The simulated restore fails when it ends (after 400 ms), so it is accepted and running first.
      const failing = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      const error = await failureOf(azure.apim.waitForOperation({ ...failing, resumeToken: locationResumeToken(failing.operationId!) }));
      expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
    });

    it("resumes from a mid-operation token reported by onProgress", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      const before = sim.stats().services[sim.world.standby.name]!.restores;
      const handle = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      const aborter = new AbortController();
      let latest: string | undefined;
      const first = azure.apim.waitForOperation(handle, {
        signal: aborter.signal,
        onProgress: (p) => {
          if (p.resumeToken) {
            latest = p.resumeToken;
            aborter.abort(new Error("controller stopping"));
          }
        },
      });
      await expect(first).rejects.toThrow("controller stopping");
      expect(latest).toBeDefined();

      await createAzureAdapters(settingsFor(sim)).apim.waitForOperation({ ...handle, resumeToken: latest! });
      const after = sim.stats().services[sim.world.standby.name]!.restores;
      expect(after.started - before.started).toBe(1);
      expect(after.succeeded - before.succeeded).toBe(1);
    });

    it("fails a restore of an expired backup with APIM's message", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      await azure.backups!.annotate(CONTAINER, backupAt.backupName, { sourceServiceId: sim.services.primary.id, sku: "Premium", takenAt: Date.now() });
      const annotated = (await azure.backups!.list(CONTAINER)).find((b) => b.name === backupAt.backupName)!;
      await sim.fault("clock-shift", {}, { byMs: 31 * DAY });
      const shifted = (await azure.backups!.list(CONTAINER)).find((b) => b.name === backupAt.backupName)!;
      expect(annotated.takenAt - shifted.takenAt).toBe(31 * DAY);

      // The failure may already surface from beginRestore's first poll; either way it is APIM's code and message.
      const error = await failureOf(azure.apim.beginRestore(sim.services.standby.id, backupAt).then((h) => azure.apim.waitForOperation(h)));
      expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
      expect(error.message).toBe(`restore of ${backupAt.backupName} into service ${sim.world.standby.name} failed: Cannot restore: backup expired`);
    });

    it("rejects a wrong access key synchronously with the storage error", async () => {
      const error = await failureOf(azure.apim.beginBackup(sim.services.primary.id, location({ type: "AccessKey", accessKey: "d3Jvbmc=" })));
      expect(error).toMatchObject({ code: "InvalidParameters", statusCode: 400, retryable: false });
      expect(error.message).toContain("(403) Forbidden. The access key does not authorize access to the storage account.");
    });

    it("answers 409 PessimisticConcurrencyConflict while another operation runs on the service", async () => {
      const running = await azure.apim.beginBackup(sim.services.primary.id, location(accessKey()));
      const error = await failureOf(azure.apim.beginRestore(sim.services.primary.id, location(accessKey(), "whatever.apimbackup")));
      expect(error).toMatchObject({ code: "PessimisticConcurrencyConflict", statusCode: 409, retryable: false });
      expect(error.message).toMatch(/^restore of whatever\.apimbackup into service apim-contoso-weu failed: Operation on the service is in progress/);
      await azure.apim.waitForOperation(running);
    });

    it("rides out one 429 by honouring Retry-After, and reports persistent throttling as retryable with the delay", async () => {
      await sim.fault("throttle", { service: sim.world.primary.name }, { count: 1, retryAfterSeconds: 1 });
      await expect(azure.apim.getService(sim.services.primary.id)).resolves.toMatchObject({ name: sim.world.primary.name });
      expect(sim.stats().faults).toEqual([]);

      await sim.fault("throttle", { service: sim.world.primary.name }, { count: 5, retryAfterSeconds: 1 });
      const error = await failureOf(azure.apim.getService(sim.services.primary.id));
      expect(error).toMatchObject({ code: "TooManyRequests", statusCode: 429, retryable: true, retryAfterMs: 1000 });
    });

    it("keeps polling an accepted backup through a throttled poll", async () => {
      const before = sim.stats().services[sim.world.primary.name]!.backups;
      const handle = await azure.apim.beginBackup(sim.services.primary.id, location(accessKey()));
      await sim.fault("throttle", { service: sim.world.primary.name }, { count: 1, retryAfterSeconds: 0 });
      await azure.apim.waitForOperation(handle);
      expect(sim.stats().faults).toEqual([]); // the 429 was answered to a poll, and retried
      const after = sim.stats().services[sim.world.primary.name]!.backups;
      expect([after.started - before.started, after.succeeded - before.succeeded]).toEqual([1, 1]);
    });

    it("surfaces a management plane that is down as retryable ServiceUnavailable", async () => {
      await sim.fault("region-outage", { region: "westeurope" }, { managementPlane: "down" });
      const error = await failureOf(azure.apim.getService(sim.services.primary.id));
      expect(error).toMatchObject({ code: "ServiceUnavailable", statusCode: 503, retryable: true });
    });

    it("reports a restore that fails while running, through the poll", async () => {
      const backupAt = location(accessKey());
      await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backupAt));
      await sim.fault("restore-failure", { service: sim.world.standby.name }, { count: 1 });
      const handle = await azure.apim.beginRestore(sim.services.standby.id, backupAt);
      const error = await failureOf(azure.apim.waitForOperation(handle));
      expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
      expect(error.message).toBe(
        `restore of ${backupAt.backupName} into service ${sim.world.standby.name} failed: Restore operation failed due to an internal error in the service. Retry the operation.`,
      );
    });
  });

  describe("DNS", () => {
    it("reads the CNAME, writes it with the etag, and refuses a stale etag with PreconditionFailed", async () => {
      const current = await azure.dns.getCname(sim.dns.zoneId, sim.dns.recordName);
      expect(current).toMatchObject({ cname: sim.services.primary.gatewayHost, ttl: sim.world.ttl });
      const writesBefore = sim.stats().dns[`${sim.dns.recordName}.${sim.dns.zoneName}`]!.writes;

      const written = await azure.dns.setCname(sim.dns.zoneId, sim.dns.recordName, { cname: sim.services.standby.gatewayHost, ttl: 30 }, { ifMatch: current!.etag });
      expect(written).toMatchObject({ cname: sim.services.standby.gatewayHost, ttl: 30 });
      expect(written.etag).not.toBe(current!.etag);
      expect(await azure.dns.getCname(sim.dns.zoneId, sim.dns.recordName)).toEqual(written);

      const stale = await failureOf(
        azure.dns.setCname(sim.dns.zoneId, sim.dns.recordName, { cname: sim.services.primary.gatewayHost, ttl: 30 }, { ifMatch: current!.etag }),
      );
      expect(stale).toMatchObject({ code: "PreconditionFailed", statusCode: 412, retryable: false });
      expect(stale.message).toMatch(/^writing CNAME api → apim-contoso-weu\.azure-api\.net in zone contoso\.example failed: The condition .* in the If-Match header was not satisfied/);
      expect(sim.stats().dns[`${sim.dns.recordName}.${sim.dns.zoneName}`]!.writes - writesBefore).toBe(1);
    });

    it("detects a record changed behind the controller's back", async () => {
      const seen = (await azure.dns.getCname(sim.dns.zoneId, sim.dns.recordName))!;
      await sim.fault("dns-tamper", {}, { cname: "evil.azure-api.net" });
      const error = await failureOf(azure.dns.setCname(sim.dns.zoneId, sim.dns.recordName, { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifMatch: seen.etag }));
      expect(error.code).toBe("PreconditionFailed");
      expect((await azure.dns.getCname(sim.dns.zoneId, sim.dns.recordName))?.cname).toBe("evil.azure-api.net");
    });

    it("returns null for an absent record, creates it with If-None-Match, and refuses to create it twice", async () => {
      expect(await azure.dns.getCname(sim.dns.zoneId, "drill")).toBeNull();
      const created = await azure.dns.setCname(sim.dns.zoneId, "drill", { cname: sim.services.standby.gatewayHost, ttl: 60 }, { ifNoneMatch: "*" });
      expect(created.cname).toBe(sim.services.standby.gatewayHost);
      const again = await failureOf(azure.dns.setCname(sim.dns.zoneId, "drill", { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifNoneMatch: "*" }));
      expect(again).toMatchObject({ code: "PreconditionFailed", statusCode: 412 });
    });

    it("does not mistake a missing resource group for an absent record", async () => {
      const otherGroup = sim.dns.zoneId.replace(`/resourceGroups/${sim.resourceGroup}/`, "/resourceGroups/rg-elsewhere/");
      const error = await failureOf(azure.dns.getCname(otherGroup, sim.dns.recordName));
      expect(error).toMatchObject({ code: "ResourceGroupNotFound", statusCode: 404 });
    });
  });

  describe("Resource Health", () => {
    it("is Available normally and Unavailable, platform-initiated, during a region outage", async () => {
      expect(await azure.resourceHealth.currentAvailability(sim.services.primary.id)).toMatchObject({ state: "Available" });

      await sim.fault("region-outage", { region: "westeurope" });
      const during = await azure.resourceHealth.currentAvailability(sim.services.primary.id);
      expect(during).toMatchObject({ state: "Unavailable", reasonType: "Unplanned", cause: "PlatformInitiated" });
      expect(during.summary).toContain("unavailable");
      expect(Date.parse(during.occurredAt!)).toBeGreaterThan(0);
      expect((await azure.resourceHealth.currentAvailability(sim.services.standby.id)).state).toBe("Available");
    });

    it("lists a resource group's statuses in one read, by lower-case resource id", async () => {
      const group = /\/resourceGroups\/([^/]+)\//i.exec(sim.services.primary.id)![1]!;
      await sim.fault("region-outage", { region: "westeurope" });
      const readsBefore = sim.stats().arm.reads;
      const statuses = await azure.resourceHealth.availabilityInGroup!(sim.subscriptionId, group);
      expect(sim.stats().arm.reads - readsBefore).toBe(1);
      expect(statuses.get(sim.services.primary.id.toLowerCase())).toMatchObject({ state: "Unavailable", reasonType: "Unplanned", cause: "PlatformInitiated" });
      expect(statuses.get(sim.services.standby.id.toLowerCase())).toMatchObject({ state: "Available" });
    });

    it("names the resource group a list could not find", async () => {
      const error = await failureOf(azure.resourceHealth.availabilityInGroup!(sim.subscriptionId, "rg-nowhere"));
      expect(error).toMatchObject({ code: "ResourceGroupNotFound", statusCode: 404 });
      expect(error.message).toMatch(/^listing the Resource Health of resource group rg-nowhere failed: Resource group 'rg-nowhere' could not be found/);
    });
  });

  describe("Monitor", () => {
    it("counts real gateway traffic in metrics split by response class and in a log query", async () => {
      const start = Date.now() - 60_000;
      const url = sim.gateways.westeurope!;
      for (let i = 0; i < 4; i++) expect(await gatewayGet(url, sim.customHostname)).toBe(200);
      await sim.fault("degrade", { region: "westeurope" }, { errorPercent: 100 });
      for (let i = 0; i < 3; i++) expect(await gatewayGet(url, sim.customHostname)).toBe(500);
      const timespan = { start, end: Date.now() + 60_000 };

      const metrics = await azure.monitor.queryMetrics([sim.services.primary.id], ["Requests"], {
        timespan,
        interval: "PT1M",
        aggregation: "Total",
        filter: "GatewayResponseCodeCategory eq '*'",
      });
      expect(metrics.failures).toEqual([]);
      const totals = Object.fromEntries(
        metrics.series.map((s) => [s.dimensions.GatewayResponseCodeCategory ?? s.dimensions.gatewayresponsecodecategory, s.points.reduce((n, p) => n + (p.total ?? 0), 0)]),
      );
      expect(totals).toEqual({ "2xx": 4, "5xx": 3 });

      const rows = await azure.monitor.queryLogs(
        sim.workspaceId,
        "ApiManagementGatewayLogs | summarize Total = count(), Failed = countif(ResponseCode >= 500) by Region",
        timespan,
      );
      expect(rows).toEqual([{ Region: "West Europe", Total: 4 + 3, Failed: 3 }]);
    });

    it("reports an unsupported query with the service's explanation", async () => {
      const error = await failureOf(azure.monitor.queryLogs(sim.workspaceId, "AzureActivity | render timechart", { start: Date.now() - 60_000, end: Date.now() }));
      expect(error.statusCode).toBe(400);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/^running the log query on workspace .* failed: /);
    });
  });
});

describe("restore into a standby of another SKU", () => {
  let sim: SimulatedAzure;
  beforeAll(async () => {
    sim = await startSimulatedAzure({ backupDurationMs: 100, restoreDurationMs: 100, retryAfterSeconds: 0, world: { standby: { skuName: "Developer" } } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("fails with APIM's SKU mismatch message naming both SKUs", async () => {
    const azure = createAzureAdapters(settingsFor(sim));
    const at: BackupLocation = { storageAccount: sim.storage.accountName, containerName: CONTAINER, backupName: "sku.apimbackup", access: { type: "AccessKey", accessKey: sim.storage.accountKey } };
    await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, at));
    const error = await failureOf(azure.apim.beginRestore(sim.services.standby.id, at).then((h) => azure.apim.waitForOperation(h)));
    expect(error).toMatchObject({ code: "RestoreFailed", retryable: false });
    expect(error.message).toBe(`restore of sku.apimbackup into service ${sim.world.standby.name} failed: Cannot restore: current SKU is 'Developer', backup SKU is 'Premium'`);
    expect(sim.stats().services[sim.world.standby.name]!.restores).toEqual({ started: 1, succeeded: 0, failed: 1 });
  });
});
