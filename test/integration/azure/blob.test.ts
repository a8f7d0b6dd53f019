import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { createBlobServiceClient } from "../../../src/azure/blob-client.js";
import { BlobBackupStore } from "../../../src/azure/blob-backups.js";
import { BlobStateStore } from "../../../src/azure/blob-state-store.js";
import { BlobAuditLog } from "../../../src/azure/blob-audit-log.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import type { AuditEntry } from "../../../src/ports/state.js";

describe("blob adapters against Azurite", () => {
  let azurite: RunningAzurite;
  let service: BlobServiceClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    service = createBlobServiceClient({
      blobEndpoint: azurite.blobEndpoint,
      auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey },
    });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  describe("BlobBackupStore", () => {
    it("lists backups newest first, from metadata when annotated and from the creation time otherwise", async () => {
      const container = service.getContainerClient("backups-list");
      await container.create();
      const store = new BlobBackupStore(service);
      await container.getBlockBlobClient("old.apimbackup").upload("x", 1, { metadata: { takenat: "2026-11-01T00:00:00.000Z" } });
      await container.getBlockBlobClient("unannotated.apimbackup").upload("yyy", 3);
      await container.getBlockBlobClient("mid.apimbackup").upload("zz", 2);
      await store.annotate("backups-list", "mid.apimbackup", {
        sourceServiceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/RG/providers/Microsoft.ApiManagement/service/APIM-WEU",
        sku: "Premium",
        takenAt: Date.parse("2026-12-01T08:45:00.000Z"),
      });

      const records = await store.list("backups-list");

      expect(records.map((r) => r.name)).toEqual(["unannotated.apimbackup", "mid.apimbackup", "old.apimbackup"]);
      const [unannotated, mid, old] = records;
      const created = (await container.getBlobClient("unannotated.apimbackup").getProperties()).createdOn!.getTime();
      expect(unannotated).toEqual({ name: "unannotated.apimbackup", takenAt: created, sourceServiceId: null, sku: null, sizeBytes: 3 });
      expect(mid).toEqual({
        name: "mid.apimbackup",
        takenAt: Date.parse("2026-12-01T08:45:00.000Z"),
        sourceServiceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.apimanagement/service/apim-weu",
        sku: "Premium",
        sizeBytes: 2,
      });
      expect(old?.takenAt).toBe(Date.parse("2026-11-01T00:00:00.000Z"));
    });

    it("callers sharing a container list it together, and none gets a listing that began before its call", async () => {
      const container = service.getContainerClient("backups-shared");
      await container.create();
      await container.getBlockBlobClient("a.apimbackup").upload("x", 1);
      const store = new BlobBackupStore(service);
      const first = store.list("backups-shared");
      await container.getBlockBlobClient("b.apimbackup").upload("x", 1);
      const stopped = new AbortController();
      const abandoned = store.list("backups-shared", stopped.signal);
      const later = Array.from({ length: 20 }, () => store.list("backups-shared"));
      stopped.abort(new Error("pair stopping"));
      await expect(abandoned).rejects.toThrow("pair stopping");
      expect((await first).map((r) => r.name)).toContain("a.apimbackup");
      for (const listing of await Promise.all(later)) expect(listing.map((r) => r.name).sort()).toEqual(["a.apimbackup", "b.apimbackup"]);
    });

    it("pairs that ask in the same moment (a region outage) share one listing", async () => {
      const counted = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
      const container = counted.getContainerClient("backups-burst");
      await container.create();
      await container.getBlockBlobClient("a.apimbackup").upload("x", 1);
      let listings = 0;
      counted.getContainerClient = () => container;
      const list = container.listBlobsFlat.bind(container);
      container.listBlobsFlat = ((options?: Parameters<typeof list>[0]) => (listings++, list(options))) as typeof list;
      const store = new BlobBackupStore(counted);
      const all = await Promise.all(Array.from({ length: 50 }, () => store.list("backups-burst")));
      expect(listings).toBe(1);
      for (const listing of all) expect(listing.map((r) => r.name)).toEqual(["a.apimbackup"]);
    });

    it("a listing asked for while another runs does not wait for it", async () => {
      const counted = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
      const container = counted.getContainerClient("backups-overlap");
      await container.create();
      await container.getBlockBlobClient("a.apimbackup").upload("x", 1);
      counted.getContainerClient = () => container;
      // The first listing hangs until released (a slow periodic read); the second must not queue behind it.
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const list = container.listBlobsFlat.bind(container);
      let calls = 0;
      container.listBlobsFlat = ((options?: Parameters<typeof list>[0]) => {
        const inner = list(options);
        if (++calls > 1) return inner;
        return Object.assign(Object.create(inner), {
          async next() {
            await held;
            return inner.next();
          },
          [Symbol.asyncIterator]() {
            return this;
          },
        });
      }) as typeof list;
      const store = new BlobBackupStore(counted);
      const slow = store.list("backups-overlap");
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await store.list("backups-overlap")).map((r) => r.name)).toEqual(["a.apimbackup"]);
      release();
      expect((await slow).map((r) => r.name)).toEqual(["a.apimbackup"]);
    });

    it("keeps metadata it did not write when annotating", async () => {
      const container = service.getContainerClient("backups-annotate");
      await container.create();
      await container.getBlockBlobClient("b1").upload("x", 1, { metadata: { origin: "apim" } });
      await new BlobBackupStore(service).annotate("backups-annotate", "b1", { sourceServiceId: "/x", sku: "Standard", takenAt: 0 });
      const { metadata } = await container.getBlobClient("b1").getProperties();
      expect(metadata).toEqual({ origin: "apim", takenat: "1970-01-01T00:00:00.000Z", sourceserviceid: "/x", sku: "Standard" });
    });

    it("treats a container APIM has not created yet as no backups", async () => {
      expect(await new BlobBackupStore(service).list("never-created")).toEqual([]);
    });

    it("deletes a backup, and deleting it again is not an error", async () => {
      const container = service.getContainerClient("backups-delete");
      await container.create();
      await container.getBlockBlobClient("gone").upload("x", 1);
      const store = new BlobBackupStore(service);
      await store.delete("backups-delete", "gone");
      await store.delete("backups-delete", "gone");
      expect(await store.list("backups-delete")).toEqual([]);
    });

    it("reports annotating a missing blob as AzureOperationError BlobNotFound", async () => {
      const error = await new BlobBackupStore(service)
        .annotate("backups-list", "missing", { sourceServiceId: "/x", sku: "Premium", takenAt: 0 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AzureOperationError);
      expect(error).toMatchObject({ code: "BlobNotFound", statusCode: 404, retryable: false });
      expect((error as Error).message).toMatch(/^annotating backup missing in container backups-list failed: /);
    });

    it("rejects an invalid container name with the rule", async () => {
      await expect(new BlobBackupStore(service).list("Bad_Name")).rejects.toThrow(
        "'Bad_Name' is not a valid blob container name: use 3-63 lower-case letters, digits and single hyphens.",
      );
    });
  });

  describe("BlobStateStore", () => {
    it("returns null before the first save, then the last saved snapshot, also from a new instance", async () => {
      const store = new BlobStateStore(service, "state-roundtrip");
      expect(await store.load("weu-neu")).toBeNull();
      await store.save("weu-neu", { value: "monitoring", context: { n: 1 } });
      await store.save("weu-neu", { value: "failingOver", context: { n: 2 } });
      expect(await new BlobStateStore(service, "state-roundtrip").load("weu-neu")).toEqual({ value: "failingOver", context: { n: 2 } });
      const props = await service.getContainerClient("state-roundtrip").getBlobClient("weu-neu.json").getProperties();
      expect(props.contentType).toBe("application/json");
    });

    it("says which blob holds corrupt state and how to recover", async () => {
      const container = service.getContainerClient("state-corrupt");
      await container.create();
      await container.getBlockBlobClient("p1.json").upload("{not json", 9);
      await expect(new BlobStateStore(service, "state-corrupt").load("p1")).rejects.toThrow(
        /^The saved state of pair p1 \(.*state-corrupt\/p1\.json\) is not valid JSON .*: inspect it, then delete the blob to start the pair fresh\.$/,
      );
    });

    it("refuses pair names that cannot be blob names", async () => {
      await expect(new BlobStateStore(service, "state-names").save("../evil", {})).rejects.toThrow(
        "Pair name '../evil' cannot name a blob: use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit).",
      );
    });
  });

  describe("BlobAuditLog", () => {
    const entry = (pair: string, at: string, reason: string): AuditEntry => ({ at, pair, type: "decision", verdict: "hold", reason });

    it("appends JSON lines per pair, in order, and reads one pair or all pairs by time", async () => {
      const log = new BlobAuditLog(service, "audit-order");
      await Promise.all([
        log.append(entry("a", "2026-12-01T08:00:00.000Z", "a1")),
        log.append(entry("a", "2026-12-01T08:02:00.000Z", "a2")),
        log.append(entry("b", "2026-12-01T08:01:00.000Z", "b1")),
        log.append(entry("a", "2026-12-01T08:03:00.000Z", "a3")),
      ]);
      expect((await log.read("a")).map((e) => e.reason)).toEqual(["a1", "a2", "a3"]);
      expect((await new BlobAuditLog(service, "audit-order").read()).map((e) => e.reason)).toEqual(["a1", "b1", "a2", "a3"]);
      const blob = await service.getContainerClient("audit-order").getBlobClient("a/000001.jsonl").getProperties();
      expect(blob.blobType).toBe("AppendBlob");
    });

    it("appends the entries of one call as one block, packing blocks up to Azure's 4 MiB, and refuses mixing pairs", async () => {
      const log = new BlobAuditLog(service, "audit-batch");
      await log.append(entry("p", "2026-12-01T08:00:00.000Z", "one"), entry("p", "2026-12-01T08:00:01.000Z", "two"), entry("p", "2026-12-01T08:00:02.000Z", "three"));
      const blob = service.getContainerClient("audit-batch").getAppendBlobClient("p/000001.jsonl");
      expect((await blob.getProperties()).blobCommittedBlockCount).toBe(1);
      const big = "x".repeat(1_500_000); // three of these exceed one block: two blocks
      await log.append(entry("p", "2026-12-01T08:01:00.000Z", `a${big}`), entry("p", "2026-12-01T08:01:01.000Z", `b${big}`), entry("p", "2026-12-01T08:01:02.000Z", `c${big}`));
      expect((await blob.getProperties()).blobCommittedBlockCount).toBe(3);
      expect((await log.read("p")).map((e) => e.reason!.slice(0, 5))).toEqual(["one", "two", "three", "axxxx", "bxxxx", "cxxxx"]);
      await expect(log.append(entry("p", "2026-12-01T08:02:00.000Z", "x"), entry("q", "2026-12-01T08:02:00.000Z", "y"))).rejects.toThrow(
        "Audit entries of pairs p and q cannot be appended together: append each pair's entries on their own.",
      );
    });

    it("continues the existing segment after a restart", async () => {
      await new BlobAuditLog(service, "audit-restart").append(entry("p", "2026-12-01T08:00:00.000Z", "before"));
      await new BlobAuditLog(service, "audit-restart").append(entry("p", "2026-12-01T08:01:00.000Z", "after"));
      const names: string[] = [];
      for await (const b of service.getContainerClient("audit-restart").listBlobsFlat()) names.push(b.name);
      expect(names).toEqual(["p/000001.jsonl"]);
      expect((await new BlobAuditLog(service, "audit-restart").read("p")).map((e) => e.reason)).toEqual(["before", "after"]);
    });

    it("skips a torn last line with a warning instead of failing", async () => {
      const warnings: string[] = [];
      const log = new BlobAuditLog(service, "audit-torn", { warn: (m) => warnings.push(m) });
      await log.append(entry("p", "2026-12-01T08:00:00.000Z", "kept"));
      const torn = '{"at":"2026-12-01T08:01:00.000Z","pair":"p","ty';
      await service.getContainerClient("audit-torn").getAppendBlobClient("p/000001.jsonl").appendBlock(torn, torn.length);

      const entries = await log.read("p");

      expect(entries.map((e) => e.reason)).toEqual(["kept"]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^audit: skipped a torn last line in p\/000001\.jsonl \(an interrupted write\): /);
    });

    it("reads each segment once and then only what was appended; 200 concurrent reads share one refresh", async () => {
      // Counts the listings and downloads the audit log makes.
      const calls: string[] = [];
      const counted = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
      const container = counted.getContainerClient("audit-incremental");
      counted.getContainerClient = () => container;
      const list = container.listBlobsFlat.bind(container);
      container.listBlobsFlat = ((options?: Parameters<typeof list>[0]) => (calls.push("list"), list(options))) as typeof list;
      const blobClient = container.getBlobClient.bind(container);
      container.getBlobClient = (name: string) => {
        const blob = blobClient(name);
        const download = blob.downloadToBuffer.bind(blob) as (offset?: number, count?: number) => Promise<Buffer>;
        Object.assign(blob, { downloadToBuffer: (offset?: number, count?: number) => (calls.push(`download ${name} from ${offset}`), download(offset, count)) });
        return blob;
      };
      const log = new BlobAuditLog(counted, "audit-incremental");
      await log.append(entry("p", "2026-12-01T08:00:00.000Z", "one"));
      const first = (await log.read("p")).map((e) => e.reason);
      await log.append(entry("p", "2026-12-01T08:01:00.000Z", "two"));
      const lineBytes = Buffer.byteLength(`${JSON.stringify(entry("p", "2026-12-01T08:00:00.000Z", "one"))}\n`);
      calls.length = 0;
      const reads = await Promise.all(Array.from({ length: 200 }, () => log.read("p")));
      expect(first).toEqual(["one"]);
      for (const read of reads) expect(read.map((e) => e.reason)).toEqual(["one", "two"]);
      // The first read of the burst, plus at most one shared by all who came while it ran; each only from the known end.
      expect(calls.filter((c) => c === "list").length).toBeLessThanOrEqual(2);
      expect(calls.filter((c) => c.startsWith("download"))).toEqual([`download p/000001.jsonl from ${lineBytes}`]);
    });

    it("reads nothing when no entry was ever written", async () => {
      expect(await new BlobAuditLog(service, "audit-empty").read()).toEqual([]);
    });
  });

  it("surfaces an unreachable storage endpoint as a retryable error", async () => {
    const dead = createBlobServiceClient({
      blobEndpoint: "http://127.0.0.1:1/devstoreaccount1",
      auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey },
    });
    const error = await new BlobStateStore(dead, "state-dead").load("p").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureOperationError);
    expect(error).toMatchObject({ statusCode: undefined, retryable: true });
    expect((error as Error).message).toMatch(/^loading the state of pair p failed: .*\(no response: ECONNREFUSED\)$/);
  });
});
