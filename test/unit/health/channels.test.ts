import { describe, expect, it } from "vitest";
import { defaultHealthSettings } from "../../../src/health/config.js";
import type { Verdict } from "../../../src/health/evaluator.js";
import { last, platformDown, probes, run, sig, timeline, type Step } from "./fixtures.js";

// Independence is counted in channels: Event Hubs (anything a sender with rights on the hub can
// publish), the controller's own ARM reads (Resource Health API, metrics, logs) and its own probes.

const windowS = defaultHealthSettings.confirmationWindowMs / 1000;

/** The controller's own eyes every 10 s for [from, to]: probes, the Resource Health API and metrics, all as given. */
function ownReads(status: { probe?: "healthy" | "unhealthy"; api?: "healthy" | "unhealthy" | "unreachable" }, from: number, to: number): Step[] {
  const steps: Step[] = [];
  for (let t = from; t <= to; t += 10) {
    const signals = [];
    if (status.probe) signals.push(sig("probe", "primary", status.probe, t));
    if (status.api === "unreachable") {
      signals.push(sig("resourceHealth", "primary", "unknown", t, { attributes: { unreachable: true } }));
      signals[signals.length - 1]!.summary = "503 ServiceUnavailable";
    } else if (status.api) signals.push(sig("resourceHealth", "primary", status.api, t, status.api === "unhealthy" ? platformDown : {}));
    steps.push({ t, signals });
  }
  return steps;
}

const hubRecord = (t: number) => sig("resourceHealth", "primary", "unhealthy", t, { ...platformDown, via: "eventHubs" });
const hubAlert = (t: number, id = "a1") => sig("alert", "primary", "unhealthy", t, { attributes: { alertId: id, monitorCondition: "Fired" } });

interface Case {
  name: string;
  steps: Step[];
  verdict: Verdict;
  reason: string;
  never?: Verdict[];
}

const cases: Case[] = [
  {
    name: "Event Hubs alone (Resource Health record, alert, gateway logs) never confirms while probes and the Resource Health API say healthy",
    steps: timeline([{ t: 0, signals: [hubRecord(0), hubAlert(0), sig("gatewayLog", "primary", "unhealthy", 0)] }], ownReads({ probe: "healthy", api: "healthy" }, 0, 240)),
    verdict: "suspect",
    reason:
      "suspect: Event Hubs alone; probes and Resource Health API healthy: 3 independent sources report unhealthy, a second channel must agree (resourceHealth Unavailable PlatformInitiated 4m ago; alert unhealthy 4m ago; gatewayLog unhealthy 4m ago); the Event Hubs Resource Health record is not authoritative: Resource Health API Available 0s ago; healthy: (probe 3/3 ok 0s ago)",
    never: ["unhealthy"],
  },
  {
    name: "ARM reads alone (Resource Health API and metrics) never confirm while probes answer",
    steps: timeline(
      [{ t: 0, signals: [sig("metric", "primary", "unhealthy", 0)] }],
      ownReads({ probe: "healthy" }, 0, 240),
      ownReads({ api: "unhealthy" }, 0, 240),
    ),
    verdict: "suspect",
    reason:
      "suspect: authoritative Resource Health API Unavailable PlatformInitiated 0s ago awaits corroboration by a second channel; healthy: (probe 3/3 ok 0s ago)",
    never: ["unhealthy"],
  },
  {
    name: "probes alone never confirm",
    steps: probes("primary", "unhealthy", 0, 240),
    verdict: "suspect",
    reason: "suspect: probes alone: 1 of 2 required independent sources report unhealthy (probe 3/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  {
    name: "Event Hubs + probes confirm after the window",
    steps: timeline([{ t: 0, signals: [hubAlert(0)] }], probes("primary", "unhealthy", 0, windowS)),
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (Event Hubs, probes) for 1m (alert unhealthy 1m ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "Event Hubs + ARM reads confirm after the window",
    steps: timeline(
      [{ t: 0, signals: [sig("gatewayLog", "primary", "unhealthy", 0)] }],
      [0, 30, 60].map((t) => ({ t, signals: [sig("metric", "primary", "unhealthy", t)] })),
    ),
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (Event Hubs, ARM reads) for 1m (metric unhealthy 0s ago; gatewayLog unhealthy 1m ago)",
  },
  {
    name: "ARM reads + probes confirm after the window",
    steps: timeline([0, 30, 60].map((t) => ({ t, signals: [sig("log", "primary", "unhealthy", t)] })), probes("primary", "unhealthy", 0, windowS)),
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes) for 1m (log unhealthy 0s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "all three channels with the Resource Health API authoritative confirm at once",
    steps: [{ t: 0, signals: [hubRecord(0), hubAlert(0), sig("probe", "primary", "unhealthy", 0), sig("resourceHealth", "primary", "unhealthy", 0, platformDown)] }],
    verdict: "unhealthy",
    reason:
      "unhealthy: 3 independent sources agree on 3 channels (Event Hubs, ARM reads, probes), led by authoritative Resource Health API (resourceHealth Unavailable PlatformInitiated 0s ago; Resource Health API Unavailable PlatformInitiated 0s ago; alert unhealthy 0s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "a hub Resource Health record the API agrees with is authoritative: with the probes it confirms at once",
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, { attributes: { cause: "UserInitiated" } }), hubRecord(0), sig("probe", "primary", "unhealthy", 0)] }],
    verdict: "unhealthy",
    reason:
      "unhealthy: 2 independent sources agree on 3 channels (Event Hubs, ARM reads, probes), led by authoritative resourceHealth (resourceHealth Unavailable PlatformInitiated 0s ago; Resource Health API Unavailable UserInitiated 0s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "a hub Resource Health record the API contradicts is not authoritative: with the probes it needs the whole window, and says why",
    steps: timeline([{ t: 0, signals: [hubRecord(0)] }], ownReads({ probe: "unhealthy", api: "healthy" }, 0, 30)),
    verdict: "suspect",
    reason:
      "suspect: 2 independent sources agree on 2 channels (Event Hubs, probes) for 30s of the 1m confirmation window (resourceHealth Unavailable PlatformInitiated 30s ago; probe 3/3 failed 0s ago); the Event Hubs Resource Health record is not authoritative: Resource Health API Available 0s ago",
  },
  {
    name: "a hub Resource Health record is authoritative when the API cannot be read (management plane down), and the reason says so",
    steps: timeline([{ t: 0, signals: [hubRecord(0)] }], ownReads({ probe: "unhealthy", api: "unreachable" }, 0, 0)),
    verdict: "unhealthy",
    reason:
      "unhealthy: 2 independent sources agree on 2 channels (Event Hubs, probes), led by authoritative resourceHealth (resourceHealth Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago); the Resource Health API could not be read (503 ServiceUnavailable), as when the region's management plane is down: the Event Hubs Resource Health record counts as authoritative",
  },
  {
    name: "a hub Resource Health record is not authoritative before the API has been read",
    steps: [{ t: 0, signals: [hubRecord(0), sig("probe", "primary", "unhealthy", 0)] }],
    verdict: "suspect",
    reason:
      "suspect: 2 independent sources agree on 2 channels (Event Hubs, probes) for 0s of the 1m confirmation window (resourceHealth Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago); the Event Hubs Resource Health record is not authoritative: the Resource Health API has not been read",
  },
];

describe("channels: independence counted by how signals arrive", () => {
  it.each(cases)("$name", (c) => {
    const { history } = run(c.steps);
    const final = last(history).primary;
    expect(final.verdict).toBe(c.verdict);
    expect(final.reason).toBe(c.reason);
    for (const forbidden of c.never ?? []) expect(history.map((h) => h.primary.verdict)).not.toContain(forbidden);
  });

  it("an unstamped signal counts as Event Hubs, whatever its source claims", () => {
    const unstamped = (source: "metric" | "probe", t: number) => ({ ...sig(source, "primary", "unhealthy", t), channel: undefined });
    const { history } = run(timeline([0, 30, 60, 90].map((t) => ({ t, signals: [unstamped("metric", t), unstamped("probe", t)] }))));
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    expect(last(history).primary.reason).toMatch(/^suspect: Event Hubs alone: 2 independent sources report unhealthy, a second channel must agree/);
  });
});

describe("alerts: the newest state of each alert id wins", () => {
  it("a resolved alert does not hide another alert that still fires", () => {
    const fired = (id: string, t: number) => hubAlert(t, id);
    const resolved = (id: string, t: number) => sig("alert", "primary", "healthy", t, { attributes: { alertId: id, monitorCondition: "Resolved" } });
    const { history } = run([{ t: 0, signals: [fired("metric-alert", 0), fired("log-alert", 0)] }, { t: 10, signals: [resolved("metric-alert", 10)] }]);
    expect(last(history).primary.reason).toBe("suspect: Event Hubs alone: 1 of 2 required independent sources report unhealthy (alert unhealthy 10s ago)");
  });

  it("a Fired event replayed after its Resolved event changes nothing", () => {
    const resolved = sig("alert", "primary", "healthy", 10, { attributes: { alertId: "a1", monitorCondition: "Resolved" } });
    const { history, evaluator } = run([{ t: 20, signals: [resolved, hubAlert(0, "a1")] }]);
    expect(last(history).primary.verdict).toBe("healthy");
    expect(evaluator.counts().outOfOrder).toBe(1);
  });
});

describe("signals that cannot change a verdict", () => {
  it("older than the staleness window on arrival: rejected and counted", () => {
    const { evaluator, history } = run([{ t: 400, signals: [hubAlert(0)] }]);
    expect(last(history).primary.verdict).toBe("unknown");
    expect(evaluator.counts().stale).toBe(1);
    expect(evaluator.observe(hubAlert(0, "again"), Date.parse("2026-12-01T08:06:40.000Z"))).toEqual({
      accepted: false,
      reason: "stale",
      detail: expect.stringMatching(/is stamped 2026-12-01T08:00:00\.000Z, older than the 300000 ms staleness window of 'azureMonitor' on arrival$/),
    });
  });
});
