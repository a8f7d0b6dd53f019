import { describe, expect, it } from "vitest";
import { startSignalConsumer } from "../../../src/signals/consumer/signal-consumer.js";
import { createMemoryDeadLetterStore } from "../../../src/signals/consumer/memory-dead-letters.js";
import type { EventStreamError, EventStreamOptions, EventStreamPort, StreamEvent } from "../../../src/ports/events.js";
import type { Clock } from "../../../src/ports/clock.js";
import type { Signal } from "../../../src/ports/signal.js";
import { serviceScope } from "../../../src/signals/consumer/scope.js";

const clock: Clock = { now: () => Date.UTC(2026, 11, 1, 9, 0, 0), sleep: async () => undefined };
const HEALTH = { schemaId: "azureMonitorCommonAlertSchema", data: { essentials: { alertId: "/subscriptions/s/providers/Microsoft.AlertsManagement/alerts/a1", alertRule: "r", severity: "Sev1", signalType: "Metric", monitorCondition: "Fired", monitoringService: "Platform", alertTargetIDs: ["/subscriptions/s/resourcegroups/rg/providers/microsoft.apimanagement/service/apim-weu"], firedDateTime: "2026-12-01T08:45:00.1234567Z" }, alertContext: {} } };

/** An in-memory event stream that hands over the given events, in order, and records the handler's outcome. */
function fakeSource(events: StreamEvent[]): EventStreamPort & { outcomes: string[] } {
  const outcomes: string[] = [];
  return {
    outcomes,
    async startEventStream({ handler }: EventStreamOptions) {
      for (const event of events) await handler(event).then(() => outcomes.push("ok"), (e: Error) => outcomes.push(`rejected: ${e.message}`));
      return { close: async () => undefined, stats: () => ({ received: 0, handled: 0, handlerErrors: 0, checkpoints: 0, checkpointErrors: 0, receiveErrors: 0 }) };
    },
  };
}

const event = (sequenceNumber: number, body: unknown): StreamEvent => ({ body, partitionId: "0", sequenceNumber, offset: String(sequenceNumber * 100), enqueuedTimeUtc: new Date(0), properties: {} });

describe("signal consumer glue", () => {
  it("forwards decoded signals, dead-letters undecodable events with the decoder's reason, and counts both", async () => {
    const source = fakeSource([event(0, HEALTH), event(1, "not json at all"), event(2, { records: [] })]);
    const deadLetters = createMemoryDeadLetterStore();
    const forwarded: string[] = [];
    const consumer = await startSignalConsumer({ source, deadLetters, clock, onSignals: async (signals) => void forwarded.push(...signals.map((s) => s.status)) });
    expect(forwarded).toEqual(["unhealthy"]);
    expect(consumer.stats()).toEqual({ received: 3, decoded: 2, signals: 1, deadLettered: 1, forwardErrors: 0, deadLetterErrors: 0, outOfScope: 0 });
    const [letter] = await deadLetters.list();
    expect(letter).toMatchObject({ partitionId: "0", sequenceNumber: 1, body: "not json at all", at: "2026-12-01T09:00:00.000Z" });
    expect(letter!.reason).toMatch(/^not JSON: /);
    expect(source.outcomes).toEqual(["ok", "ok", "ok"]);
  });

  it("dead-letters an event whose signals the sink refused, and reports it", async () => {
    const source = fakeSource([event(5, HEALTH)]);
    const deadLetters = createMemoryDeadLetterStore();
    const errors: EventStreamError[] = [];
    const consumer = await startSignalConsumer({ source, deadLetters, clock, onError: (e) => errors.push(e), onSignals: async () => Promise.reject(new Error("evaluator stopped")) });
    expect(consumer.stats()).toMatchObject({ received: 1, decoded: 1, signals: 0, forwardErrors: 1, deadLettered: 1 });
    expect((await deadLetters.list())[0]!.reason).toBe("signal sink failed: evaluator stopped");
    expect(errors.map((e) => [e.kind, e.error.message])).toEqual([["handler", "evaluator stopped"]]);
    expect(source.outcomes).toEqual(["ok"]);
  });

  it("rejects to the stream (which counts it) only when even the dead-letter store fails", async () => {
    const source = fakeSource([event(7, "{")]);
    const consumer = await startSignalConsumer({
      source,
      clock,
      deadLetters: { put: async () => Promise.reject(new Error("storage down")), list: async () => [] },
      onSignals: async () => undefined,
    });
    expect(consumer.stats()).toMatchObject({ received: 1, deadLettered: 0, deadLetterErrors: 1 });
    expect(source.outcomes[0]).toMatch(/^rejected: could not dead-letter event 0\/7 \(not JSON: .*\): storage down$/);
  });
});

describe("signal consumer: who events are about, and payloads no decoder should walk", () => {
  const SUB = "00000000-0000-0000-0000-000000000001";
  const service = (sub: string, rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.ApiManagement/service/${name}`;
  const configured = [service(SUB, "rg-dr", "apim-weu"), service(SUB, "rg-dr", "apim-neu")];
  const alertOn = (...targets: string[]) => ({ ...HEALTH, data: { ...HEALTH.data, essentials: { ...HEALTH.data.essentials, alertTargetIDs: targets } } });

  async function consume(events: StreamEvent[]) {
    const deadLetters = createMemoryDeadLetterStore();
    const forwarded: Signal[] = [];
    const consumer = await startSignalConsumer({ source: fakeSource(events), deadLetters, clock, outOfScope: serviceScope(configured), onSignals: async (signals) => void forwarded.push(...signals) });
    return { forwarded, letters: await deadLetters.list(), stats: consumer.stats() };
  }

  it("dead-letters events about another subscription, another resource group or an unknown service, saying which", async () => {
    const { forwarded, letters, stats } = await consume([
      event(1, alertOn(service("99999999-0000-0000-0000-000000000000", "rg-dr", "apim-weu"))),
      event(2, alertOn(service(SUB, "rg-other", "apim-weu"))),
      event(3, alertOn(service(SUB, "rg-dr", "apim-unknown"))),
      event(4, alertOn(`${configured[0]}/apis/echo`.toLowerCase())),
    ]);
    expect(letters.map((l) => [l.sequenceNumber, l.reason])).toEqual([
      [1, `1 of 1 signal(s) not about a configured service: other subscription: ${service("99999999-0000-0000-0000-000000000000", "rg-dr", "apim-weu")} is in subscription 99999999-0000-0000-0000-000000000000, which holds none of the configured services`],
      [2, `1 of 1 signal(s) not about a configured service: other resource group: ${service(SUB, "rg-other", "apim-weu")} is in resource group rg-other, which holds none of the configured services`],
      [3, `1 of 1 signal(s) not about a configured service: unknown resource: ${service(SUB, "rg-dr", "apim-unknown")} is not one of the configured services`],
    ]);
    // A child resource of a configured service is about that service.
    expect(forwarded.map((s) => s.resourceId)).toEqual([`${configured[0]}/apis/echo`.toLowerCase()]);
    expect(stats).toMatchObject({ received: 4, signals: 1, deadLettered: 3, outOfScope: 3 });
  });

  it("uses the configured part of a mixed event and dead-letters the event for the rest; every signal is stamped as arriving by Event Hubs", async () => {
    const { forwarded, letters } = await consume([event(5, alertOn(configured[1]!.toLowerCase(), service(SUB, "rg-dr", "vm-1")))]);
    expect(forwarded.map((s) => [s.resourceId, s.channel])).toEqual([[configured[1]!.toLowerCase(), "eventHubs"]]);
    expect(letters[0]!.reason).toMatch(/^1 of 2 signal\(s\) not about a configured service: unknown resource: .*vm-1 is not one of the configured services; its other 1 signal\(s\) were used$/);
  });

  it("dead-letters a payload nested 100,000 levels deep with a reason, keeping its text, instead of overflowing the stack", async () => {
    const depth = 100_000;
    const deep = JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth)) as unknown;
    const { letters, stats } = await consume([event(9, deep)]);
    expect(stats).toMatchObject({ received: 1, decoded: 0, deadLettered: 1, deadLetterErrors: 0 });
    expect(letters[0]!.reason).toBe("payload nested more than 64 levels deep: no Azure alert or record is; refused without decoding");
    expect(letters[0]!.body).toBe('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
  });
});
