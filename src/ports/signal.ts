/** A normalized health or change signal: what every decoder, poller and probe produces. */
export interface Signal {
  /** Stable dedup key: the same real-world observation always yields the same id. */
  id: string;
  kind: "health" | "change";
  source: SignalSource;
  /** ARM resource id (original casing; compare case-insensitively), or null. */
  resourceId: string | null;
  /** Normalized Azure region name (`westeurope`), or null. */
  region: string | null;
  status: SignalStatus;
  /** ISO-8601 UTC with milliseconds, e.g. `2026-12-01T08:45:00.000Z`. */
  observedAt: string;
  summary: string;
  /** Source-specific facts the evaluator may use (e.g. `{ cause: "PlatformInitiated" }`). Optional. */
  attributes?: Record<string, string | number | boolean>;
  /**
   * How the signal reached the controller, stamped by whoever received it (never read from a
   * payload): the Event Hubs consumer, the controller's own ARM reads, or its own probes.
   * Missing counts as Event Hubs, the channel trusted least.
   */
  channel?: SignalChannel;
}

/**
 * The ways a signal can reach the controller. Independence is counted in channels: anyone with
 * send rights on the hub can put any number of events on `eventHubs`, but cannot forge what the
 * controller reads itself from ARM with its own identity (`arm`) or sees with its own probes (`probe`).
 * `replicas`: another replica's probe verdicts, read from the coordination store (written only by
 * replicas, with the lease account's credentials; see src/vantage).
 */
export type SignalChannel = "eventHubs" | "arm" | "probe" | "replicas";

/** Every signal source, listed once: the type and the configuration's enum both come from here. */
export const SIGNAL_SOURCES = ["alert", "resourceHealth", "serviceHealth", "activityLog", "gatewayLog", "metric", "log", "probe"] as const;

export type SignalSource = (typeof SIGNAL_SOURCES)[number];

export type SignalStatus = "healthy" | "degraded" | "unhealthy" | "unknown";

/** Lower-cases and strips spaces: `"West Europe"` → `westeurope`. */
export function normalizeRegion(name: string | null | undefined): string | null {
  if (!name) return null;
  const n = name.toLowerCase().replace(/[\s_-]+/g, "");
  return n.length ? n : null;
}

export function sameResourceId(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}
