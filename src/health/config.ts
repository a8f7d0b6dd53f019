import type { SignalSource, SignalStatus } from "../ports/signal.js";

/**
 * A set of signal sources that share one failure domain and therefore cast ONE vote.
 * Two signals only "agree independently" when they come from different groups.
 */
export interface SourceGroup {
  name: string;
  sources: SignalSource[];
  /** A signal older than this stops counting (overrides HealthSettings.stalenessMs). */
  stalenessMs?: number;
  /**
   * The controller's own vantage point (its probes). When observer groups fail for both
   * regions at once, the observer is suspected before the regions are.
   */
  observer?: boolean;
}

/** A signal strong enough to skip the confirmation window (see `confirms`). */
export interface AuthoritativeRule {
  sources: SignalSource[];
  status: SignalStatus;
  /** Every listed attribute must match (strings compared case-insensitively). */
  attributes?: Record<string, string | number | boolean>;
  /**
   * `withCorroboration`: confirmed at once when at least one more independent group agrees.
   * `alone`: confirmed at once without another group.
   * Either way a second channel must agree, and a matching signal from Event Hubs is authoritative
   * only when the controller's own Resource Health API read agrees (or cannot be made).
   */
  confirms: "alone" | "withCorroboration";
}

export interface HealthSettings {
  groups: SourceGroup[];
  /**
   * How many independent groups must report `unhealthy` before a region can be confirmed unhealthy.
   * Whatever it is, they must also come through at least two channels (Event Hubs, the controller's
   * ARM reads, its probes): nothing published to the hub alone ever confirms an outage.
   */
  quorum: number;
  /** How long the quorum must hold, continuously, before `suspect` becomes `unhealthy`. */
  confirmationWindowMs: number;
  /** Default age after which a signal stops counting. */
  stalenessMs: number;
  /** How long a region that was unhealthy must stay healthy before it counts as healthy again. */
  recoveryWindowMs: number;
  authoritative: AuthoritativeRule[];
  /** Signals stamped further than this in the future are rejected: a skewed clock must not pin a source. */
  maxClockSkewMs: number;
  /**
   * Several replicas (issue 14): this replica's region, and how old another replica's published probe
   * verdict may be and still count (see vantage.ts). Absent: other replicas' verdicts are ignored.
   */
  vantage?: VantageSettings;
}

export interface VantageSettings {
  /** Azure region this replica runs in: a replica in the same region is no independent vantage point. */
  region: string;
  maxAgeMs: number;
}

/**
 * Defaults, and why:
 * - resourceHealth (+ activityLog, which carries the same Resource Health records): Azure's
 *   per-resource platform checks.
 * - azureMonitor (alert + metric + log): alerts are computed from the same metrics and logs,
 *   so together they are one vote, however many of them fire.
 * - probe: the controller's own synthetic requests; the only observer-side group.
 * - gatewayLog: the gateway's request log streamed from inside the instance.
 * - serviceHealth: region-wide incidents published by Azure; updates are slow, so it stays
 *   fresh for longer.
 * - Resource Health Unavailable with cause PlatformInitiated is authoritative WITH
 *   corroboration: Azure saying "the platform broke it" plus one more independent group
 *   skips the confirmation window, but a single source (even Azure's) never moves traffic
 *   while our probes and every other source still see the region serving.
 * Groups say which sources share a failure domain; channels (see assessment.ts) say which can be
 * forged together: every group above except probes can arrive through Event Hubs.
 */
export const defaultHealthSettings: HealthSettings = {
  groups: [
    { name: "resourceHealth", sources: ["resourceHealth", "activityLog"] },
    { name: "azureMonitor", sources: ["alert", "metric", "log"] },
    { name: "probe", sources: ["probe"], stalenessMs: 60_000, observer: true },
    { name: "gatewayLog", sources: ["gatewayLog"] },
    { name: "serviceHealth", sources: ["serviceHealth"], stalenessMs: 30 * 60_000 },
  ],
  quorum: 2,
  confirmationWindowMs: 60_000,
  stalenessMs: 5 * 60_000,
  recoveryWindowMs: 5 * 60_000,
  authoritative: [
    {
      sources: ["resourceHealth", "activityLog"],
      status: "unhealthy",
      attributes: { cause: "PlatformInitiated" },
      confirms: "withCorroboration",
    },
  ],
  maxClockSkewMs: 30_000,
};

/** Bad health settings: the message names the setting and how to fix it. */
export class HealthSettingsError extends Error {
  override name = "HealthSettingsError";
}

/** Defaults overlaid with `overrides`, checked; throws HealthSettingsError naming the problem. */
export function resolveHealthSettings(overrides: Partial<HealthSettings> = {}): HealthSettings {
  const settings: HealthSettings = { ...defaultHealthSettings, ...overrides };
  validateHealthSettings(settings);
  return settings;
}

export function validateHealthSettings(s: HealthSettings): void {
  const durations = ["confirmationWindowMs", "stalenessMs", "recoveryWindowMs", "maxClockSkewMs"] as const;
  for (const key of durations) {
    if (!Number.isFinite(s[key]) || s[key] < 0) {
      throw new HealthSettingsError(`health.${key} must be a non-negative number of milliseconds, got ${String(s[key])}`);
    }
  }
  if (s.groups.length === 0) {
    throw new HealthSettingsError("health.groups is empty: list at least one source group, e.g. { name: \"probe\", sources: [\"probe\"] }");
  }
  const seenNames = new Set<string>();
  const owner = new Map<SignalSource, string>();
  for (const group of s.groups) {
    if (!group.name) throw new HealthSettingsError("health.groups: every group needs a name");
    if (seenNames.has(group.name)) throw new HealthSettingsError(`health.groups: the name '${group.name}' is used twice; give each group its own name`);
    seenNames.add(group.name);
    if (group.sources.length === 0) throw new HealthSettingsError(`health.groups '${group.name}' has no sources; list at least one or remove the group`);
    if (group.stalenessMs !== undefined && (!Number.isFinite(group.stalenessMs) || group.stalenessMs <= 0)) {
      throw new HealthSettingsError(`health.groups '${group.name}'.stalenessMs must be a positive number of milliseconds, got ${String(group.stalenessMs)}`);
    }
    for (const source of group.sources) {
      const other = owner.get(source);
      if (other) {
        throw new HealthSettingsError(`health.groups: source '${source}' is in both '${other}' and '${group.name}'; a source can cast only one vote, keep it in one group`);
      }
      owner.set(source, group.name);
    }
  }
  if (s.vantage && (!Number.isFinite(s.vantage.maxAgeMs) || s.vantage.maxAgeMs <= 0)) {
    throw new HealthSettingsError(`coordination.verdictMaxAgeSeconds must be a positive number of seconds, got ${String(s.vantage.maxAgeMs / 1000)}`);
  }
  if (!Number.isInteger(s.quorum) || s.quorum < 1 || s.quorum > s.groups.length) {
    throw new HealthSettingsError(`health.quorum must be a whole number from 1 to ${s.groups.length} (the number of source groups), got ${String(s.quorum)}`);
  }
  for (const rule of s.authoritative) {
    for (const source of rule.sources) {
      if (!owner.has(source)) {
        throw new HealthSettingsError(`health.authoritative names source '${source}', which is in no group; add it to a group or remove it from the rule`);
      }
    }
  }
}

/** The group a source votes in, or undefined when the settings ignore it. */
export function groupOf(settings: HealthSettings, source: SignalSource): SourceGroup | undefined {
  return settings.groups.find((g) => g.sources.includes(source));
}

export function stalenessOf(settings: HealthSettings, group: SourceGroup): number {
  return group.stalenessMs ?? settings.stalenessMs;
}
