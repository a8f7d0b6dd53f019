import { describe, expect, it } from "vitest";
import type { Signal } from "../../../src/ports/signal.js";
import { SignalRouter } from "../../../src/runtime/signal-router.js";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service";
/** Three pairs in the same two regions, as `sim start --pairs 3` makes them. */
const pairs = [1, 2, 3].map((k) => ({
  name: `contoso-${k}`,
  pair: { primary: { serviceId: `${SUB}/apim-${k}-weu`, region: "westeurope" }, standby: { serviceId: `${SUB}/apim-${k}-neu`, region: "North Europe" } },
}));
const router = new SignalRouter(pairs);
const routed = (signal: Partial<Signal>) =>
  router.route({ id: "s", kind: "health", source: "resourceHealth", resourceId: null, region: null, status: "unhealthy", observedAt: "2026-12-01T08:00:00.000Z", summary: "", ...signal }).map((p) => p.name);

describe("signal routing", () => {
  it("gives a signal with a resource id only to the pair owning that service, whatever its region says", () => {
    expect(routed({ resourceId: `${SUB}/apim-2-weu`, region: "westeurope" })).toEqual(["contoso-2"]);
    expect(routed({ source: "probe", resourceId: `${SUB}/APIM-3-NEU`.toUpperCase(), region: "northeurope" })).toEqual(["contoso-3"]);
  });

  it("gives a change of a child resource to the pair owning its service", () => {
    const change = { kind: "change" as const, source: "activityLog" as const, resourceId: `${SUB}/apim-1-weu/apis/orders/operations/op-1` };
    expect(routed(change)).toEqual(["contoso-1"]);
    expect(routed({ kind: "change", source: "activityLog", resourceId: `${SUB}/apim-1-neu`, attributes: { changedResourceId: `${SUB}/apim-1-neu/apis/a` } })).toEqual(["contoso-1"]);
  });

  it("gives region-wide signals (Service Health, region-level Resource Health) to every pair with a service in that region", () => {
    expect(routed({ source: "serviceHealth", region: "westeurope" })).toEqual(["contoso-1", "contoso-2", "contoso-3"]);
    expect(routed({ source: "resourceHealth", region: "northeurope" })).toEqual(["contoso-1", "contoso-2", "contoso-3"]);
    expect(routed({ source: "serviceHealth", region: "eastus" })).toEqual([]);
  });

  it("gives a signal about any other resource to no pair, even in a region the pairs use", () => {
    expect(routed({ resourceId: `${SUB}/apim-someone-else`, region: "westeurope" })).toEqual([]);
    expect(routed({ source: "alert", resourceId: "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/z", region: "westeurope" })).toEqual([]);
    expect(routed({ source: "probe" })).toEqual([]);
  });
});
