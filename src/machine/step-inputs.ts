import { activeServiceId } from "./context.js";
import type { BackupAccess, InFlightOperation, PairContext, StepName } from "./types.js";

/** Inputs of the step actors: plain data only, because they are persisted with the snapshot. */
interface StepBase {
  step: StepName;
  /** Absolute deadline (ms since epoch) before which the step must not act: retry backoff that survives a restart. */
  notBefore: number | null;
}

export interface CheckBackupInput extends StepBase {
  containerName: string;
  /** The instance serving traffic: its newest backup is the one to restore. */
  activeServiceId: string;
  /** The backup restored into it by the cutover that made it active (see PairContext.activeBaseline). */
  baselineName: string | null;
  primaryServiceId: string;
  standbyServiceId: string;
  /**
   * A newest backup at most this old (the RPO) decides the failover whatever the primary's management plane
   * says, so it is not asked (a dead region's ARM may hang for its whole timeout). Null: always ask
   * (a planned failover, or changes that are in no backup, may need a fresh backup). Missing in older snapshots: ask.
   */
  primaryIrrelevantWithinMs?: number | null;
}

export interface CheckPrimaryInput extends StepBase {
  primaryServiceId: string;
  standbyServiceId: string;
}

export interface OperationInput extends StepBase {
  serviceId: string;
  location: { storageAccount: string; containerName: string; backupName: string; access: BackupAccess };
  /** The operation this step already started (resume its poller instead of starting another). */
  operation: InFlightOperation | null;
}

export interface VerifyGatewayInput extends StepBase {
  serviceId: string;
  gatewayUrl: string | null;
  hostname: string;
}

export interface SwitchDnsInput extends StepBase {
  zoneId: string;
  recordName: string;
  ttl: number;
  /** Where the CNAME must point now; anything else is a change behind our back. */
  expected: string;
  target: string;
}

export interface VerifyCutoverInput extends VerifyGatewayInput {
  zoneId: string;
  recordName: string;
  expected: string;
}

function base(ctx: PairContext, step: StepName): StepBase {
  return { step, notBefore: ctx.retryAt };
}

function operationFor(ctx: PairContext, step: StepName): InFlightOperation | null {
  return ctx.operation?.step === step ? ctx.operation : null;
}

function location(ctx: PairContext, backupName: string): OperationInput["location"] {
  const { storageAccount, containerName, access } = ctx.pair.backup;
  return { storageAccount, containerName, backupName, access };
}

export function checkBackupInput(ctx: PairContext): CheckBackupInput {
  return {
    ...base(ctx, "failingOver.checkingBackup"),
    containerName: ctx.pair.backup.containerName,
    activeServiceId: activeServiceId(ctx),
    baselineName: ctx.activeBaseline?.name ?? null,
    primaryServiceId: ctx.pair.primary.serviceId,
    standbyServiceId: ctx.pair.standby.serviceId,
    primaryIrrelevantWithinMs: ctx.failoverTrigger === "planned" || ctx.unbackedChanges.length > 0 ? null : ctx.pair.objectives.rpoMs,
  };
}

export function checkPrimaryInput(ctx: PairContext): CheckPrimaryInput {
  return { ...base(ctx, "failingBack.checkingPrimary"), primaryServiceId: ctx.pair.primary.serviceId, standbyServiceId: ctx.pair.standby.serviceId };
}

/** Backup of `side` into the blob named when the step started. */
export function takeBackupInput(ctx: PairContext, step: StepName, side: "primary" | "standby"): OperationInput {
  return { ...base(ctx, step), serviceId: ctx.pair[side].serviceId, location: location(ctx, ctx.pendingBackupName ?? ""), operation: operationFor(ctx, step) };
}

/** Restore of the chosen backup into `side`. */
export function restoreInput(ctx: PairContext, step: StepName, side: "primary" | "standby"): OperationInput {
  return { ...base(ctx, step), serviceId: ctx.pair[side].serviceId, location: location(ctx, ctx.chosenBackup?.name ?? ""), operation: operationFor(ctx, step) };
}

export function verifyGatewayInput(ctx: PairContext, step: StepName, side: "primary" | "standby"): VerifyGatewayInput {
  return { ...base(ctx, step), serviceId: ctx.pair[side].serviceId, gatewayUrl: ctx.pair[side].gatewayUrl ?? null, hostname: ctx.pair.customHostname };
}

export function switchDnsInput(ctx: PairContext, step: StepName, toward: "primary" | "standby"): SwitchDnsInput {
  const { zoneId, recordName, ttl, primaryTarget, standbyTarget } = ctx.pair.dns;
  return toward === "standby"
    ? { ...base(ctx, step), zoneId, recordName, ttl, expected: primaryTarget, target: standbyTarget }
    : { ...base(ctx, step), zoneId, recordName, ttl, expected: standbyTarget, target: primaryTarget };
}

export function verifyCutoverInput(ctx: PairContext, step: StepName, side: "primary" | "standby"): VerifyCutoverInput {
  const { zoneId, recordName } = ctx.pair.dns;
  const expected = side === "standby" ? ctx.pair.dns.standbyTarget : ctx.pair.dns.primaryTarget;
  return { ...verifyGatewayInput(ctx, step, side), zoneId, recordName, expected };
}
