import { describe, expect, it } from "vitest";
import { createNotifications } from "../../../src/notify/notifications.js";
import type { Post } from "../../../src/notify/webhook-target.js";
import { createFailoverMachine } from "../../../src/runtime/steps/index.js";
import { startPairActor } from "../../../src/runtime/pair-actor.js";
import { auditSink } from "../../../src/runtime/records/audit-sink.js";
import type { Logger } from "../../../src/runtime/logger.js";
import { fakeWorld, MemoryAuditLog, MemoryStateStore, pairSettings, settle } from "../../support/fakes/index.js";
import { addBackup, healthyPair, sendAndSettle } from "../machine/helpers.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => quiet } as unknown as Logger;
const target = { name: "oncall", kind: "generic" as const, urlEnv: "U", secretEnv: "S", events: ["failoverStarted", "failoverCompleted", "failbackCompleted"] as never, timeoutSeconds: 3600, maxAttempts: 1000, retrySeconds: 1, maxQueue: 100 };

/** A failover and a failback on the fake world, with a webhook posted through `post`; returns the audit trail and what was posted. */
async function drFlow(post: Post) {
  const world = fakeWorld();
  const audit = new MemoryAuditLog();
  const notifications = createNotifications({ targets: [target] }, () => "http://hook", { clock: world.clock, log: quiet, post });
  const pair = await startPairActor({
    machine: createFailoverMachine(world.ports),
    input: pairSettings(),
    stateStore: new MemoryStateStore(),
    sinks: [(p) => auditSink(audit, p), ...notifications.sinks],
    clock: world.clock,
  });
  addBackup(world, 10 * 60_000);
  await healthyPair(pair);
  await sendAndSettle(pair, { type: "health.primaryUnhealthy", reason: "3 of 3 observers" });
  await world.clock.advance(600_000);
  await sendAndSettle(pair, { type: "health.primaryHealthy", reason: "recovered" });
  await world.clock.advance(30 * 60_000);
  await sendAndSettle(pair, { type: "operator.failbackRequested", actor: "alice" });
  await world.clock.advance(60_000 + 600_000);
  await pair.flush();
  await pair.stop();
  notifications.stop();
  await settle();
  return { audit: (await audit.read()).map(({ at, type, state, verdict, reason }) => ({ at, type, state, verdict, reason })), counts: notifications.targets[0]!.counts };
}

describe("a webhook that never answers changes nothing in failover timing", () => {
  it("takes the same decisions at the same (clock) times as with a webhook that answers at once", async () => {
    const posted: string[] = [];
    const answering = await drFlow(async (_url, message) => void posted.push(message.headers["x-apim-dr-event"]!));
    const stalled = await drFlow((_url, _message, signal) => new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(new Error("stopped")))));

    expect(posted).toEqual(["failoverStarted", "failoverCompleted", "failbackCompleted"]);
    expect(answering.counts.sent).toBe(3);
    expect(stalled.counts.sent).toBe(0);
    expect(answering.audit.some((e) => e.state === "failedOver")).toBe(true);
    expect(stalled.audit).toEqual(answering.audit);
  });
});
