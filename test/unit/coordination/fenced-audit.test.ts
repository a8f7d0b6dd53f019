import { describe, expect, it } from "vitest";
import { claimAuditTrail, fencedAuditSink, takeOverAuditTrail } from "../../../src/coordination/fenced-audit.js";
import { NotLeaderError, type Leadership } from "../../../src/ports/leadership.js";
import type { AuditEntry } from "../../../src/ports/state.js";
import type { PairRecord } from "../../../src/runtime/records/record-stream.js";
import { ManualClock, MemoryAuditLog } from "../../support/fakes/index.js";

const PAIR = "contoso";

function record(seq: number, verdict: string, actor: string): PairRecord {
  return { at: new Date(Date.UTC(2026, 11, 1, 8, 0, seq)).toISOString(), pair: PAIR, type: "decision", verdict, actor, seq };
}

function capturingLog() {
  const lines: Array<{ fields: object; message: string }> = [];
  return { lines, warn: (fields: object, message = "") => lines.push({ fields, message }) };
}

const seqs = (entries: AuditEntry[]) => entries.filter((e) => e.seq !== undefined).map((e) => e.seq);
const claimOptions = { clock: new ManualClock(), stillLeader: () => true };

describe("fenced audit writes", () => {
  it("refuses a deposed leader's append once the new leader claimed the trail, logs it, and never retries it", async () => {
    const audit = new MemoryAuditLog();
    const oldLog = capturingLog();
    const old = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 1, claimOptions), "ctl-weu", oldLog).sink;
    await old.deliver(record(1, "restore.started", "ctl-weu"));
    await old.deliver(record(2, "restore.polled", "ctl-weu"));

    // ctl-weu freezes; ctl-neu takes the lease (epoch 2) and claims the trail.
    const trail = await claimAuditTrail(audit, PAIR, 2, claimOptions);
    expect(trail.lastSeq).toBe(2);
    const leader = fencedAuditSink(audit, PAIR, trail, "ctl-neu", capturingLog()).sink;
    await leader.deliver(record(3, "leadership.acquired", "ctl-neu"));

    // ctl-weu wakes up and appends what it had numbered 3 and 4: refused, resolved (not thrown, so not retried).
    await expect(old.deliver(record(3, "leadership.lost", "ctl-weu"))).resolves.toBeUndefined();
    await expect(old.deliver(record(4, "restore.polled", "ctl-weu"))).resolves.toBeUndefined();
    await leader.deliver(record(4, "failover.completed", "ctl-neu"));

    const entries = await audit.read(PAIR);
    expect(seqs(entries)).toEqual([1, 2, 3, 4]);
    expect(entries.filter((e) => e.actor === "ctl-weu").map((e) => e.verdict)).toEqual(["restore.started", "restore.polled"]);
    expect(entries.slice(-2).map((e) => e.verdict)).toEqual(["leadership.acquired", "failover.completed"]);
    expect(oldLog.lines.map((l) => l.message)).toEqual([
      "pair contoso: audit append refused: replica ctl-weu (epoch 1) is no longer the leader of pair contoso; the trail belongs to epoch 2; entry 3 (leadership.lost) is not written",
      "pair contoso: audit append refused: replica ctl-weu (epoch 1) is no longer the leader of pair contoso; the trail belongs to epoch 2; entry 4 (restore.polled) is not written",
    ]);
  });

  it("a deposed leader that appends between the new leader's read and its claim is numbered after, not over", async () => {
    const audit = new MemoryAuditLog();
    const old = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 1, claimOptions), "ctl-weu", capturingLog()).sink;
    await old.deliver(record(1, "restore.started", "ctl-weu"));
    // The old leader's entry lands right after the new leader read the trail's end.
    let interleaved = false;
    const racing = Object.assign(Object.create(audit) as MemoryAuditLog, {
      tail: async (pair: string) => {
        const tail = await audit.tail(pair);
        if (!interleaved) {
          interleaved = true;
          await old.deliver(record(2, "restore.polled", "ctl-weu"));
        }
        return tail;
      },
    });
    const trail = await claimAuditTrail(racing, PAIR, 2, claimOptions);
    expect(trail.lastSeq).toBe(2); // read again after the claim found the trail moved
    const leader = fencedAuditSink(audit, PAIR, trail, "ctl-neu", capturingLog()).sink;
    await leader.deliver(record(trail.lastSeq + 1, "leadership.acquired", "ctl-neu"));
    expect(seqs(await audit.read(PAIR))).toEqual([1, 2, 3]);
  });

  it("the leader skips records owed from before the take-over that the trail already has, and appends the rest", async () => {
    const audit = new MemoryAuditLog();
    const first = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 1, claimOptions), "ctl-weu", capturingLog()).sink;
    await first.deliver(record(1, "a", "ctl-weu"));
    await first.deliver(record(2, "b", "ctl-weu"));
    // Restarted after kill -9 (a new epoch): its outbox still owes 2 and 3.
    const again = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 2, claimOptions), "ctl-weu", capturingLog()).sink;
    await again.deliver(record(2, "b", "ctl-weu"));
    await again.deliver(record(3, "c", "ctl-weu"));
    expect((await audit.read(PAIR)).map((e) => e.verdict)).toEqual(["a", "b", "c"]);
  });

  it("an operator refusal written in between does not stop the leader, and an append whose answer was lost is not written twice", async () => {
    const audit = new MemoryAuditLog();
    const log = capturingLog();
    const leader = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 3, claimOptions), "ctl-neu", log).sink;
    await leader.deliver(record(1, "a", "ctl-neu"));
    await audit.append({ at: new Date().toISOString(), pair: PAIR, type: "operator", verdict: "refused", reason: "bad token" });
    await leader.deliver(record(2, "b", "ctl-neu"));
    audit.loseNextAnswers = 1;
    await expect(leader.deliver(record(3, "c", "ctl-neu"))).rejects.toThrow(/connection reset/);
    await leader.deliver(record(3, "c", "ctl-neu")); // the stream's retry
    await leader.deliver(record(4, "d", "ctl-neu"));
    expect((await audit.read(PAIR)).map((e) => e.verdict)).toEqual(["a", "refused", "b", "c", "d"]);
    expect(log.lines).toEqual([]);
  });

  it("appends what waits in one conditional write, and a batch whose answer was lost is not written twice", async () => {
    const audit = new MemoryAuditLog();
    const leader = fencedAuditSink(audit, PAIR, await claimAuditTrail(audit, PAIR, 3, claimOptions), "ctl-neu", capturingLog()).sink;
    const appends = audit.appends;
    await leader.deliverAll!([record(1, "a", "ctl-neu"), record(2, "b", "ctl-neu"), record(3, "c", "ctl-neu")]);
    expect(audit.appends - appends).toBe(1);
    audit.loseNextAnswers = 1;
    await expect(leader.deliverAll!([record(4, "d", "ctl-neu"), record(5, "e", "ctl-neu")])).rejects.toThrow(/connection reset/);
    await leader.deliverAll!([record(4, "d", "ctl-neu"), record(5, "e", "ctl-neu"), record(6, "f", "ctl-neu")]); // the stream's retry, with a record queued since
    expect(seqs(await audit.read(PAIR))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a replica whose epoch is older than the trail's owner cannot claim it", async () => {
    const audit = new MemoryAuditLog();
    await claimAuditTrail(audit, PAIR, 5, claimOptions);
    await expect(claimAuditTrail(audit, PAIR, 4, claimOptions)).rejects.toThrow(NotLeaderError);
    await expect(claimAuditTrail(audit, PAIR, 4, claimOptions)).rejects.toThrow("its audit trail belongs to epoch 5, newer than this replica's 4");
  });

  it("a take-over numbers its records after everything in the trail; without a lease the plain sink is used", async () => {
    const audit = new MemoryAuditLog();
    await audit.append({ ...record(7, "x", "ctl-weu") });
    const leadership = (epoch: number | null): Leadership => ({
      self: epoch === null ? null : { replicaId: "ctl-neu", region: "northeurope", adminUrl: "http://127.0.0.1:1" },
      canMutate: () => true,
      confirm: async () => epoch,
      view: () => ({ role: epoch === null ? "sole" : "leader", leader: null, epoch, leaseExpiresAt: null }),
      onChange: () => () => undefined,
    });
    const taken = await takeOverAuditTrail(audit, leadership(2), PAIR, { clock: new ManualClock(), log: capturingLog() });
    expect(taken?.firstSeq).toBe(8);
    expect((await audit.tail(PAIR)).epoch).toBe(2);
    expect(await takeOverAuditTrail(audit, leadership(null), PAIR, { clock: new ManualClock(), log: capturingLog() })).toBeNull();
  });
});
