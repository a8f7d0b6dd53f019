import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimEvent, type SimulatedAzure } from "../../../src/sim/index.js";
import { BlobRestClient } from "../../../src/sim/storage/blob-rest.js";
import { httpGatewayProbe } from "../../../src/signals/probes/http-gateway-probe.js";
import { arm, gateway, pollToEnd } from "./client.js";

const API = "api-version=2024-05-01";
let sim: SimulatedAzure;
const events: SimEvent[] = [];
const call = (method: string, path: string, options?: Parameters<typeof arm>[4]) => arm(sim.caCertPem, sim.armEndpoint, method, path, options);

function storageBody(backupName: string, extra: Record<string, unknown> = {}) {
  return { storageAccount: sim.storage.accountName, containerName: "apim-backups", backupName, accessKey: sim.storage.accountKey, ...extra };
}

async function runOperation(serviceId: string, kind: "backup" | "restore", body: unknown) {
  const started = await call("POST", `${serviceId}/${kind}?${API}`, { body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return pollToEnd(sim.caCertPem, sim.armEndpoint, String(started.headers.location));
}

beforeAll(async () => {
  sim = await startSimulatedAzure({ backupDurationMs: 150, restoreDurationMs: 250, retryAfterSeconds: 1 });
  sim.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await sim?.stop();
});

describe("ARM front door", () => {
  it("requires a bearer token and an api-version, answering ARM error JSON", async () => {
    const noAuth = await call("GET", `${sim.services.primary.id}?${API}`, { auth: false });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error.code).toBe("AuthenticationFailed");
    const noVersion = await call("GET", sim.services.primary.id);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body.error).toEqual({ code: "MissingApiVersionParameter", message: "The api-version query parameter (?api-version=) is required for all requests." });
  });

  it("answers unknown resource groups like the real recording (404, x-ms-failure-cause: gateway)", async () => {
    const res = await call("POST", `/subscriptions/${sim.subscriptionId}/resourceGroups/nope/providers/Microsoft.ApiManagement/service/x/restore?${API}`, { body: storageBody("b") });
    expect(res.status).toBe(404);
    expect(res.headers["x-ms-failure-cause"]).toBe("gateway");
    expect(res.body.error).toEqual({ code: "ResourceGroupNotFound", message: "Resource group 'nope' could not be found." });
  });
});

describe("APIM service", () => {
  it("GET returns SKU, display-name location, custom hostname with thumbprint, identity and a quoted ETag header", async () => {
    const res = await call("GET", `${sim.services.primary.id}?${API}`);
    expect(res.status).toBe(200);
    expect(res.body.sku).toEqual({ name: "Premium", capacity: 1 });
    expect(res.body.location).toBe("West Europe");
    expect(res.body.properties.provisioningState).toBe("Succeeded");
    expect(res.body.properties.gatewayUrl).toBe("https://apim-contoso-weu.azure-api.net");
    const custom = res.body.properties.hostnameConfigurations.find((h: { hostName: string }) => h.hostName === "api.contoso.example");
    expect(custom).toMatchObject({ type: "Proxy", certificate: { thumbprint: sim.world.certificateThumbprint } });
    expect(res.body.identity.type).toBe("SystemAssigned, UserAssigned");
    expect(res.headers.etag).toBe(`"${res.body.etag}"`);
  });

  it("backup is a 202 + Location LRO polled to 200, writing a real blob with the revision it started at", async () => {
    const primary = sim.services.primary;
    sim.change(primary.name, 2);
    const started = await call("POST", `${primary.id}/backup?${API}`, { body: storageBody("weu-1.apimbackup") });
    expect(started.status).toBe(202);
    expect(started.body).toBeUndefined();
    expect(started.headers["retry-after"]).toBe("60"); // what real APIM sends, by default
    expect(String(started.headers.location)).toMatch(/\/operationresults\/[A-Za-z0-9+/]+==\?api-version=2024-05-01$/);
    expect(started.headers["azure-asyncoperation"]).toBeUndefined();
    const during = await call("GET", `${primary.id}?${API}`);
    expect(during.body.properties.provisioningState).toBe("Updating");
    const conflict = await call("POST", `${primary.id}/backup?${API}`, { body: storageBody("weu-2.apimbackup") });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe("PessimisticConcurrencyConflict");
    sim.change(primary.name, 1); // made while the backup runs: not in it
    const { final, polls202 } = await pollToEnd(sim.caCertPem, sim.armEndpoint, String(started.headers.location));
    expect(polls202).toBeGreaterThan(0);
    expect(final.status).toBe(200);
    expect(final.body.name).toBe(primary.name);
    const blob = await new BlobRestClient(sim.storage.blobEndpoint, sim.storage.accountName, sim.storage.accountKey).getBlob("apim-backups", "weu-1.apimbackup");
    const payload = JSON.parse(blob!.body);
    expect(payload).toMatchObject({ sourceServiceId: primary.id, sku: "Premium", revision: 2 });
    expect(sim.stats().services[primary.name]!.backups).toEqual({ started: 1, succeeded: 1, failed: 0 });
  });

  it("restore replaces the standby's content: its gateway then serves what the backup held, and lost changes are measurable", async () => {
    const { primary, standby } = sim.services;
    const { final } = await runOperation(standby.id, "restore", storageBody("weu-1.apimbackup", { accessType: "SystemAssignedManagedIdentity", accessKey: undefined }));
    expect(final.status).toBe(200);
    const stats = sim.stats().services;
    expect(stats[standby.name]).toMatchObject({ revision: 2, restoredFromRevision: 2, restoredFromServiceId: primary.id });
    expect(stats[primary.name]!.revision).toBe(3);
    const inBackup = await gateway(sim.gateways[standby.region]!, "/orders/op-r2", sim.customHostname);
    expect(inBackup).toEqual({ status: 200, body: expect.objectContaining({ service: standby.name, revision: 2, operation: "op-r2" }) });
    expect((await gateway(sim.gateways[standby.region]!, "/orders/op-r3", sim.customHostname)).status).toBe(404);
    expect((await gateway(sim.gateways[primary.region]!, "/orders/op-r3", sim.customHostname)).status).toBe(200);
    expect(events).toContainEqual(expect.objectContaining({ type: "configChange", serviceId: standby.id, operation: "restore", revision: 2 }));
  });

  it("refuses a wrong access key and an unknown user-assigned identity synchronously", async () => {
    const wrongKey = await call("POST", `${sim.services.primary.id}/backup?${API}`, { body: storageBody("x", { accessKey: "bm9wZQ==" }) });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.error.code).toBe("InvalidParameters");
    expect(wrongKey.body.error.message).toContain("(403) Forbidden");
    const badClient = await call("POST", `${sim.services.primary.id}/backup?${API}`, {
      body: storageBody("x", { accessType: "UserAssignedManagedIdentity", clientId: "00000000-0000-4000-8000-000000000001", accessKey: undefined }),
    });
    expect(badClient.status).toBe(400);
    expect(badClient.body.error.message).toContain("No user-assigned managed identity with client id '00000000-0000-4000-8000-000000000001'");
  });

  it("fails a restore of a missing blob through the LRO", async () => {
    const { final } = await runOperation(sim.services.standby.id, "restore", storageBody("does-not-exist"));
    expect(final.status).toBe(400);
    expect(final.body.error.code).toBe("InvalidParameters");
    expect(final.body.error.message).toContain("Backup blob 'does-not-exist' was not found");
  });

  it("restore-failure fails the next n restores with RestoreFailed, then restores work again", async () => {
    await sim.fault("restore-failure", { service: sim.services.standby.name }, { count: 1 });
    const first = await runOperation(sim.services.standby.id, "restore", storageBody("weu-1.apimbackup"));
    expect(first.final.status).toBe(400);
    expect(first.final.body.error.code).toBe("RestoreFailed");
    const second = await runOperation(sim.services.standby.id, "restore", storageBody("weu-1.apimbackup"));
    expect(second.final.status).toBe(200);
    expect(sim.stats().faults.filter((f) => f.name === "restore-failure")).toEqual([]);
  });

  it("storage-outage fails backups as unreachable storage", async () => {
    await sim.fault("storage-outage");
    const { final } = await runOperation(sim.services.primary.id, "backup", storageBody("during-outage"));
    expect(final.status).toBe(400);
    expect(final.body.error).toMatchObject({ code: "BackupFailed", message: expect.stringContaining("Failed to connect to storage account 'devstoreaccount1'") });
    sim.clearFault("storage-outage");
  });

  it("clock-shift ages existing backups (content and takenat metadata) until restore says they expired", async () => {
    const blobs = new BlobRestClient(sim.storage.blobEndpoint, sim.storage.accountName, sim.storage.accountKey);
    const before = JSON.parse((await blobs.getBlob("apim-backups", "weu-1.apimbackup"))!.body).takenAt as string;
    await blobs.putBlob("apim-backups", "weu-1.apimbackup", (await blobs.getBlob("apim-backups", "weu-1.apimbackup"))!.body, { takenat: String(Date.parse(before)) });
    await sim.fault("clock-shift", {}, { byMs: 31 * 86_400_000 });
    const shifted = (await blobs.getBlob("apim-backups", "weu-1.apimbackup"))!;
    expect(Date.parse(before) - Date.parse(JSON.parse(shifted.body).takenAt)).toBe(31 * 86_400_000);
    expect(Number(shifted.metadata.takenat)).toBe(Date.parse(before) - 31 * 86_400_000);
    const { final } = await runOperation(sim.services.standby.id, "restore", storageBody("weu-1.apimbackup"));
    expect(final.body.error).toEqual({ code: "RestoreFailed", message: "Cannot restore: backup expired", details: null });
  });

  it("throttle answers 429 with Retry-After n times", async () => {
    await sim.fault("throttle", {}, { count: 1, retryAfterSeconds: 7 });
    const throttled = await call("GET", `${sim.services.primary.id}?${API}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("7");
    expect(throttled.body.error.code).toBe("TooManyRequests");
    expect((await call("GET", `${sim.services.primary.id}?${API}`)).status).toBe(200);
  });
});

describe("regional outage and degradation", () => {
  it("region-outage: gateway 503s, management plane down, Resource Health Unavailable PlatformInitiated; the other region is untouched", async () => {
    const { primary, standby } = sim.services;
    await sim.fault("region-outage", { region: primary.region }, { managementPlane: "down" });
    expect((await gateway(sim.gateways[primary.region]!, "/status-0123456789abcdef", sim.customHostname)).status).toBe(503);
    expect((await gateway(sim.gateways[standby.region]!, "/status-0123456789abcdef", sim.customHostname)).status).toBe(200);
    const mgmt = await call("GET", `${primary.id}?${API}`);
    expect(mgmt.status).toBe(503);
    const health = await call("GET", `${primary.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2022-10-01`);
    expect(health.body.properties).toMatchObject({ availabilityState: "Unavailable", reasonType: "Unplanned", healthEventCause: "PlatformInitiated" });
    const other = await call("GET", `${standby.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2022-10-01`);
    expect(other.body.properties.availabilityState).toBe("Available");
    expect(events).toContainEqual(expect.objectContaining({ type: "fault", name: "region-outage", region: primary.region, active: true }));
    sim.clearFault("region-outage");
    expect((await call("GET", `${primary.id}?${API}`)).status).toBe(200);
  });

  it("lists the resource group's services (ListByResourceGroup) with provisioningState Updating while a restore runs, leaving out a region whose management plane is down", async () => {
    const { primary, standby } = sim.services;
    const group = primary.id.replace(/\/[^/]+$/, "");
    const idle = await call("GET", `${group}?${API}`);
    expect(idle.status).toBe(200);
    expect(idle.body.nextLink).toBeNull();
    expect(idle.body.value.map((s: { name: string }) => s.name).sort()).toEqual([sim.world.primary.name, sim.world.standby.name].sort());
    expect(idle.body.value.map((s: { properties: { provisioningState: string } }) => s.properties.provisioningState)).toEqual(["Succeeded", "Succeeded"]);

    await runOperation(primary.id, "backup", storageBody("list-during-restore.apimbackup"));
    const started = await call("POST", `${standby.id}/restore?${API}`, { body: storageBody("list-during-restore.apimbackup") });
    expect(started.status).toBe(202);
    await sim.fault("region-outage", { region: primary.region }, { managementPlane: "down" });
    const during = await call("GET", `${group}?${API}`);
    expect(during.body.value).toEqual([expect.objectContaining({ name: sim.world.standby.name, properties: expect.objectContaining({ provisioningState: "Updating", targetProvisioningState: "Succeeded" }) })]);
    sim.clearFault("region-outage");
    await pollToEnd(sim.caCertPem, sim.armEndpoint, String(started.headers.location));
    const after = await call("GET", `${group}?${API}`);
    expect(after.body.value.find((s: { name: string }) => s.name === sim.world.standby.name).properties.provisioningState).toBe("Succeeded");
  });

  it("lists Resource Health of the resource group and of the subscription (one current status per service), Unavailable for the region that is out", async () => {
    const { primary, standby } = sim.services;
    const group = primary.id.replace(/\/providers\/.*$/, "");
    await sim.fault("region-outage", { region: primary.region }, { managementPlane: "down" });
    for (const scope of [group, `/subscriptions/${sim.subscriptionId}`]) {
      const res = await call("GET", `${scope}/providers/Microsoft.ResourceHealth/availabilityStatuses?api-version=2022-10-01`);
      expect(res.status).toBe(200);
      expect(res.body.nextLink).toBeNull();
      const byId = new Map(res.body.value.map((s: { id: string; properties: { availabilityState: string } }) => [s.id, s.properties.availabilityState]));
      expect(byId.get(`${primary.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`)).toBe("Unavailable");
      expect(byId.get(`${standby.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current`)).toBe("Available");
    }
    sim.clearFault("region-outage");
  });

  it("region-outage in reset mode drops connections", async () => {
    await sim.fault("region-outage", { region: sim.services.primary.region }, { mode: "reset" });
    await expect(gateway(sim.gateways[sim.services.primary.region]!, "/status-0123456789abcdef", sim.customHostname)).rejects.toThrow();
    sim.clearFault("region-outage", { region: sim.services.primary.region });
  });

  it("degrade answers the given share of requests with 500, visible in metrics and logs", async () => {
    const { primary } = sim.services;
    await sim.fault("degrade", { region: primary.region }, { errorPercent: 50 });
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push((await gateway(sim.gateways[primary.region]!, "/echo/ping", sim.customHostname)).status);
    sim.clearFault("degrade");
    expect(codes.filter((c) => c === 500)).toHaveLength(5);
    const filter = encodeURIComponent("GatewayResponseCodeCategory eq '*'");
    const metrics = await call("GET", `${primary.id}/providers/Microsoft.Insights/metrics?api-version=2018-01-01&metricnames=Requests&aggregation=Total&interval=PT1H&$filter=${filter}`);
    expect(metrics.status).toBe(200);
    const series = metrics.body.value[0].timeseries as { metadatavalues: { name: { value: string }; value: string }[]; data: { total?: number }[] }[];
    const total = (cat: string) => series.find((s) => s.metadatavalues[0]!.value === cat)!.data.reduce((n, d) => n + (d.total ?? 0), 0);
    // the five 500s plus the one 503 the region-outage test above answered
    expect(total("5xx")).toBe(6);
    expect(series[0]!.metadatavalues[0]!.name.value).toBe("gatewayresponsecodecategory");
    const batch = await call("POST", `/subscriptions/${sim.subscriptionId}/metrics:getBatch?api-version=2024-02-01&metricnamespace=Microsoft.ApiManagement/service&metricnames=Requests,Capacity&interval=PT1H&filter=${encodeURIComponent("GatewayResponseCodeCategory eq '5xx'")}`, {
      body: { resourceids: [primary.id] },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.values[0]).toMatchObject({ resourceid: primary.id, resourceregion: "westeurope", namespace: "Microsoft.ApiManagement/service" });
    expect(batch.body.values[0].value.map((m: { name: { value: string } }) => m.name.value)).toEqual(["Requests", "Capacity"]);
    const tooMany = await call("POST", `/subscriptions/${sim.subscriptionId}/metrics:getBatch?api-version=2024-02-01&metricnamespace=Microsoft.ApiManagement/service&metricnames=Requests`, {
      body: { resourceids: Array(51).fill(primary.id) },
    });
    expect([tooMany.status, tooMany.body.error?.message]).toEqual([400, "The batch asks for 51 resource ids; one call takes at most 50: split it."]);
    const logs = await call("POST", `/v1/workspaces/${sim.workspaceId}/query`, {
      body: { query: "ApiManagementGatewayLogs | where TimeGenerated > ago(5m) | summarize Total = count(), Failed = countif(ResponseCode >= 500) by Region", timespan: "PT1H" },
    });
    expect(logs.status).toBe(200);
    const table = logs.body.tables[0];
    expect(table.columns).toEqual([{ name: "Region", type: "string" }, { name: "Total", type: "long" }, { name: "Failed", type: "long" }]);
    expect(table.rows.find((r: unknown[]) => r[0] === "West Europe")[2]).toBeGreaterThanOrEqual(5);
  });

  it("rejects an unsupported KQL query with a 400 naming the supported forms", async () => {
    const res = await call("POST", `/v1/workspaces/${sim.workspaceId}/query`, { body: { query: "ApiManagementGatewayLogs | join kind=inner (Foo) on Bar" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("BadArgumentError");
    expect(res.body.error.message).toContain("unsupported query stage '| join kind=inner (Foo) on Bar'");
    expect(res.body.error.message).toContain("summarize");
  });

  it("the gateway answers only for the custom hostname or the service's own host", async () => {
    const base = sim.gateways[sim.services.standby.region]!;
    expect((await gateway(base, "/status-0123456789abcdef", "apim-contoso-neu.azure-api.net")).status).toBe(200);
    expect(await gateway(base, "/status-0123456789abcdef", "other.example")).toEqual({ status: 404, body: { statusCode: 404, message: "Resource not found" } });
  });
});

describe("DNS record sets", () => {
  const path = () => `${sim.dns.recordSetId}?api-version=2018-05-01`;

  it("GET, stale If-Match 412, matching If-Match 200 with a new etag, If-None-Match on an existing set 412", async () => {
    const got = await call("GET", path());
    expect(got.status).toBe(200);
    expect(got.body.properties).toMatchObject({ TTL: 60, CNAMERecord: { cname: "apim-contoso-weu.azure-api.net" } });
    expect(got.headers.etag).toBe(got.body.etag);
    const body = { properties: { TTL: 30, CNAMERecord: { cname: "apim-contoso-neu.azure-api.net" } } };
    const stale = await call("PUT", path(), { body, headers: { "if-match": "00000000-0000-0000-0000-000000000000" } });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe("PreconditionFailed");
    const ok = await call("PUT", path(), { body, headers: { "if-match": got.body.etag } });
    expect(ok.status).toBe(200);
    expect(ok.body.etag).not.toBe(got.body.etag);
    expect(ok.body.properties.CNAMERecord.cname).toBe("apim-contoso-neu.azure-api.net");
    const exists = await call("PUT", path(), { body, headers: { "if-none-match": "*" } });
    expect(exists.status).toBe(412);
    expect(sim.stats().dns["api.contoso.example"]).toMatchObject({ cname: "apim-contoso-neu.azure-api.net", writes: 1 });
  });

  it("creates with If-None-Match (201), lists both forms, PATCHes and DELETEs", async () => {
    const zone = sim.dns.zoneId;
    const created = await call("PUT", `${zone}/CNAME/www?api-version=2018-05-01`, { body: { properties: { TTL: 300, CNAMERecord: { cname: "x.example" } } }, headers: { "if-none-match": "*" } });
    expect(created.status).toBe(201);
    for (const list of ["CNAME", "recordsets"]) {
      const res = await call("GET", `${zone}/${list}?api-version=2018-05-01`);
      expect(res.body.value.map((r: { name: string }) => r.name).sort()).toEqual(["api", "www"]);
    }
    const patched = await call("PATCH", `${zone}/CNAME/www?api-version=2018-05-01`, { body: { properties: { TTL: 120 } } });
    expect(patched.body.properties).toMatchObject({ TTL: 120, CNAMERecord: { cname: "x.example" } });
    expect((await call("DELETE", `${zone}/CNAME/www?api-version=2018-05-01`, { headers: { "if-match": patched.body.etag } })).status).toBe(200);
    expect((await call("GET", `${zone}/CNAME/www?api-version=2018-05-01`)).status).toBe(404);
  });

  it("refuses lower-case ttl so casing bugs in adapters surface", async () => {
    const res = await call("PATCH", path(), { body: { properties: { ttl: 10 } } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("spelled 'TTL'");
  });

  it("dns-tamper changes the record and its etag behind the controller's back", async () => {
    const before = await call("GET", path());
    await sim.fault("dns-tamper", {}, { cname: "evil.azure-api.net" });
    const after = await call("GET", path());
    expect(after.body.properties.CNAMERecord.cname).toBe("evil.azure-api.net");
    expect(after.body.etag).not.toBe(before.body.etag);
    expect(events).toContainEqual(expect.objectContaining({ type: "dnsChange", by: "tamper", cname: "evil.azure-api.net" }));
  });
});

describe("a world whose standby differs", () => {
  let other: SimulatedAzure;
  beforeAll(async () => {
    other = await startSimulatedAzure({ backupDurationMs: 50, restoreDurationMs: 50, world: { standby: { skuName: "Developer", identityType: "None" } } });
  });
  afterAll(async () => {
    await other?.stop();
  });

  it("fails the restore on SKU mismatch with the real message, and refuses managed identity for a service without one", async () => {
    const body = { storageAccount: other.storage.accountName, containerName: "backups", backupName: "one", accessKey: other.storage.accountKey };
    const started = await arm(other.caCertPem, other.armEndpoint, "POST", `${other.services.primary.id}/backup?${API}`, { body });
    await pollToEnd(other.caCertPem, other.armEndpoint, String(started.headers.location));
    const restore = await arm(other.caCertPem, other.armEndpoint, "POST", `${other.services.standby.id}/restore?${API}`, { body });
    const { final } = await pollToEnd(other.caCertPem, other.armEndpoint, String(restore.headers.location));
    expect(final.body.error).toEqual({ code: "RestoreFailed", message: "Cannot restore: current SKU is 'Developer', backup SKU is 'Premium'", details: null });
    const mi = await arm(other.caCertPem, other.armEndpoint, "POST", `${other.services.standby.id}/backup?${API}`, { body: { ...body, accessType: "SystemAssignedManagedIdentity" } });
    expect(mi.status).toBe(400);
    expect(mi.body.error.message).toContain("has no system-assigned managed identity");
    const stats = other.stats().services[other.services.standby.name]!;
    expect(stats.sku).toBe("Developer");
    expect(stats.restores).toEqual({ started: 1, succeeded: 0, failed: 1 });
  });
});

describe("probe-partition", () => {
  it("cuts only the controller's probes (User-Agent apim-dr-probe) in every region; other clients are served and nothing reaches the gateway log", async () => {
    const probe = httpGatewayProbe();
    const status = (region: string) => `${sim.gateways[region]!}/status-0123456789abcdef`;
    const { primary, standby } = sim.services;
    const logged = () => sim.stats().gatewayRequests[primary.region]!;
    await sim.fault("probe-partition");
    const before = logged();
    for (const region of [primary.region, standby.region]) {
      const result = await probe.probe(status(region), sim.customHostname, 1000);
      expect(result).toMatchObject({ ok: false, statusCode: null });
    }
    expect(logged()).toBe(before);
    expect((await gateway(sim.gateways[primary.region]!, "/status-0123456789abcdef", sim.customHostname)).status).toBe(200);
    expect(logged()).toBe(before + 1);
    sim.clearFault("probe-partition");
    expect(await probe.probe(status(primary.region), sim.customHostname, 1000)).toMatchObject({ ok: true, statusCode: 200 });
  });

  it("refuses mode 503: a partition answers nothing", async () => {
    await expect(sim.fault("probe-partition", {}, { mode: "503" })).rejects.toThrow("fault 'probe-partition': option mode must be reset or timeout");
  });
});

describe("flap", () => {
  it("Resource Health says Degraded through both phases of a flap, while the gateway alternates 503 and 200", async () => {
    const { primary } = sim.services;
    await sim.fault("flap", { region: primary.region }, { periodMs: 300 });
    const states: string[] = [];
    const codes: number[] = [];
    // Sample until both gateway phases were seen (fixed sleeps can land in one phase on a slow machine).
    const deadline = Date.now() + 10_000;
    while (new Set(codes).size < 2 && Date.now() < deadline) {
      const health = await call("GET", `${primary.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2022-10-01`);
      states.push(health.body.properties.availabilityState);
      codes.push((await gateway(sim.gateways[primary.region]!, "/status-0123456789abcdef", sim.customHostname)).status);
      await new Promise((r) => setTimeout(r, 50));
    }
    sim.clearFault("flap");
    expect(new Set(states)).toEqual(new Set(["Degraded"]));
    expect(new Set(codes)).toEqual(new Set([503, 200]));
  });
});
