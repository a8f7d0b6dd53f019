import type { Clock } from "../../ports/clock.js";
import { describeError } from "../../ports/errors.js";
import type { ResourceAvailability, ResourceHealthPort } from "../../ports/resource-health.js";
import type { Signal, SignalStatus } from "../../ports/signal.js";
import type { PolledService, Poller } from "./poll-loop.js";

const STATUS: Record<ResourceAvailability["state"], SignalStatus> = {
  Available: "healthy",
  Degraded: "degraded",
  Unavailable: "unhealthy",
  Unknown: "unknown",
};

/**
 * Reads Resource Health `availabilityStatuses/current` for each service; one signal per service and
 * round. A read that fails gives an `unknown` signal marked `unreachable`: the evaluator needs to
 * know that the API could not be asked (then a Resource Health record from the hub may speak for it).
 */
export class ResourceHealthPoller implements Poller {
  readonly name = "resourceHealth";
  constructor(
    private readonly services: PolledService[],
    private readonly deps: { resourceHealth: ResourceHealthPort; clock: Clock; onError?: (error: unknown, serviceId: string) => void },
  ) {}

  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const observedAt = new Date(this.deps.clock.now()).toISOString();
    return Promise.all(
      this.services.map(async ({ serviceId, region }) => {
        // Each round is a fresh observation: a lasting outage must keep counting (staleness).
        const base = { id: `resourceHealth:poll:${serviceId.toLowerCase()}:${observedAt}`, kind: "health", channel: "arm", source: "resourceHealth", resourceId: serviceId, region, observedAt } as const;
        let a: ResourceAvailability;
        try {
          a = await this.deps.resourceHealth.currentAvailability(serviceId, signal);
        } catch (error) {
          if (signal?.aborted) throw error;
          this.deps.onError?.(error, serviceId);
          return { ...base, status: "unknown", summary: `Resource Health API unreachable: ${describeError(error)}`, attributes: { unreachable: true } } satisfies Signal;
        }
        const attributes: Record<string, string> = { state: a.state };
        if (a.cause) attributes.cause = a.cause;
        if (a.reasonType) attributes.reasonType = a.reasonType;
        return { ...base, status: STATUS[a.state], summary: `Resource Health ${a.state}${a.cause ? ` (${a.cause})` : ""}: ${a.summary}`, attributes } satisfies Signal;
      }),
    );
  }
}
