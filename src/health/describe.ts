import type { Signal } from "../ports/signal.js";
import { channelOf } from "./channels.js";

import { formatDuration } from "../ports/duration.js";

export { formatDuration };

const resourceHealthStates: Record<Signal["status"], string> = {
  healthy: "Available",
  degraded: "Degraded",
  unhealthy: "Unavailable",
  unknown: "Unknown",
};

const probeStates: Record<Signal["status"], string> = {
  healthy: "ok",
  degraded: "partly failed",
  unhealthy: "failed",
  unknown: "inconclusive",
};

/** What the signal says, in the words its source uses: `Unavailable PlatformInitiated`, `3/3 failed`. */
function statement(signal: Signal): string {
  const attrs = signal.attributes ?? {};
  const failed = attrs["failed"];
  const attempts = attrs["attempts"];
  let text: string;
  if (attrs["unreachable"] === true) text = "unreachable";
  else if (typeof attrs["availabilityState"] === "string") text = attrs["availabilityState"];
  else if (signal.source === "resourceHealth" || signal.source === "activityLog") text = resourceHealthStates[signal.status];
  else if (signal.source === "probe" && typeof failed === "number" && typeof attempts === "number") {
    text = failed === 0 ? `${attempts}/${attempts} ok` : `${failed}/${attempts} failed`;
  } else if (signal.source === "probe") text = probeStates[signal.status];
  else text = signal.status;
  const cause = attrs["cause"];
  return typeof cause === "string" && cause ? `${text} ${cause}` : text;
}

/** The source as reasons name it; the Resource Health API read is told apart from Resource Health records on the hub. */
export function sourceLabel(signal: Signal): string {
  const replica = channelOf(signal) === "replicas" ? signal.attributes?.["replicaId"] : undefined;
  if (typeof replica === "string") return `probes@${replica}`;
  return signal.source === "resourceHealth" && channelOf(signal) === "arm" ? "Resource Health API" : signal.source;
}

/** `resourceHealth Unavailable PlatformInitiated 12s ago`, `Resource Health API Available 2s ago` */
export function describeSignal(signal: Signal, observedAtMs: number, now: number): string {
  return `${sourceLabel(signal)} ${statement(signal)} ${formatDuration(now - observedAtMs)} ago`;
}
