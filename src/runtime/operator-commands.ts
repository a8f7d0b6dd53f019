import type { EffectivePair } from "../config/index.js";
import type { UnstampedEvent } from "../machine/types.js";
import type { Clock } from "../ports/clock.js";
import { OPERATOR_ACTIONS, type CommandResult, type OperatorAction, type OperatorRequest } from "../server/controller-api.js";
import type { BackupCoordinator } from "./backup-coordinator.js";
import type { HealthFeed } from "./health-feed.js";
import type { PairMachine } from "./pair-machine.js";
import { failbackPlan, failoverPlan, renderPlan } from "./plan.js";

/** The machine event each operator action sends (`backup` sends none: the backup coordinator acts on it). */
function operatorEvent(action: Exclude<OperatorAction, "backup">, request: OperatorRequest): UnstampedEvent {
  const fields = { actor: request.actor, reason: request.reason };
  switch (action) {
    case "failover":
      return { type: "operator.failoverRequested", planned: request.planned ?? false, ...fields };
    case "failback":
      return { type: "operator.failbackRequested", ...fields };
    case "approve":
      return { type: "operator.approved", ...fields };
    case "abort":
      return { type: "operator.aborted", ...fields };
    case "pause":
      return { type: "operator.paused", ...fields };
    case "resume":
      return { type: "operator.resumed", ...fields };
  }
}

/** An operator's actions on one pair: what the machine would accept now, the preview, and the command itself. */
export class OperatorCommands {
  constructor(
    private readonly pair: EffectivePair,
    private readonly machine: PairMachine,
    private readonly backups: Pick<BackupCoordinator, "view" | "newestBackup" | "requestBackup">,
    private readonly health: Pick<HealthFeed, "retell">,
    private readonly clock: Clock,
  ) {}

  /** Actions that would change the pair's state now (a dry run on the machine, nothing sent). */
  accepts(): OperatorAction[] {
    return OPERATOR_ACTIONS.filter((action) => (action === "backup" ? this.machine.hasTag("backupsAllowed") : this.machine.tryEvent(operatorEvent(action, {})).changes));
  }

  command(action: OperatorAction, request: OperatorRequest): CommandResult {
    const state = this.machine.state();
    if (action === "backup") return this.backupNow(request);
    const event = operatorEvent(action, request);
    const dry = this.machine.tryEvent(event);
    if (!dry.changes) {
      const why = dry.decision ? dry.decision.reason : `'${action}' is not accepted in state ${state}`;
      return { accepted: false, state, accepts: this.accepts(), message: why };
    }
    this.machine.send(event);
    // While paused the machine ignored verdicts; tell it the current ones again so a confirmed outage acts now.
    // (After abort and approve the machine routes on the health it recorded meanwhile: see primaryNotHealthy.)
    if (action === "resume") this.health.retell();
    return { accepted: true, state: this.machine.state() };
  }

  /** An operator asked for a backup of the active instance now. */
  private backupNow(request: OperatorRequest): CommandResult {
    const state = this.machine.state();
    if (!this.machine.hasTag("backupsAllowed")) {
      return { accepted: false, state, accepts: this.accepts(), message: `no backup while the pair is ${state}: a failover or failback drives the services (it takes its own backups)` };
    }
    const at = new Date(this.clock.now()).toISOString();
    this.machine.record([{ at, pair: this.pair.name, type: "operator", state, verdict: "operator.backupRequested", actor: request.actor, reason: request.reason }]);
    this.backups.requestBackup();
    return { accepted: true, state };
  }

  preview(action: OperatorAction, planned = false): string[] {
    const p = this.pair;
    const ctx = this.machine.context();
    const backup = this.backups.view();
    switch (action) {
      case "failover":
        return renderPlan(failoverPlan(p, ctx, { view: backup, newest: this.backups.newestBackup() }, planned, this.clock.now()));
      case "failback":
        return renderPlan(failbackPlan(p, ctx));
      case "backup":
        return [`backup ${p.name}: a backup of the active instance ${backup.protects} into container ${p.backup.container} now${backup.unbackedChanges ? ` (${backup.unbackedChanges} change(s) not in any backup)` : ""}`];
      case "approve":
        return ctx.pendingApproval
          ? [`approve ${p.name}: ${ctx.pendingApproval.reason}`, ...(ctx.pendingApproval.dataLossWindowMs ? [`  accepting a data-loss window of ${Math.round(ctx.pendingApproval.dataLossWindowMs / 60_000)} min`] : [])]
          : [`approve ${p.name}: nothing is waiting for approval (state ${this.machine.state()})`];
      case "abort":
        return [`abort ${p.name}: stop the pending step in ${this.machine.state()}; traffic stays on ${p[ctx.activeRegion].region}`];
      case "pause":
        return [`pause ${p.name}: keep observing signals, take no automatic action until resumed`];
      case "resume":
        return [`resume ${p.name}: automatic action resumes`];
    }
  }
}
