import { describe, expect, it } from "vitest";
import { verdictEvents, type HealthEvent } from "../../../src/health/pair-events.js";
import type { HealthEvent as MachineHealthEvent } from "../../../src/machine/types.js";
import type { PairHealth } from "../../../src/health/evaluator.js";
import { at, platformDown, probes, run, sig, timeline, type Step } from "./fixtures.js";

/** Every event the evaluator would send while the steps play out. */
function eventsOf(steps: Step[]): HealthEvent[] {
  const { history } = run(steps);
  let previous: PairHealth | null = null;
  const events: HealthEvent[] = [];
  for (const current of history) {
    events.push(...verdictEvents(previous, current, current.evaluatedAt));
    previous = current;
  }
  return events;
}

const types = (events: HealthEvent[]) => events.map((e) => `${(e.at - at(0)) / 1000}s ${e.type}`);

describe("verdict events for the failover machine", () => {
  it("are the machine's own event type", () => {
    const events: MachineHealthEvent[] = eventsOf(probes("primary", "healthy", 0, 0));
    expect(events).toEqual([{ type: "health.primaryHealthy", reason: "healthy: 1 independent source reports healthy, none reports a problem (probe 3/3 ok 0s ago)", at: at(0) }]);
  });

  it("clean outage: suspect, then unhealthy once confirmed, carrying the deciding reason", () => {
    const events = eventsOf(
      timeline(
        probes("standby", "healthy", 0, 60),
        probes("primary", "healthy", 0, 0),
        probes("primary", "unhealthy", 10, 60),
        [{ t: 30, signals: [sig("resourceHealth", "primary", "unhealthy", 30, platformDown)] }],
      ),
    );
    expect(types(events)).toEqual(["0s health.standbyHealthy", "0s health.primaryHealthy", "10s health.primarySuspect", "30s health.primaryUnhealthy"]);
    expect(events[3]!.reason).toBe(
      "unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes), led by authoritative Resource Health API (Resource Health API Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago)",
    );
  });

  it("recovery: primaryHealthy only after the recovery window, nothing while recovering", () => {
    const events = eventsOf(
      timeline(
        [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown)] }],
        probes("primary", "unhealthy", 0, 20),
        [{ t: 30, signals: [sig("resourceHealth", "primary", "healthy", 30)] }],
        probes("primary", "healthy", 30, 340),
      ),
    );
    expect(types(events)).toEqual(["0s health.primaryUnhealthy", "330s health.primaryHealthy"]);
  });

  it("both regions down: bothUnhealthy instead of primaryUnhealthy, so no failover starts", () => {
    const down = (side: "primary" | "standby") => [sig("resourceHealth", side, "unhealthy", 0, platformDown), sig("probe", side, "unhealthy", 0)];
    const events = eventsOf([{ t: 0, signals: [...down("primary"), ...down("standby")] }]);
    expect(types(events)).toEqual(["0s health.standbyUnhealthy", "0s health.bothUnhealthy"]);
    expect(events[1]!.reason).toMatch(/^both regions unhealthy: no failover, escalate to the operator \(primary unhealthy: /);
  });

  it("standby dying after the primary: bothUnhealthy; standby back: the primary's outage is stated again", () => {
    const events = eventsOf(
      timeline(
        [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown), sig("probe", "primary", "unhealthy", 0)] }],
        probes("standby", "healthy", 0, 0),
        [{ t: 20, signals: [sig("resourceHealth", "standby", "unhealthy", 20, platformDown), sig("probe", "standby", "unhealthy", 20)] }],
        probes("primary", "unhealthy", 10, 400),
        [{ t: 40, signals: [sig("resourceHealth", "standby", "healthy", 40)] }],
        probes("standby", "healthy", 40, 400),
      ),
    );
    expect(types(events)).toEqual([
      "0s health.standbyHealthy",
      "0s health.primaryUnhealthy",
      "20s health.standbyUnhealthy",
      "20s health.bothUnhealthy",
      "340s health.standbyHealthy",
      "340s health.primaryUnhealthy",
    ]);
  });

  it("observer impaired: alerts once, never primaryUnhealthy, and re-asserts itself after other news", () => {
    const events = eventsOf(
      timeline(
        [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0), sig("gatewayLog", "primary", "unhealthy", 0)] }],
        probes("standby", "healthy", 0, 0),
        probes("primary", "unhealthy", 0, 130),
        probes("standby", "unhealthy", 10, 60),
        probes("standby", "healthy", 70, 130),
      ),
    );
    expect(types(events)).toEqual([
      "0s health.standbyHealthy",
      "0s health.primarySuspect",
      "10s health.observerImpaired",
      // impairment cleared at 70s: the standby counts its probes again, the primary's verdict is
      // restated so the machine knows the observer is back, and the confirmation window starts afresh
      "70s health.standbyHealthy",
      "70s health.primarySuspect",
      "130s health.primaryUnhealthy",
    ]);
    expect(events[2]!.reason).toMatch(/^observer impaired: own probes fail for both primary/);
  });

  it("re-asserts impairment after any other event while impaired", () => {
    const impaired = { impaired: true, reason: "observer impaired: test", since: at(0), signalIds: [] };
    const base: PairHealth = {
      primary: { verdict: "healthy", reason: "healthy: p", since: at(0), signalIds: [] },
      standby: { verdict: "healthy", reason: "healthy: s", since: at(0), signalIds: [] },
      observerImpaired: impaired,
      bothUnhealthy: { unhealthy: false, reason: "at most one region unhealthy" },
      evaluatedAt: at(0),
    };
    const later: PairHealth = { ...base, standby: { verdict: "unhealthy", reason: "unhealthy: s", since: at(5), signalIds: [] }, evaluatedAt: at(5) };
    expect(verdictEvents(base, base, at(1))).toEqual([]);
    expect(verdictEvents(base, later, at(5)).map((e) => e.type)).toEqual(["health.standbyUnhealthy", "health.observerImpaired"]);
  });
});
