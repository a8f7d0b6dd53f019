import { describe, expect, it } from "vitest";
import { signalId } from "../../../src/signals/decode/signal-id.js";
import { APIM_WEU, sampleJson, signalsOf } from "./helpers.js";

/** An Administrative record as diagnostic settings stream it ("category" is the operation type, as in the published sample). */
function adminRecord(operationName: string, resultType: string, resourceId: string, category = "Write") {
  return {
    records: [
      {
        time: "2026-12-01T08:45:00.9876543Z",
        resourceId,
        operationName,
        category,
        resultType,
        resultSignature: `${resultType}.`,
        durationMs: 0,
        correlationId: "d3b1c2a0-0000-0000-0000-000000000042",
        level: "Information",
        location: "global",
        properties: { statusCode: "OK" },
      },
    ],
  };
}

describe("APIM configuration changes from Administrative events", () => {
  it.each([
    ["Microsoft.ApiManagement/service/write", APIM_WEU, "service apim-weu"],
    ["Microsoft.ApiManagement/service/apis/write", `${APIM_WEU}/apis/echo-api`, "apis/echo-api of service apim-weu"],
    ["Microsoft.ApiManagement/service/apis/delete", `${APIM_WEU}/apis/echo-api`, "apis/echo-api of service apim-weu"],
    ["Microsoft.ApiManagement/service/products/write", `${APIM_WEU}/products/starter`, "products/starter of service apim-weu"],
    ["Microsoft.ApiManagement/service/policies/write", `${APIM_WEU}/policies/policy`, "policies/policy of service apim-weu"],
    ["Microsoft.ApiManagement/service/namedValues/write", `${APIM_WEU}/namedValues/backend-key`, "namedValues/backend-key of service apim-weu"],
    ["Microsoft.ApiManagement/service/apis/operations/policies/write", `${APIM_WEU}/apis/echo-api/operations/get/policies/policy`, "apis/echo-api/operations/get/policies/policy of service apim-weu"],
  ])("%s → a change on the service", (operation, changed, where) => {
    expect(signalsOf(adminRecord(operation, "Success", changed))).toEqual([
      {
        id: signalId("activityLog", ["d3b1c2a0-0000-0000-0000-000000000042", operation.toLowerCase(), changed.toLowerCase(), "succeeded", "2026-12-01T08:45:00.987Z"]),
        kind: "change",
        source: "activityLog",
        resourceId: APIM_WEU,
        region: null, // a record's location is where the event was processed, not the service's region
        status: "unknown",
        observedAt: "2026-12-01T08:45:00.987Z",
        summary: `APIM configuration change: ${operation} succeeded on ${where}`,
        attributes: { operation, status: "Success", changedResourceId: changed },
      },
    ]);
  });

  it("counts only the Succeeded event of an operation, not Started, Accepted or Failed", () => {
    for (const status of ["Start", "Started", "Accept", "Accepted", "Failure", "Failed"]) {
      expect(signalsOf(adminRecord("Microsoft.ApiManagement/service/apis/write", status, `${APIM_WEU}/apis/echo-api`))).toEqual([]);
    }
  });

  it("ignores reads, actions such as backup, and writes to other resource types", () => {
    expect(signalsOf(adminRecord("Microsoft.ApiManagement/service/apis/read", "Success", `${APIM_WEU}/apis/echo-api`))).toEqual([]);
    expect(signalsOf(adminRecord("Microsoft.ApiManagement/service/backup/action", "Success", APIM_WEU, "Action"))).toEqual([]);
    expect(signalsOf(adminRecord("Microsoft.Network/dnszones/CNAME/write", "Success", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/dnszones/contoso.com/CNAME/api"))).toEqual([]);
  });

  it("reads the REST form with value/localizedValue wrappers", () => {
    const rest = sampleJson("Administrative-category-event.json");
    const apimWrite = {
      ...rest,
      operationName: { value: "Microsoft.ApiManagement/service/products/write", localizedValue: "Create or update product" },
      resourceId: `${APIM_WEU}/products/starter`,
    };
    expect(signalsOf(apimWrite)).toMatchObject([
      {
        kind: "change",
        source: "activityLog",
        resourceId: APIM_WEU,
        observedAt: "2018-01-29T20:42:31.381Z",
        attributes: { operation: "Microsoft.ApiManagement/service/products/write", status: "Succeeded", changedResourceId: `${APIM_WEU}/products/starter` },
      },
    ]);
  });

  it("reads the legacy activity-log webhook", () => {
    const payload = {
      schemaId: "Microsoft.Insights/activityLogs",
      data: {
        status: "Activated",
        context: {
          activityLog: {
            eventSource: "Administrative",
            eventTimestamp: "2026-12-01T08:45:00.1234567+00:00",
            correlationId: "legacy-1",
            operationName: "Microsoft.ApiManagement/service/namedValues/delete",
            resourceId: `${APIM_WEU}/namedValues/old-key`,
            status: "Succeeded",
          },
        },
      },
    };
    expect(signalsOf(payload)).toMatchObject([{ kind: "change", source: "activityLog", resourceId: APIM_WEU, observedAt: "2026-12-01T08:45:00.123Z" }]);
  });
});
