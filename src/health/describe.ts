import type { Signal } from "../ports/signal.js";

import { formatDuration } from "../machine/decide.js";

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
  if (typeof attrs["availabilityState"] === "string") text = attrs["availabilityState"];
  else if (signal.source === "resourceHealth" || signal.source === "activityLog") text = resourceHealthStates[signal.status];
  else if (signal.source === "probe" && typeof failed === "number" && typeof attempts === "number") {
    text = failed === 0 ? `${attempts}/${attempts} ok` : `${failed}/${attempts} failed`;
  } else if (signal.source === "probe") text = probeStates[signal.status];
  else text = signal.status;
  const cause = attrs["cause"];
  return typeof cause === "string" && cause ? `${text} ${cause}` : text;
}

/** `resourceHealth Unavailable PlatformInitiated 12s ago` */
export function describeSignal(signal: Signal, observedAtMs: number, now: number): string {
  return `${signal.source} ${statement(signal)} ${formatDuration(now - observedAtMs)} ago`;
}
