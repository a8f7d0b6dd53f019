import { describe, expect, it } from "vitest";
import { defaultHealthSettings, resolveHealthSettings } from "../../../src/health/config.js";
import { at, last, pair, platformDown, probes, run, sig, timeline, type Step } from "./fixtures.js";
import type { Verdict } from "../../../src/health/evaluator.js";

interface Case {
  name: string;
  steps: Step[];
  settings?: Parameters<typeof resolveHealthSettings>[0];
  side?: "primary" | "standby";
  verdict: Verdict;
  reason: string;
  /** Verdicts that must never appear during the run. */
  never?: Verdict[];
}

const cases: Case[] = [
  // quorum
  {
    name: "quorum: one source alone never confirms, however long it fails",
    steps: probes("primary", "unhealthy", 0, 600),
    verdict: "suspect",
    reason: "suspect: probes alone: 1 of 2 required independent sources report unhealthy (probe 3/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  {
    name: "quorum: two sources of the same group (alert + metric) are one vote",
    steps: [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0), sig("metric", "primary", "unhealthy", 0)] }, { t: 120 }],
    verdict: "suspect",
    reason: "suspect: 1 of 2 required independent sources report unhealthy (alert unhealthy 2m ago; metric unhealthy 2m ago)",
    never: ["unhealthy"],
  },
  {
    name: "quorum: a configured quorum of 3 is not met by 2",
    settings: { quorum: 3 },
    steps: timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 120)),
    verdict: "suspect",
    reason: "suspect: 2 of 3 required independent sources report unhealthy (alert unhealthy 2m ago; probe 3/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  // confirmation window
  {
    name: "window: two independent sources agreeing start the confirmation window",
    steps: timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 30)),
    verdict: "suspect",
    reason: "suspect: 2 independent sources agree on 2 channels (Event Hubs, probes) for 30s of the 1m confirmation window (alert unhealthy 30s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "window: the quorum holding for the whole window confirms unhealthy",
    steps: timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 60)),
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (Event Hubs, probes) for 1m (alert unhealthy 1m ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "window: a healthy probe in the middle restarts the window",
    steps: timeline(
      [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
      probes("primary", "unhealthy", 0, 30),
      probes("primary", "healthy", 40, 40),
      probes("primary", "unhealthy", 50, 100),
    ),
    verdict: "suspect",
    reason: "suspect: 2 independent sources agree on 2 channels (Event Hubs, probes) for 50s of the 1m confirmation window (alert unhealthy 1m 40s ago; probe 3/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  // staleness
  {
    name: "staleness: a source that goes quiet stops counting and the quorum breaks",
    settings: { groups: defaultHealthSettings.groups.map((g) => (g.name === "azureMonitor" ? { ...g, stalenessMs: 50_000 } : g)) },
    steps: timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 60), [{ t: 51 }]),
    verdict: "suspect",
    reason: "suspect: probes alone: 1 of 2 required independent sources report unhealthy (probe 3/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  {
    name: "staleness: nothing fresh means unknown, naming the newest signal",
    steps: [{ t: 0, signals: [sig("probe", "primary", "healthy", 0)] }, { t: 61 }],
    verdict: "unknown",
    reason: "unknown: no fresh health signal (newest: probe 3/3 ok 1m 1s ago, too old to count)",
  },
  {
    name: "staleness: a region never heard of is unknown",
    steps: [{ t: 0, signals: [sig("probe", "primary", "healthy", 0)] }],
    side: "standby",
    verdict: "unknown",
    reason: "unknown: no health signal for this region yet",
  },
  // hysteresis
  {
    name: "hysteresis: healthy again after unhealthy is only recovering until the window passes",
    steps: timeline(
      [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
      probes("primary", "unhealthy", 0, 60),
      [{ t: 70, signals: [sig("alert", "primary", "healthy", 70)] }],
      probes("primary", "healthy", 70, 300),
    ),
    verdict: "recovering",
    reason: "recovering: healthy for 3m 50s of the 5m recovery window (alert healthy 3m 50s ago; probe 3/3 ok 0s ago)",
  },
  {
    name: "hysteresis: sustained health for the recovery window makes the region healthy",
    steps: timeline(
      [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
      probes("primary", "unhealthy", 0, 60),
      [{ t: 70, signals: [sig("alert", "primary", "healthy", 70)] }],
      probes("primary", "healthy", 70, 370),
    ),
    verdict: "healthy",
    reason: "healthy: every fresh source healthy for 5m after being unhealthy (alert healthy 5m ago; probe 3/3 ok 0s ago)",
  },
  {
    name: "hysteresis: one failed probe while recovering restarts the recovery window",
    steps: timeline(
      [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
      probes("primary", "unhealthy", 0, 60),
      [{ t: 70, signals: [sig("alert", "primary", "healthy", 70)] }],
      probes("primary", "healthy", 70, 200),
      probes("primary", "unhealthy", 210, 210),
      probes("primary", "healthy", 220, 400),
    ),
    verdict: "recovering",
    reason: "recovering: healthy for 3m of the 5m recovery window (probe 3/3 ok 0s ago)",
    never: ["healthy"],
  },
  {
    name: "hysteresis: confirmed unhealthy stays unhealthy while any source still reports a problem",
    steps: timeline(
      [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
      probes("primary", "unhealthy", 0, 60),
      [{ t: 70, signals: [sig("alert", "primary", "healthy", 70)] }],
      probes("primary", "unhealthy", 70, 120),
    ),
    verdict: "unhealthy",
    reason: "unhealthy: still 1 independent source reports a problem (probe 3/3 failed 0s ago); recovery needs every fresh source healthy",
    never: ["recovering", "healthy"],
  },
  {
    name: "hysteresis: a suspect that clears without being confirmed is healthy at once",
    steps: timeline(probes("primary", "unhealthy", 0, 20), probes("primary", "healthy", 30, 30)),
    verdict: "healthy",
    reason: "healthy: 1 independent source reports healthy, none reports a problem (probe 3/3 ok 0s ago)",
  },
  // authoritative
  {
    name: "authoritative: Resource Health PlatformInitiated plus one more source confirms without a window",
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown), sig("probe", "primary", "unhealthy", 0)] }],
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes), led by authoritative Resource Health API (Resource Health API Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "authoritative: on its own it awaits corroboration",
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown), sig("probe", "primary", "healthy", 0)] }, { t: 30 }],
    verdict: "suspect",
    reason:
      "suspect: authoritative Resource Health API Unavailable PlatformInitiated 30s ago awaits corroboration by 1 more independent source on another channel; healthy: (probe 3/3 ok 30s ago)",
    never: ["unhealthy"],
  },
  {
    name: "authoritative: UserInitiated is not authoritative and needs the full window",
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, { attributes: { cause: "UserInitiated" } }), sig("probe", "primary", "unhealthy", 0)] }],
    verdict: "suspect",
    reason: "suspect: 2 independent sources agree on 2 channels (ARM reads, probes) for 0s of the 1m confirmation window (Resource Health API Unavailable UserInitiated 0s ago; probe 3/3 failed 0s ago)",
  },
  {
    name: "authoritative: a rule with confirms 'alone' needs no other source group, only a second channel (the hub's record agreeing with the API)",
    settings: { authoritative: [{ sources: ["resourceHealth"], status: "unhealthy", attributes: { cause: "platforminitiated" }, confirms: "alone" }] },
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown), sig("resourceHealth", "primary", "unhealthy", 0, { ...platformDown, via: "eventHubs" })] }],
    verdict: "unhealthy",
    reason:
      "unhealthy: authoritative Resource Health API on its own, agreed on 2 channels (Event Hubs, ARM reads) (resourceHealth Unavailable PlatformInitiated 0s ago; Resource Health API Unavailable PlatformInitiated 0s ago)",
  },
  {
    name: "authoritative: a rule with confirms 'alone' still never confirms on one channel",
    settings: { authoritative: [{ sources: ["resourceHealth"], status: "unhealthy", attributes: { cause: "platforminitiated" }, confirms: "alone" }] },
    steps: [{ t: 0, signals: [sig("resourceHealth", "primary", "unhealthy", 0, platformDown)] }, { t: 120 }],
    verdict: "suspect",
    reason: "suspect: authoritative Resource Health API Unavailable PlatformInitiated 2m ago awaits corroboration by a second channel",
    never: ["unhealthy"],
  },
  // degraded
  {
    name: "degraded: degraded sources raise suspicion but never count towards the quorum",
    steps: timeline([{ t: 0, signals: [sig("metric", "primary", "degraded", 0), sig("resourceHealth", "primary", "degraded", 0)] }], probes("primary", "degraded", 0, 200)),
    verdict: "suspect",
    reason: "suspect: degraded, not down: 3 independent sources report degraded (Resource Health API Degraded 3m 20s ago; metric degraded 3m 20s ago; probe 1/3 failed 0s ago)",
    never: ["unhealthy"],
  },
  // attribution
  {
    name: "attribution: a region-wide Service Health incident counts for the region, by name",
    steps: timeline(
      [{ t: 0, signals: [{ ...sig("serviceHealth", "primary", "unhealthy", 0, { byRegion: true }), region: "westeurope" }] }],
      probes("primary", "unhealthy", 0, 60),
    ),
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (Event Hubs, probes) for 1m (probe 3/3 failed 0s ago; serviceHealth unhealthy 1m ago)",
  },
  {
    name: "attribution: resource ids match case-insensitively",
    steps: [
      {
        t: 0,
        signals: [
          { ...sig("resourceHealth", "primary", "unhealthy", 0, platformDown), resourceId: pair.primary.serviceId.toUpperCase(), region: null },
          sig("probe", "primary", "unhealthy", 0),
        ],
      },
    ],
    verdict: "unhealthy",
    reason: "unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes), led by authoritative Resource Health API (Resource Health API Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago)",
  },
];

describe("health evaluator rules", () => {
  it.each(cases)("$name", (c) => {
    const { history } = run(c.steps, c.settings ? resolveHealthSettings(c.settings) : defaultHealthSettings);
    const side = c.side ?? "primary";
    const final = last(history)[side];
    expect(final.verdict).toBe(c.verdict);
    expect(final.reason).toBe(c.reason);
    for (const forbidden of c.never ?? []) expect(history.map((h) => h[side].verdict)).not.toContain(forbidden);
  });

  it("names the deciding signals by id", () => {
    const rh = sig("resourceHealth", "primary", "unhealthy", 0, platformDown);
    const probe = sig("probe", "primary", "unhealthy", 0);
    const { history } = run([{ t: 0, signals: [rh, probe, sig("probe", "standby", "healthy", 0)] }]);
    expect(last(history).primary.signalIds).toEqual([rh.id, probe.id]);
    expect(last(history).primary.since).toBe(at(0));
  });

  it("keeps `since` at the moment the verdict was first reached", () => {
    const { history } = run(timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 90)));
    expect(last(history).primary).toMatchObject({ verdict: "unhealthy", since: at(60) });
  });
});

describe("observer impairment", () => {
  it("probes failing for both regions while Azure says Available: impaired, never primary unhealthy", () => {
    const azureHealthy = [sig("resourceHealth", "primary", "healthy", 0), sig("resourceHealth", "standby", "healthy", 0)];
    const { history } = run(timeline([{ t: 0, signals: azureHealthy }], probes("primary", "unhealthy", 0, 300), probes("standby", "unhealthy", 0, 300)));
    const final = last(history);
    expect(final.observerImpaired).toMatchObject({ impaired: true, since: at(0) });
    expect(final.observerImpaired.reason).toBe(
      "observer impaired: own probes fail for both primary (probe 3/3 failed 0s ago) and standby (probe 3/3 failed 0s ago) while Azure-side signals say healthy: primary (Resource Health API Available 5m ago), standby (Resource Health API Available 5m ago)",
    );
    expect(final.primary.reason).toBe(
      "healthy: 1 independent source reports healthy, none reports a problem (Resource Health API Available 5m ago); not counted while the observer is impaired: probe",
    );
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    expect(final.bothUnhealthy.unhealthy).toBe(false);
  });

  it("probes failing for every region at once: impaired even when Azure-side evidence alone would confirm the primary", () => {
    // Two channels without the probes: the ARM metrics read and gateway logs from the hub.
    const azure = [sig("metric", "primary", "unhealthy", 0), sig("gatewayLog", "primary", "unhealthy", 0)];
    const { history } = run(timeline([{ t: 0, signals: azure }], probes("primary", "unhealthy", 0, 300), probes("standby", "unhealthy", 0, 300)));
    const final = last(history);
    expect(final.observerImpaired.impaired).toBe(true);
    expect(final.observerImpaired.reason).toBe(
      "observer impaired: own probes fail for both primary (probe 3/3 failed 0s ago) and standby (probe 3/3 failed 0s ago) at once, and Azure-side signals do not confirm an outage of both",
    );
    expect(final.primary).toMatchObject({
      verdict: "suspect",
      reason:
        "suspect: observer impaired, failover withheld; 2 independent sources report unhealthy (metric unhealthy 5m ago; gatewayLog unhealthy 5m ago); not counted while the observer is impaired: probe",
    });
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
  });

  it("clears when one region's probes answer again, and the window starts afresh", () => {
    const azure = [sig("alert", "primary", "unhealthy", 0), sig("gatewayLog", "primary", "unhealthy", 0)];
    const { history } = run(
      timeline(
        [{ t: 0, signals: azure }],
        probes("primary", "unhealthy", 0, 200),
        probes("standby", "unhealthy", 0, 100),
        probes("standby", "healthy", 110, 200),
      ),
    );
    const at110 = history.find((h) => h.evaluatedAt === at(110))!;
    expect(at110.observerImpaired.impaired).toBe(false);
    expect(at110.primary.verdict).toBe("suspect");
    expect(history.find((h) => h.evaluatedAt === at(170))!.primary.verdict).toBe("unhealthy");
  });
});

describe("both regions down", () => {
  it("confirms both, with no observer impairment, and says why", () => {
    const down = (side: "primary" | "standby") => [sig("resourceHealth", side, "unhealthy", 0, platformDown), sig("probe", side, "unhealthy", 0)];
    const { history } = run([{ t: 0, signals: [...down("primary"), ...down("standby")] }]);
    const final = last(history);
    expect(final.observerImpaired.impaired).toBe(false);
    expect(final.bothUnhealthy).toEqual({
      unhealthy: true,
      reason:
        "both regions unhealthy: no failover, escalate to the operator (primary unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes), led by authoritative Resource Health API (Resource Health API Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago); standby unhealthy: 2 independent sources agree on 2 channels (ARM reads, probes), led by authoritative Resource Health API (Resource Health API Unavailable PlatformInitiated 0s ago; probe 3/3 failed 0s ago))",
    });
  });
});

describe("duplicates and out-of-order signals", () => {
  const base = () => timeline([{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }], probes("primary", "unhealthy", 0, 40));

  it("a signal observed twice is rejected as a duplicate and changes nothing", () => {
    const steps = base();
    const repeated = steps.map((s) => ({ t: s.t, signals: [...(s.signals ?? []), ...(s.signals ?? [])] }));
    const { history: once } = run(steps);
    const { history: twice, evaluator } = run(repeated);
    expect(twice).toEqual(once);
    expect(evaluator.counts().duplicate).toBe(steps.reduce((n, s) => n + (s.signals?.length ?? 0), 0));
  });

  it("a signal older than the newest from its source is rejected and changes nothing", () => {
    const late = sig("probe", "primary", "healthy", 25);
    const steps = base();
    const withLate = steps.map((s) => (s.t === 40 ? { t: 40, signals: [...(s.signals ?? []), late] } : s));
    const { history: plain } = run(steps);
    const { history: mixed, evaluator } = run(withLate);
    expect(mixed).toEqual(plain);
    expect(last(mixed).primary.reason).toBe("suspect: 2 independent sources agree on 2 channels (Event Hubs, probes) for 40s of the 1m confirmation window (alert unhealthy 40s ago; probe 3/3 failed 0s ago)");
    expect(evaluator.counts().outOfOrder).toBe(1);
  });

  it("explains every rejection", () => {
    const { evaluator } = run([]);
    const now = at(0);
    const outcomes = [
      evaluator.observe({ ...sig("probe", "primary", "healthy", 0), kind: "change" }, now),
      evaluator.observe({ ...sig("probe", "primary", "healthy", 0, { id: "bad-time" }), observedAt: "yesterday" }, now),
      evaluator.observe(sig("probe", "primary", "healthy", 31, { id: "ahead" }), now),
      evaluator.observe({ ...sig("probe", "primary", "healthy", 0, { id: "elsewhere" }), resourceId: "/subscriptions/x/other", region: "eastus" }, now),
      // Another service in the primary's own region: its signals are not the primary's.
      evaluator.observe({ ...sig("resourceHealth", "primary", "unhealthy", 0, { id: "neighbour" }), resourceId: "/subscriptions/x/neighbour" }, now),
    ];
    expect(outcomes).toEqual([
      { accepted: false, reason: "notHealth", detail: expect.stringMatching(/only health signals decide verdicts$/) },
      { accepted: false, reason: "invalidTime", detail: "signal bad-time has observedAt 'yesterday', which is not an ISO-8601 time; fix its decoder" },
      {
        accepted: false,
        reason: "future",
        detail: "signal ahead is stamped 2026-12-01T08:00:31.000Z, more than 30000 ms ahead of the controller clock; check the sender's clock",
      },
      { accepted: false, reason: "unattributed", detail: "signal elsewhere (resource /subscriptions/x/other, region eastus) matches neither service of this pair" },
      { accepted: false, reason: "unattributed", detail: "signal neighbour (resource /subscriptions/x/neighbour, region westeurope) matches neither service of this pair" },
    ]);
    const ignoring = run([], resolveHealthSettings({ groups: defaultHealthSettings.groups.filter((g) => g.name !== "gatewayLog") })).evaluator;
    expect(ignoring.observe(sig("gatewayLog", "primary", "unhealthy", 0, { id: "gw" }), now)).toEqual({
      accepted: false,
      reason: "ignoredSource",
      detail: "signal gw comes from 'gatewayLog', which is in no source group; add it to health.groups to count it",
    });
  });

  it("a clock stepping back does not rewind the confirmation window", () => {
    const { evaluator } = run([]);
    evaluator.observe(sig("alert", "primary", "unhealthy", 0), at(0));
    evaluator.observe(sig("probe", "primary", "unhealthy", 0), at(0));
    evaluator.evaluate(at(0));
    evaluator.evaluate(at(50));
    expect(evaluator.evaluate(at(10)).evaluatedAt).toBe(at(50));
  });
});
