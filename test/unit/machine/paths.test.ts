import { describe, expect, it } from "vitest";
import type { AnyMachineSnapshot } from "xstate";
import { getAdjacencyMap, getShortestPaths, toDirectedGraph, type DirectedGraphNode } from "xstate/graph";
import { failoverMachine } from "../../../src/machine/failover-machine.js";
import type { BackupFacts, PairContext, PairEvent } from "../../../src/machine/types.js";
import type { BackupRecord } from "../../../src/ports/backups.js";
import { idleStepActors, pairSettings, PRIMARY_ID } from "../../support/fakes/index.js";

const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const DAY = 24 * 3600_000;
const machine = failoverMachine.provide({ actors: idleStepActors() });
const input = pairSettings();

const record = (name: string, ageMs: number): BackupRecord => ({ name, takenAt: T0 - ageMs, sourceServiceId: PRIMARY_ID.toLowerCase(), sku: "Premium", sizeBytes: 1 });
const facts = (latest: BackupRecord | null, primaryAnswers: boolean): BackupFacts => ({ latest, unverified: [], standbySku: "Premium", primaryAnswers, primaryDetail: "x" });
const operation = { kind: "restore" as const, serviceId: "s", backupName: "b", resumeToken: "t", startedAt: T0 };

const healthTypes = ["health.primarySuspect", "health.primaryUnhealthy", "health.primaryHealthy", "health.standbyUnhealthy", "health.standbyHealthy", "health.bothUnhealthy", "health.observerImpaired"] as const;
const stepIds = ["checkBackup", "checkPrimary", "takeBackup", "restoreBackup", "verifyGateway", "switchDns", "verifyCutover"];

/** Every event the machine reacts to, with the variants its guards distinguish. Actor error events are listed explicitly; there are no delayed events. */
const events = [
  ...healthTypes.map((type) => ({ type, reason: "r", at: T0 })),
  { type: "operator.failoverRequested", planned: true, at: T0 },
  { type: "operator.failbackRequested", at: T0 + DAY },
  { type: "operator.approved", at: T0 },
  { type: "operator.aborted", at: T0 },
  { type: "operator.paused", at: T0 },
  { type: "operator.resumed", at: T0 },
  { type: "backup.completed", backup: record("b-fresh", 0), at: T0 },
  { type: "standby.restored", backupName: "b-fresh", at: T0 },
  { type: "step.backupChecked", step: "failingOver.checkingBackup", facts: facts(record("b-fresh", 60_000), false), at: T0 },
  { type: "step.backupChecked", step: "failingOver.checkingBackup", facts: facts(record("b-old", 2 * 3600_000), true), at: T0 },
  { type: "step.backupChecked", step: "failingOver.checkingBackup", facts: facts(record("b-old", 2 * 3600_000), false), at: T0 },
  { type: "step.backupChecked", step: "failingOver.checkingBackup", facts: facts(null, false), at: T0 },
  { type: "step.primaryChecked", step: "failingBack.checkingPrimary", facts: { primarySku: "Premium", standbySku: "Premium", primaryProvisioningState: "Succeeded" }, at: T0 },
  { type: "step.primaryChecked", step: "failingBack.checkingPrimary", facts: { primarySku: "Standard", standbySku: "Premium", primaryProvisioningState: "Succeeded" }, at: T0 },
  { type: "step.operationStarted", step: "failingOver.restoring", operation: { ...operation, step: "failingOver.restoring" }, at: T0 },
  { type: "step.backupTaken", step: "failingOver.takingFreshBackup", backup: record("b-new", 0), at: T0 },
  { type: "step.restored", step: "failingOver.restoring", backupName: "b-new", at: T0 },
  { type: "step.verified", step: "failingOver.verifyingStandby", detail: "ok", at: T0 },
  { type: "step.dnsSwitched", step: "failingOver.switchingDns", wrote: true, cname: "c", at: T0 },
  { type: "step.dnsConflict", step: "failingOver.switchingDns", reason: "changed", at: T0 },
  { type: "step.failed", step: "failingOver.restoring", error: "boom", retryable: true, at: T0 },
  ...stepIds.map((id) => ({ type: `xstate.error.actor.${id}`, error: new Error("crash") })),
] as unknown as PairEvent[];

/** The parts of a snapshot that steer guards; the rest (timestamps, history, counters) would make the state space unbounded. */
function serializeState(snapshot: AnyMachineSnapshot): string {
  const c = snapshot.context as PairContext;
  return JSON.stringify([snapshot.value, c.activeRegion, c.pendingApproval?.step ?? null, c.health.primary.verdict === "healthy", c.health.standby.verdict === "unhealthy", c.pausedFrom, c.standbyHolds === "b-fresh"]);
}

const options = { input, events, serializeState: serializeState as never };

function atomicStates(node: DirectedGraphNode, path: string[] = []): string[] {
  if (node.children.length === 0) return [path.join(".")];
  return node.children.flatMap((child) => atomicStates(child, [...path, child.stateNode.key]));
}

const name = (s: AnyMachineSnapshot) => {
  const v = s.value as string | Record<string, string>;
  return typeof v === "string" ? v : Object.entries(v).map(([k, child]) => `${k}.${child}`)[0]!;
};

describe("statechart paths (xstate/graph)", () => {
  const paths = getShortestPaths(machine, options);
  const reached = new Map<string, AnyMachineSnapshot[]>();
  for (const p of paths) reached.set(name(p.state), [...(reached.get(name(p.state)) ?? []), p.state]);

  it("reaches every state of the machine", () => {
    const all = atomicStates(toDirectedGraph(machine)).sort();
    expect(all).toHaveLength(17);
    expect([...reached.keys()].sort()).toEqual(all);
  });

  it("has a way back to monitoring or awaitingOperator from every reachable state", () => {
    // Reverse reachability over the whole adjacency map: which states can reach home?
    const adjacency = getAdjacencyMap(machine, options);
    const home = (s: AnyMachineSnapshot) => s.matches("monitoring") || s.matches("awaitingOperator");
    const canReachHome = new Set(Object.keys(adjacency).filter((k) => home(adjacency[k as keyof typeof adjacency]!.state as AnyMachineSnapshot)));
    for (let grew = true; grew; ) {
      grew = false;
      for (const [key, value] of Object.entries(adjacency)) {
        if (canReachHome.has(key)) continue;
        if (Object.values(value.transitions as Record<string, { state: AnyMachineSnapshot }>).some((t) => canReachHome.has(serializeState(t.state)))) {
          canReachHome.add(key);
          grew = true;
        }
      }
    }
    const stuck = Object.keys(adjacency).filter((k) => !canReachHome.has(k));
    expect(Object.keys(adjacency).length).toBeGreaterThan(17);
    expect(stuck).toEqual([]);
  });

  it("reaches failedOver only through verifyingCutover after switchingDns after verifyingStandby", () => {
    const toFailedOver = paths.find((p) => name(p.state) === "failedOver")!;
    const states = toFailedOver.steps.map((s) => name(s.state));
    const order = ["failingOver.verifyingStandby", "failingOver.switchingDns", "failingOver.verifyingCutover"].map((s) => states.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
