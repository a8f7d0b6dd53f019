import type { Clock } from "../ports/clock.js";
import { AzureOperationError } from "../ports/errors.js";

/** A list refused for good (not retryable: 403 when the identity may read the services but not list their group). */
const REFUSED_RETRY_MS = 3_600_000;

/**
 * Lists a second per subscription, however many resource groups have operations running: ARM refills a subscription's
 * reads at 25 a second, and the failover's own reads (the DNS record, the standby's gateway) must not be throttled.
 * With one group the interval decides; with more, each group's lists are spaced out (50 groups: every 12.5 s).
 */
export const MAX_LISTS_PER_SECOND = 4;

/** Each service's `provisioningState` in one resource group, by lower-case service name: one ARM read. */
export type ListProvisioningStates = (subscriptionId: string, resourceGroup: string, signal: AbortSignal) => Promise<Map<string, string>>;

/** Why `ServiceWatch.next` returned: the service left `Updating` (worth one poll), or the fallback interval passed. */
export type WatchWake = "left-updating" | "fallback";

/**
 * Sees the end of many backups/restores with one read a second: while any operation runs in a resource group, it
 * lists the group's services (ApiManagementService.listByResourceGroup) and tells each operation when its service
 * leaves `Updating` (APIM shows `Updating` while a backup or restore runs), so the operation is polled once, right
 * then, to read its result or error. The groups of one subscription share MAX_LISTS_PER_SECOND. An operation whose
 * service it cannot follow (the list fails, leaves the service out, or shows it idle while the operation still runs)
 * is told so by `watching` and polled at its own pace instead; a list refused for good (not retryable, e.g. 403) is
 * not asked again for an hour.
 */
export class ProvisioningWatch {
  private readonly groups = new Map<string, Group>();
  /** Resource groups whose list was refused for good, until when their operations are polled at their own pace. */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly list: ListProvisioningStates,
    private readonly clock: Clock,
    private readonly intervalMs = 1_000,
  ) {}

  /** Follows one service until `dispose()`; the group's listing runs while at least one service is followed. */
  follow(subscriptionId: string, resourceGroup: string, serviceName: string): ServiceWatch {
    const key = `${subscriptionId}/${resourceGroup}`.toLowerCase();
    let group = this.groups.get(key);
    if (!group) {
      group = new Group(subscriptionId.toLowerCase(), () => this.list(subscriptionId, resourceGroup, group!.stop.signal));
      this.groups.set(key, group);
      void this.run(key, group);
    }
    const watch = new ServiceWatch(serviceName.toLowerCase(), this.clock, () => {
      group.watches.delete(watch);
      if (group.watches.size === 0) this.end(key, group);
    });
    group.watches.add(watch);
    return watch;
  }

  private async run(key: string, group: Group): Promise<void> {
    while (!group.stop.signal.aborted) {
      const startedAt = this.clock.now();
      let states: Map<string, string> | undefined;
      if ((this.refusedUntil.get(key) ?? 0) <= this.clock.now()) {
        try {
          states = await group.read();
        } catch (error) {
          // Every watch falls back to its own pace until a list answers again; a refused list is not asked for an hour.
          if (error instanceof AzureOperationError && !error.retryable) this.refusedUntil.set(key, this.clock.now() + REFUSED_RETRY_MS);
        }
      }
      if (group.stop.signal.aborted) break;
      let ended = false;
      let running = false;
      for (const watch of group.watches) {
        const seen = watch.observe(states);
        ended ||= seen === "ended";
        running ||= seen === "updating";
      }
      try {
        // Lists start one interval apart, however long each took: a slow list (many services, a busy controller) must not
        // stretch the time an ended operation waits to be seen. Operations started together end together (a region's
        // restores within a few hundred milliseconds): once a list sees one end while others still run, the next comes
        // after half the interval, as far as the subscription's list budget allows.
        const interval = ended && running ? this.soonOf(group) : this.intervalOf(group);
        await this.clock.sleep(Math.max(0, startedAt + interval - this.clock.now()), group.stop.signal);
      } catch {
        break;
      }
    }
    this.end(key, group);
  }

  /** The interval, widened so that the groups of one subscription list at most MAX_LISTS_PER_SECOND times a second. */
  private intervalOf(group: Group): number {
    return Math.max(this.intervalMs, this.budgetOf(group));
  }

  /** Half the interval while operations are ending, never below the subscription's budget. */
  private soonOf(group: Group): number {
    return Math.max(this.intervalMs / 2, this.budgetOf(group));
  }

  /** The shortest interval that keeps the groups of one subscription within MAX_LISTS_PER_SECOND. */
  private budgetOf(group: Group): number {
    let groups = 0;
    for (const g of this.groups.values()) if (g.subscriptionId === group.subscriptionId) groups++;
    return (groups * 1000) / MAX_LISTS_PER_SECOND;
  }

  private end(key: string, group: Group): void {
    group.stop.abort();
    if (this.groups.get(key) === group) this.groups.delete(key);
  }
}

class Group {
  readonly watches = new Set<ServiceWatch>();
  readonly stop = new AbortController();
  constructor(
    readonly subscriptionId: string,
    readonly read: () => Promise<Map<string, string>>,
  ) {}
}

export class ServiceWatch {
  /** The next time the service is seen out of `Updating` is worth a poll (first sight, or after `Updating` was seen). */
  private armed = true;
  /** The last list showed the service `Updating`: its end will be seen, so own-pace polls can be rare. */
  private followed = false;
  private woken = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly clock: Clock,
    readonly dispose: () => void,
  ) {}

  /** True while the listing shows the service busy: the caller may widen its own polling to a slow fallback. */
  get watching(): boolean {
    return this.followed;
  }

  /** Resolves when the service leaves `Updating` (or did since the last call), or after `fallbackMs`. */
  async next(fallbackMs: number, signal?: AbortSignal): Promise<WatchWake> {
    if (this.woken) {
      this.woken = false;
      return "left-updating";
    }
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let wake: WatchWake;
    try {
      const woke = new Promise<WatchWake>((resolve) => {
        this.wake = () => {
          this.woken = false;
          resolve("left-updating");
        };
      });
      const slept = this.clock.sleep(fallbackMs, stop.signal).then(
        () => "fallback" as const,
        () => "fallback" as const, // aborted: by the caller (thrown below) or because it woke first
      );
      wake = await Promise.race([woke, slept]);
    } finally {
      this.wake = undefined;
      stop.abort();
      signal?.removeEventListener("abort", onAbort);
    }
    if (signal?.aborted) throw signal.reason;
    return wake;
  }

  /** One list's answer (undefined: the list failed): what it showed of this service. */
  observe(states: Map<string, string> | undefined): "updating" | "ended" | "other" {
    const state = states?.get(this.name);
    if (state === undefined) {
      this.followed = false;
      return "other";
    }
    if (state.toLowerCase() === "updating") {
      this.followed = true;
      this.armed = true;
      return "updating";
    }
    this.followed = false;
    if (!this.armed) return "other";
    // Left Updating (or was never seen in it): one poll tells whether the operation ended. If it still runs, the
    // service's state does not show it, and the watch waits until it is seen Updating again.
    this.armed = false;
    this.woken = true;
    this.wake?.();
    return "ended";
  }
}
