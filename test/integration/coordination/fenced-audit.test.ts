import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobServiceClient } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../../src/sim/storage/azurite.js";
import { createBlobServiceClient } from "../../../src/azure/blob-client.js";
import { AUDIT_EPOCH_KEY, BlobAuditLog } from "../../../src/azure/blob-audit-log.js";
import { claimAuditTrail, fencedAuditSink } from "../../../src/coordination/fenced-audit.js";
import { AuditTrailMovedError } from "../../../src/ports/state.js";
import type { PairRecord } from "../../../src/runtime/records/record-stream.js";
import { ManualClock } from "../../support/fakes/index.js";

const record = (pair: string, seq: number, verdict: string, actor: string): PairRecord => ({
  at: new Date(Date.UTC(2026, 11, 1, 8, 0, seq)).toISOString(),
  pair,
  type: "decision",
  verdict,
  actor,
  seq,
});

describe("fenced audit writes on append blobs (Azurite)", () => {
  let azurite: RunningAzurite;
  let service: BlobServiceClient;
  const claimOptions = { clock: new ManualClock(), stillLeader: () => true };

  beforeAll(async () => {
    azurite = await startAzurite();
    service = createBlobServiceClient({ blobEndpoint: azurite.blobEndpoint, auth: { type: "accountKey", accountName: azurite.accountName, accountKey: azurite.accountKey } });
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("a stale writer's append answers 412 and is refused; the trail has every seq once, in order", async () => {
    // Two replicas, each with its own adapter instance, as two processes would have.
    const weu = new BlobAuditLog(service, "audit-fenced");
    const neu = new BlobAuditLog(service, "audit-fenced");
    const refused: string[] = [];
    const old = fencedAuditSink(weu, "contoso", await claimAuditTrail(weu, "contoso", 1, claimOptions), "ctl-weu", { warn: (_f, m = "") => refused.push(m) }).sink;
    await old.deliver(record("contoso", 1, "restore.started", "ctl-weu"));
    await old.deliver(record("contoso", 2, "restore.polled", "ctl-weu"));

    const trail = await claimAuditTrail(neu, "contoso", 2, claimOptions);
    expect(trail.lastSeq).toBe(2);
    const segment = service.getContainerClient("audit-fenced").getAppendBlobClient("contoso/000001.jsonl");
    expect((await segment.getProperties()).metadata?.[AUDIT_EPOCH_KEY]).toBe("2");
    const leader = fencedAuditSink(neu, "contoso", trail, "ctl-neu", { warn: () => undefined }).sink;
    await leader.deliver(record("contoso", 3, "leadership.acquired", "ctl-neu"));

    await old.deliver(record("contoso", 3, "leadership.lost", "ctl-weu"));
    await leader.deliver(record("contoso", 4, "failover.completed", "ctl-neu"));

    const entries = await new BlobAuditLog(service, "audit-fenced").read("contoso");
    expect(entries.map((e) => [e.seq, e.actor, e.verdict])).toEqual([
      [1, "ctl-weu", "restore.started"],
      [2, "ctl-weu", "restore.polled"],
      [3, "ctl-neu", "leadership.acquired"],
      [4, "ctl-neu", "failover.completed"],
    ]);
    expect(refused).toEqual([expect.stringContaining("audit append refused: replica ctl-weu (epoch 1) is no longer the leader of pair contoso; the trail belongs to epoch 2")]);
  });

  it("the adapter's conditional append and claim answer AuditTrailMovedError when the trail moved, and the first claim creates it", async () => {
    const audit = new BlobAuditLog(service, "audit-conditions");
    const empty = await audit.tail("p1");
    expect(empty).toEqual({ lastSeq: 0, epoch: null, position: "1:" });
    const claimed = await audit.claim("p1", 4, empty.position);
    await expect(audit.claim("p1", 5, empty.position)).rejects.toThrow(AuditTrailMovedError); // created meanwhile
    const appended = await audit.appendAt([record("p1", 1, "a", "x")], claimed);
    await expect(audit.appendAt([record("p1", 2, "b", "x")], claimed)).rejects.toThrow(AuditTrailMovedError);
    await audit.append({ at: new Date().toISOString(), pair: "p1", type: "operator", verdict: "refused" }); // unconditional
    await expect(audit.appendAt([record("p1", 2, "b", "x")], appended)).rejects.toThrow(AuditTrailMovedError);
    const tail = await audit.tail("p1");
    expect(tail).toMatchObject({ lastSeq: 1, epoch: 4 });
    await audit.appendAt([record("p1", 2, "b", "x")], tail.position);
    expect((await audit.read("p1")).map((e) => e.verdict)).toEqual(["a", "refused", "b"]);
  });
});
