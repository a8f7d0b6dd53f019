import { describe, expect, it } from "vitest";
import { resolveHealthSettings } from "../../../src/health/config.js";
import { verdictEvents, type HealthEvent } from "../../../src/health/index.js";
import type { PairHealth } from "../../../src/health/evaluator.js";
import type { RegionRole } from "../../../src/ports/region.js";
import type { Signal, SignalStatus } from "../../../src/ports/signal.js";
import { at, last, pair, probes, run, sig, timeline, type Step } from "./fixtures.js";

// This replica runs in westeurope; another region's replica publishes through the coordination store.
const settings = resolveHealthSettings({ vantage: { region: "westeurope", maxAgeMs: 30_000 } });

/** Another replica's published probe verdict about one side, measured `seconds` after T0. */
function remote(replicaId: string, region: string, side: RegionRole, status: SignalStatus, seconds: number, since = seconds): Signal {
  return {
    ...sig("probe", side, status, seconds, { via: "replicas", id: `vantage:${replicaId}:${side}:${seconds}` }),
    attributes: { replicaId, replicaRegion: region, since: new Date(at(since)).toISOString(), attempts: 3, failed: status === "unhealthy" ? 3 : status === "degraded" ? 1 : 0 },
  };
}

/** Rounds of another replica's verdicts every `every` seconds in [from, to]; `since` = when that status began. */
function remoteRounds(replicaId: string, region: string, side: RegionRole, status: SignalStatus, from: number, to: number, every = 10): Step[] {
  const steps: Step[] = [];
  for (let t = from; t <= to; t += every) steps.push({ t, signals: [remote(replicaId, region, side, status, t, from)] });
  return steps;
}

const rhAvailable = (seconds: number): Step => ({ t: seconds, signals: [sig("resourceHealth", "primary", "healthy", seconds), sig("resourceHealth", "standby", "healthy", seconds)] });

function events(history: PairHealth[]): HealthEvent[] {
  return history.flatMap((h, i) => verdictEvents(history[i - 1] ?? null, h, h.evaluatedAt));
}

describe("another region's replica as a vantage point", () => {
  it("my probes fail and the other region's fail too: a two-source quorum, primary unhealthy naming both", () => {
    const { history } = run(
      timeline([rhAvailable(0), rhAvailable(60)], probes("primary", "unhealthy", 0, 60), remoteRounds("ctl-neu", "northeurope", "primary", "unhealthy", 0, 60), probes("standby", "healthy", 0, 60)),
      settings,
    );
    const now = last(history);
    expect(now.primary.verdict).toBe("unhealthy");
    expect(now.primary.reason).toBe(
      "unhealthy: 2 independent sources agree on 2 channels (other regions' probes, probes) for 1m (probe 3/3 failed 0s ago; probes@ctl-neu 3/3 failed 0s ago)",
    );
    expect(now.observerImpaired.impaired).toBe(false);
    const unhealthy = events(history).find((e) => e.type === "health.primaryUnhealthy");
    expect(unhealthy?.reason).toContain("probe 3/3 failed");
    expect(unhealthy?.reason).toContain("probes@ctl-neu 3/3 failed");
  });

  it("without the other region's verdict the same probes are one vote: no quorum", () => {
    const { history } = run(timeline([rhAvailable(0), rhAvailable(60)], probes("primary", "unhealthy", 0, 600)), settings);
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
  });

  it("my probes fail, the other region's succeed: observer impaired for that gateway, my probes not counted, no failover", () => {
    const { history } = run(
      timeline(
        // An Event Hubs alert beside my probes would be a two-channel quorum; the other region's probes show it is my path.
        [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
        probes("primary", "unhealthy", 0, 600),
        remoteRounds("ctl-neu", "northeurope", "primary", "healthy", 0, 600),
        probes("standby", "healthy", 0, 600),
      ),
      settings,
    );
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    const now = last(history);
    expect(now.observerImpaired.impaired).toBe(true);
    expect(now.observerImpaired.reason).toBe(
      "observer impaired for the primary gateway: own probes fail (probe 3/3 failed 0s ago) while replica ctl-neu (northeurope) probing the same gateway from another region succeeds (probes@ctl-neu 3/3 ok 0s ago): own probes of it not counted, no failover on them",
    );
    expect(now.primary.reason).toContain("not counted: own probes (probe 3/3 failed 0s ago): observer impaired for this gateway, replica ctl-neu (northeurope) probes it healthy");
    const all = events(history);
    expect(all.some((e) => e.type === "health.primaryUnhealthy")).toBe(false);
    expect(all.find((e) => e.type === "health.observerImpaired")?.reason).toContain("replica ctl-neu (northeurope)");
  });

  it("a healthy verdict measured before my probes began failing does not explain an outage away", () => {
    const { history } = run(
      timeline([rhAvailable(0)], probes("standby", "healthy", 0, 60), [{ t: 0, signals: [remote("ctl-neu", "northeurope", "primary", "healthy", 0)] }], probes("primary", "unhealthy", 5, 25)),
      settings,
    );
    const now = last(history);
    expect(now.observerImpaired.impaired).toBe(false);
    expect(now.primary.verdict).toBe("suspect");
  });

  it("a stale verdict of the other region is ignored: on arrival, and once it ages past the max age", () => {
    const { evaluator, history } = run(
      timeline(probes("primary", "unhealthy", 0, 600), [{ t: 0, signals: [remote("ctl-neu", "northeurope", "primary", "unhealthy", 0)] }]),
      settings,
    );
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    expect(last(history).primary.reason).toBe("suspect: probes alone: 1 of 2 required independent sources report unhealthy (probe 3/3 failed 0s ago)");
    const late = evaluator.observe(remote("ctl-neu", "northeurope", "primary", "unhealthy", 560), at(600));
    expect(late).toMatchObject({ accepted: false, reason: "stale" });
  });

  it("a replica in the same region is not an independent source", () => {
    const { evaluator, history } = run(
      timeline(probes("primary", "unhealthy", 0, 600), remoteRounds("ctl-weu-2", "West Europe", "primary", "unhealthy", 0, 600)),
      settings,
    );
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    const outcome = evaluator.observe(remote("ctl-weu-2", "westeurope", "primary", "unhealthy", 601), at(601));
    expect(outcome).toMatchObject({ accepted: false, reason: "ignoredSource" });
    expect(outcome.accepted ? "" : outcome.detail).toContain("runs in this replica's region (westeurope): same network, same failure domain");
  });

  it("the other region's probes fail while mine succeed: theirs are not counted (both replicas reach the same verdict)", () => {
    const { history } = run(
      timeline(
        [{ t: 0, signals: [sig("alert", "primary", "unhealthy", 0)] }],
        probes("primary", "healthy", 0, 600),
        remoteRounds("ctl-neu", "northeurope", "primary", "unhealthy", 0, 600),
      ),
      settings,
    );
    expect(history.map((h) => h.primary.verdict)).not.toContain("unhealthy");
    expect(last(history).primary.reason).toContain("not counted: probes@ctl-neu 3/3 failed 0s ago: replica ctl-neu (northeurope)'s path to this gateway, not the gateway");
  });

  it("without coordination another replica's verdict counts for nothing", () => {
    const { evaluator } = run([{ t: 0 }]);
    const outcome = evaluator.observe(remote("ctl-neu", "northeurope", "primary", "unhealthy", 0), at(0));
    expect(outcome).toMatchObject({ accepted: false, reason: "ignoredSource" });
    expect(pair.primary.region).toBe("westeurope");
  });
});
