import { assign, fromCallback, raise, setup, type CallbackActorLogic, type EventObject } from "xstate";
import { applyHealth, coverChanges, failoverReset, initialContext, noteChange, withDecision } from "./context.js";
import {
  abortTarget,
  decideBackup,
  decideDnsSwitch,
  decideFailback,
  decideFailbackReadiness,
  decideRestore,
  decideStartFailover,
  decideStepFailure,
  type StartTrigger,
} from "./decide.js";
import {
  checkBackupInput,
  checkPrimaryInput,
  restoreInput,
  switchDnsInput,
  takeBackupInput,
  verifyCutoverInput,
  verifyGatewayInput,
  type CheckBackupInput,
  type CheckPrimaryInput,
  type OperationInput,
  type SwitchDnsInput,
  type VerifyCutoverInput,
  type VerifyGatewayInput,
} from "./step-inputs.js";
import type { Decision, HealthEvent, PairContext, PairEvent, PairSettings, ResumePoint, StepName } from "./types.js";
import { backupBlobName, serviceNameOf } from "../backup/backup-names.js";
import type { RegionRole } from "../ports/region.js";

/** Placeholder for a step actor: the runtime supplies the real ones with `machine.provide({ actors: createStepActors(ports) })`. */
function notProvided<TInput>(name: string): CallbackActorLogic<EventObject, TInput> {
  return fromCallback<EventObject, TInput>(() => {
    throw new Error(`step actor '${name}' is not provided: build the actors with createStepActors(ports) and pass them to machine.provide({ actors })`);
  });
}

/** Every place `operator.approved` can continue from awaitingOperator. */
export const RESUME_POINTS: readonly ResumePoint[] = [
  "monitoring",
  "failedOver",
  "failingOver",
  "failingOver.checkingBackup",
  "failingOver.takingFreshBackup",
  "failingOver.restoring",
  "failingOver.verifyingStandby",
  "failingOver.switchingDns",
  "failingOver.verifyingCutover",
  "failingBack.checkingPrimary",
  "failingBack.backingUpActive",
  "failingBack.restoringPrimary",
  "failingBack.verifyingPrimary",
  "failingBack.switchingDnsBack",
  "failingBack.verifyingCutover",
];

function isHealth(event: PairEvent): event is HealthEvent {
  return event.type.startsWith("health.");
}

/** Context as it is after the event's health facts are folded in, so a guard decides on the newest health. */
function withEventHealth(ctx: PairContext, event: PairEvent): PairContext {
  return isHealth(event) ? { ...ctx, health: applyHealth(ctx.health, event) } : ctx;
}

function startTrigger(event: PairEvent): StartTrigger | null {
  if (event.type === "health.primaryUnhealthy") return { kind: "automatic", reason: event.reason };
  if (event.type === "operator.failoverRequested") return { kind: "operator", planned: event.planned, actor: event.actor, reason: event.reason };
  return null;
}

function decideStartFor(ctx: PairContext, event: PairEvent) {
  const trigger = startTrigger(event);
  return trigger ? decideStartFailover(withEventHealth(ctx, event), trigger, event.at) : null;
}

/** Error text and retryability of whatever ended a step unsuccessfully. */
function failureOf(ctx: PairContext, event: PairEvent | { type: string; error?: unknown }): { error: string; retryable: boolean } {
  if ("step" in event && event.type === "step.failed") return { error: event.error, retryable: event.retryable };
  if (event.type === "step.primaryChecked" && "facts" in event) return { error: decideFailbackReadiness(event.facts).reason, retryable: true };
  const raw = (event as { error?: unknown }).error;
  return { error: `step actor crashed: ${raw instanceof Error ? raw.message : String(raw)}`, retryable: false };
}

function primaryNotHealthy(ctx: PairContext): boolean {
  return ctx.health.primary.verdict === "suspect" || ctx.health.primary.verdict === "unhealthy";
}

/** Approving what a pair waits for in monitoring ("no action") while its primary is not healthy: it goes back to suspect. */
function approvedBackToUnhealthyPrimary(ctx: PairContext): boolean {
  return ctx.pendingApproval?.step === "monitoring" && primaryNotHealthy(ctx);
}

/** Time of an event; xstate's own error events carry none, so they take the time of the last decision. */
function timeOf(ctx: PairContext, event: { at?: number }): number {
  return typeof event.at === "number" ? event.at : (ctx.lastDecision?.at ?? 0);
}


/** A step failed: retry it after a persisted backoff deadline, or escalate after maxStepAttempts (decided once, routed on). */
function decideOnFailure(ctx: PairContext, event: PairEvent | { type: string; error?: unknown }): Partial<PairContext> {
  const step = ctx.currentStep ?? "failingOver.checkingBackup";
  const { error, retryable } = failureOf(ctx, event);
  const at = timeOf(ctx, event as { at?: number });
  const d = decideStepFailure(ctx, step, error, at);
  if (d.verdict === "escalate") return { ...escalation(ctx, step, d.reason, at, retryable), route: "escalate" };
  return {
    ...withDecision(ctx, d, at, step),
    attempts: { ...ctx.attempts, [step]: (ctx.attempts[step] ?? 0) + 1 },
    retryAt: d.retryAt,
    // A failed poll keeps the operation (resume it); a failed operation is started again.
    operation: retryable ? ctx.operation : null,
    route: "retry",
  };
}

function escalation(ctx: PairContext, step: StepName, reason: string, at: number, retryable: boolean): Partial<PairContext> {
  return {
    ...withDecision(ctx, { verdict: "escalate", reason }, at, step),
    attempts: { ...ctx.attempts, [step]: (ctx.attempts[step] ?? 0) + 1 },
    operation: retryable ? ctx.operation : null,
    pendingApproval: { step, reason },
  };
}

/** `busy`: a failover or failback drives the services; `backupsAllowed`: the controller's own backups may run; `warmStandbyAllowed`: the standby may be refreshed. */
export type PairTag = "busy" | "backupsAllowed" | "warmStandbyAllowed";

const machineSetup = setup({
  types: {
    context: {} as PairContext,
    events: {} as PairEvent,
    input: {} as PairSettings,
    tags: {} as PairTag,
  },
  actors: {
    checkBackup: notProvided<CheckBackupInput>("checkBackup"),
    checkPrimary: notProvided<CheckPrimaryInput>("checkPrimary"),
    takeBackup: notProvided<OperationInput>("takeBackup"),
    restoreBackup: notProvided<OperationInput>("restoreBackup"),
    verifyGateway: notProvided<VerifyGatewayInput>("verifyGateway"),
    switchDns: notProvided<SwitchDnsInput>("switchDns"),
    verifyCutover: notProvided<VerifyCutoverInput>("verifyCutover"),
  },
  guards: {
    /** Routes on the decision the previous action took and kept in context (see `route`). */
    routeIs: ({ context }, params: { routes: string[] }) => params.routes.includes(context.route ?? ""),
    pendingIs: ({ context }, params: { step: ResumePoint }) => context.pendingApproval?.step === params.step,
    trafficOnStandby: ({ context }) => abortTarget(context) === "failedOver",
    pausedFromFailedOver: ({ context }) => context.pausedFrom === "failedOver",
    primaryNotHealthy: ({ context }) => primaryNotHealthy(context),
    approvedBackToUnhealthyPrimary: ({ context }) => approvedBackToUnhealthyPrimary(context),
    observeMode: ({ context }) => context.pair.policy.mode === "observe",
    /** An operator's abort (or approving no action) holds automatic action until the primary is healthy again. */
    heldByOperator: ({ context }) => !!context.heldUntilPrimaryHealthy,
  },
  actions: {
    /** Raised right after an action took a decision and kept it in `context.route`: the transitions on `decided` route on it. */
    thenRoute: raise(({ context }) => ({ type: "decided" as const, at: context.lastDecision?.at ?? 0 })),
    recordHealth: assign(({ context, event }) => {
      if (!isHealth(event)) return {};
      // A healthy primary ends the hold an operator's abort put on automatic failover.
      return { health: applyHealth(context.health, event), ...(event.type === "health.primaryHealthy" ? { heldUntilPrimaryHealthy: null } : {}) };
    }),
    recordInventory: assign(({ context, event }) => {
      if (event.type === "backup.changeNoted") return noteChange(context, event.serviceId, event.at);
      if (event.type === "backup.completed") return coverChanges(context, event.backup.sourceServiceId, event.startedAt);
      if (event.type === "standby.restored") return { standbyHolds: event.backupName };
      return {};
    }),
    record: assign(({ context, event }, params: { state: string; verdict: string; reason: string }) =>
      withDecision(context, { verdict: params.verdict, reason: params.reason }, timeOf(context, event), params.state),
    ),
    recordEventReason: assign(({ context, event }, params: { state: string; verdict: string; prefix: string }) => {
      const why = "reason" in event && event.reason ? event.reason : "detail" in event ? event.detail : "no reason given";
      return withDecision(context, { verdict: params.verdict, reason: `${params.prefix}: ${why}` }, timeOf(context, event), params.state);
    }),
    decideStart: assign(({ context, event }) => {
      const d = decideStartFor(context, event);
      const trigger = startTrigger(event);
      if (!d || !trigger) return {};
      const ctx = { ...withEventHealth(context, event), ...withDecision(context, d, event.at, "monitoring") };
      if (d.verdict === "failover") {
        const failoverTrigger = trigger.kind === "operator" ? (trigger.planned ? "planned" : "operator") : "automatic";
        return { ...ctx, ...failoverReset, failoverTrigger, route: "failover" };
      }
      if (d.verdict === "awaitApproval" || d.verdict === "brake") {
        return { ...ctx, pendingApproval: { step: "failingOver" as const, reason: d.reason }, route: "askOperator" };
      }
      // Not acting on an automatic verdict still means the primary is suspect; a refused request changes nothing.
      return { ...ctx, route: trigger.kind === "automatic" ? "watch" : null };
    }),
    escalate: assign(({ context, event }, params: { state: string; verdict: string; reason: string; resume: ResumePoint | "currentStep" }) => {
      const step: ResumePoint = params.resume === "currentStep" ? (context.currentStep ?? "monitoring") : params.resume;
      const reason = isHealth(event) ? `${params.reason}: ${event.reason}` : params.reason;
      return { ...withDecision(context, { verdict: params.verdict, reason }, timeOf(context, event), params.state), pendingApproval: { step, reason } };
    }),
    enterStep: assign((_, params: { step: StepName }) => ({ currentStep: params.step, route: null })),
    // Leaving a step drops its backoff deadline, except when the step is left to be retried after it.
    clearRetry: assign(({ context }) => (context.route === "retry" ? {} : { retryAt: null })),
    operationStarted: assign(({ event }) => (event.type === "step.operationStarted" ? { operation: event.operation } : {})),
    recordWaiting: assign(({ context, event }) => (event.type === "step.waiting" ? withDecision(context, { verdict: "waiting", reason: event.reason }, event.at, event.step) : {})),
    decideBackup: assign(({ context, event }) => {
      if (event.type !== "step.backupChecked") return {};
      const d = decideBackup(context, event.facts, event.at);
      const state = "failingOver.checkingBackup";
      let ctx = { ...context, ...withDecision(context, d, event.at, state) };
      if (d.verdict === "takeFreshBackup") {
        return { ...ctx, pendingBackupName: backupBlobName(serviceNameOf(context.pair.primary.serviceId), event.at), route: "takeFreshBackup" };
      }
      if (d.verdict === "useBackup" && d.backup) {
        const restore = decideRestore(context.standbyHolds, d.backup);
        ctx = { ...ctx, ...withDecision(ctx, restore, event.at, state) };
        return { ...ctx, chosenBackup: d.backup, route: restore.verdict === "skipRestore" ? "standbyHoldsIt" : "restore" };
      }
      if (d.verdict === "awaitApproval" && d.backup) {
        const skip = decideRestore(context.standbyHolds, d.backup).verdict === "skipRestore";
        const step = skip ? "failingOver.verifyingStandby" : "failingOver.restoring";
        const pendingApproval = { step, reason: d.reason, ...(d.dataLossWindowMs === undefined ? {} : { dataLossWindowMs: d.dataLossWindowMs }) } as const;
        return { ...ctx, chosenBackup: d.backup, pendingApproval, route: "askOperator" };
      }
      if (d.verdict === "refuse") return { ...ctx, route: "refuse" };
      // Without any backup, approving means a DNS-only cutover: verify the standby as it is, restore nothing.
      if (d.verdict === "noBackup") return { ...ctx, chosenBackup: null, pendingApproval: { step: "failingOver.verifyingStandby" as const, reason: d.reason }, route: "askOperator" };
      return { ...ctx, pendingApproval: { step: "failingOver.checkingBackup" as const, reason: d.reason }, route: "askOperator" };
    }),
    backupTaken: assign(({ context, event }, params: { side: RegionRole }) => {
      if (event.type !== "step.backupTaken") return {};
      const state = context.currentStep ?? "failingOver.takingFreshBackup";
      const decision: Decision = { verdict: "backupTaken", reason: `backup ${event.backup.name} of the ${params.side} finished` };
      return {
        ...withDecision(context, decision, event.at, state),
        // The backup holds every change made before it started.
        ...coverChanges(context, event.backup.sourceServiceId, context.operation?.startedAt ?? event.backup.takenAt),
        chosenBackup: event.backup,
        // A backup of the standby is exactly what the standby holds.
        standbyHolds: params.side === "standby" ? event.backup.name : context.standbyHolds,
        operation: null,
        pendingBackupName: null,
      };
    }),
    restored: assign(({ context, event }, params: { side: RegionRole }) => {
      if (event.type !== "step.restored") return {};
      const decision: Decision = { verdict: "restored", reason: `backup ${event.backupName} restored into the ${params.side}` };
      return {
        ...withDecision(context, decision, event.at, context.currentStep ?? "restoring"),
        operation: null,
        standbyHolds: params.side === "standby" ? event.backupName : context.standbyHolds,
      };
    }),
    verified: assign(({ context, event }, params: { side: RegionRole }) => {
      if (event.type !== "step.verified") return {};
      const d = decideDnsSwitch({ ...context, verifiedAt: { ...context.verifiedAt, [params.side]: event.at } }, params.side);
      const state = context.currentStep ?? "failingOver.verifyingStandby";
      const ctx = { ...context, ...withDecision(context, { verdict: "verified", reason: event.detail }, event.at, state) };
      const pendingApproval = d.verdict === "hold" ? { step: state, reason: d.reason } : null;
      return { ...withDecision(ctx, d, event.at, state), verifiedAt: { ...context.verifiedAt, [params.side]: event.at }, pendingApproval, route: d.verdict };
    }),
    dnsSwitched: assign(({ context, event }, params: { to: RegionRole }) => {
      if (event.type !== "step.dnsSwitched") return {};
      const reason = `CNAME ${context.pair.dns.recordName} points at ${event.cname}${event.wrote ? " (written with If-Match)" : " (it already did: no write)"}`;
      // Only a failover that moved traffic counts for the brake.
      const kept = context.automaticFailovers.filter((t) => event.at - t < context.pair.policy.brakeWindowMs);
      const automaticFailovers = params.to === "standby" && context.failoverTrigger === "automatic" ? [...kept, event.at] : kept;
      return {
        ...withDecision(context, { verdict: "dnsSwitched", reason }, event.at, context.currentStep ?? "switchingDns"),
        // From here protection follows the newly active instance: its state is the backup just restored into it.
        activeRegion: params.to,
        activeBaseline: context.chosenBackup,
        unbackedChanges: [],
        automaticFailovers,
      };
    }),
    dnsConflict: assign(({ context, event }) => {
      if (event.type !== "step.dnsConflict") return {};
      const step = context.currentStep ?? "failingOver.switchingDns";
      return { ...withDecision(context, { verdict: "dnsConflict", reason: event.reason }, event.at, step), pendingApproval: { step, reason: event.reason } };
    }),
    decideStepFailure: assign(({ context, event }) => decideOnFailure(context, event)),
    escalateStepFailure: assign(({ context, event }) => {
      const step = context.currentStep ?? "failingOver.checkingBackup";
      const { error, retryable } = failureOf(context, event);
      const at = timeOf(context, event);
      const reason = decideStepFailure(context, step, error, at).reason;
      return { ...escalation(context, step, reason, at, retryable), route: "escalate" };
    }),
    applyApproval: assign(({ context, event }) => {
      const pending = context.pendingApproval;
      const actor = "actor" in event && event.actor ? event.actor : "unknown";
      const reason = pending ? `operator ${actor} approved: ${pending.reason}` : `operator ${actor} approved with nothing pending`;
      const recorded = withDecision(context, { verdict: "approved", reason }, timeOf(context, event), "awaitingOperator");
      if (pending?.step === "failingOver") return { ...recorded, ...failoverReset };
      const attempts = { ...context.attempts };
      if (pending && pending.step !== "monitoring" && pending.step !== "failedOver") delete attempts[pending.step];
      const hold = approvedBackToUnhealthyPrimary(context) ? { heldUntilPrimaryHealthy: timeOf(context, event) } : {};
      return { ...recorded, attempts, retryAt: null, pendingApproval: null, ...hold };
    }),
    applyAbort: assign(({ context, event }, params: { state: string }) => {
      const actor = "actor" in event && event.actor ? event.actor : "unknown";
      const target = abortTarget(context);
      const left = context.operation ? `; the ${context.operation.kind} of ${context.operation.backupName} (${context.operation.operationId ?? "no operation id"}) is no longer followed` : "";
      const held = target === "monitoring" && primaryNotHealthy(context);
      const stillDown = held ? `; the primary is still ${context.health.primary.verdict}: no automatic failover until it recovers or an operator requests one` : "";
      const reason = `operator ${actor} aborted${"reason" in event && event.reason ? ` (${event.reason})` : ""}; CNAME points at the ${context.activeRegion}: back to ${target}${left}${stillDown}`;
      const at = timeOf(context, event);
      return { ...withDecision(context, { verdict: "aborted", reason }, at, params.state), ...failoverReset, ...(held ? { heldUntilPrimaryHealthy: at } : {}) };
    }),
    decideFailback: assign(({ context, event }, params: { state: string }) => {
      if (event.type !== "operator.failbackRequested") return {};
      const d = decideFailback(context, event.at, event.actor);
      const recorded = withDecision(context, d, event.at, params.state);
      return d.verdict === "failback" ? { ...recorded, ...failoverReset, route: "failback" } : { ...recorded, route: null };
    }),
    setPausedFrom: assign((_, params: { from: "monitoring" | "failedOver" }) => ({ pausedFrom: params.from })),
    decidePrimaryReadiness: assign(({ context, event }) => {
      if (event.type !== "step.primaryChecked") return {};
      const d = decideFailbackReadiness(event.facts);
      const recorded = { ...context, ...withDecision(context, d, event.at, "failingBack.checkingPrimary") };
      if (d.verdict === "proceed") return { ...recorded, pendingBackupName: backupBlobName(serviceNameOf(context.pair.standby.serviceId), event.at), route: "proceed" };
      if (d.verdict === "skuMismatch") return { ...recorded, pendingApproval: { step: "failingBack.checkingPrimary" as const, reason: d.reason }, route: "askOperator" };
      // Busy: a failed attempt of the step, retried or escalated like any other.
      return decideOnFailure(recorded, event);
    }),
  },
});

function routeTo(routes: string[], target: string, reenter = false) {
  return { guard: { type: "routeIs" as const, params: { routes } }, target, ...(reenter ? { reenter: true } : {}) };
}

/**
 * `step.failed` is decided once (retry after a persisted backoff deadline, or escalate after maxStepAttempts) and
 * routed on; `routes` are the state's own routes for its other decisions.
 */
function failureHandling(self: string, routes: ReturnType<typeof routeTo>[] = []) {
  return {
    "step.failed": { actions: ["decideStepFailure" as const, "thenRoute" as const] },
    decided: [...routes, routeTo(["escalate"], "#pair.awaitingOperator"), routeTo(["retry"], self, true)],
  };
}

function onActorError() {
  return { target: "#pair.awaitingOperator", actions: "escalateStepFailure" as const };
}

/**
 * A long-running step re-enters itself once the operation started, so its persisted input carries the resume token.
 * While it waits to start one, it stays where it is and the wait is recorded.
 */
function operationHandling(self: string) {
  return {
    "step.operationStarted": { target: self, reenter: true, actions: "operationStarted" as const },
    "step.waiting": { actions: "recordWaiting" as const },
  };
}

function stepState(step: StepName) {
  return { entry: { type: "enterStep" as const, params: { step } }, exit: "clearRetry" as const };
}

const escalateToOperator = (state: string, verdict: string, reason: string) =>
  ({ target: "#pair.awaitingOperator", actions: [ "recordHealth" as const, { type: "escalate" as const, params: { state, verdict, reason, resume: "currentStep" as const } }] });

export const failoverMachine = machineSetup.createMachine({
  id: "pair",
  context: ({ input }) => initialContext(input),
  initial: "monitoring",
  on: {
    "health.*": { actions: "recordHealth" },
    "backup.changeNoted": { actions: "recordInventory" },
    "backup.completed": { actions: "recordInventory" },
    "standby.restored": { actions: "recordInventory" },
  },
  states: {
    monitoring: {
      tags: ["backupsAllowed", "warmStandbyAllowed"],
      initial: "healthy",
      on: {
        "health.primaryUnhealthy": { actions: ["decideStart", "thenRoute" as const] },
        "operator.failoverRequested": { actions: ["decideStart", "thenRoute" as const] },
        decided: [routeTo(["failover"], "failingOver"), routeTo(["askOperator"], "awaitingOperator"), routeTo(["watch"], ".suspect")],
        "health.bothUnhealthy": [
          { guard: "observeMode", actions: ["recordHealth", { type: "record", params: { state: "monitoring", verdict: "observe", reason: "both regions are unhealthy; policy mode is observe: no action taken" } }] },
          // The operator already decided on this outage: recorded, not asked again until the primary was healthy.
          { guard: "heldByOperator", actions: ["recordHealth", { type: "recordEventReason", params: { state: "monitoring", verdict: "held", prefix: "both regions are unhealthy; an operator took over while the primary was unhealthy: not asking again until the primary is healthy again" } }] },
          { target: "awaitingOperator", actions: ["recordHealth", { type: "escalate", params: { state: "monitoring", verdict: "escalate", reason: "both regions are unhealthy: no failover, no DNS change; an operator must decide", resume: "monitoring" } }] },
        ],
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "monitoring", verdict: "alert", prefix: "observer impaired, no failover on its signals" } }] },
        "operator.failbackRequested": { actions: { type: "decideFailback", params: { state: "monitoring" } } },
        "operator.paused": { target: "paused", actions: [{ type: "setPausedFrom", params: { from: "monitoring" } }, { type: "recordEventReason", params: { state: "monitoring", verdict: "paused", prefix: "operator paused the pair" } }] },
      },
      states: {
        healthy: {
          on: { "health.primarySuspect": { target: "suspect", actions: ["recordHealth", { type: "recordEventReason", params: { state: "monitoring.healthy", verdict: "suspect", prefix: "primary looks unhealthy, waiting for confirmation" } }] } },
        },
        suspect: {
          on: { "health.primaryHealthy": { target: "healthy", actions: ["recordHealth", { type: "recordEventReason", params: { state: "monitoring.suspect", verdict: "healthy", prefix: "primary recovered" } }] } },
        },
      },
    },
    paused: {
      tags: ["backupsAllowed"],
      on: {
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "paused", verdict: "alert", prefix: "observer impaired (paused: no action)" } }] },
        "operator.resumed": [
          { guard: "pausedFromFailedOver", target: "failedOver", actions: { type: "recordEventReason", params: { state: "paused", verdict: "resumed", prefix: "operator resumed the pair" } } },
          { guard: "primaryNotHealthy", target: "monitoring.suspect", actions: { type: "recordEventReason", params: { state: "paused", verdict: "resumed", prefix: "operator resumed the pair; the primary was last seen unhealthy, waiting for a confirmed verdict" } } },
          { target: "monitoring", actions: { type: "recordEventReason", params: { state: "paused", verdict: "resumed", prefix: "operator resumed the pair" } } },
        ],
      },
      exit: assign({ pausedFrom: null }),
    },
    failingOver: {
      tags: ["busy"],
      initial: "checkingBackup",
      on: {
        "health.bothUnhealthy": escalateToOperator("failingOver", "escalate", "both regions became unhealthy during the failover: no DNS change; an operator must decide"),
        "health.standbyUnhealthy": escalateToOperator("failingOver", "escalate", "the standby became unhealthy during the failover: not moving traffic into it"),
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "failingOver", verdict: "alert", prefix: "observer impaired during failover" } }] },
        "operator.aborted": [
          { guard: "trafficOnStandby", target: "failedOver", actions: { type: "applyAbort", params: { state: "failingOver" } } },
          { guard: "primaryNotHealthy", target: "#pair.monitoring.suspect", actions: { type: "applyAbort", params: { state: "failingOver" } } },
          { target: "#pair.monitoring", actions: { type: "applyAbort", params: { state: "failingOver" } } },
        ],
      },
      states: {
        checkingBackup: {
          ...stepState("failingOver.checkingBackup"),
          invoke: { id: "checkBackup", src: "checkBackup", input: ({ context }) => checkBackupInput(context), onError: onActorError() },
          on: {
            "step.backupChecked": { actions: ["decideBackup", "thenRoute" as const] },
            ...failureHandling("checkingBackup", [
              routeTo(["takeFreshBackup"], "takingFreshBackup"),
              routeTo(["standbyHoldsIt"], "verifyingStandby"),
              routeTo(["restore"], "restoring"),
              routeTo(["refuse"], "#pair.monitoring.suspect"),
              routeTo(["askOperator"], "#pair.awaitingOperator"),
            ]),
          },
        },
        takingFreshBackup: {
          ...stepState("failingOver.takingFreshBackup"),
          invoke: { id: "takeBackup", src: "takeBackup", input: ({ context }) => takeBackupInput(context, "failingOver.takingFreshBackup", "primary"), onError: onActorError() },
          on: {
            ...operationHandling("takingFreshBackup"),
            "step.backupTaken": { target: "restoring", actions: { type: "backupTaken", params: { side: "primary" } } },
            ...failureHandling("takingFreshBackup"),
          },
        },
        restoring: {
          ...stepState("failingOver.restoring"),
          invoke: { id: "restoreBackup", src: "restoreBackup", input: ({ context }) => restoreInput(context, "failingOver.restoring", "standby"), onError: onActorError() },
          on: {
            ...operationHandling("restoring"),
            "step.restored": { target: "verifyingStandby", actions: { type: "restored", params: { side: "standby" } } },
            ...failureHandling("restoring"),
          },
        },
        verifyingStandby: {
          ...stepState("failingOver.verifyingStandby"),
          invoke: { id: "verifyGateway", src: "verifyGateway", input: ({ context }) => verifyGatewayInput(context, "failingOver.verifyingStandby", "standby"), onError: onActorError() },
          on: {
            "step.verified": { actions: [{ type: "verified", params: { side: "standby" } }, "thenRoute" as const] },
            ...failureHandling("verifyingStandby", [routeTo(["switch"], "switchingDns"), routeTo(["hold"], "#pair.awaitingOperator")]),
          },
        },
        switchingDns: {
          ...stepState("failingOver.switchingDns"),
          invoke: { id: "switchDns", src: "switchDns", input: ({ context }) => switchDnsInput(context, "failingOver.switchingDns", "standby"), onError: onActorError() },
          on: {
            "step.dnsSwitched": { target: "verifyingCutover", actions: { type: "dnsSwitched", params: { to: "standby" } } },
            "step.dnsConflict": { target: "#pair.awaitingOperator", actions: "dnsConflict" },
            ...failureHandling("switchingDns"),
          },
        },
        verifyingCutover: {
          ...stepState("failingOver.verifyingCutover"),
          invoke: { id: "verifyCutover", src: "verifyCutover", input: ({ context }) => verifyCutoverInput(context, "failingOver.verifyingCutover", "standby"), onError: onActorError() },
          on: {
            "step.verified": { target: "#pair.failedOver", actions: { type: "recordEventReason", params: { state: "failingOver.verifyingCutover", verdict: "failedOver", prefix: "cutover verified, the standby serves traffic" } } },
            ...failureHandling("verifyingCutover"),
          },
        },
      },
    },
    awaitingOperator: {
      on: {
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "awaitingOperator", verdict: "alert", prefix: "observer impaired" } }] },
        "operator.approved": [
          // Back to monitoring while the primary is not healthy: wait in suspect for a new verdict, not in healthy.
          { guard: "approvedBackToUnhealthyPrimary", target: "#pair.monitoring.suspect", actions: "applyApproval" },
          ...RESUME_POINTS.map((step) => ({ guard: { type: "pendingIs" as const, params: { step } }, target: `#pair.${step}`, actions: "applyApproval" as const })),
          { guard: "trafficOnStandby", target: "failedOver", actions: "applyApproval" },
          { target: "monitoring", actions: "applyApproval" },
        ],
        "operator.aborted": [
          { guard: "trafficOnStandby", target: "failedOver", actions: { type: "applyAbort", params: { state: "awaitingOperator" } } },
          { guard: "primaryNotHealthy", target: "#pair.monitoring.suspect", actions: { type: "applyAbort", params: { state: "awaitingOperator" } } },
          { target: "#pair.monitoring", actions: { type: "applyAbort", params: { state: "awaitingOperator" } } },
        ],
      },
    },
    failedOver: {
      tags: ["backupsAllowed"],
      on: {
        "operator.failbackRequested": { actions: [{ type: "decideFailback", params: { state: "failedOver" } }, "thenRoute" as const] },
        decided: routeTo(["failback"], "failingBack"),
        "operator.failoverRequested": { actions: { type: "record", params: { state: "failedOver", verdict: "refuse", reason: "already failed over: the standby serves traffic" } } },
        "health.bothUnhealthy": { target: "awaitingOperator", actions: ["recordHealth", { type: "escalate", params: { state: "failedOver", verdict: "escalate", reason: "both regions are unhealthy while failed over: no DNS change; an operator must decide", resume: "failedOver" } }] },
        "health.standbyUnhealthy": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "failedOver", verdict: "alert", prefix: "the active standby is unhealthy (no automatic failback)" } }] },
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "failedOver", verdict: "alert", prefix: "observer impaired" } }] },
        "operator.paused": { target: "paused", actions: [{ type: "setPausedFrom", params: { from: "failedOver" } }, { type: "recordEventReason", params: { state: "failedOver", verdict: "paused", prefix: "operator paused the pair" } }] },
      },
    },
    failingBack: {
      tags: ["busy"],
      initial: "checkingPrimary",
      on: {
        "health.bothUnhealthy": escalateToOperator("failingBack", "escalate", "both regions became unhealthy during the failback: no DNS change; an operator must decide"),
        "health.primaryUnhealthy": escalateToOperator("failingBack", "escalate", "the primary became unhealthy during the failback"),
        "health.observerImpaired": { actions: ["recordHealth", { type: "recordEventReason", params: { state: "failingBack", verdict: "alert", prefix: "observer impaired during failback" } }] },
        "operator.aborted": [
          { guard: "trafficOnStandby", target: "failedOver", actions: { type: "applyAbort", params: { state: "failingBack" } } },
          { guard: "primaryNotHealthy", target: "#pair.monitoring.suspect", actions: { type: "applyAbort", params: { state: "failingBack" } } },
          { target: "#pair.monitoring", actions: { type: "applyAbort", params: { state: "failingBack" } } },
        ],
      },
      states: {
        checkingPrimary: {
          ...stepState("failingBack.checkingPrimary"),
          invoke: { id: "checkPrimary", src: "checkPrimary", input: ({ context }) => checkPrimaryInput(context), onError: onActorError() },
          on: {
            "step.primaryChecked": { actions: ["decidePrimaryReadiness", "thenRoute" as const] },
            ...failureHandling("checkingPrimary", [routeTo(["proceed"], "backingUpActive"), routeTo(["askOperator"], "#pair.awaitingOperator")]),
          },
        },
        backingUpActive: {
          ...stepState("failingBack.backingUpActive"),
          invoke: { id: "takeBackup", src: "takeBackup", input: ({ context }) => takeBackupInput(context, "failingBack.backingUpActive", "standby"), onError: onActorError() },
          on: {
            ...operationHandling("backingUpActive"),
            "step.backupTaken": { target: "restoringPrimary", actions: { type: "backupTaken", params: { side: "standby" } } },
            ...failureHandling("backingUpActive"),
          },
        },
        restoringPrimary: {
          ...stepState("failingBack.restoringPrimary"),
          invoke: { id: "restoreBackup", src: "restoreBackup", input: ({ context }) => restoreInput(context, "failingBack.restoringPrimary", "primary"), onError: onActorError() },
          on: {
            ...operationHandling("restoringPrimary"),
            "step.restored": { target: "verifyingPrimary", actions: { type: "restored", params: { side: "primary" } } },
            ...failureHandling("restoringPrimary"),
          },
        },
        verifyingPrimary: {
          ...stepState("failingBack.verifyingPrimary"),
          invoke: { id: "verifyGateway", src: "verifyGateway", input: ({ context }) => verifyGatewayInput(context, "failingBack.verifyingPrimary", "primary"), onError: onActorError() },
          on: {
            "step.verified": { actions: [{ type: "verified", params: { side: "primary" } }, "thenRoute" as const] },
            ...failureHandling("verifyingPrimary", [routeTo(["switch"], "switchingDnsBack"), routeTo(["hold"], "#pair.awaitingOperator")]),
          },
        },
        switchingDnsBack: {
          ...stepState("failingBack.switchingDnsBack"),
          invoke: { id: "switchDns", src: "switchDns", input: ({ context }) => switchDnsInput(context, "failingBack.switchingDnsBack", "primary"), onError: onActorError() },
          on: {
            "step.dnsSwitched": { target: "verifyingCutover", actions: { type: "dnsSwitched", params: { to: "primary" } } },
            "step.dnsConflict": { target: "#pair.awaitingOperator", actions: "dnsConflict" },
            ...failureHandling("switchingDnsBack"),
          },
        },
        verifyingCutover: {
          ...stepState("failingBack.verifyingCutover"),
          invoke: { id: "verifyCutover", src: "verifyCutover", input: ({ context }) => verifyCutoverInput(context, "failingBack.verifyingCutover", "primary"), onError: onActorError() },
          on: {
            "step.verified": { target: "#pair.monitoring", actions: { type: "recordEventReason", params: { state: "failingBack.verifyingCutover", verdict: "failedBack", prefix: "failback verified, the primary serves traffic" } } },
            ...failureHandling("verifyingCutover"),
          },
        },
      },
    },
  },
});

export type FailoverMachine = typeof failoverMachine;
