/**
 * Who may change a pair. With one replica (no `coordination` config) the answer is always "this one";
 * with several, only the holder of the pair's blob lease, and only within its renew deadline.
 */

/** A controller replica as the others see it. */
export interface ReplicaInfo {
  replicaId: string;
  region: string;
  /** Where operators (and the CLI) reach its admin API. */
  adminUrl: string;
}

export type PairRole = "sole" | "leader" | "follower";

export interface PairLeadership {
  /** `sole`: no coordination configured, this replica acts alone. */
  role: PairRole;
  /** The replica holding the pair's lease, as far as this replica knows; null when nobody does (or sole). */
  leader: ReplicaInfo | null;
  /** Bumped by every acquisition; the fencing token of DNS writes. Null without coordination. */
  epoch: number | null;
  /** When the lease lapses unless renewed (ms since the epoch); null when unknown. */
  leaseExpiresAt: number | null;
}

/** Thrown when a replica that is not (or no longer) the leader is about to change something. */
export class NotLeaderError extends Error {
  constructor(
    readonly pair: string,
    readonly leader: ReplicaInfo | null,
    why: string,
  ) {
    super(`not the leader of pair ${pair}: ${why}${leader ? ` (leader: ${leader.replicaId} in ${leader.region}, ${leader.adminUrl})` : ""}`);
    this.name = "NotLeaderError";
  }
}

export interface Leadership {
  /** This replica; null when it runs alone. */
  readonly self: ReplicaInfo | null;
  /** Whether this replica may START a mutation of `pair` now (sole, or leader within its renew deadline). */
  canMutate(pair: string): boolean;
  /**
   * Asks the lease store right now (just before an Azure operation starts) whether this replica still holds the lease.
   * Resolves with the epoch to fence writes with (null when alone); rejects with NotLeaderError.
   */
  confirm(pair: string, signal?: AbortSignal): Promise<number | null>;
  view(pair: string): PairLeadership;
  /** Told when this replica becomes leader of a pair or stops being it; returns the unsubscribe function. */
  onChange(listener: (pair: string, role: PairRole, why: string) => void): () => void;
}

/** One replica, no lease: today's behaviour. */
export function soleReplica(): Leadership {
  const view: PairLeadership = { role: "sole", leader: null, epoch: null, leaseExpiresAt: null };
  return {
    self: null,
    canMutate: () => true,
    confirm: async () => null,
    view: () => view,
    onChange: () => () => undefined,
  };
}

/** What a lease blob says: who holds it (by metadata) and the pair's epoch. */
export interface LeaseState {
  /** Whether a lease is active on the blob now (Azure's lease state `leased`). */
  leased: boolean;
  epoch: number;
  holder: ReplicaInfo | null;
  /** When the holder last renewed (ms since the epoch), as it recorded. */
  renewedAt: number | null;
}

/** The lease store: one blob per pair, leased by its leader (Azure Blob Storage leases). */
export interface LeaseStorePort {
  /**
   * Takes the lease when it is free or expired and bumps the epoch, written with the lease id (only the holder can).
   * Resolves null when another replica holds it.
   */
  acquire(pair: string, leaseId: string, durationSeconds: number, holder: ReplicaInfo, signal?: AbortSignal): Promise<{ epoch: number } | null>;
  /** Renews; rejects with LeaseLostError when the lease is no longer ours. */
  renew(pair: string, leaseId: string, signal?: AbortSignal): Promise<void>;
  release(pair: string, leaseId: string, signal?: AbortSignal): Promise<void>;
  read(pair: string, signal?: AbortSignal): Promise<LeaseState>;
}

/** The lease store says the lease is held by someone else (or was broken): this replica is deposed. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LeaseLostError";
  }
}
