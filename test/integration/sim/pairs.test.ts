import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { simControllerConfig } from "../../../src/sim/controller-config.js";
import { STATUS_PATH } from "../../../src/sim/gateways.js";
import { arm, gateway } from "./client.js";

let sim: SimulatedAzure;

beforeAll(async () => {
  sim = await startSimulatedAzure({ world: { pairCount: 3 } });
});
afterAll(async () => {
  await sim?.stop();
});

describe("a world of several pairs (sim start --pairs N)", () => {
  it("has N pairs in the same two regions, each with its own services, hostname and CNAME, and a controller config protecting all of them", async () => {
    expect(sim.pairs.map((p) => [p.name, p.primary.name, p.standby.name, p.customHostname, p.recordName])).toEqual([
      ["contoso", "apim-contoso-weu", "apim-contoso-neu", "api.contoso.example", "api"],
      ["contoso-2", "apim-contoso-2-weu", "apim-contoso-2-neu", "api-2.contoso.example", "api-2"],
      ["contoso-3", "apim-contoso-3-weu", "apim-contoso-3-neu", "api-3.contoso.example", "api-3"],
    ]);
    expect(Object.keys(sim.stats().dns).sort()).toEqual(["api-2.contoso.example", "api-3.contoso.example", "api.contoso.example"]);
    const config = (await simControllerConfig(sim)) as unknown as { pairs: Array<{ name: string; primary: { serviceId: string }; customHostname: string; dns: { recordName: string } }> };
    expect(config.pairs.map((p) => [p.name, p.primary.serviceId, p.customHostname, p.dns.recordName])).toEqual(
      sim.pairs.map((p) => [p.name, p.primary.id, p.customHostname, p.recordName]),
    );
    const service = await arm(sim.caCertPem, sim.armEndpoint, "GET", `${sim.pairs[1]!.standby.id}?api-version=2024-05-01`);
    expect(service.body.properties.hostnameConfigurations.map((h: { hostName: string }) => h.hostName)).toContain("api-2.contoso.example");
  });

  it("a fault on one service fails that service's gateway only; its neighbours in the region answer", async () => {
    const [first, second, third] = sim.pairs;
    const westeurope = sim.gateways["westeurope"]!;
    await sim.fault("region-outage", { service: second!.primary.name });
    try {
      expect((await gateway(westeurope, STATUS_PATH, second!.customHostname)).status).toBe(503);
      expect((await gateway(westeurope, STATUS_PATH, first!.customHostname)).status).toBe(200);
      expect((await gateway(westeurope, STATUS_PATH, third!.customHostname)).status).toBe(200);
      expect((await gateway(sim.gateways["northeurope"]!, STATUS_PATH, second!.customHostname)).status).toBe(200);
    } finally {
      sim.clearAllFaults();
    }
  });
});
