import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { BlobStateStore, createAzureAdapters, createBlobServiceClient, type AzureAdapters } from "../../../src/azure/index.js";
import { DNS_EPOCH_KEY, fencedDns } from "../../../src/coordination/fenced-ports.js";
import { NotLeaderError, type Leadership, type ReplicaInfo } from "../../../src/ports/leadership.js";
import type { DnsPort } from "../../../src/ports/dns.js";

const self: ReplicaInfo = { replicaId: "ctl-weu", region: "westeurope", adminUrl: "http://127.0.0.1:7001" };

/** A leadership as the lease manager would answer it: leading with `epoch`, or deposed. */
function leading(state: { epoch: number; leader: boolean }): Leadership {
  return {
    self,
    canMutate: () => state.leader,
    confirm: async (pair) => {
      if (!state.leader) throw new NotLeaderError(pair, null, "this replica does not hold the lease");
      return state.epoch;
    },
    view: () => ({ role: state.leader ? "leader" : "follower", leader: state.leader ? self : null, epoch: state.epoch, leaseExpiresAt: null }),
    onChange: () => () => undefined,
  };
}

describe("fencing against the simulated Azure", () => {
  let sim: SimulatedAzure;
  let azure: AzureAdapters;
  const dnsWrites = () => sim.stats().dns[`${sim.dns.recordName}.${sim.dns.zoneName}`]!.writes;

  beforeAll(async () => {
    sim = await startSimulatedAzure({ retryAfterSeconds: 0 });
    azure = createAzureAdapters({ armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem, credential: { type: "simulator" }, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("a DNS write records the writer's epoch; a deposed leader (older epoch) is refused before it writes", async () => {
    const { zoneId, recordName } = sim.dns;
    const newLeader = fencedDns(azure.dns, leading({ epoch: 3, leader: true }), "contoso");
    const stale = fencedDns(azure.dns, leading({ epoch: 2, leader: true }), "contoso");

    const before = await azure.dns.getCname(zoneId, recordName);
    await newLeader.setCname(zoneId, recordName, { cname: sim.services.standby.gatewayHost, ttl: 60 }, { ifMatch: before!.etag });
    const written = await azure.dns.getCname(zoneId, recordName);
    expect(written?.metadata?.[DNS_EPOCH_KEY]).toBe("3");
    expect(written?.cname).toBe(sim.services.standby.gatewayHost);

    const writes = dnsWrites();
    await expect(stale.setCname(zoneId, recordName, { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifMatch: written!.etag })).rejects.toThrow(
      /last written by a leader of epoch 3, newer than this replica's 2/,
    );
    expect(dnsWrites()).toBe(writes);
    expect((await azure.dns.getCname(zoneId, recordName))?.cname).toBe(sim.services.standby.gatewayHost);
  });

  it("a write with the etag of the record it last read through the fenced port checks that read's epoch, without reading again", async () => {
    const { zoneId, recordName } = sim.dns;
    let reads = 0;
    const counting: DnsPort = {
      getCname: (z, r, signal) => (reads++, azure.dns.getCname(z, r, signal)),
      setCname: (z, r, record, precondition, signal) => azure.dns.setCname(z, r, record, precondition, signal),
    };
    const leader = fencedDns(counting, leading({ epoch: 4, leader: true }), "contoso");
    const stale = fencedDns(counting, leading({ epoch: 1, leader: true }), "contoso");

    const read = await leader.getCname(zoneId, recordName);
    await leader.setCname(zoneId, recordName, { cname: sim.services.standby.gatewayHost, ttl: 60 }, { ifMatch: read!.etag });
    expect(reads).toBe(1);
    expect((await azure.dns.getCname(zoneId, recordName))?.metadata?.[DNS_EPOCH_KEY]).toBe("4");

    // The reused read still fences: it carries epoch 4, newer than 1.
    const seenByStale = await stale.getCname(zoneId, recordName);
    const writes = dnsWrites();
    await expect(stale.setCname(zoneId, recordName, { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifMatch: seenByStale!.etag })).rejects.toThrow(/epoch 4, newer than this replica's 1/);
    expect(dnsWrites()).toBe(writes);
    expect(reads).toBe(2);
  });

  it("a replica that no longer holds the lease does not even read before refusing", async () => {
    const { zoneId, recordName } = sim.dns;
    const deposed = fencedDns(azure.dns, leading({ epoch: 9, leader: false }), "contoso");
    const current = await azure.dns.getCname(zoneId, recordName);
    await expect(deposed.setCname(zoneId, recordName, { cname: "x.azure-api.net", ttl: 60 }, { ifMatch: current!.etag })).rejects.toBeInstanceOf(NotLeaderError);
  });

  it("an interleaved write makes the fenced write answer 412 (If-Match is kept)", async () => {
    const { zoneId, recordName } = sim.dns;
    const leader = fencedDns(azure.dns, leading({ epoch: 5, leader: true }), "contoso");
    const read = await azure.dns.getCname(zoneId, recordName);
    await azure.dns.setCname(zoneId, recordName, { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifMatch: read!.etag });
    await expect(leader.setCname(zoneId, recordName, { cname: sim.services.standby.gatewayHost, ttl: 60 }, { ifMatch: read!.etag })).rejects.toMatchObject({ code: "PreconditionFailed" });
  });

  it("like Azure, a PUT stores the metadata it carries and removes metadata it does not carry", async () => {
    const { zoneId, recordName } = sim.dns;
    const read = await azure.dns.getCname(zoneId, recordName);
    await azure.dns.setCname(zoneId, recordName, { cname: sim.services.primary.gatewayHost, ttl: 60, metadata: { [DNS_EPOCH_KEY]: "7" } }, { ifMatch: read!.etag });
    const tagged = await azure.dns.getCname(zoneId, recordName);
    expect(tagged?.metadata).toEqual({ [DNS_EPOCH_KEY]: "7" });
    await azure.dns.setCname(zoneId, recordName, { cname: sim.services.primary.gatewayHost, ttl: 60 }, { ifMatch: tagged!.etag });
    expect((await azure.dns.getCname(zoneId, recordName))?.metadata).toBeUndefined();
  });

  it("state saves are conditional: a deposed leader cannot overwrite its successor's snapshot", async () => {
    const service = createBlobServiceClient({ blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountName: sim.storage.accountName, accountKey: sim.storage.accountKey } });
    const oldLeader = new BlobStateStore(service, "fencing-state", { conditional: true });
    const newLeader = new BlobStateStore(service, "fencing-state", { conditional: true });
    expect(await oldLeader.load("contoso")).toBeNull();
    await oldLeader.save("contoso", { value: "restoring", by: "old" });
    // The new leader takes over from the stored snapshot and writes its own.
    expect(await newLeader.load("contoso")).toEqual({ value: "restoring", by: "old" });
    await newLeader.save("contoso", { value: "failedOver", by: "new" });
    await expect(oldLeader.save("contoso", { value: "verifyingStandby", by: "old" })).rejects.toThrow(/written by another replica since this one read it/);
    expect(await newLeader.load("contoso")).toEqual({ value: "failedOver", by: "new" });
    // Two saves in a row by the same leader go through (its etag follows its own writes).
    await newLeader.save("contoso", { value: "failedOver", by: "new", n: 2 });
    // Without coordination saves stay unconditional, as before.
    const sole = new BlobStateStore(service, "fencing-state");
    await sole.save("contoso", { value: "monitoring" });
    expect(await newLeader.load("contoso")).toEqual({ value: "monitoring" });
  });
});
