import type { AuditEntry } from "../ports/state.js";
import type { PairReadiness } from "../readiness/render.js";
import type { CutoverPlan } from "../runtime/plan.js";
import type { PairLeadership, ReplicaInfo } from "../ports/leadership.js";

/** What the admin API and the CLI need from a running controller; the runtime implements it. */
export interface ControllerApi {
  listPairs(): PairStatus[];
  getPair(name: string): PairStatus | undefined;
  /** What `action` would do now, in lines an operator can read before confirming. */
  preview(name: string, action: OperatorAction, options?: { planned?: boolean }): Promise<string[]>;
  command(name: string, action: OperatorAction, request: OperatorRequest): Promise<CommandResult>;
  audit(pair?: string): Promise<AuditEntry[]>;
  /** Records an operator request the admin API refused (401, 409, 503) in the audit trail: who asked for what, and why not. */
  recordRefusal(refusal: RefusedRequest): Promise<void>;
  /** Prometheus text exposition. */
  metrics(): string;
  ready(): boolean;
  /** ok, or degraded with the problems (e.g. the state store does not take writes). */
  health(): { status: "ok" | "degraded"; problems: string[] };
}

/** Readiness and the failover plan, served next to the controller (src/readiness/monitor.ts). */
export interface ReadinessApi {
  /** The newest readiness of a pair, or null before the first round finished. */
  readiness(pair: string): PairReadiness | null;
  /** What a failover would do now, with the expected restore time and every check that is not READY. */
  plan(pair: string): CutoverPlan;
  /** Prometheus text for apim_dr_readiness. */
  metrics(): string;
}

export const OPERATOR_ACTIONS = ["failover", "failback", "approve", "abort", "pause", "resume", "backup"] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

export interface OperatorRequest {
  reason?: string;
  actor?: string;
  /** For failover: a planned switch (primary still healthy) rather than an emergency one. */
  planned?: boolean;
}

/** An operator request that was refused; never carries the token. */
export interface RefusedRequest {
  pair: string;
  action: OperatorAction;
  /** The HTTP status it got: 401 (no or wrong token), 409 (the state does not accept it), 503 (the state cannot be stored). */
  status: number;
  /** The answer's message. */
  why: string;
  /** The operator the body named; on a 401 only claimed, not proven. */
  actor?: string;
  /** The operator's reason from the body. */
  reason?: string;
  /** Where the request came from (the peer address). */
  from?: string;
}

export type CommandResult =
  | { accepted: true; state: string }
  /** `unavailable`: refused for a reason outside the state machine (the state store does not take writes): 503, not 409. */
  | { accepted: false; state: string; accepts: OperatorAction[]; message: string; unavailable?: boolean; leaderUrl?: string };

export interface Decision {
  verdict: string;
  reason: string;
  at: string;
  state: string;
}

export interface RegionHealth {
  region: string;
  verdict: string;
  reason: string;
  since: string | null;
}

export interface PairStatus {
  name: string;
  /** Dotted state path, e.g. `failingOver.restoring`. */
  state: string;
  activeRegion: string;
  lastDecision: Decision | null;
  backup: {
    latest: string | null;
    ageMs: number | null;
    rpoMs: number;
    breached: boolean;
    /** Configuration changes of the active instance that are in no backup yet. */
    unbackedChanges: number;
    reason: string;
    /** The instance the backups protect: the active one. */
    protects: string;
    /** Blobs whose source cannot be established: never restored without an operator. */
    unverified: string[];
    /** The trigger of the backup running now, or null. */
    running: string | null;
    lastError: string | null;
  };
  /** Set while the pair's newest state could not be stored. */
  unsavedState: { since: string; error: string } | null;
  health: { primary: RegionHealth; standby: RegionHealth; observerImpaired: boolean };
  operation: { step: string; kind: string; startedAt: string; elapsedMs: number; status: string } | null;
  /** Operator actions the pair accepts in its current state. */
  accepts: OperatorAction[];
  /** One line: how many readiness checks are READY and which are not (absent before the first round). */
  readiness?: string;
  /** Who acts on the pair (role `sole`: one replica, no lease) and which replica answered. */
  leadership?: PairLeadership & { replica: ReplicaInfo | null };
}
