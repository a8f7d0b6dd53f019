import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { notificationOf } from "../../../src/notify/events.js";
import { createNotifications } from "../../../src/notify/notifications.js";
import { httpPost, WebhookTarget, type Post } from "../../../src/notify/webhook-target.js";
import { MetricsText } from "../../../src/runtime/metrics.js";
import type { PairRecord } from "../../../src/runtime/records/record-stream.js";
import { ManualClock, settle } from "../../support/fakes/index.js";
import type { NotificationsConfig } from "../../../src/config/schema.js";
import type { Logger } from "../../../src/runtime/logger.js";

const at = "2026-12-01T03:00:00.000Z";
const transition = (state: string, from: string, reason: string, seq = 1): PairRecord => ({ at, pair: "contoso", type: "transition", state, reason, detail: { from }, seq });

function memoryLog() {
  const lines: string[] = [];
  const log = { info: (_o: unknown, m: string) => lines.push(`info ${m}`), warn: (_o: unknown, m: string) => lines.push(`warn ${m}`), error: (_o: unknown, m: string) => lines.push(`error ${m}`), debug: () => {}, child: () => log } as unknown as Logger;
  return { log, lines };
}

const target = (over: Partial<NotificationsConfig["targets"][number]> = {}): NotificationsConfig["targets"][number] => ({
  name: "oncall",
  kind: "generic",
  urlEnv: "HOOK_URL",
  secretEnv: "HOOK_SECRET",
  events: ["awaitingOperator", "failoverStarted", "failoverCompleted", "failoverFailed", "failbackCompleted", "rpoBreached", "rpoRecovered", "observerImpaired", "readinessNotReady", "leadershipChanged"],
  timeoutSeconds: 10,
  maxAttempts: 3,
  retrySeconds: 2,
  maxQueue: 100,
  ...over,
});

describe("which records page a person, and what the message says", () => {
  it("a pair waiting for an operator names the reason and the commands that answer it", () => {
    const n = notificationOf(transition("awaitingOperator", "monitoring.suspect", "both regions are unhealthy: no failover, no DNS change; an operator must decide"))!;
    expect(n.event).toBe("awaitingOperator");
    expect(n.severity).toBe("critical");
    expect(n.reason).toContain("both regions are unhealthy");
    expect(n.actions).toContain("Approve what it waits for: apim-dr approve --pair contoso");
    expect(n.actions).toContain("Or abort it: apim-dr abort --pair contoso");
  });

  it("tells failover started, completed and failed apart, and failback completed", () => {
    expect(notificationOf(transition("failingOver.checkingBackup", "monitoring.suspect", "primary unhealthy"))?.event).toBe("failoverStarted");
    expect(notificationOf(transition("failingOver.restoring", "failingOver.checkingBackup", "use backup"))).toBeNull();
    expect(notificationOf(transition("failedOver", "failingOver.verifyingCutover", "cutover verified"))?.event).toBe("failoverCompleted");
    expect(notificationOf(transition("monitoring.suspect", "failingOver.checkingBackup", "no backup to restore"))?.event).toBe("failoverFailed");
    const stopped = notificationOf(transition("awaitingOperator", "failingOver.restoring", "restore failed 3 times"))!;
    expect([stopped.event, ...stopped.alsoMatches]).toEqual(["awaitingOperator", "failoverFailed"]);
    expect(notificationOf(transition("monitoring.healthy", "failingBack.verifyingCutover", "failback verified"))?.event).toBe("failbackCompleted");
    expect(notificationOf(transition("monitoring.suspect", "monitoring.healthy", "primary looks unhealthy"))).toBeNull();
  });

  it("maps RPO alerts and an impaired observer", () => {
    expect(notificationOf({ at, pair: "contoso", type: "alert", verdict: "rpoBreached", reason: "newest backup 2 h old, RPO 1 h", seq: 3 })?.event).toBe("rpoBreached");
    expect(notificationOf({ at, pair: "contoso", type: "decision", verdict: "rpoRecovered", reason: "backup 1 min old", seq: 4 })?.event).toBe("rpoRecovered");
    expect(notificationOf({ at, pair: "contoso", type: "alert", verdict: "alert", reason: "observer impaired, no failover on its signals: probes fail in both regions", seq: 5 })?.event).toBe("observerImpaired");
    expect(notificationOf({ at, pair: "contoso", type: "decision", verdict: "stay", reason: "primary healthy", seq: 6 })).toBeNull();
  });

  it("a readiness check turning NOT READY says which, why and the fix; turning READY again pages nobody", () => {
    const notReady = notificationOf({ at, pair: "contoso", type: "readiness", verdict: "NOT READY", reason: "storage-cors: 1 CORS rule on the blob service", detail: { check: "storage-cors", from: "READY", to: "NOT READY", fix: "remove the CORS rules of the backup account's blob service" }, seq: 7 })!;
    expect(notReady).toMatchObject({ event: "readinessNotReady", title: "contoso: readiness check storage-cors is NOT READY", reason: "storage-cors: 1 CORS rule on the blob service" });
    expect(notReady.actions[0]).toBe("Fix: remove the CORS rules of the backup account's blob service");
    expect(notificationOf({ at, pair: "contoso", type: "readiness", verdict: "READY", reason: "storage-cors: no CORS rule", seq: 8 })).toBeNull();
  });

  it("tells a leadership change, naming the replica", () => {
    const took = notificationOf({ at, pair: "contoso", type: "decision", verdict: "leadership.acquired", actor: "ctl-neu", reason: "replica ctl-neu (northeurope) leads pair contoso (lease expired); it resumes in monitoring.healthy", seq: 9 })!;
    expect(took).toMatchObject({ event: "leadershipChanged", severity: "info", title: "contoso: ctl-neu now leads the pair" });
    expect(notificationOf({ at, pair: "contoso", type: "decision", verdict: "leadership.lost", actor: "ctl-weu", reason: "lease lost", seq: 10 })).toMatchObject({ event: "leadershipChanged", severity: "warning" });
  });
});

/** A webhook receiver on 127.0.0.1 that answers with the given statuses in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const got: Array<{ headers: IncomingMessage["headers"]; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-path-token`;
  return { url, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("the three kinds on the wire", () => {
  it("generic: JSON signed with HMAC-SHA256 over the exact body, with the event in a header", async () => {
    const hook = await receiver();
    const { log } = memoryLog();
    const env: Record<string, string> = { HOOK_URL: hook.url, HOOK_SECRET: "s3cret" };
    const n = createNotifications({ targets: [target()] }, (name) => env[name]!, { clock: new ManualClock(), log });
    await n.sinks[0]!("contoso").sink.deliver(transition("awaitingOperator", "monitoring", "both regions are unhealthy"));
    await n.idle();
    expect(hook.got).toHaveLength(1);
    const { headers, body } = hook.got[0]!;
    expect(headers["x-apim-dr-signature"]).toBe(`sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
    expect(headers["x-apim-dr-event"]).toBe("awaitingOperator");
    expect(JSON.parse(body)).toMatchObject({ event: "awaitingOperator", pair: "contoso", reason: "both regions are unhealthy" });
    await hook.close();
  });

  it("teams: an Adaptive Card attachment; slack: blocks with a fallback text", async () => {
    const hook = await receiver();
    const { log } = memoryLog();
    const targets = [target({ name: "teams", kind: "teams", secretEnv: undefined }), target({ name: "slack", kind: "slack", secretEnv: undefined })];
    const n = createNotifications({ targets }, () => hook.url, { clock: new ManualClock(), log });
    await n.sinks[0]!("contoso").sink.deliver(transition("failedOver", "failingOver.verifyingCutover", "cutover verified, the standby serves traffic"));
    await n.idle();
    const [teams, slack] = hook.got.map((g) => JSON.parse(g.body) as Record<string, never>);
    expect(teams).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: { type: "AdaptiveCard", version: "1.4" } }] });
    expect(JSON.stringify(teams)).toContain("cutover verified, the standby serves traffic");
    expect(slack).toMatchObject({ text: expect.stringContaining("failed over") as unknown as never, blocks: expect.arrayContaining([expect.objectContaining({ type: "header" })]) as unknown as never });
    expect(hook.got[1]!.headers["x-apim-dr-signature"]).toBeUndefined();
    await hook.close();
  });

  it("an event filter and a pair filter leave other messages out", async () => {
    const hook = await receiver();
    const { log } = memoryLog();
    const n = createNotifications({ targets: [target({ events: ["failoverCompleted"], pairs: ["fabrikam"] }), target({ name: "all", events: ["failoverCompleted"] })] }, (name) => (name === "HOOK_URL" ? hook.url : "k"), { clock: new ManualClock(), log });
    await n.sinks[0]!("contoso").sink.deliver(transition("failingOver.checkingBackup", "monitoring", "primary down"));
    await n.sinks[0]!("contoso").sink.deliver(transition("failedOver", "failingOver.verifyingCutover", "cutover verified", 2));
    await n.idle();
    expect(hook.got.map((g) => g.headers["x-apim-dr-event"])).toEqual(["failoverCompleted"]);
    expect(n.targets.map((t) => t.counts.sent)).toEqual([0, 1]);
    await hook.close();
  });
});

describe("delivery never blocks and gives up in a counted, logged way", () => {
  const message = { body: "{}", headers: {} };
  const note = notificationOf(transition("awaitingOperator", "monitoring", "why"))!;

  it("retries with doubling waits, then delivers; counts sent and retried", async () => {
    const clock = new ManualClock();
    const { log } = memoryLog();
    const attempts: number[] = [];
    let failures = 2;
    const post: Post = async () => {
      attempts.push(clock.now());
      if (failures-- > 0) throw new Error("HTTP 503");
    };
    const t = new WebhookTarget("oncall", "http://unused", { timeoutMs: 1000, maxAttempts: 5, retryMs: 2000, maxQueue: 10 }, { clock, log, post });
    t.enqueue(note, message);
    await clock.advance(10_000);
    expect(attempts.map((a) => a - attempts[0]!)).toEqual([0, 2000, 6000]);
    expect(t.counts).toMatchObject({ sent: 1, retried: 2, dropped: 0, queued: 0 });
  });

  it("drops after the retry limit with the reason in the log, never the URL", async () => {
    const hook = await receiver([500, 500, 500]);
    const clock = new ManualClock();
    const { log, lines } = memoryLog();
    const t = new WebhookTarget("oncall", hook.url, { timeoutMs: 5000, maxAttempts: 3, retryMs: 1000, maxQueue: 10 }, { clock, log, post: httpPost });
    t.enqueue(note, message);
    for (let i = 0; i < 20 && t.counts.dropped === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await clock.advance(5000);
    }
    expect(t.counts).toMatchObject({ sent: 0, retried: 2, dropped: 1 });
    expect(lines.filter((l) => l.startsWith("warn"))).toEqual(["warn notification awaitingOperator for pair contoso to target oncall dropped: 3 attempts failed, the last: HTTP 500"]);
    expect(lines.join("\n")).not.toContain("secret-path-token");
    await hook.close();
  });

  it("a webhook that never answers: enqueue returns at once, the bounded queue drops the oldest", async () => {
    const clock = new ManualClock();
    const { log } = memoryLog();
    const post: Post = (_u, _m, signal) => new Promise((_r, reject) => signal.addEventListener("abort", () => reject(new Error("no answer"))));
    const t = new WebhookTarget("slow", "http://unused", { timeoutMs: 60_000, maxAttempts: 2, retryMs: 1000, maxQueue: 2 }, { clock, log, post });
    for (let i = 0; i < 5; i++) t.enqueue({ ...note, seq: i }, message);
    // One in flight, two waiting, two dropped for room: the controller never waited.
    expect(t.counts).toMatchObject({ sent: 0, dropped: 2, queued: 2 });
    t.stop();
    await settle();
  });

  it("/metrics counts sent, retried and dropped per target", async () => {
    const { log } = memoryLog();
    const n = createNotifications({ targets: [target()] }, () => "x", { clock: new ManualClock(), log });
    Object.assign(n.targets[0]!.counts, { sent: 4, retried: 2, dropped: 1 });
    const text = n.addMetrics(new MetricsText()).toString();
    expect(text).toContain('apim_dr_notifications_sent_total{target="oncall"} 4');
    expect(text).toContain('apim_dr_notifications_retried_total{target="oncall"} 2');
    expect(text).toContain('apim_dr_notifications_dropped_total{target="oncall"} 1');
  });
});
