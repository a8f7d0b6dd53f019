import type { Clock } from "../../ports/clock.js";
import { AzureOperationError, describeError } from "../../ports/errors.js";
import type { ResourceAvailability, ResourceHealthPort } from "../../ports/resource-health.js";
import type { Signal, SignalStatus } from "../../ports/signal.js";
import { EarlyRound, type PolledService, type Poller } from "./poll-loop.js";

const STATUS: Record<ResourceAvailability["state"], SignalStatus> = {
  Available: "healthy",
  Degraded: "degraded",
  Unavailable: "unhealthy",
  Unknown: "unknown",
};

/**
 * Reads Resource Health for each service; one signal per service and round. When the port can list a resource
 * group's statuses, the services of each group are read with one list (at 50 pairs: one read a round, not 100,
 * and every pair sees an outage in the same round); a service the list leaves out, or whose group's list failed, is
 * read on its own. A read that
 * fails gives an `unknown` signal marked `unreachable`: the evaluator needs to know that the API could not be
 * asked (then a Resource Health record from the hub may speak for it).
 *
 * A suspicion brings the next round forward (`suspect`): a hub record or a probe says a service is unhealthy while
 * this poller last read it healthy. The hub's record only counts with the API behind it, so waiting for the next
 * round (60 s in production) would delay the failover by up to that much.
 */
export class ResourceHealthPoller implements Poller {
  readonly name = "resourceHealth";
  /** Resource groups whose list was refused for good, until when they are read service by service. */
  private readonly refusedUntil = new Map<string, number>();
  /** Services (lower-case id) whose last read said unhealthy or could not be made: nothing left to confirm early. */
  private readonly readDown = new Set<string>();
  /** When each service and source last brought a round forward: once per interval each, so ARM reads at most double. */
  private readonly suspectedAt = new Map<string, number>();
  private readonly byId: Map<string, PolledService>;
  readonly early = new EarlyRound(EARLY_ROUND_MIN_GAP_MS);

  constructor(
    private readonly services: PolledService[],
    private readonly deps: { resourceHealth: ResourceHealthPort; clock: Clock; intervalMs?: number; onError?: (error: unknown, serviceId: string) => void },
  ) {
    this.byId = new Map(services.map((s) => [s.serviceId.toLowerCase(), s]));
  }

  /** A signal from another source says a polled service is unhealthy: read Resource Health now, not at the next round. */
  suspect(signal: Signal): void {
    if (signal.kind !== "health" || signal.status !== "unhealthy" || (signal.channel === "arm" && signal.source === "resourceHealth")) return;
    const id = signal.resourceId?.toLowerCase();
    if (!id || !this.byId.has(id) || this.readDown.has(id)) return;
    const key = `${id}|${signal.channel ?? "eventHubs"}|${signal.source}`;
    const now = this.deps.clock.now();
    if (now - (this.suspectedAt.get(key) ?? -Infinity) < (this.deps.intervalMs ?? 0)) return;
    this.suspectedAt.set(key, now);
    this.early.bringForward();
  }

  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const signals = await this.readAll(signal);
    for (const s of signals) {
      const id = s.resourceId!.toLowerCase();
      if (s.status === "unhealthy" || s.attributes?.["unreachable"] === true) this.readDown.add(id);
      else this.readDown.delete(id);
    }
    return signals;
  }

  private async readAll(signal?: AbortSignal): Promise<Signal[]> {
    const observedAt = new Date(this.deps.clock.now()).toISOString();
    const listed = await this.listGroups(signal);
    return Promise.all(
      this.services.map(async ({ serviceId, region }) => {
        // Each round is a fresh observation: a lasting outage must keep counting (staleness).
        const base = { id: `resourceHealth:poll:${serviceId.toLowerCase()}:${observedAt}`, kind: "health", channel: "arm", source: "resourceHealth", resourceId: serviceId, region, observedAt } as const;
        let a: ResourceAvailability;
        try {
          // Not listed (no list, a failed list, or left out of it): this service is read on its own.
          a = listed.get(groupOf(serviceId) ?? "")?.get(serviceId.toLowerCase()) ?? (await this.deps.resourceHealth.currentAvailability(serviceId, signal));
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

  /**
   * One list per resource group of the services (when the port lists), by `subscription/group` in lower case. A list
   * that fails leaves its services to be read one by one this round; one refused for good (not retryable, e.g. 403
   * when the identity is Reader on the services only, not on their group) is not asked again for an hour.
   */
  private async listGroups(signal?: AbortSignal): Promise<Map<string, Map<string, ResourceAvailability>>> {
    const port = this.deps.resourceHealth;
    const out = new Map<string, Map<string, ResourceAvailability>>();
    if (!port.availabilityInGroup) return out;
    const now = this.deps.clock.now();
    const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
    for (const { serviceId } of this.services) {
      const m = GROUP.exec(serviceId);
      const key = `${m?.[1]}/${m?.[2]}`.toLowerCase();
      if (m && (this.refusedUntil.get(key) ?? 0) <= now) groups.set(key, { subscriptionId: m[1]!, resourceGroup: m[2]! });
    }
    await Promise.all(
      [...groups].map(async ([key, g]) => {
        try {
          out.set(key, await port.availabilityInGroup!(g.subscriptionId, g.resourceGroup, signal));
        } catch (error) {
          if (signal?.aborted) throw error;
          if (error instanceof AzureOperationError && !error.retryable) this.refusedUntil.set(key, now + LIST_REFUSED_RETRY_MS);
        }
      }),
    );
    return out;
  }
}

const LIST_REFUSED_RETRY_MS = 3_600_000;
/** An early round waits at least this long after the last early round began (at most four extra lists a second per group under a flood). */
const EARLY_ROUND_MIN_GAP_MS = 250;
const GROUP = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i;

function groupOf(serviceId: string): string | null {
  const m = GROUP.exec(serviceId);
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : null;
}
