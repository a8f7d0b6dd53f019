import { createFailoverMachine } from "../../../src/runtime/steps/index.js";
import { startPairActor, type PairActor } from "../../../src/runtime/pair-actor.js";
import type { PairSettings } from "../../../src/machine/types.js";
import { auditSink } from "../../../src/runtime/records/audit-sink.js";
import type { WriteSlots } from "../../../src/runtime/write-slots.js";
import { fakeWorld, MemoryAuditLog, MemoryStateStore, pairSettings, PRIMARY_ID, settle } from "../../support/fakes/index.js";

export type World = ReturnType<typeof fakeWorld>;

/** A world, a store, and a running pair actor wired to the real step actors. */
export async function startedPair(settings: PairSettings = pairSettings(), world: World = fakeWorld(), store = new MemoryStateStore(), writes?: WriteSlots) {
  const audit = new MemoryAuditLog();
  const start = () => startPairActor({ machine: createFailoverMachine(world.ports), input: settings, stateStore: store, sinks: [(pair) => auditSink(audit, pair)], clock: world.clock, ...(writes ? { writes } : {}) });
  const pair = await start();
  return { world, store, audit, pair, start, settings };
}

export function stateOf(pair: PairActor): string {
  return JSON.stringify(pair.actor.getSnapshot().value);
}

/** A backup of the primary taken `ageMs` ago. */
export function addBackup(world: World, ageMs: number, sku = "Premium", name = "apim-weu-prior.apimbackup") {
  const record = { name, takenAt: world.clock.now() - ageMs, sourceServiceId: PRIMARY_ID.toLowerCase(), sku, sizeBytes: 2048 };
  world.backups.add("apim-backups", record);
  return record;
}

export async function sendAndSettle(pair: PairActor, event: Parameters<PairActor["send"]>[0]) {
  pair.send(event);
  await settle();
}

/** Marks both regions' health as the evaluator would before an incident. */
export async function healthyPair(pair: PairActor) {
  await sendAndSettle(pair, { type: "health.primaryHealthy", reason: "probes ok" });
  await sendAndSettle(pair, { type: "health.standbyHealthy", reason: "probes ok" });
}
