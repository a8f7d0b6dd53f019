import type { EffectivePair, ReadinessConfig } from "../config/index.js";
import type { ApimService } from "../ports/apim.js";
import type { BackupRecord } from "../ports/backups.js";
import type { CnameRecordSet } from "../ports/dns.js";
import type { CorsRuleFacts, RoleAssignmentFacts, StorageAccountFacts } from "../ports/readiness.js";
import type { RegionRole } from "../ports/region.js";

export const CHECK_NAMES = [
  "tier",
  "standby",
  "hostname",
  "identity",
  "role",
  "storage-cors",
  "storage-network",
  "storage-redundancy",
  "placement",
  "dns",
  "backup",
  "drift",
  "signals",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type ReadinessStatus = "READY" | "NOT READY" | "UNKNOWN";

export interface CheckResult {
  check: CheckName;
  status: ReadinessStatus;
  /** The values read, in words. */
  evidence: string;
  /** How to make it READY (NOT READY and UNKNOWN only). */
  fix?: string;
}

/** A value read from Azure, or why it could not be read (the check then answers UNKNOWN). */
export type Read<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ApimFacts {
  service: ApimService;
  workspaces: Read<string[]>;
  loggers: Read<{ name: string; loggerType: string }[]>;
  diagnostics: Read<{ name: string; logger: string }[]>;
}

/** Everything the checks judge, gathered by the reader; the checks themselves do no I/O. */
export interface ReadinessFacts {
  pair: EffectivePair;
  settings: ReadinessConfig;
  now: number;
  primary: Read<ApimFacts>;
  standby: Read<ApimFacts>;
  /** null: backup.storageAccountId is not configured. */
  backupAccount: Read<StorageAccountFacts> | null;
  /** `file`: a file state store (on the controller's own disk); null: stateStore.accountId is not configured. */
  stateAccount: Read<StorageAccountFacts> | null | "file";
  /** With several replicas (coordination): the lease account; null: coordination.leaseStore.accountId is not configured; absent: one replica. */
  leaseAccount?: Read<StorageAccountFacts> | null;
  /** Per side, the role assignments of its identity on the backup account; null when no managed identity is used or no account id is known. */
  roles: { primary: Read<RoleAssignmentFacts[]>; standby: Read<RoleAssignmentFacts[]> } | null;
  cors: Read<CorsRuleFacts[]>;
  dns: Read<CnameRecordSet | null>;
  /** The side the controller believes serves traffic; null when it does not know (apim-dr check): then the CNAME's target decides. */
  active: RegionRole | null;
  backups: Read<BackupRecord[]>;
  /** Expected restore time and where the figure comes from. */
  expectedRestore: { ms: number; source: string };
  /** When each configured signal source was last heard from (ms since epoch, null: never since `since`); null outside the daemon. */
  signals: { since: number; heard: Record<string, number | null> } | null;
}
