import type { EffectiveConfig } from "../config/index.js";
import { healthSettingsFrom } from "../config/index.js";
import type { HealthSettings } from "../health/index.js";
import { repeatEvery, type Clock } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import type { Signal } from "../ports/signal.js";
import type { VantageStorePort } from "../ports/vantage.js";
import { SharedVerdicts } from "./shared-verdicts.js";

export { SharedVerdicts, parseVantageDocument, verdictSignal, type VantageDocument, type PublishedVerdict } from "./shared-verdicts.js";

/** The controller's health settings: the configured ones, plus (with coordination) this replica's region and how long other replicas' verdicts stay fresh. */
export function controllerHealthSettings(config: EffectiveConfig): HealthSettings {
  const settings = healthSettingsFrom(config.health);
  const c = config.coordination;
  return c ? { ...settings, vantage: { region: c.region, maxAgeMs: c.verdictMaxAgeSeconds * 1000 } } : settings;
}

export interface VerdictSharing {
  /** Give it every signal: this replica's own probe verdicts are kept for the next publish. */
  noteOwn(signal: Signal): void;
  /** The publish-and-read loop; ends when `signal` aborts. */
  done: Promise<void>;
}

/**
 * Starts sharing probe verdicts with the other replicas, every probe round: publish this replica's,
 * read the others' and hand them to `ingest`. Null without coordination or probes (nothing to share).
 * Store failures are logged once and counted by `countError`; they never stop the controller.
 */
export function shareProbeVerdicts(
  config: EffectiveConfig,
  deps: { store: VantageStorePort; clock: Clock; log: { info(o: object, m: string): void; warn(o: object, m: string): void }; ingest(signal: Signal): void; countError(op: "publish" | "read"): void },
  signal: AbortSignal,
): VerdictSharing | null {
  const c = config.coordination;
  const probes = config.signals.probes;
  if (!c || !probes) return null;
  const sides = new Map(config.pairs.flatMap((p) => (["primary", "standby"] as const).map((side) => [p[side].serviceId.toLowerCase(), { pair: p.name, side }] as const)));
  const shared = new SharedVerdicts(
    { replicaId: c.replicaId, region: c.region },
    { store: deps.store, clock: deps.clock, log: deps.log, maxAgeMs: c.verdictMaxAgeSeconds * 1000, onError: deps.countError, pairOf: (id) => sides.get(id) },
  );
  const done = repeatEvery(
    deps.clock,
    probes.intervalSeconds * 1000,
    signal,
    async () => {
      for (const s of await shared.round(signal)) deps.ingest(s);
    },
    (error) => deps.log.warn({ err: describeError(error) }, "sharing probe verdicts failed"),
  );
  return { noteOwn: (s) => shared.noteOwn(s), done };
}
