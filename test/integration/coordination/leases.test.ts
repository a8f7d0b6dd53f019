import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { BlobLeaseStore } from "../../../src/azure/blob-leases.js";
import { createBlobServiceClient } from "../../../src/azure/blob-client.js";
import { LeaseManager, type LeaseTimings } from "../../../src/coordination/lease-manager.js";
import { NotLeaderError, type LeaseStorePort, type PairRole, type ReplicaInfo } from "../../../src/ports/leadership.js";
import { systemClock } from "../../../src/ports/clock.js";

const quiet = { info: () => undefined, warn: () => undefined };
const weu: ReplicaInfo = { replicaId: "ctl-weu", region: "westeurope", adminUrl: "http://127.0.0.1:7001" };
const neu: ReplicaInfo = { replicaId: "ctl-neu", region: "northeurope", adminUrl: "http://127.0.0.1:7002" };
// The real lease is 15 s (Azure's minimum); the loops run fast so tests take seconds, not minutes.
const fast: LeaseTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, renewIntervalMs: 200 };

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("blob leases (Azurite)", () => {
  let azurite: RunningAzurite;
  let service: BlobServiceClient;
  let container = 0;
  const store = () => new BlobLeaseStore(service, `leases-${++container}`);
  beforeAll(async () => {
    azurite = await startAzurite();
    service = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("grants a pair's lease to one replica, bumps the epoch on every acquisition, and refuses it to the other", async () => {
    const leases = store();
    expect(await leases.acquire("contoso", "00000000-0000-0000-0000-00000000000a", 15, weu)).toEqual({ epoch: 1 });
    expect(await leases.acquire("contoso", "00000000-0000-0000-0000-00000000000b", 15, neu)).toBeNull();
    expect(await leases.read("contoso")).toMatchObject({ leased: true, epoch: 1, holder: weu });
    await leases.release("contoso", "00000000-0000-0000-0000-00000000000a");
    expect(await leases.acquire("contoso", "00000000-0000-0000-0000-00000000000b", 15, neu)).toEqual({ epoch: 2 });
    expect(await leases.read("contoso")).toMatchObject({ leased: true, epoch: 2, holder: neu });
  });

  it("only the holder can write the epoch: a metadata write without the lease id answers 412", async () => {
    const leases = store();
    await leases.acquire("contoso", "00000000-0000-0000-0000-00000000000a", 15, weu);
    const raw = new BlobServiceClient(azurite.blobEndpoint, new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey));
    const blob = raw.getContainerClient(`leases-${container}`).getBlockBlobClient("contoso.lease");
    await expect(blob.setMetadata({ epoch: "99" })).rejects.toMatchObject({ statusCode: 412 });
    expect((await leases.read("contoso")).epoch).toBe(1);
  });

  it("a renewal with a lease id that is not the current one is LeaseLost", async () => {
    const leases = store();
    await leases.acquire("contoso", "00000000-0000-0000-0000-00000000000a", 15, weu);
    await expect(leases.renew("contoso", "00000000-0000-0000-0000-00000000000b")).rejects.toThrow(/no longer ours/);
  });

  it("two managers: one leads, the other follows and shows the leader; a graceful stop hands over at once", async () => {
    const leases = store();
    const a = new LeaseManager(weu, ["contoso"], leases, fast, systemClock(), quiet);
    const b = new LeaseManager(neu, ["contoso"], leases, fast, systemClock(), quiet);
    const roles: Array<[string, PairRole]> = [];
    b.onChange((_, role) => roles.push(["b", role]));
    a.start();
    await until("a leads", () => a.canMutate("contoso"));
    b.start();
    await until("b sees a as leader", () => b.view("contoso").leader?.replicaId === "ctl-weu");
    expect(b.canMutate("contoso")).toBe(false);
    expect(a.view("contoso")).toMatchObject({ role: "leader", epoch: 1, leader: weu });
    expect(b.view("contoso")).toMatchObject({ role: "follower", epoch: 1 });
    await expect(b.confirm("contoso")).rejects.toBeInstanceOf(NotLeaderError);
    expect(await a.confirm("contoso")).toBe(1);

    await a.stop();
    await until("b leads", () => b.canMutate("contoso"));
    expect(b.view("contoso")).toMatchObject({ role: "leader", epoch: 2 });
    expect(roles).toEqual([["b", "leader"]]);
    await b.stop();
  });

  it("a leader whose renewals do not come back stands down at its renew deadline, before the lease can expire", async () => {
    const real = store();
    let hang = false;
    const flaky: LeaseStorePort = {
      acquire: (...args) => real.acquire(...args),
      read: (...args) => real.read(...args),
      release: (...args) => real.release(...args),
      // A renewal that never answers (a partitioned store), until the caller gives up on it.
      renew: (pair, id, signal) => (hang ? new Promise<void>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason))) : real.renew(pair, id, signal)),
    };
    const a = new LeaseManager(weu, ["contoso"], flaky, { leaseDurationMs: 15_000, renewDeadlineMs: 1_000, renewIntervalMs: 200 }, systemClock(), quiet);
    const changes: Array<[PairRole, string]> = [];
    a.onChange((_, role, why) => changes.push([role, why]));
    a.start();
    await until("a leads", () => a.canMutate("contoso"));
    hang = true;
    await until("a stands down", () => changes.length === 2, 5_000);
    expect(a.canMutate("contoso")).toBe(false);
    expect(changes[1]![0]).toBe("follower");
    expect(changes[1]![1]).toMatch(/renew deadline 1 s/);
    // The lease itself still runs: nobody else could have taken over yet.
    expect((await real.read("contoso")).leased).toBe(true);
    hang = false;
    await a.stop();
  });
});
