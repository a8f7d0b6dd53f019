import type { EffectivePair } from "../config/index.js";
import type { PairStatus } from "../server/controller-api.js";
import type { BackupView } from "./backup-coordinator.js";
import type { HealthView } from "./health-feed.js";
import type { UnsavedState } from "./pair-actor.js";
import type { PairMachine } from "./pair-machine.js";

export interface StatusSources {
  pair: EffectivePair;
  machine: PairMachine;
  health: HealthView;
  backup: BackupView;
  unsaved: UnsavedState | null;
  /** Operator actions accepted now. */
  accepts: PairStatus["accepts"];
  now: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What `status` and GET /pairs/{name} show of one pair, read from its parts at `now`. */
export function pairStatus({ pair, machine, health, backup, unsaved, accepts, now }: StatusSources): PairStatus {
  const ctx = machine.context();
  const region = (role: "primary" | "standby") => ({ region: pair[role].region, verdict: health[role].verdict, reason: health[role].reason, since: iso(health[role].since) });
  // The machine keeps its last step in context after it settles; only a running failover or failback has one in flight.
  const inFlight = machine.hasTag("busy");
  const op = inFlight ? ctx.operation : null;
  const step = inFlight ? ctx.currentStep : null;
  const { backupName, backupAgeMs, ...rest } = backup;
  return {
    name: pair.name,
    state: machine.state(),
    activeRegion: pair[ctx.activeRegion].region,
    lastDecision: ctx.lastDecision ? { ...ctx.lastDecision, at: new Date(ctx.lastDecision.at).toISOString() } : null,
    backup: { latest: backupName, ageMs: backupAgeMs, ...rest },
    unsavedState: unsaved ? { since: new Date(unsaved.since).toISOString(), error: unsaved.error } : null,
    health: { primary: region("primary"), standby: region("standby"), observerImpaired: health.observerImpaired },
    operation: op
      ? { step: op.step, kind: op.kind, startedAt: new Date(op.startedAt).toISOString(), elapsedMs: now - op.startedAt, status: "running" }
      : step
        ? // A step without a long-running operation began with the decision that entered it.
          { step, kind: "step", startedAt: new Date(ctx.lastDecision?.at ?? now).toISOString(), elapsedMs: now - (ctx.lastDecision?.at ?? now), status: "running" }
        : null,
    // While the state cannot be stored every operator action is refused (503): say so up front.
    accepts: unsaved ? [] : accepts,
  };
}
