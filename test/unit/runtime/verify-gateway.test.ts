import { describe, expect, it } from "vitest";
import { probeGateway } from "../../../src/runtime/steps/verify-gateway.js";
import { fakeWorld, STANDBY_ID } from "../../support/fakes/index.js";

const input = { step: "failingOver.verifyingStandby" as const, notBefore: null, serviceId: STANDBY_ID, gatewayUrl: "https://apim-neu.azure-api.net/", hostname: "api.contoso.com" };

describe("gateway verification", () => {
  it("probes the path the configured probes use, with the custom hostname", async () => {
    const world = fakeWorld();
    const detail = await probeGateway({ ...world.ports, probePath: "/internal-status-0123456789abcdef" }, input, new AbortController().signal);
    expect(world.probe.calls).toEqual([{ url: "https://apim-neu.azure-api.net/internal-status-0123456789abcdef", hostHeader: "api.contoso.com" }]);
    expect(detail).toBe("gateway https://apim-neu.azure-api.net/internal-status-0123456789abcdef answered HTTP 200 for api.contoso.com in 12 ms");
  });

  it("probes APIM's own status endpoint when no path is configured", async () => {
    const world = fakeWorld();
    await probeGateway(world.ports, input, new AbortController().signal);
    expect(world.probe.calls.map((c) => c.url)).toEqual(["https://apim-neu.azure-api.net/status-0123456789abcdef"]);
  });
});
