import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { BlobVantageStore } from "../../../src/azure/blob-vantage-store.js";
import { createBlobServiceClient } from "../../../src/azure/blob-client.js";
import { SharedVerdicts } from "../../../src/vantage/shared-verdicts.js";
import { systemClock } from "../../../src/ports/clock.js";

const quiet = { info: () => undefined, warn: () => undefined };
const PRIMARY = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu";

describe("published probe verdicts in blob storage (Azurite)", () => {
  let azurite: RunningAzurite;
  let service: BlobServiceClient;
  beforeAll(async () => {
    azurite = await startAzurite();
    service = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("reads nothing before anyone published, creates the container on first publish, and overwrites each replica's own blob", async () => {
    const store = new BlobVantageStore(service, "leases-vantage-1");
    expect(await store.readAll()).toEqual([]);
    await store.publish("ctl-neu", '{"n":1}');
    await store.publish("ctl-neu", '{"n":2}');
    await store.publish("ctl-weu", '{"n":3}');
    expect((await store.readAll()).sort((a, b) => a.replicaId.localeCompare(b.replicaId))).toEqual([
      { replicaId: "ctl-neu", body: '{"n":2}' },
      { replicaId: "ctl-weu", body: '{"n":3}' },
    ]);
  });

  it("two replicas share verdicts through it: each reads the other's probes of the same gateway", async () => {
    const store = new BlobVantageStore(service, "leases-vantage-2");
    const clock = systemClock();
    const make = (replicaId: string, region: string) => new SharedVerdicts({ replicaId, region }, { store, clock, log: quiet, maxAgeMs: 60_000, onError: () => undefined });
    const weu = make("ctl-weu", "westeurope");
    const neu = make("ctl-neu", "northeurope");
    const observedAt = new Date().toISOString();
    neu.noteOwn({ id: "p1", kind: "health", channel: "probe", source: "probe", resourceId: PRIMARY, region: "westeurope", status: "unhealthy", observedAt, summary: "probe", attributes: { failed: 2, attempts: 2 } });
    await neu.round();
    const seen = await weu.round();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ resourceId: PRIMARY, status: "unhealthy", observedAt, channel: "replicas", attributes: { replicaId: "ctl-neu", replicaRegion: "northeurope", since: observedAt } });
  });

  it("an unreachable store is an error the caller sees (SharedVerdicts counts and logs it)", async () => {
    const dead = createBlobServiceClient({ blobEndpoint: "http://127.0.0.1:1/devstoreaccount1", auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
    const store = new BlobVantageStore(dead, "leases-vantage-3");
    await expect(store.readAll()).rejects.toThrow(/reading the replicas' probe verdicts/);
    const errors: string[] = [];
    const shared = new SharedVerdicts({ replicaId: "ctl-weu", region: "westeurope" }, { store, clock: systemClock(), log: quiet, maxAgeMs: 60_000, onError: (op) => void errors.push(op) });
    expect(await shared.round()).toEqual([]);
    expect(errors).toEqual(["read"]);
  });
});
