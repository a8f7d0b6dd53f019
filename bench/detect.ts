/**
 * Detection benchmark: replays synthetic fault traces through the apim-dr health evaluator and
 * through a model of Traffic Manager priority routing, in simulated time. See bench/README.md.
 *
 *   npx tsx bench/detect.ts        (npm run bench:detect)
 */
import type { Signal, SignalStatus } from "../src/ports/signal.js";
import { defaultHealthSettings } from "../src/health/config.js";
import { createEvaluator, type PairHealth, type PairSpec } from "../src/health/evaluator.js";
import type { RegionRole } from "../src/ports/region.js";
import { verdictEvents } from "../src/health/pair-events.js";

const T0 = Date.parse("2026-12-01T00:00:00.000Z");
const PHASES = 10;
const SIDES: RegionRole[] = ["primary", "standby"];

const pair: PairSpec = {
  primary: { serviceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu", region: "westeurope" },
  standby: { serviceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-neu", region: "northeurope" },
};

// ---------------------------------------------------------------- the world

type ProbeOutcome = "ok" | "error" | "timeout";

/** Deterministic noise in [0, 1) for (side, time, attempt, prober). */
function noise(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const ch of parts.join("|")) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  h = Math.imul(h ^ (h >>> 15), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

interface Trace {
  name: string;
  story: string;
  durationS: number;
  /** When the primary is really lost (detection is measured from here); null for noise. */
  outageStartS: number | null;
  /** The right reaction is escalation, not failover. */
  bothDown: boolean;
  /** What a single external prober sees for one request (the controller's probes and Traffic Manager's alike). */
  probe(side: RegionRole, tS: number, attempt: number, prober: string): ProbeOutcome;
  /** Resource Health availability as Azure reports it at tS (already lagging the truth). */
  resourceHealth(side: RegionRole, tS: number): { status: SignalStatus; cause?: string };
  /** Azure Monitor (availability metric / alert) as it reports at tS, lag included. */
  monitor(side: RegionRole, tS: number): SignalStatus;
}

const within = (t: number, from: number, to: number) => t >= from && t < to;
/** Resource Health's lag behind the truth; an assumption (see README), varied by `--rh-lag`. */
let RH_LAG_S = 30;
/** Azure Monitor metrics: 1-minute grain published ~2 minutes late. */
const METRIC_LAG_S = 120;
const available = { status: "healthy" as SignalStatus };

function traces(): Trace[] {
  const outage = (from: number, to: number) => (t: number) => within(t, from, to);
  const cleanDown = outage(600, 1800);
  const bothDown = outage(600, 1800);
  const burst = (t: number) => within(t, 300, 2100) && (t - 300) % 120 < 40;
  const degraded = (t: number) => within(t, 300, 2100);
  const partition = outage(900, 1200);
  const pathLoss = outage(900, 1500);
  const metricSaw = (down: (t: number) => boolean, t: number) => {
    for (let s = t - METRIC_LAG_S - 60; s < t - METRIC_LAG_S; s += 5) if (down(s)) return true;
    return false;
  };
  return [
    {
      name: "clean-outage",
      story: "primary gateway unreachable for 20 min; Resource Health Unavailable (PlatformInitiated) after its lag; standby fine",
      durationS: 2400,
      outageStartS: 600,
      bothDown: false,
      probe: (side, t) => (side === "primary" && cleanDown(t) ? "timeout" : "ok"),
      resourceHealth: (side, t) => (side === "primary" && cleanDown(t - RH_LAG_S) ? { status: "unhealthy", cause: "PlatformInitiated" } : available),
      monitor: (side, t) => (side === "primary" && metricSaw(cleanDown, t) ? "unhealthy" : "healthy"),
    },
    {
      name: "outage-resource-health-silent",
      story: "as clean-outage, but Resource Health keeps saying Available: only probes and the lagging metric see it",
      durationS: 2400,
      outageStartS: 600,
      bothDown: false,
      probe: (side, t) => (side === "primary" && cleanDown(t) ? "timeout" : "ok"),
      resourceHealth: () => available,
      monitor: (side, t) => (side === "primary" && metricSaw(cleanDown, t) ? "unhealthy" : "healthy"),
    },
    {
      name: "flapping",
      story: "primary unreachable 40 s out of every 120 s for 30 min; the availability metric follows with its lag; Resource Health Available",
      durationS: 2400,
      outageStartS: null,
      bothDown: false,
      probe: (side, t) => (side === "primary" && burst(t) ? "timeout" : "ok"),
      resourceHealth: () => available,
      monitor: (side, t) => (side === "primary" && metricSaw(burst, t) ? "unhealthy" : "healthy"),
    },
    {
      name: "partial-degradation",
      story: "primary fails 25% of requests (503 or timeout) for 30 min; availability alert fires; Resource Health Available",
      durationS: 2400,
      outageStartS: null,
      bothDown: false,
      probe: (side, t, attempt, prober) => {
        if (side !== "primary" || !degraded(t)) return "ok";
        const r = noise(side, Math.round(t * 1000), attempt, prober);
        return r < 0.15 ? "error" : r < 0.25 ? "timeout" : "ok";
      },
      resourceHealth: () => available,
      monitor: (side, t) => (side === "primary" && metricSaw(degraded, t) ? "unhealthy" : "healthy"),
    },
    {
      name: "observer-partition",
      story: "the prober's network loses both regions for 5 min; both regions serve users; Azure-side signals healthy",
      durationS: 2400,
      outageStartS: null,
      bothDown: false,
      probe: (_side, t) => (partition(t) ? "timeout" : "ok"),
      resourceHealth: () => available,
      monitor: () => "healthy",
    },
    {
      name: "path-loss-to-primary",
      story: "the prober alone loses its path to the primary for 10 min (partial reachability); users and Azure see it serving",
      durationS: 2400,
      outageStartS: null,
      bothDown: false,
      probe: (side, t) => (side === "primary" && pathLoss(t) ? "timeout" : "ok"),
      resourceHealth: () => available,
      monitor: () => "healthy",
    },
    {
      name: "both-regions-down",
      story: "both regions unreachable for 20 min (e.g. a bad global rollout); Resource Health Unavailable for both",
      durationS: 2400,
      outageStartS: 600,
      bothDown: true,
      probe: (_side, t) => (bothDown(t) ? "timeout" : "ok"),
      resourceHealth: (_side, t) => (bothDown(t - RH_LAG_S) ? { status: "unhealthy", cause: "PlatformInitiated" } : available),
      monitor: (_side, t) => (metricSaw(bothDown, t) ? "unhealthy" : "healthy"),
    },
  ];
}

interface Outcome {
  /** Seconds from outage start to the right reaction (failover, or escalation when both are down); null when none. */
  detectS: number | null;
  falseFailovers: number;
  /** apim-dr only: seconds from the first observer-side failure to the observer-impaired alert. */
  alertS?: number | null;
}

// ---------------------------------------------------------------- apim-dr

const CONTROLLER_PROBE = { intervalS: 10, timeoutS: 5, attempts: 3 };
const RH_POLL_S = 30;
const METRIC_POLL_S = 60;
const EVALUATE_EVERY_S = 5;

function signal(source: Signal["source"], side: RegionRole, status: SignalStatus, tS: number, attributes: Signal["attributes"]): Signal {
  return {
    id: `${source}-${side}-${tS}`,
    kind: "health",
    source,
    resourceId: pair[side].serviceId,
    region: pair[side].region,
    status,
    observedAt: new Date(T0 + tS * 1000).toISOString(),
    summary: `${source} ${status}`,
    attributes,
    // The controller's own reads: its probes, and the Resource Health API and metrics it polls.
    channel: source === "probe" ? "probe" : "arm",
  };
}

function runApimDr(trace: Trace, phase: number): Outcome {
  // A null signal is a plain evaluation tick.
  const arrivals: { tS: number; signal: Signal | null }[] = [];
  const probeOffset = phase * CONTROLLER_PROBE.intervalS;
  for (let send = probeOffset; send < trace.durationS; send += CONTROLLER_PROBE.intervalS) {
    for (const side of SIDES) {
      const results = Array.from({ length: CONTROLLER_PROBE.attempts }, (_, a) => trace.probe(side, send, a, "controller"));
      const failed = results.filter((r) => r !== "ok").length;
      const done = send + (results.includes("timeout") ? CONTROLLER_PROBE.timeoutS : 0.2);
      const status: SignalStatus = failed === 0 ? "healthy" : failed === results.length ? "unhealthy" : "degraded";
      arrivals.push({ tS: done, signal: signal("probe", side, status, done, { failed, attempts: results.length }) });
    }
  }
  for (let poll = phase * RH_POLL_S; poll < trace.durationS; poll += RH_POLL_S) {
    for (const side of SIDES) {
      const rh = trace.resourceHealth(side, poll);
      arrivals.push({ tS: poll + 1, signal: signal("resourceHealth", side, rh.status, poll, rh.cause ? { cause: rh.cause } : {}) });
    }
  }
  for (let poll = phase * METRIC_POLL_S; poll < trace.durationS; poll += METRIC_POLL_S) {
    for (const side of SIDES) arrivals.push({ tS: poll + 2, signal: signal("metric", side, trace.monitor(side, poll), poll, {}) });
  }
  for (let t = 0; t < trace.durationS; t += EVALUATE_EVERY_S) arrivals.push({ tS: t, signal: null });
  arrivals.sort((a, b) => a.tS - b.tS);

  const evaluator = createEvaluator(defaultHealthSettings, pair);
  let previous: PairHealth | null = null;
  const outcome: Outcome = { detectS: null, falseFailovers: 0, alertS: null };
  const firstObserverFailure = firstProbeFailureOfBoth(trace);
  for (const { tS, signal: s } of arrivals) {
    const now = T0 + tS * 1000;
    if (s) evaluator.observe(s, now);
    const current = evaluator.evaluate(now);
    for (const event of verdictEvents(previous, current, now)) {
      const afterOutage = trace.outageStartS !== null && tS >= trace.outageStartS;
      if (event.type === "health.primaryUnhealthy") {
        if (afterOutage && !trace.bothDown) outcome.detectS ??= tS - trace.outageStartS!;
        else outcome.falseFailovers++;
      }
      if (event.type === "health.bothUnhealthy" && afterOutage && trace.bothDown) outcome.detectS ??= tS - trace.outageStartS!;
      if (event.type === "health.observerImpaired" && firstObserverFailure !== null) outcome.alertS ??= tS - firstObserverFailure;
    }
    previous = current;
  }
  return outcome;
}

/** When probes to both regions first fail at the same moment (start of an observer-side fault). */
function firstProbeFailureOfBoth(trace: Trace): number | null {
  for (let t = 0; t < trace.durationS; t += 1) if (trace.probe("primary", t, 0, "truth") !== "ok" && trace.probe("standby", t, 0, "truth") !== "ok") return t;
  return null;
}

// ---------------------------------------------------------------- Traffic Manager model

interface TmProfile {
  label: string;
  intervalS: number;
  timeoutS: number;
  toleratedFailures: number;
}

const TM_DEFAULT: TmProfile = { label: "TM default (30 s / 10 s / 3)", intervalS: 30, timeoutS: 10, toleratedFailures: 3 };
const TM_FAST: TmProfile = { label: "TM fast (10 s / 9 s / 3)", intervalS: 10, timeoutS: 9, toleratedFailures: 3 };

/**
 * Priority routing: traffic goes to the first endpoint that is not Degraded; an endpoint is
 * Degraded when its consecutive failed probes exceed the tolerated number, and Online again
 * after ONE successful probe. When every endpoint is Degraded, Traffic Manager answers as if
 * all were Online, i.e. with the primary. Endpoints are probed on independent schedules
 * (the standby a third of an interval after the primary).
 */
function runTrafficManager(trace: Trace, profile: TmProfile, phase: number): Outcome {
  const results: { tS: number; side: RegionRole; ok: boolean }[] = [];
  SIDES.forEach((side, i) => {
    const offset = (phase + i / 3) * profile.intervalS;
    for (let send = offset; send < trace.durationS; send += profile.intervalS) {
      const r = trace.probe(side, send, 0, `tm-${profile.intervalS}`);
      results.push({ tS: send + (r === "timeout" ? profile.timeoutS : r === "error" ? 0.2 : 0.1), side, ok: r === "ok" });
    }
  });
  results.sort((a, b) => a.tS - b.tS);
  const failures: Record<RegionRole, number> = { primary: 0, standby: 0 };
  const degraded: Record<RegionRole, boolean> = { primary: false, standby: false };
  let routed: RegionRole = "primary";
  const outcome: Outcome = { detectS: null, falseFailovers: 0 };
  for (const { tS, side, ok } of results) {
    failures[side] = ok ? 0 : failures[side] + 1;
    degraded[side] = ok ? false : degraded[side] || failures[side] > profile.toleratedFailures;
    const next: RegionRole = !degraded.primary ? "primary" : !degraded.standby ? "standby" : "primary";
    if (next === "standby" && routed === "primary") {
      const afterOutage = trace.outageStartS !== null && tS >= trace.outageStartS;
      if (afterOutage && !trace.bothDown) outcome.detectS ??= tS - trace.outageStartS!;
      else outcome.falseFailovers++;
    }
    routed = next;
  }
  return outcome;
}

// ---------------------------------------------------------------- report

interface Summary {
  meanDetectS: number | null;
  minDetectS: number | null;
  maxDetectS: number | null;
  missed: number;
  falseFailovers: number;
  meanAlertS: number | null;
}

/** Each trace runs at PHASES evenly spaced probe/poll phases: detection is their mean, false failovers their worst case. */
function summarize(outcomes: Outcome[]): Summary {
  const detected = outcomes.map((o) => o.detectS).filter((d): d is number => d !== null);
  const alerts = outcomes.map((o) => o.alertS).filter((d): d is number => typeof d === "number");
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    meanDetectS: mean(detected),
    minDetectS: detected.length ? Math.min(...detected) : null,
    maxDetectS: detected.length ? Math.max(...detected) : null,
    missed: outcomes.length - detected.length,
    falseFailovers: Math.max(...outcomes.map((o) => o.falseFailovers)),
    meanAlertS: mean(alerts),
  };
}

function phases<T>(fn: (phase: number) => T): T[] {
  return Array.from({ length: PHASES }, (_, k) => fn(k / PHASES));
}

const ms = (s: number | null) => (s === null ? null : Math.round(s * 1000));
const show = (s: Summary, expectDetection: boolean) => {
  const detection =
    s.meanDetectS === null
      ? expectDetection
        ? "never detected"
        : "nothing to detect"
      : `detects in ${s.meanDetectS.toFixed(1)} s (${s.minDetectS!.toFixed(1)}–${s.maxDetectS!.toFixed(1)})${s.missed ? `, missed in ${s.missed}/${PHASES} runs` : ""}`;
  return `${detection}; false failovers ${s.falseFailovers}${s.meanAlertS !== null ? `; observer-impaired alert after ${s.meanAlertS.toFixed(1)} s` : ""}`;
};

function main(): void {
  const lagArg = process.argv.indexOf("--rh-lag");
  if (lagArg >= 0) {
    const value = Number(process.argv[lagArg + 1]);
    if (!Number.isFinite(value) || value < 0) {
      process.stderr.write(`bench/detect: --rh-lag needs a number of seconds, got '${process.argv[lagArg + 1] ?? ""}'\n`);
      process.exit(2);
    }
    RH_LAG_S = value;
  }
  console.log(`Detection benchmark: simulated time, ${PHASES} probe/poll phases per trace; Resource Health lag ${RH_LAG_S} s, metric lag ${METRIC_LAG_S} s.`);
  console.log(
    `apim-dr: probes every ${CONTROLLER_PROBE.intervalS} s (${CONTROLLER_PROBE.attempts} attempts, ${CONTROLLER_PROBE.timeoutS} s timeout), Resource Health polled every ${RH_POLL_S} s, metrics every ${METRIC_POLL_S} s; quorum ${defaultHealthSettings.quorum}, confirmation window ${defaultHealthSettings.confirmationWindowMs / 1000} s.`,
  );
  const rows = [];
  for (const trace of traces()) {
    const expectDetection = trace.outageStartS !== null;
    const apimDr = summarize(phases((p) => runApimDr(trace, p)));
    const tmDefault = summarize(phases((p) => runTrafficManager(trace, TM_DEFAULT, p)));
    const tmFast = summarize(phases((p) => runTrafficManager(trace, TM_FAST, p)));
    console.log(`\n${trace.name}: ${trace.story}`);
    console.log(`  apim-dr                       ${show(apimDr, expectDetection)}`);
    console.log(`  ${TM_DEFAULT.label.padEnd(29)} ${show(tmDefault, expectDetection && !trace.bothDown)}`);
    console.log(`  ${TM_FAST.label.padEnd(29)} ${show(tmFast, expectDetection && !trace.bothDown)}`);
    if (trace.bothDown) console.log("  (Traffic Manager has no escalation: once both endpoints are Degraded it answers with the primary again.)");
    rows.push({
      name: trace.name,
      apimDrDetectMs: ms(apimDr.meanDetectS),
      tmDefaultDetectMs: ms(tmDefault.meanDetectS),
      tmFastDetectMs: ms(tmFast.meanDetectS),
      apimDrFalseFailovers: apimDr.falseFailovers,
      tmDefaultFalseFailovers: tmDefault.falseFailovers,
      tmFastFalseFailovers: tmFast.falseFailovers,
    });
  }
  console.log("\nSensitivity: clean-outage detection by apim-dr against Resource Health lag (Traffic Manager does not use it)");
  const assumedLag = RH_LAG_S;
  const clean = traces().find((t) => t.name === "clean-outage")!;
  for (const lag of [15, 30, 45, 60, 90, 120, 300]) {
    RH_LAG_S = lag;
    const s = summarize(phases((p) => runApimDr(clean, p)));
    console.log(`  Resource Health lag ${String(lag).padStart(3)} s: ${show(s, true)}`);
  }
  RH_LAG_S = assumedLag;
  console.log(JSON.stringify({ traces: rows }));
}

main();
