import { describe, expect, it } from "vitest";
import { SharedVerdicts, parseVantageDocument } from "../../../src/vantage/shared-verdicts.js";
import type { Signal, SignalStatus } from "../../../src/ports/signal.js";
import { ManualClock, MemoryVantageStore, PRIMARY_ID, STANDBY_ID } from "../../support/fakes/index.js";

function recordingLog() {
  const lines: string[] = [];
  return { lines, info: (_: object, m: string) => void lines.push(`info ${m}`), warn: (_: object, m: string) => void lines.push(`warn ${m}`) };
}

function replica(id: string, region: string, store: MemoryVantageStore, clock: ManualClock) {
  const log = recordingLog();
  const errors: string[] = [];
  const shared = new SharedVerdicts({ replicaId: id, region }, { store, clock, log, maxAgeMs: 5_000, onError: (op) => void errors.push(op) });
  return { shared, log, errors };
}

/** One of a replica's own probe signals, as the probe poller makes it. */
function probe(serviceId: string, region: string, status: SignalStatus, clock: ManualClock): Signal {
  const observedAt = new Date(clock.now()).toISOString();
  return { id: `probe:${region}:${observedAt}`, kind: "health", channel: "probe", source: "probe", resourceId: serviceId, region, status, observedAt, summary: "probe", attributes: { failed: status === "healthy" ? 0 : 2, attempts: 2 } };
}

describe("shared probe verdicts", () => {
  it("a replica reads another replica's verdicts as signals from that replica, never its own", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const weu = replica("ctl-weu", "westeurope", store, clock);
    const neu = replica("ctl-neu", "northeurope", store, clock);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "unhealthy", clock));
    neu.shared.noteOwn(probe(STANDBY_ID, "northeurope", "healthy", clock));
    weu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "unhealthy", clock));
    await neu.shared.round();
    const seen = await weu.shared.round();
    expect(seen.map((s) => [s.resourceId, s.status, s.channel, s.attributes?.["replicaId"], s.attributes?.["replicaRegion"]])).toEqual([
      [PRIMARY_ID, "unhealthy", "replicas", "ctl-neu", "northeurope"],
      [STANDBY_ID, "healthy", "replicas", "ctl-neu", "northeurope"],
    ]);
    // What ctl-neu reads back is ctl-weu's document only.
    expect((await neu.shared.round()).map((s) => s.attributes?.["replicaId"])).toEqual(["ctl-weu"]);
  });

  it("passes each measurement on once, however often the document is read", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const weu = replica("ctl-weu", "westeurope", store, clock);
    const neu = replica("ctl-neu", "northeurope", store, clock);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "healthy", clock));
    await neu.shared.round();
    expect(await weu.shared.round()).toHaveLength(1);
    expect(await weu.shared.round()).toHaveLength(0);
    await clock.advance(1_000);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "healthy", clock));
    await neu.shared.round();
    expect((await weu.shared.round()).map((s) => s.observedAt)).toEqual([new Date(clock.now()).toISOString()]);
  });

  it("keeps `since` while a gateway keeps failing (degraded then unhealthy) and restarts it when it answers", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const neu = replica("ctl-neu", "northeurope", store, clock);
    const began = new Date(clock.now()).toISOString();
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "degraded", clock));
    await clock.advance(1_000);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "unhealthy", clock));
    expect(neu.shared.document().verdicts[0]).toMatchObject({ status: "unhealthy", since: began });
    await clock.advance(1_000);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "healthy", clock));
    expect(neu.shared.document().verdicts[0]).toMatchObject({ status: "healthy", since: new Date(clock.now()).toISOString() });
  });

  it("a verdict older than the max age is not passed on (a replica that died keeps its last document)", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const weu = replica("ctl-weu", "westeurope", store, clock);
    const neu = replica("ctl-neu", "northeurope", store, clock);
    neu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "unhealthy", clock));
    await neu.shared.round();
    await clock.advance(5_001);
    expect(await weu.shared.round()).toEqual([]);
  });

  it("a store that fails never throws: each failure is counted, logged once, and the recovery is logged", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const weu = replica("ctl-weu", "westeurope", store, clock);
    weu.shared.noteOwn(probe(PRIMARY_ID, "westeurope", "healthy", clock));
    store.down = true;
    for (let i = 0; i < 3; i++) expect(await weu.shared.round()).toEqual([]);
    expect(weu.errors).toEqual(["publish", "read", "publish", "read", "publish", "read"]);
    expect(weu.log.lines.filter((l) => l.startsWith("warn"))).toEqual([
      "warn coordination store: cannot publish this replica's probe verdicts; health is judged without them until it answers (retried every probe round)",
      "warn coordination store: cannot read the other replicas' probe verdicts; health is judged without them until it answers (retried every probe round)",
    ]);
    store.down = false;
    await weu.shared.round();
    expect(store.documents.has("ctl-weu")).toBe(true);
    expect(weu.log.lines.filter((l) => l.startsWith("info"))).toHaveLength(2);
  });

  it("an unreadable document is ignored with one warning naming the replica", async () => {
    const store = new MemoryVantageStore();
    const clock = new ManualClock();
    const weu = replica("ctl-weu", "westeurope", store, clock);
    store.documents.set("ctl-neu", "{ not json");
    await weu.shared.round();
    await weu.shared.round();
    expect(weu.log.lines).toHaveLength(1);
    expect(weu.log.lines[0]).toMatch(/^warn replica ctl-neu's probe verdicts in the coordination store are unreadable \(not JSON/);
    expect(parseVantageDocument(JSON.stringify({ version: 1, replicaId: "a", region: "b", verdicts: [{ serviceId: "x", region: "y", status: "fine" }] }))).toContain("a known status");
  });
});
