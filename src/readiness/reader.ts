import type { EffectiveConfig, EffectivePair } from "../config/index.js";
import type { ApimPort } from "../ports/apim.js";
import type { BackupStorePort } from "../ports/backups.js";
import type { DnsPort } from "../ports/dns.js";
import { describeError } from "../ports/errors.js";
import type { BlobServicePropertiesPort, RoleAssignmentPort, StorageAccountPort } from "../ports/readiness.js";
import type { ApimFacts, Read, ReadinessFacts } from "./types.js";
import type { RegionRole } from "../ports/region.js";

/** The ports the readiness reader reads through: all cheap GETs, nothing changes. */
export interface ReadinessPorts {
  apim: ApimPort;
  dns: DnsPort;
  storageAccounts: StorageAccountPort;
  roleAssignments: RoleAssignmentPort;
  /** The backup account's blob service properties (CORS), per pair. */
  blobServiceFor(pair: EffectivePair): BlobServicePropertiesPort;
  backupStoreFor(pair: EffectivePair): BackupStorePort;
}

/** What only the running controller knows; the CLI passes none. */
export interface ControllerKnowledge {
  active: RegionRole;
  signals: { since: number; heard: Record<string, number | null> };
  expectedRestore: { ms: number; source: string };
}

async function read<T>(fn: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

/** Reads everything the checks of one pair judge, in parallel; a failed read becomes that fact's error. */
export async function readFacts(
  config: Pick<EffectiveConfig, "readiness" | "stateStore"> & Partial<Pick<EffectiveConfig, "coordination">>,
  pair: EffectivePair,
  ports: ReadinessPorts,
  now: number,
  known?: ControllerKnowledge,
  signal?: AbortSignal,
): Promise<ReadinessFacts> {
  const apimFacts = (serviceId: string): Promise<Read<ApimFacts>> =>
    read(async () => {
      const service = await ports.apim.getService(serviceId, signal);
      const [workspaces, loggers, diagnostics] = await Promise.all([
        read(async () => (ports.apim.listWorkspaces ? ports.apim.listWorkspaces(serviceId, signal) : [])),
        read(async () => (ports.apim.listLoggers ? ports.apim.listLoggers(serviceId, signal) : [])),
        read(async () => (ports.apim.listDiagnostics ? ports.apim.listDiagnostics(serviceId, signal) : [])),
      ]);
      return { service, workspaces, loggers, diagnostics };
    });
  const accountId = pair.backup.storageAccountId;
  const store = config.stateStore;
  const [primary, standby, backupAccount, stateAccount, cors, dns, backups] = await Promise.all([
    apimFacts(pair.primary.serviceId),
    apimFacts(pair.standby.serviceId),
    accountId ? read(() => ports.storageAccounts.getAccount(accountId, signal)) : Promise.resolve(null),
    store.type === "file" ? Promise.resolve("file" as const) : store.accountId ? read(() => ports.storageAccounts.getAccount(store.accountId!, signal)) : Promise.resolve(null),
    read(() => ports.blobServiceFor(pair).corsRules(signal)),
    read(() => ports.dns.getCname(pair.dns.zoneId, pair.dns.recordName, signal)),
    read(() => ports.backupStoreFor(pair).list(pair.backup.container, signal)),
  ]);
  const roles = await readRoles(pair, ports, primary, standby, signal);
  const lease = config.coordination?.leaseStore;
  const leaseAccount = lease ? (lease.accountId ? await read(() => ports.storageAccounts.getAccount(lease.accountId!, signal)) : null) : undefined;
  return {
    pair,
    settings: config.readiness,
    now,
    primary,
    standby,
    backupAccount,
    stateAccount,
    ...(leaseAccount !== undefined ? { leaseAccount } : {}),
    roles,
    cors,
    dns,
    active: known?.active ?? null,
    backups,
    expectedRestore: known?.expectedRestore ?? { ms: config.readiness.expectedRestoreMinutes * 60_000, source: "the configured default, readiness.expectedRestoreMinutes" },
    signals: known?.signals ?? null,
  };
}

/** The identity APIM uses for storage: the system-assigned principal, or the configured user-assigned one. */
async function readRoles(pair: EffectivePair, ports: ReadinessPorts, primary: Read<ApimFacts>, standby: Read<ApimFacts>, signal?: AbortSignal): Promise<ReadinessFacts["roles"]> {
  const access = pair.backup.access;
  const scope = pair.backup.storageAccountId;
  if (access.type === "accessKey" || !scope || !primary.ok || !standby.ok) return null;
  const principal = (facts: ApimFacts): string | null => {
    const identity = facts.service.identity;
    if (!identity) return null;
    if (access.type === "systemAssignedManagedIdentity") return identity.principalId ?? null;
    const index = identity.userAssignedClientIds.findIndex((c) => c.toLowerCase() === access.clientId.toLowerCase());
    return index >= 0 ? (identity.userAssignedPrincipalIds?.[index] ?? null) : null;
  };
  const rolesOf = (facts: ApimFacts) => {
    const id = principal(facts);
    // No identity to look up: the identity check says so; this one cannot judge.
    if (!id) return Promise.resolve<Read<never[]>>({ ok: false, error: `${facts.service.name} has no identity of the configured kind (see the identity check)` });
    return read(() => ports.roleAssignments.listForPrincipal(scope, id, signal));
  };
  const [p, s] = await Promise.all([rolesOf(primary.value), rolesOf(standby.value)]);
  return { primary: p, standby: s };
}
