import { describe, expect, it } from "vitest";
import { ResourceHealthPoller } from "../../../src/signals/pollers/resource-health-poller.js";
import type { Clock } from "../../../src/ports/clock.js";
import { AzureOperationError } from "../../../src/ports/errors.js";

const clock: Clock = { now: () => Date.UTC(2026, 11, 1, 9, 0, 0), sleep: async () => undefined };
const WEU = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu";
const NEU = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-neu";

describe("Resource Health poller", () => {
  it("stamps its reads as the controller's own ARM channel, and turns a read that fails into an 'unreachable' signal", async () => {
    const errors: string[] = [];
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
      ],
      {
        clock,
        onError: (error, serviceId) => errors.push(`${serviceId}: ${(error as Error).message}`),
        resourceHealth: {
          currentAvailability: async (id) => {
            if (id === WEU) throw new Error("503 ServiceUnavailable");
            return { state: "Available", summary: "fine" };
          },
        },
      },
    );
    const [weu, neu] = await poller.pollOnce();
    expect(weu).toMatchObject({ channel: "arm", status: "unknown", attributes: { unreachable: true }, summary: "Resource Health API unreachable: 503 ServiceUnavailable" });
    expect(neu).toMatchObject({ channel: "arm", status: "healthy", source: "resourceHealth" });
    expect(errors).toEqual([`${WEU}: 503 ServiceUnavailable`]);
  });

  it("reads every service of a resource group with one list a round, and a service the list leaves out on its own", async () => {
    const OTHER_GROUP = "/subscriptions/s/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-dr";
    const lists: string[] = [];
    const single: string[] = [];
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
        { serviceId: OTHER_GROUP, region: "northeurope" },
      ],
      {
        clock,
        resourceHealth: {
          currentAvailability: async (id) => {
            single.push(id);
            return { state: "Available", summary: "fine" };
          },
          availabilityInGroup: async (subscriptionId, resourceGroup) => {
            lists.push(`${subscriptionId}/${resourceGroup}`);
            // rg lists WEU (down) but not NEU; rg-dr lists its service
            if (resourceGroup === "rg") return new Map([[WEU.toLowerCase(), { state: "Unavailable", cause: "PlatformInitiated", reasonType: "Unplanned", summary: "down" }]]);
            return new Map([[OTHER_GROUP.toLowerCase(), { state: "Degraded", summary: "slow" }]]);
          },
        },
      },
    );
    const [weu, neu, other] = await poller.pollOnce();
    expect(lists.sort()).toEqual(["s/rg", "s/rg-dr"]);
    expect(single).toEqual([NEU]);
    expect(weu).toMatchObject({ status: "unhealthy", resourceId: WEU, attributes: { state: "Unavailable", cause: "PlatformInitiated", reasonType: "Unplanned" } });
    expect(neu).toMatchObject({ status: "healthy", resourceId: NEU });
    expect(other).toMatchObject({ status: "degraded", resourceId: OTHER_GROUP });
  });

  it("reads the services of a group whose list failed one by one, and stops listing a group refused for good for an hour", async () => {
    let now = Date.UTC(2026, 11, 1, 9, 0, 0);
    const movingClock: Clock = { now: () => now, sleep: async () => undefined };
    let lists = 0;
    let single = 0;
    let listError: Error = new Error("429 TooManyRequests");
    const poller = new ResourceHealthPoller(
      [
        { serviceId: WEU, region: "westeurope" },
        { serviceId: NEU, region: "northeurope" },
      ],
      {
        clock: movingClock,
        resourceHealth: {
          currentAvailability: async () => {
            single++;
            return { state: "Available", summary: "fine" };
          },
          availabilityInGroup: async () => {
            lists++;
            throw listError;
          },
        },
      },
    );
    // A transient failure: this round falls back to reads per service, the next round lists again.
    expect((await poller.pollOnce()).map((s) => s.status)).toEqual(["healthy", "healthy"]);
    expect([lists, single]).toEqual([1, 2]);
    // Refused (Reader on the services only, not on their group): read per service, and not listed again for an hour.
    listError = new AzureOperationError("listing the Resource Health of resource group rg failed: AuthorizationFailed", "AuthorizationFailed", 403, false);
    await poller.pollOnce();
    expect([lists, single]).toEqual([2, 4]);
    now += 59 * 60_000;
    await poller.pollOnce();
    expect([lists, single]).toEqual([2, 6]);
    now += 2 * 60_000;
    await poller.pollOnce();
    expect(lists).toBe(3);
  });
});
