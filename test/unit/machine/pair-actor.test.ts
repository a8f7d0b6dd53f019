import { describe, expect, it } from "vitest";
import { MemoryStateStore, settle } from "../../support/fakes/index.js";
import { startPairActor } from "../../../src/runtime/pair-actor.js";
import { WriteSlots } from "../../../src/runtime/write-slots.js";
import { createFailoverMachine } from "../../../src/runtime/steps/index.js";
import { addBackup, healthyPair, sendAndSettle, startedPair } from "./helpers.js";

describe("startPairActor persistence and audit", () => {
  it("never runs two saves at once and stores the newest snapshot last", async () => {
    const store = new MemoryStateStore();
    const releases: (() => void)[] = [];
    store.gate = () => new Promise<void>((resolve) => releases.push(resolve));
    const { pair } = await startedPair(undefined, undefined, store);
    await healthyPair(pair);
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops" });
    expect(store.inFlight).toBe(1);
    while (releases.length) {
      releases.shift()!();
      await settle();
    }
    await pair.flush();
    expect(store.maxInFlight).toBe(1);
    expect(store.saves).toBe(2); // the first snapshot, then everything produced while it was being saved, collapsed into one
    expect((await store.load("contoso")) as { value: string }).toMatchObject({ value: "paused" });
    await pair.stop();
  });

  it("saves the newest snapshot again after the state store failed, even when nothing else happens", async () => {
    const store = new MemoryStateStore();
    const { pair, world } = await startedPair(undefined, undefined, store);
    await healthyPair(pair);
    await pair.flush();
    store.failNext = 2;
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops" });
    expect((await store.load("contoso")) as { value: unknown }).not.toMatchObject({ value: "paused" });
    await world.clock.advance(5_000); // the second attempt fails too
    expect(store.failNext).toBe(0);
    await world.clock.advance(5_000);
    await pair.flush();
    expect((await store.load("contoso")) as { value: unknown }).toMatchObject({ value: "paused" });
    await pair.stop();
  });

  it("says the state is unsaved while the store refuses writes, and a stop that cannot store it says so", async () => {
    const store = new MemoryStateStore();
    const { pair } = await startedPair(undefined, undefined, store);
    await healthyPair(pair);
    await pair.flush();
    expect(pair.unsaved()).toBeNull();
    store.failNext = 1_000;
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops" });
    expect(pair.unsaved()).toMatchObject({ error: "state store unavailable" });
    expect(await pair.stop()).toBe(false);
  });

  it("stops within its bounded wait when the store never answers", async () => {
    const store = new MemoryStateStore();
    const { pair, world } = await startedPair(undefined, undefined, store);
    await healthyPair(pair);
    await pair.flush();
    store.gate = () => new Promise<void>(() => {});
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops" });
    const stopped = pair.stop(10_000);
    await world.clock.advance(10_000);
    expect(await stopped).toBe(false);
  });

  it("keeps reading a state store that cannot be reached at start-up, then resumes the stored state", async () => {
    const store = new MemoryStateStore();
    const first = await startedPair(undefined, undefined, store);
    await sendAndSettle(first.pair, { type: "operator.paused", actor: "ops" });
    expect(await first.pair.stop()).toBe(true);
    store.failLoads = 3;
    const errors: string[] = [];
    const starting = startPairActor({ machine: createFailoverMachine(first.world.ports), input: first.settings, stateStore: store, clock: first.world.clock, onError: (e, what) => errors.push(`${what}: ${(e as Error).message}`) });
    for (let i = 0; i < 3; i++) await first.world.clock.advance(60_000);
    const pair = await starting;
    expect(errors).toEqual(Array(3).fill("load: state store unreachable"));
    expect(pair.restored).toBe(true);
    expect(JSON.stringify(pair.actor.getSnapshot().value)).toBe('"paused"');
    await pair.stop();
  });

  it("writes decisions, transitions and operator actions to the audit log", async () => {
    const { pair, audit } = await startedPair();
    await healthyPair(pair);
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops", reason: "maintenance" });
    await pair.flush();
    expect(audit.entries.map((e) => [e.type, e.state, e.verdict])).toEqual([
      ["operator", "monitoring.healthy", "operator.paused"],
      ["decision", "monitoring", "paused"],
      ["transition", "paused", undefined],
    ]);
    expect(audit.entries[1]?.reason).toBe("operator paused the pair: maintenance");
    await pair.stop();
  });

  it("keeps audit entries through a store failure and appends them, in order, once it answers", async () => {
    const { pair, audit, world } = await startedPair();
    await healthyPair(pair);
    await pair.flush();
    audit.failNext = 1;
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops", reason: "maintenance" });
    expect(audit.entries).toHaveLength(0);
    await world.clock.advance(5_000);
    await pair.flush();
    expect(audit.entries.map((e) => [e.type, e.verdict])).toEqual([
      ["operator", "operator.paused"],
      ["decision", "paused"],
      ["transition", undefined],
    ]);
    await pair.stop();
  });

  it("while other pairs hold every write slot, what the pair records goes in one save and one append once a slot frees", async () => {
    const store = new MemoryStateStore();
    const writes = new WriteSlots(1);
    const { pair, audit } = await startedPair(undefined, undefined, store, writes);
    await healthyPair(pair);
    await pair.flush();
    const before = { saves: store.saves, appends: audit.appends, entries: audit.entries.length };
    let release!: () => void;
    const otherPair = writes.run("save", () => new Promise<void>((resolve) => (release = resolve)));
    await sendAndSettle(pair, { type: "operator.paused", actor: "ops", reason: "maintenance" });
    await sendAndSettle(pair, { type: "operator.resumed", actor: "ops" });
    expect([store.saves, audit.appends]).toEqual([before.saves, before.appends]);
    release();
    await otherPair;
    await pair.flush();
    expect([store.saves - before.saves, audit.appends - before.appends]).toEqual([1, 1]);
    const written = audit.entries.slice(before.entries);
    expect(written.map((e) => [e.type, e.verdict ?? e.state])).toEqual([
      ["operator", "operator.paused"],
      ["decision", "paused"],
      ["transition", "paused"],
      ["operator", "operator.resumed"],
      ["decision", "resumed"],
      ["transition", "monitoring.healthy"],
    ]);
    expect(written.map((e) => e.seq)).toEqual([...written.map((e) => e.seq)].sort((a, b) => a! - b!));
    expect(((await store.load("contoso")) as { value: unknown }).value).toEqual(pair.actor.getSnapshot().value);
    await pair.stop();
  });

  it("records each Azure operation it starts, with its id, in the audit log", async () => {
    const { pair, audit, world } = await startedPair();
    addBackup(world, 10 * 60_000);
    await healthyPair(pair);
    await sendAndSettle(pair, { type: "health.primaryUnhealthy", reason: "region down" });
    await world.clock.advance(1_000);
    await pair.flush();
    const operations = audit.entries.filter((e) => e.type === "operation");
    expect(operations).toEqual([
      expect.objectContaining({ verdict: "restoreStarted", state: "failingOver.restoring", operationId: "apim-weu-prior.apimbackup", reason: expect.stringContaining("restore apim-weu-prior.apimbackup on") }),
    ]);
    await pair.stop();
  });

  it("a stop with a save still owed stores the running snapshot, and a snapshot stored as stopped resumes and acts", async () => {
    const store = new MemoryStateStore();
    const { pair, world, start } = await startedPair(undefined, undefined, store);
    addBackup(world, 10 * 60_000);
    await healthyPair(pair);
    await pair.flush();
    store.failNext = 1; // the last transition's save fails: it is still owed when the pair stops
    await sendAndSettle(pair, { type: "health.standbyHealthy", reason: "again" });
    expect(await pair.stop()).toBe(true);
    expect((await store.load("contoso")) as { status: string }).toMatchObject({ status: "active" });
    // A snapshot an earlier version stored after stopping is resumed too.
    await store.save("contoso", { ...((await store.load("contoso")) as object), status: "stopped" });
    const again = await start();
    await sendAndSettle(again, { type: "health.primaryUnhealthy", reason: "region down" });
    expect(JSON.stringify(again.actor.getSnapshot().value)).toMatch(/failingOver/);
    await again.stop();
  });

  it("refuses a stored state that is not a machine snapshot, saying how to recover", async () => {
    const store = new MemoryStateStore();
    await store.save("contoso", { hello: "world" });
    await expect(startedPair(undefined, undefined, store)).rejects.toThrow("stored state of pair 'contoso' is not a failover-machine snapshot: remove it from the state store to start the pair fresh");
  });
});
