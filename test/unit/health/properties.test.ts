import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Signal, SignalSource, SignalStatus } from "../../../src/ports/signal.js";
import { defaultHealthSettings } from "../../../src/health/config.js";
import { verdictEvents } from "../../../src/health/pair-events.js";
import type { PairHealth } from "../../../src/health/evaluator.js";
import { last, run, sig, type Step } from "./fixtures.js";

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

describe("channel properties", () => {
  // Everything a sender with rights on the hub can publish, about either service or a whole region.
  const hubSources: SignalSource[] = ["alert", "resourceHealth", "activityLog", "gatewayLog", "serviceHealth"];
  const hubEvent = fc.record({
    source: fc.constantFrom(...hubSources),
    side,
    byRegion: fc.boolean(),
    status,
    platform: fc.boolean(),
    alertId: fc.option(fc.constantFrom("a1", "a2", "a3"), { nil: undefined }),
    condition: fc.constantFrom("Fired", "Resolved"),
    // Anywhere from stale to as far in the future as the clock skew allows.
    ageS: fc.integer({ min: -30, max: 400 }),
  });
  const deliveries = fc.array(fc.record({ dtS: fc.integer({ min: 0, max: 30 }), events: fc.array(hubEvent, { maxLength: 8 }) }), { minLength: 1, maxLength: 25 });
  const settingsVariants = fc.constantFrom(
    defaultHealthSettings,
    { ...defaultHealthSettings, quorum: 1 },
    {
      ...defaultHealthSettings,
      authoritative: [
        { sources: ["resourceHealth", "activityLog", "alert", "gatewayLog", "serviceHealth"] as SignalSource[], status: "unhealthy" as const, confirms: "alone" as const },
      ],
    },
  );

  it("no set of Event Hubs events, in any order and number, confirms an outage while probes and ARM reads say healthy", () => {
    fc.assert(
      fc.property(deliveries, settingsVariants, (spec, settings) => {
        const steps: Step[] = [];
        let t = 0;
        let n = 0;
        for (const d of spec) {
          t += d.dtS;
          const hub = d.events.map((e) =>
            sig(e.source, e.side, e.status, t - e.ageS, {
              id: `h${n++}`,
              byRegion: e.byRegion,
              via: "eventHubs",
              attributes: { ...(e.platform ? { cause: "PlatformInitiated" } : {}), ...(e.alertId ? { alertId: e.alertId, monitorCondition: e.condition } : {}) },
            }),
          );
          // The controller's own view at the same moment: probes answer, the Resource Health API says Available, metrics are fine.
          const own = (["primary", "standby"] as const).flatMap((s) => [
            sig("probe", s, "healthy", t, { id: `p${n++}` }),
            sig("resourceHealth", s, "healthy", t, { id: `r${n++}` }),
            sig("metric", s, "healthy", t, { id: `m${n++}` }),
          ]);
          steps.push({ t, signals: [...hub, ...own] });
        }
        const { history } = run(steps, settings);
        for (const h of history) {
          expect(h.primary.verdict).not.toBe("unhealthy");
          expect(h.standby.verdict).not.toBe("unhealthy");
          expect(h.bothUnhealthy.unhealthy).toBe(false);
        }
        expect(primaryUnhealthyEvents(history)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("a replayed backlog of alerts ends where the newest state of each alert says, in any delivery order", () => {
    const lifecycle = fc.record({ firedS: fc.integer({ min: 0, max: 60 }), resolvedAfterS: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }) });
    fc.assert(
      fc.property(fc.array(lifecycle, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { minLength: 10, maxLength: 10 }), (alerts, keys) => {
        const now = 150;
        const events = alerts.flatMap((a, i) => {
          const attrs = (condition: string) => ({ alertId: `alert-${i}`, monitorCondition: condition });
          const fired = sig("alert", "primary", "unhealthy", a.firedS, { id: `f${i}`, attributes: attrs("Fired") });
          if (a.resolvedAfterS === null) return [fired];
          return [fired, sig("alert", "primary", "healthy", a.firedS + a.resolvedAfterS, { id: `r${i}`, attributes: attrs("Resolved") })];
        });
        const shuffled = events.map((e, i) => ({ e, k: keys[i % keys.length]! })).sort((a, b) => a.k - b.k).map((x) => x.e);
        const { history } = run([{ t: now, signals: [...shuffled, sig("probe", "primary", "healthy", now)] }]);
        const stillFiring = alerts.some((a) => a.resolvedAfterS === null);
        expect(last(history).primary.verdict).toBe(stillFiring ? "suspect" : "healthy");
      }),
      { numRuns: 300 },
    );
  });
});
