import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { Clock } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import { LeaseLostError, NotLeaderError, type LeaseState, type LeaseStorePort, type Leadership, type PairLeadership, type PairRole, type ReplicaInfo } from "../ports/leadership.js";

export interface LeaseTimings {
  /** Azure grants 15-60 s. */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops acting (below the lease duration: it stops before anyone can take over). */
  renewDeadlineMs: number;
  /** How often the leader renews and a follower tries to acquire. */
  renewIntervalMs: number;
}

interface LeaseLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

interface PairLease {
  /** Our lease id while we lead, else null. */
  leaseId: string | null;
  epoch: number | null;
  /** Start of the last renewal (or acquisition) that succeeded: the deadline counts from when we asked, not from the answer. */
  renewedAt: number;
  /** What the store said last time a follower looked. */
  known: LeaseState | null;
}

type Listener = (pair: string, role: PairRole, why: string) => void;

/**
 * A leader per pair by Azure Blob Storage lease, in the manner of client-go's leader election: lease duration >
 * renew deadline > renew interval. The leader renews every interval; when it has not renewed by its deadline it
 * stands down (its listeners cancel the steps it runs) before the lease can expire. A follower tries to acquire every
 * interval and wins only once the lease is free or expired. Every acquisition bumps the pair's epoch.
 */
export class LeaseManager implements Leadership {
  private readonly leases = new Map<string, PairLease>();
  private readonly listeners = new Set<Listener>();
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    readonly self: ReplicaInfo,
    pairs: string[],
    private readonly store: LeaseStorePort,
    private readonly timings: LeaseTimings,
    private readonly clock: Clock,
    private readonly log: LeaseLog,
  ) {
    setMaxListeners(0, this.abort.signal);
    for (const pair of pairs) this.leases.set(pair, { leaseId: null, epoch: null, renewedAt: 0, known: null });
  }

  /** Starts the per-pair loops and the deadline watchdog. */
  start(): void {
    // A leader renews every interval; a follower tries twice as often, so it takes over within one interval of the
    // lease lapsing even when a round takes a while (lease duration + one renew interval at most).
    for (const pair of this.leases.keys()) {
      this.loops.push(this.every(() => (this.lease(pair).leaseId ? this.timings.renewIntervalMs : this.timings.renewIntervalMs / 2), () => this.round(pair)));
    }
    // The watchdog does not wait for the store: a renewal that hangs must not keep us leading past the deadline.
    this.loops.push(this.every(() => Math.min(500, this.timings.renewIntervalMs / 2), () => this.leases.forEach((_, pair) => this.checkDeadline(pair))));
  }

  /** Stops the loops and releases the leases held, so another replica takes over at once (a graceful shutdown). */
  async stop(): Promise<void> {
    this.abort.abort(new Error("lease manager stopped"));
    await Promise.all(this.loops);
    await Promise.all(
      [...this.leases.entries()].map(async ([pair, lease]) => {
        if (!lease.leaseId) return;
        const leaseId = lease.leaseId;
        this.standDown(pair, "this replica stops");
        await this.store.release(pair, leaseId).catch((error: unknown) => this.log.warn({ pair, err: describeError(error) }, `could not release the lease of pair ${pair}; it lapses by itself`));
      }),
    );
  }

  canMutate(pair: string): boolean {
    const lease = this.lease(pair);
    return lease.leaseId !== null && this.clock.now() - lease.renewedAt < this.timings.renewDeadlineMs;
  }

  async confirm(pair: string, signal?: AbortSignal): Promise<number | null> {
    const lease = this.lease(pair);
    if (!this.canMutate(pair) || lease.leaseId === null) throw new NotLeaderError(pair, this.view(pair).leader, "this replica does not hold the lease");
    const asked = this.clock.now();
    const leaseId = lease.leaseId;
    try {
      await this.store.renew(pair, leaseId, signal);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.standDown(pair, error.message);
        throw new NotLeaderError(pair, null, error.message);
      }
      throw error;
    }
    if (lease.leaseId !== leaseId) throw new NotLeaderError(pair, this.view(pair).leader, "this replica stood down meanwhile");
    lease.renewedAt = Math.max(lease.renewedAt, asked);
    return lease.epoch;
  }

  view(pair: string): PairLeadership {
    const lease = this.lease(pair);
    const duration = this.timings.leaseDurationMs;
    if (lease.leaseId) return { role: "leader", leader: this.self, epoch: lease.epoch, leaseExpiresAt: lease.renewedAt + duration };
    const known = lease.known;
    const held = known?.leased ?? false;
    return {
      role: "follower",
      leader: held ? known!.holder : null,
      epoch: known ? Math.max(known.epoch, lease.epoch ?? 0) : lease.epoch,
      leaseExpiresAt: held && known!.renewedAt !== null ? known!.renewedAt + duration : null,
    };
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private lease(pair: string): PairLease {
    const lease = this.leases.get(pair);
    if (!lease) throw new Error(`no lease is kept for pair '${pair}'`);
    return lease;
  }

  /** Runs `fn` at a fixed rate (a slow round does not push the next one back). */
  private every(ms: () => number, fn: () => Promise<void> | void): Promise<void> {
    const signal = this.abort.signal;
    return (async () => {
      while (!signal.aborted) {
        const started = this.clock.now();
        try {
          await fn();
        } catch (error) {
          if (!signal.aborted) this.log.warn({ err: describeError(error) }, "lease round failed");
        }
        await this.clock.sleep(Math.max(0, ms() - (this.clock.now() - started)), signal).catch(() => undefined);
      }
    })();
  }

  /** One renewal (leader) or acquisition attempt (follower). */
  private async round(pair: string): Promise<void> {
    const lease = this.lease(pair);
    const signal = this.abort.signal;
    if (lease.leaseId) {
      // Renew, then act: past the deadline we stand down first, whatever the store would say now.
      if (!this.checkDeadline(pair)) return;
      const asked = this.clock.now();
      const leaseId = lease.leaseId;
      try {
        await this.store.renew(pair, leaseId, signal);
        if (lease.leaseId === leaseId) lease.renewedAt = Math.max(lease.renewedAt, asked);
      } catch (error) {
        if (error instanceof LeaseLostError) return this.standDown(pair, error.message);
        this.log.warn({ pair, err: describeError(error) }, `pair ${pair}: renewing the lease failed (${describeError(error)}); stands down at the renew deadline unless a renewal succeeds`);
      }
      return;
    }
    const asked = this.clock.now();
    const leaseId = randomUUID();
    let won: { epoch: number } | null = null;
    try {
      won = await this.store.acquire(pair, leaseId, Math.round(this.timings.leaseDurationMs / 1000), this.self, signal);
    } catch (error) {
      if (signal.aborted) return;
      this.log.warn({ pair, err: describeError(error) }, `pair ${pair}: the lease store does not answer (${describeError(error)}); nobody can lead this pair until it does`);
      lease.known = null;
      return;
    }
    if (!won) {
      lease.known = await this.store.read(pair, signal).catch(() => lease.known);
      return;
    }
    // An acquisition that took longer than the deadline is already stale: let it lapse rather than act on it.
    if (this.clock.now() - asked >= this.timings.renewDeadlineMs) return;
    Object.assign(lease, { leaseId, epoch: won.epoch, renewedAt: asked, known: null });
    this.log.info({ pair, epoch: won.epoch, replica: this.self.replicaId }, `pair ${pair}: this replica (${this.self.replicaId}, ${this.self.region}) is now the leader, epoch ${won.epoch}`);
    this.emit(pair, "leader", `lease acquired, epoch ${won.epoch}`);
  }

  /** False (after standing down) when the leader missed its renew deadline. */
  private checkDeadline(pair: string): boolean {
    const lease = this.lease(pair);
    if (!lease.leaseId) return true;
    const since = this.clock.now() - lease.renewedAt;
    if (since < this.timings.renewDeadlineMs) return true;
    this.standDown(pair, `no renewal for ${Math.round(since / 1000)} s (renew deadline ${this.timings.renewDeadlineMs / 1000} s)`);
    return false;
  }

  private standDown(pair: string, why: string): void {
    const lease = this.lease(pair);
    if (!lease.leaseId) return;
    lease.leaseId = null;
    lease.known = null;
    this.log.warn({ pair, epoch: lease.epoch, replica: this.self.replicaId }, `pair ${pair}: this replica is no longer the leader (${why}): it starts no more changes and cancels its steps`);
    this.emit(pair, "follower", why);
  }

  private emit(pair: string, role: PairRole, why: string): void {
    for (const listener of this.listeners) {
      try {
        listener(pair, role, why);
      } catch (error) {
        this.log.warn({ pair, err: describeError(error) }, "a leadership listener failed");
      }
    }
  }
}
