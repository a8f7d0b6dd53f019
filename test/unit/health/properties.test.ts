import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Signal, SignalSource, SignalStatus } from "../../../src/ports/signal.js";
import { defaultHealthSettings } from "../../../src/health/config.js";
import { verdictEvents } from "../../../src/health/pair-events.js";
import type { PairHealth } from "../../../src/health/evaluator.js";
import { run, sig, type Step } from "./fixtures.js";

const windowS = defaultHealthSettings.confirmationWindowMs / 1000;
// Everything except authoritative signals, which skip the window by design.
const flappable: SignalSource[] = ["alert", "metric", "log", "resourceHealth", "probe", "gatewayLog", "serviceHealth"];
const side = fc.constantFrom("primary" as const, "standby" as const);
const status = fc.constantFrom<SignalStatus>("healthy", "degraded", "unhealthy", "unknown");

function primaryUnhealthyEvents(history: PairHealth[]): number {
  let previous: PairHealth | null = null;
  let count = 0;
  for (const h of history) {
    count += verdictEvents(previous, h, h.evaluatedAt).filter((e) => e.type === "health.primaryUnhealthy").length;
    previous = h;
  }
  return count;
}

describe("health evaluator properties", () => {
  it("no sequence of flaps shorter than the confirmation window yields unhealthy", () => {
    const flap = fc.record({
      sources: fc.uniqueArray(fc.constantFrom(...flappable), { minLength: 1, maxLength: flappable.length }),
      downStatus: fc.constantFrom<SignalStatus>("unhealthy", "degraded"),
      durationS: fc.integer({ min: 1, max: windowS - 1 }),
      gapS: fc.integer({ min: 1, max: 400 }),
      evaluations: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(fc.array(flap, { minLength: 1, maxLength: 12 }), (flaps) => {
        const steps: Step[] = [];
        let t = 0;
        let n = 0;
        const cause = { attributes: { cause: "UserInitiated" } };
        for (const f of flaps) {
          const down = f.sources.map((s) => sig(s, "primary", f.downStatus, t, { ...cause, id: `d${n++}` }));
          steps.push({ t, signals: down });
          // Evaluations inside the flap, in time order, never at its end.
          for (const x of [...f.evaluations].sort((a, b) => a - b)) steps.push({ t: t + x * (f.durationS - 0.001) });
          t += f.durationS;
          steps.push({ t, signals: f.sources.map((s) => sig(s, "primary", "healthy", t, { id: `u${n++}` })) });
          for (const x of f.evaluations) steps.push({ t: t + x * f.gapS });
          steps.sort((a, b) => a.t - b.t);
          t += f.gapS;
        }
        const { history } = run(steps);
        expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
        expect(primaryUnhealthyEvents(history)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  const signalSpec = fc.record({ source: fc.constantFrom<SignalSource>(...flappable), side, status, ageS: fc.integer({ min: 0, max: 120 }), platform: fc.boolean() });
  const batches = fc.array(fc.record({ dtS: fc.integer({ min: 0, max: 40 }), signals: fc.array(signalSpec, { maxLength: 6 }) }), { minLength: 1, maxLength: 20 });

  type BatchSpec = typeof batches extends fc.Arbitrary<infer T> ? T : never;

  function materialize(spec: BatchSpec): { t: number; signals: Signal[] }[] {
    let t = 0;
    let n = 0;
    return spec.map((b) => {
      t += b.dtS;
      const signals = b.signals.map((s) =>
        sig(s.source, s.side, s.status, t - s.ageS, { id: `s${n++}`, attributes: s.platform ? { cause: "PlatformInitiated" } : {} }),
      );
      return { t, signals };
    });
  }

  it("duplicating or reordering signals within a delivery never changes the outcome", () => {
    fc.assert(
      fc.property(batches, fc.array(fc.nat(), { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 60 }), (spec, shuffleKeys, dupPicks) => {
        const plain = materialize(spec);
        const delivered: Signal[] = [];
        let k = 0;
        const messy = plain.map((b) => {
          delivered.push(...b.signals);
          const keyed = b.signals.map((s) => ({ s, key: shuffleKeys[k++ % Math.max(1, shuffleKeys.length)] ?? 0 }));
          const shuffled = keyed.sort((a, b2) => a.key - b2.key).map((x) => x.s);
          // Copies of anything delivered so far, this batch included.
          const dups = delivered.length ? dupPicks.slice(0, 3).map((p) => delivered[(p + k) % delivered.length]!) : [];
          return { t: b.t, signals: [...dups.slice(0, 1), ...shuffled, ...dups.slice(1)] };
        });
        expect(run(messy).history).toEqual(run(plain).history);
      }),
      { numRuns: 300 },
    );
  });

  it("a signal older than the newest one from its source never changes the outcome", () => {
    fc.assert(
      fc.property(batches, fc.array(status), (spec, lateStatuses) => {
        const plain = materialize(spec);
        const oldest = new Map<string, number>();
        let n = 0;
        const withLate = plain.map((b) => {
          // Late arrivals for (source, side) pairs already heard from in an earlier delivery.
          const late = [...oldest.entries()].map(([key, t]) => {
            const [source, s] = key.split("|") as [SignalSource, "primary" | "standby"];
            return sig(source, s, lateStatuses[n % Math.max(1, lateStatuses.length)] ?? "unhealthy", t - 1, { id: `late${n++}`, attributes: { cause: "PlatformInitiated" } });
          });
          for (const s of b.signals) {
            const key = `${s.source}|${s.resourceId === sig(s.source, "primary", "healthy", 0).resourceId ? "primary" : "standby"}`;
            const seconds = (Date.parse(s.observedAt) - Date.parse(sig(s.source, "primary", "healthy", 0).observedAt)) / 1000;
            oldest.set(key, Math.min(oldest.get(key) ?? Infinity, seconds));
          }
          return { t: b.t, signals: [...late, ...b.signals] };
        });
        expect(run(withLate).history).toEqual(run(plain).history);
      }),
      { numRuns: 300 },
    );
  });
});
