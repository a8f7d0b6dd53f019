import type { EffectivePair } from "../config/index.js";
import type { PairHealth } from "../health/index.js";
import type { PairContext } from "../machine/types.js";
import type { PairStatus } from "../server/controller-api.js";
import { stateName } from "../runtime/state-name.js";
import { failoverMachine } from "../machine/failover-machine.js";
import type { RegionRole } from "../ports/region.js";

/** Which side serves the pair, as a stored machine state says (the primary when nothing is stored). */
export function storedActiveSide(stored: unknown): RegionRole {
  return (stored as { context?: Partial<PairContext> } | null)?.context?.activeRegion === "standby" ? "standby" : "primary";
}

/**
 * What a follower replica says about a pair: its own health verdicts (it keeps evaluating) and the state the leader
 * last stored. Backups, operations and operator actions are the leader's: a follower accepts none.
 */
export function followerStatus(pair: EffectivePair, stored: unknown, health: PairHealth | null, now: number): PairStatus {
  const snapshot = stored as { value?: unknown; context?: Partial<PairContext> } | null;
  const ctx = snapshot?.context;
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  const region = (side: RegionRole) => {
    const v = health?.[side];
    return { region: pair[side].region, verdict: v?.verdict ?? "unknown", reason: v?.reason ?? "no signal yet", since: iso(v?.since) };
  };
  const active = pair[storedActiveSide(stored)];
  // The state's tags come from the machine itself, never from its name.
  const busy = snapshot?.value !== undefined && ctx ? failoverMachine.resolveState({ value: snapshot.value as never, context: ctx as PairContext }).hasTag("busy") : false;
  return {
    name: pair.name,
    state: snapshot?.value !== undefined ? stateName(snapshot.value) : "unknown",
    busy,
    activeRegion: active.region,
    lastDecision: ctx?.lastDecision ? { ...ctx.lastDecision, at: new Date(ctx.lastDecision.at).toISOString() } : null,
    backup: {
      latest: null,
      ageMs: null,
      rpoMs: pair.objectives.rpoMinutes * 60_000,
      breached: false,
      unbackedChanges: 0,
      reason: "this replica follows the pair: the leader keeps the backup view (see its status)",
      protects: active.name,
      unverified: [],
      running: null,
      lastError: null,
    },
    unsavedState: null,
    health: { primary: region("primary"), standby: region("standby"), observerImpaired: health?.observerImpaired.impaired ?? false },
    operation: ctx?.operation ? { step: ctx.operation.step, kind: ctx.operation.kind, startedAt: new Date(ctx.operation.startedAt).toISOString(), elapsedMs: now - ctx.operation.startedAt, status: "running (leader)" } : null,
    accepts: [],
  };
}
