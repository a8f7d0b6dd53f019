import { describe, expect, it } from "vitest";
import { ResourceHealthPoller } from "../../../src/signals/pollers/resource-health-poller.js";
import type { Clock } from "../../../src/ports/clock.js";

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
});
