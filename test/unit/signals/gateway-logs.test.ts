import { describe, expect, it } from "vitest";
import { signalId } from "../../../src/signals/decode/signal-id.js";
import { APIM_WEU, errorOf, sampleText, signalsOf } from "./helpers.js";

let sequence = 0;
/** A GatewayLogs record shaped like the documented 2020 entry (camelCase properties). */
function gatewayRecord(location: string, responseCode: number, backendResponseCode: number | null = responseCode, resourceId = APIM_WEU.toUpperCase()) {
  sequence++;
  return {
    Level: 4,
    isRequestSuccess: responseCode < 400,
    time: `2026-12-01T08:45:${String(sequence % 60).padStart(2, "0")}.1234567Z`,
    operationName: "Microsoft.ApiManagement/GatewayLogs",
    category: "GatewayLogs",
    durationMs: 152,
    correlationId: `corr-${sequence}`,
    location,
    properties: { method: "GET", url: "https://api.contoso.com/echo", responseCode, backendResponseCode, apiId: "echo-api", operationId: "get" },
    resourceId,
  };
}

const batch = (location: string, codes: Array<[number, number | null]>) => codes.map(([client, backend]) => gatewayRecord(location, client, backend));
const repeat = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe("GatewayLogs batches", () => {
  it("judges each region by its share of failed requests and says the counts", () => {
    const records = [
      ...batch("West Europe", [...repeat(5, [503, null] as [number, null]), [200, 500], ...repeat(4, [200, 200] as [number, number])]),
      ...batch("North Europe", [[502, 502], ...repeat(9, [200, 200] as [number, number])]),
      ...batch("East US", [[404, 404], [401, null], [200, 200]]),
    ];
    const signals = signalsOf({ records });
    expect(signals.map((s) => [s.region, s.status, s.summary, s.attributes])).toEqual([
      ["westeurope", "unhealthy", "GatewayLogs of APIM-WEU in westeurope: 6 of 10 requests failed (5 answered 5xx, 1 with backend 5xx)",
        { requests: 10, failed: 6, gateway5xx: 5, backend5xx: 1, failureRatio: 0.6 }],
      ["northeurope", "degraded", "GatewayLogs of APIM-WEU in northeurope: 1 of 10 requests failed (1 answered 5xx, 1 with backend 5xx)",
        { requests: 10, failed: 1, gateway5xx: 1, backend5xx: 1, failureRatio: 0.1 }],
      ["eastus", "healthy", "GatewayLogs of APIM-WEU in eastus: 0 of 3 requests failed (0 answered 5xx, 0 with backend 5xx)",
        { requests: 3, failed: 0, gateway5xx: 0, backend5xx: 0, failureRatio: 0 }],
    ]);
    expect(signals.every((s) => s.kind === "health" && s.source === "gatewayLog" && s.resourceId === APIM_WEU.toUpperCase())).toBe(true);
  });

  it("dates a batch by its latest request and keys it by its requests, whatever their order", () => {
    const records = batch("West Europe", [[200, 200], [500, 500], [200, 200]]);
    const [signal] = signalsOf({ records });
    const latest = records.map((r) => r.time).sort().at(-1)!.replace(/(\.\d{3})\d+Z$/, "$1Z");
    expect(signal!.observedAt).toBe(latest);
    expect(signal!.id).toBe(signalId("gatewayLog", [APIM_WEU.toLowerCase(), "westeurope", ...records.map((r) => r.correlationId).sort()]));
    expect(signalsOf({ records: [...records].reverse() })[0]!.id).toBe(signal!.id);
  });

  it("keeps two APIM services in the same region apart", () => {
    const other = APIM_WEU.replace("apim-weu", "apim-two");
    const signals = signalsOf({ records: [gatewayRecord("West Europe", 500), gatewayRecord("West Europe", 200, 200, other)] });
    expect(signals.map((s) => [s.resourceId, s.status])).toEqual([
      [APIM_WEU.toUpperCase(), "unhealthy"],
      [other, "healthy"],
    ]);
  });

  it("honours configured failure ratios", () => {
    const records = batch("West Europe", [[500, 500], ...repeat(3, [200, 200] as [number, number])]); // 25 %
    expect(signalsOf({ records })[0]!.status).toBe("degraded");
    expect(signalsOf({ records }, { gatewayFailureRatio: { unhealthy: 0.25 } })[0]!.status).toBe("unhealthy");
    expect(signalsOf({ records }, { gatewayFailureRatio: { degraded: 0.3, unhealthy: 0.9 } })[0]!.status).toBe("healthy");
    expect(errorOf({ records }, { gatewayFailureRatio: { degraded: 0.6, unhealthy: 0.5 } })).toBe(
      "invalid gatewayFailureRatio {degraded: 0.6, unhealthy: 0.5}: use ratios in (0, 1] with degraded <= unhealthy",
    );
  });

  it("reads PascalCase Log Analytics columns (ResponseCode, TimeGenerated, Region, _ResourceId)", () => {
    const row = {
      TimeGenerated: "2026-12-01T08:45:00.1234567Z",
      Category: "GatewayLogs",
      Region: "West Europe",
      _ResourceId: APIM_WEU,
      CorrelationId: "row-1",
      ResponseCode: "502",
      BackendResponseCode: 0,
      IsRequestSuccess: false,
    };
    const columns = sampleText("ApiManagementGatewayLogs-LogAnalytics-table-columns.md");
    for (const name of Object.keys(row)) expect(columns).toContain(`| ${name} |`);
    expect(signalsOf({ records: [row] })).toEqual([
      {
        id: signalId("gatewayLog", [APIM_WEU.toLowerCase(), "westeurope", "row-1"]),
        kind: "health",
        source: "gatewayLog",
        resourceId: APIM_WEU,
        region: "westeurope",
        status: "unhealthy",
        observedAt: "2026-12-01T08:45:00.123Z",
        summary: "GatewayLogs of apim-weu in westeurope: 1 of 1 requests failed (1 answered 5xx, 0 with backend 5xx)",
        attributes: { requests: 1, failed: 1, gateway5xx: 1, backend5xx: 0, failureRatio: 1 },
      },
    ]);
  });

  it("rejects a record without a response code or with a bad time, naming the record", () => {
    const noCode = { ...gatewayRecord("West Europe", 200), properties: { method: "GET" } };
    expect(errorOf({ records: [gatewayRecord("West Europe", 200), noCode] })).toBe(
      "records[1]: GatewayLogs record has no properties.responseCode; cannot judge the request",
    );
    expect(errorOf({ records: [{ ...gatewayRecord("West Europe", 200), time: "12/31/2026 25:00:00" }] })).toBe(
      'records[0]: time "12/31/2026 25:00:00" is not a date-time; expected ISO-8601 (2026-12-01T08:45:00Z) or US format (12/1/2026 8:45:00 AM)',
    );
  });

  it("decodes GatewayLogs and activity-log records mixed in one event", () => {
    const change = {
      time: "2026-12-01T08:44:00Z",
      resourceId: `${APIM_WEU}/apis/echo-api`,
      operationName: "Microsoft.ApiManagement/service/apis/write",
      category: "Administrative",
      resultType: "Success",
      correlationId: "c-1",
    };
    expect(signalsOf({ records: [gatewayRecord("West Europe", 200), change] }).map((s) => [s.kind, s.source])).toEqual([
      ["change", "activityLog"],
      ["health", "gatewayLog"],
    ]);
  });
});
