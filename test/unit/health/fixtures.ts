import type { Signal, SignalChannel, SignalSource, SignalStatus } from "../../../src/ports/signal.js";
import { createEvaluator, type HealthEvaluator, type PairHealth, type PairSpec } from "../../../src/health/evaluator.js";
import type { RegionRole } from "../../../src/ports/region.js";
import { defaultHealthSettings, type HealthSettings } from "../../../src/health/config.js";

export const T0 = Date.parse("2026-12-01T08:00:00.000Z");
export const at = (seconds: number) => T0 + seconds * 1000;

export const pair: PairSpec = {
  primary: {
    serviceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-weu",
    region: "westeurope",
  },
  standby: {
    serviceId: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-neu",
    region: "northeurope",
  },
};

let counter = 0;

export interface SignalOptions {
  attributes?: Signal["attributes"];
  id?: string;
  /** Attribute by region only (no resource id), as region-wide sources do. */
  byRegion?: boolean;
  /** How it arrived; default: probes by probe, metric, log and resourceHealth by the controller's ARM reads, the rest by Event Hubs. */
  via?: SignalChannel;
}

/** The channel each source usually arrives on (resourceHealth: the Resource Health API read). */
export function defaultChannel(source: SignalSource): SignalChannel {
  if (source === "probe") return "probe";
  return source === "metric" || source === "log" || source === "resourceHealth" ? "arm" : "eventHubs";
}

/** A health signal about one side, observed `seconds` after T0. Probes default to 3 attempts. */
export function sig(source: SignalSource, side: RegionRole, status: SignalStatus, seconds: number, options: SignalOptions = {}): Signal {
  const attempts = 3;
  const probeAttrs: Record<string, number> =
    source === "probe" ? { attempts, failed: status === "unhealthy" ? 3 : status === "degraded" ? 1 : 0 } : {};
  return {
    id: options.id ?? `${source}-${side}-${seconds}-${status}-${++counter}`,
    kind: "health",
    source,
    resourceId: options.byRegion ? null : pair[side].serviceId,
    region: pair[side].region,
    status,
    observedAt: new Date(at(seconds)).toISOString(),
    summary: `${source} says ${status}`,
    attributes: { ...probeAttrs, ...options.attributes },
    channel: options.via ?? defaultChannel(source),
  };
}

export const platformDown = { attributes: { cause: "PlatformInitiated" } };

/** One moment of a scenario: signals delivered at `t` seconds, then an evaluation at `t`. */
export interface Step {
  t: number;
  signals?: Signal[];
}

export function run(steps: Step[], settings: HealthSettings = defaultHealthSettings): { evaluator: HealthEvaluator; history: PairHealth[] } {
  const evaluator = createEvaluator(settings, pair);
  const history: PairHealth[] = [];
  for (const step of steps) {
    for (const s of step.signals ?? []) evaluator.observe(s, at(step.t));
    history.push(evaluator.evaluate(at(step.t)));
  }
  return { evaluator, history };
}

/** Probe rounds for one side every `every` seconds in [from, to]. */
export function probes(side: RegionRole, status: SignalStatus, from: number, to: number, every = 10): Step[] {
  const steps: Step[] = [];
  for (let t = from; t <= to; t += every) steps.push({ t, signals: [sig("probe", side, status, t)] });
  return steps;
}

/** Merges steps that share a time, keeping signal order, sorted by time. */
export function timeline(...parts: Step[][]): Step[] {
  const byTime = new Map<number, Signal[]>();
  for (const step of parts.flat()) byTime.set(step.t, [...(byTime.get(step.t) ?? []), ...(step.signals ?? [])]);
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, signals]) => ({ t, signals }));
}

export const last = <T>(items: T[]): T => {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error("empty history");
  return item;
};
