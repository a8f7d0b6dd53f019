import type { BackupRecord } from "../ports/backups.js";

export type { RegionRole } from "../ports/region.js";
import type { RegionRole } from "../ports/region.js";

export interface RegionSettings {
  /** ARM resource id of the APIM service. */
  serviceId: string;
  region: string;
  /** Gateway base URL; when absent the step actors read it from the service. */
  gatewayUrl?: string;
}

/** How APIM reaches the backup storage. Only a reference to the access key is kept: the key is resolved at call time. */
export type BackupAccess =
  | { type: "AccessKey"; accessKeyRef: string }
  | { type: "SystemAssignedManagedIdentity" }
  | { type: "UserAssignedManagedIdentity"; clientId: string };

export type PolicyMode = "automatic" | "approval" | "observe";
export type RpoBreachPolicy = "awaitApproval" | "failoverWithStaleBackup" | "refuse";

export interface PairSettings {
  name: string;
  primary: RegionSettings;
  standby: RegionSettings;
  customHostname: string;
  dns: {
    zoneId: string;
    recordName: string;
    ttl: number;
    /** CNAME value pointing at the primary region's gateway host. */
    primaryTarget: string;
    /** CNAME value pointing at the standby region's gateway host. */
    standbyTarget: string;
  };
  objectives: { rpoMs: number; rtoMs: number };
  policy: {
    mode: PolicyMode;
    /** Defaults to `awaitApproval`. */
    onRpoBreach?: RpoBreachPolicy;
    brakeWindowMs: number;
    maxStepAttempts: number;
    failbackHealthyWindowMs: number;
  };
  backup: { storageAccount: string; containerName: string; access: BackupAccess };
}

export type HealthVerdict = "unknown" | "healthy" | "suspect" | "unhealthy";

export interface RegionHealth {
  verdict: HealthVerdict;
  reason: string;
  /** When the current verdict started (ms since epoch); null before the first signal. */
  since: number | null;
}

export interface Decision {
  verdict: string;
  reason: string;
}

export interface RecordedDecision extends Decision {
  /** 1, 2, 3… per pair: tells new decisions from ones already recorded, also in a snapshot read back from storage. */
  n?: number;
  at: number;
  /** The state in which the decision was taken, e.g. `failingOver.checkingBackup`. */
  state: string;
}

export type FailoverStep =
  | "failingOver.checkingBackup"
  | "failingOver.takingFreshBackup"
  | "failingOver.restoring"
  | "failingOver.verifyingStandby"
  | "failingOver.switchingDns"
  | "failingOver.verifyingCutover";

export type FailbackStep =
  | "failingBack.checkingPrimary"
  | "failingBack.backingUpActive"
  | "failingBack.restoringPrimary"
  | "failingBack.verifyingPrimary"
  | "failingBack.switchingDnsBack"
  | "failingBack.verifyingCutover";

export type StepName = FailoverStep | FailbackStep;

/** Where `operator.approved` continues from awaitingOperator. */
export type ResumePoint = "monitoring" | "failedOver" | "failingOver" | StepName;

export interface InFlightOperation {
  step: StepName;
  kind: "backup" | "restore";
  serviceId: string;
  backupName: string;
  /** The adapter's opaque token: persisted so a restarted controller polls the same operation, never parsed. */
  resumeToken: string;
  /** The ARM operation's id or polling URL, for the audit trail. */
  operationId?: string;
  startedAt: number;
}

export interface PendingApproval {
  step: ResumePoint;
  reason: string;
  /** now − takenAt of the backup that would be restored, when approving means accepting data loss. */
  dataLossWindowMs?: number;
}

/** What checkingBackup observed. */
export interface BackupFacts {
  /** Newest usable backup of the active instance (see newestBackupOf), or null when there is none. */
  latest: BackupRecord | null;
  /** Blobs in the container whose source cannot be established: never restored without an operator. */
  unverified: string[];
  standbySku: string;
  /** Whether the primary's management plane answered (a fresh backup is possible). */
  primaryAnswers: boolean;
  primaryDetail: string;
}

/** What checkingPrimary observed before a failback. */
export interface PrimaryFacts {
  primarySku: string;
  standbySku: string;
  primaryProvisioningState: string;
}

export interface PairContext {
  pair: PairSettings & { policy: PairSettings["policy"] & { onRpoBreach: RpoBreachPolicy } };
  health: {
    primary: RegionHealth;
    standby: RegionHealth;
    observer: { impaired: boolean; reason: string; since: number | null };
  };
  lastDecision: RecordedDecision | null;
  /** Most recent decisions, newest last, bounded by DECISION_HISTORY_LIMIT. */
  decisions: RecordedDecision[];
  /**
   * The backup restored into the active instance by the cutover that made it active: the instance's state
   * until it is backed up itself (null: none, e.g. a DNS-only cutover or the first start).
   */
  activeBaseline: BackupRecord | null;
  /** Times of configuration changes of the active instance that are in no backup yet (persisted: a restart keeps them). */
  unbackedChanges: number[];
  /** How the running failover was started: a planned one backs the primary up first. */
  failoverTrigger: "automatic" | "operator" | "planned" | null;
  /** Backup the current failover (or failback) restores. */
  chosenBackup: BackupRecord | null;
  /** Backup name the standby currently holds. */
  standbyHolds: string | null;
  /** Name of the backup the current step creates (fixed when the step starts, so a restart reuses it). */
  pendingBackupName: string | null;
  operation: InFlightOperation | null;
  currentStep: StepName | null;
  attempts: Partial<Record<StepName, number>>;
  /** Absolute deadline before which the current step must not run (retry backoff); survives restarts. */
  retryAt: number | null;
  /** When each side last passed gateway verification during the current failover / failback. */
  verifiedAt: { standby: number | null; primary: number | null };
  /** When automatic failovers moved traffic (DNS switched to the standby), within the brake window. */
  automaticFailovers: number[];
  /** Region the custom hostname's CNAME points at. */
  activeRegion: RegionRole;
  pendingApproval: PendingApproval | null;
  /** Where operator.resumed returns to. */
  pausedFrom: "monitoring" | "failedOver" | null;
  /**
   * When an operator's abort (or approving "no action") left the primary unhealthy: no automatic failover until the
   * primary is seen healthy again or an operator requests one (a snapshot from before this field reads as none).
   */
  heldUntilPrimaryHealthy?: number | null;
  /**
   * The verdict of the decision just taken, which the machine routes on: each decision is computed once, by the
   * action that records it, and the transition that follows (on `decided`) only reads this.
   */
  route: string | null;
}

interface Stamped {
  /** ms since epoch, stamped by the runtime from the Clock. */
  at: number;
}

// Health events are the contract with src/health, kept in a neutral module both import.
export type { HealthEvent, HealthEventType } from "../ports/health-events.js";
import type { HealthEvent } from "../ports/health-events.js";

interface OperatorFields extends Stamped {
  actor?: string;
  reason?: string;
}

export type OperatorEvent =
  | ({ type: "operator.failoverRequested"; planned: boolean } & OperatorFields)
  | ({ type: "operator.failbackRequested" } & OperatorFields)
  | ({ type: "operator.approved" } & OperatorFields)
  | ({ type: "operator.aborted" } & OperatorFields)
  | ({ type: "operator.paused" } & OperatorFields)
  | ({ type: "operator.resumed" } & OperatorFields);

export type InventoryEvent =
  /** A configuration change of `serviceId` (counted only when it is the active instance). */
  | ({ type: "backup.changeNoted"; serviceId: string } & Stamped)
  /** A backup of `backup.sourceServiceId` finished; changes noted before `startedAt` are in it. */
  | ({ type: "backup.completed"; backup: BackupRecord; startedAt: number } & Stamped)
  | ({ type: "standby.restored"; backupName: string } & Stamped);

/** Sent back by step actors (src/runtime/steps). */
export type StepEvent =
  | ({ type: "step.operationStarted"; step: StepName; operation: InFlightOperation } & Stamped)
  /** The step cannot start its operation yet (e.g. another one runs on the service); reported once per wait. */
  | ({ type: "step.waiting"; step: StepName; reason: string } & Stamped)
  | ({ type: "step.backupChecked"; step: StepName; facts: BackupFacts } & Stamped)
  | ({ type: "step.primaryChecked"; step: StepName; facts: PrimaryFacts } & Stamped)
  | ({ type: "step.backupTaken"; step: StepName; backup: BackupRecord } & Stamped)
  | ({ type: "step.restored"; step: StepName; backupName: string } & Stamped)
  | ({ type: "step.verified"; step: StepName; detail: string } & Stamped)
  | ({ type: "step.dnsSwitched"; step: StepName; wrote: boolean; cname: string } & Stamped)
  | ({ type: "step.dnsConflict"; step: StepName; reason: string } & Stamped)
  | ({ type: "step.failed"; step: StepName; error: string; retryable: boolean } & Stamped);

/** Raised by the machine itself right after it took a decision: the transitions on it route on `context.route`. */
export type RoutingEvent = { type: "decided" } & Stamped;

export type PairEvent = HealthEvent | OperatorEvent | InventoryEvent | StepEvent | RoutingEvent;

/** An event before the runtime stamps `at` on it. */
export type UnstampedEvent = PairEvent extends infer E ? (E extends PairEvent ? Omit<E, "at"> & { at?: number } : never) : never;
