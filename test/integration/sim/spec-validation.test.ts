import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { arm, pollToEnd } from "./client.js";

const SPECS = join(import.meta.dirname, "..", "..", "fixtures", "specs");
const APIM_DIR = "apimanagement/resource-manager/Microsoft.ApiManagement/stable/2022-08-01";
const load = (rel: string) => JSON.parse(readFileSync(join(SPECS, rel), "utf8")) as Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Swagger 2.0 definitions as JSON Schema: each spec file registered under its relative path so
 * cross-file $refs resolve. apimdeployment.json refers to ./definitions.json (not stored) for one
 * private-endpoint type the simulator never returns; that ref is stubbed as "anything".
 */
function validatorFor(file: string, definition: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: "x-nullable" });
  const files: Record<string, string> = {
    [`${APIM_DIR}/apimdeployment.json`]: `${APIM_DIR}/apimdeployment.json`,
    [`${APIM_DIR}/apimanagement.json`]: `${APIM_DIR}/apimanagement.json`,
    "common-types/resource-management/v3/types.json": "common-types/resource-management/v3/types.json",
    "dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json": "dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json",
  };
  for (const rel of Object.keys(files)) {
    const spec = load(rel);
    ajv.addSchema({ $id: `https://specs.local/${rel}`, definitions: spec.definitions } as object);
  }
  ajv.addSchema({ $id: `https://specs.local/${APIM_DIR}/definitions.json`, definitions: { RemotePrivateEndpointConnectionWrapper: {} } });
  const validate = ajv.getSchema(`https://specs.local/${file}#/definitions/${definition}`);
  if (!validate) throw new Error(`no definition ${definition} in ${file}`);
  return (value: unknown) => {
    const ok = validate(value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

/** Real ARM sends explicit nulls the specs do not declare nullable (SHAPES.md); validate the rest. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/** Every key path in an example body, so shapes without a stored schema are compared with the official example. */
function keyPaths(value: unknown, prefix = ""): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) for (const v of value) for (const p of keyPaths(v, `${prefix}[]`)) out.add(p);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(`${prefix}.${k}`);
      for (const p of keyPaths(v, `${prefix}.${k}`)) out.add(p);
    }
  }
  return out;
}

let sim: SimulatedAzure;
const call = (method: string, path: string, options?: Parameters<typeof arm>[4]) => arm(sim.caCertPem, sim.armEndpoint, method, path, options);

beforeAll(async () => {
  sim = await startSimulatedAzure({ backupDurationMs: 50, restoreDurationMs: 50 });
});
afterAll(async () => {
  await sim?.stop();
});

describe("responses validate against the official specs", () => {
  it("APIM service GET and the final LRO poll are ApiManagementServiceResource; errors are ErrorResponse", async () => {
    const validate = validatorFor(`${APIM_DIR}/apimdeployment.json`, "ApiManagementServiceResource");
    const got = await call("GET", `${sim.services.primary.id}?api-version=2022-08-01`);
    expect(got.body.properties.privateIPAddresses).toBeNull(); // the real quirk is kept on the wire
    expect(validate(withoutNulls(got.body))).toEqual([]);
    const body = { storageAccount: sim.storage.accountName, containerName: "spec-check", backupName: "b1", accessKey: sim.storage.accountKey };
    expect(validatorFor(`${APIM_DIR}/apimdeployment.json`, "ApiManagementServiceBackupRestoreParameters")(body)).toEqual([]);
    const started = await call("POST", `${sim.services.primary.id}/backup?api-version=2022-08-01`, { body });
    const { final } = await pollToEnd(sim.caCertPem, sim.armEndpoint, String(started.headers.location));
    expect(validate(withoutNulls(final.body))).toEqual([]);
    const error = await call("POST", `${sim.services.primary.id}/backup?api-version=2022-08-01`, { body: { ...body, accessKey: "d3Jvbmc=" } });
    expect(validatorFor(`${APIM_DIR}/apimanagement.json`, "ErrorResponse")(error.body)).toEqual([]);
  });

  it("DNS record set, list and CloudError", async () => {
    const got = await call("GET", `${sim.dns.recordSetId}?api-version=2018-05-01`);
    expect(validatorFor("dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json", "RecordSet")(got.body)).toEqual([]);
    const list = await call("GET", `${sim.dns.zoneId}/CNAME?api-version=2018-05-01`);
    expect(validatorFor("dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json", "RecordSetListResult")(list.body)).toEqual([]);
    const stale = await call("PUT", `${sim.dns.recordSetId}?api-version=2018-05-01`, { body: { properties: { TTL: 5, CNAMERecord: { cname: "x" } } }, headers: { "if-match": "stale" } });
    expect(validatorFor("dns/resource-manager/Microsoft.Network/stable/2018-05-01/dns.json", "CloudError")(stale.body)).toEqual([]);
  });

  it("Resource Health, metrics and Log Analytics use only fields of the official examples", async () => {
    const example = (rel: string) => (load(rel) as { responses: { 200: { body: unknown } } }).responses[200].body;
    const rhExample = keyPaths(example("resourcehealth/resource-manager/Microsoft.ResourceHealth/stable/2022-10-01/examples/AvailabilityStatus_GetByResource.json"));
    await sim.fault("region-outage", { region: sim.services.primary.region });
    const rh = await call("GET", `${sim.services.primary.id}/providers/Microsoft.ResourceHealth/availabilityStatuses/current?api-version=2022-10-01`);
    sim.clearAllFaults();
    // healthEvent* are in the SDK's AvailabilityStatusProperties model though not in this example.
    const extra = [...keyPaths(rh.body)].filter((p) => !rhExample.has(p) && !/^\.properties\.healthEvent/.test(p));
    expect(extra).toEqual([]);

    const metricExample = keyPaths(example("monitor/monitor/resource-manager/Microsoft.Insights/stable/2018-01-01/examples/GetMetric.json"));
    const metrics = await call("GET", `${sim.services.primary.id}/providers/Microsoft.Insights/metrics?api-version=2018-01-01&metricnames=Requests&aggregation=Total,Count&$filter=${encodeURIComponent("GatewayResponseCodeCategory eq '2xx'")}`);
    const metricExtra = [...keyPaths(metrics.body)].filter((p) => !metricExample.has(p) && !/\.(errorCode|total)$/.test(p));
    expect(metricExtra).toEqual([]);

    const logsExample = keyPaths(example("monitor/operationalinsights/data-plane/Microsoft.OperationalInsights/stable/v1/examples/oms-get-example.json"));
    const logs = await call("POST", `/v1/workspaces/${sim.workspaceId}/query`, { body: { query: "ApiManagementGatewayLogs | count" } });
    expect([...keyPaths(logs.body)].filter((p) => !logsExample.has(p))).toEqual([]);
  });
});
