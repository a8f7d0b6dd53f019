import { BUILT_IN_ROLE_IDS } from "../config/roles.js";
import { ageOf, isBackupOf } from "../backup/latest-backup.js";
import type { ApimHostname } from "../ports/apim.js";
import type { ApimFacts, CheckName, CheckResult, ReadinessFacts } from "./types.js";
import type { RegionRole } from "../ports/region.js";

// One pure function per check: facts in, verdict with its evidence out. A value that could not be
// read makes the check UNKNOWN (never READY): not knowing is not the same as fine.

const DAY_MS = 86_400_000;
/** Backup and restore do not exist on the v2 tiers (nor on Consumption). */
const NO_BACKUP_TIERS = ["BasicV2", "StandardV2", "PremiumV2", "Consumption"];
/** Redundancy that keeps a copy outside the account's own region. */
const GEO_REDUNDANT = /GRS|GZRS/i;

const ready = (check: CheckName, evidence: string): CheckResult => ({ check, status: "READY", evidence });
const notReady = (check: CheckName, evidence: string, fix: string): CheckResult => ({ check, status: "NOT READY", evidence, fix });
const unknown = (check: CheckName, evidence: string, fix: string): CheckResult => ({ check, status: "UNKNOWN", evidence, fix });

/** Both sides read, or the UNKNOWN result that says which could not be. */
function bothSides(check: CheckName, f: ReadinessFacts): { primary: ApimFacts; standby: ApimFacts } | CheckResult {
  const failed = (["primary", "standby"] as const).filter((s) => !f[s].ok);
  if (failed.length) {
    const why = failed.map((s) => `${f.pair[s].name}: ${(f[s] as { error: string }).error}`).join("; ");
    return unknown(check, `could not read ${why}`, "give the controller's identity Reader (or API Management Service Contributor) on both services and retry");
  }
  return { primary: (f.primary as { value: ApimFacts }).value, standby: (f.standby as { value: ApimFacts }).value };
}
const isResult = (x: unknown): x is CheckResult => typeof x === "object" && x !== null && "status" in x;

export function checkTier(f: ReadinessFacts): CheckResult {
  const sides = bothSides("tier", f);
  if (isResult(sides)) return sides;
  const p = sides.primary.service;
  const s = sides.standby.service;
  const evidence = `${p.name} ${p.skuName} ×${p.skuCapacity}, ${s.name} ${s.skuName} ×${s.skuCapacity}`;
  const v2 = [p, s].filter((x) => NO_BACKUP_TIERS.includes(x.skuName));
  if (v2.length) return notReady("tier", `${evidence}; ${v2.map((x) => `${x.name} is ${x.skuName}`).join(", ")}: no backup/restore on that tier`, "run both instances on Developer, Basic, Standard or Premium: the v2 tiers have no backup and restore");
  if (p.skuName !== s.skuName) return notReady("tier", `${evidence}: the SKUs differ, and restore needs the backed-up service's SKU`, `change ${s.name} to ${p.skuName} (or ${p.name} to ${s.skuName}) so both run the same tier`);
  const withWorkspaces: string[] = [];
  for (const side of [sides.primary, sides.standby]) {
    if (!side.workspaces.ok) return unknown("tier", `${evidence}; workspaces of ${side.service.name}: ${side.workspaces.error}`, "give the controller's identity read access to the services");
    if (side.workspaces.value.length) withWorkspaces.push(`${side.service.name} has workspace(s) ${side.workspaces.value.join(", ")}`);
  }
  if (withWorkspaces.length) return notReady("tier", `${evidence}; ${withWorkspaces.join("; ")}`, "remove the workspaces: an instance with workspaces cannot be backed up or restored");
  return ready("tier", `${evidence}; no workspaces`);
}

export function checkStandby(f: ReadinessFacts): CheckResult {
  if (!f.standby.ok) return unknown("standby", `could not read ${f.pair.standby.name}: ${f.standby.error}`, "give the controller's identity read access to the standby and retry");
  const state = f.standby.value.service.provisioningState;
  if (state === "Succeeded") return ready("standby", `${f.pair.standby.name} provisioning state Succeeded`);
  return notReady("standby", `${f.pair.standby.name} provisioning state ${state}`, state === "Updating" || state === "Activating" ? "wait for the running management operation to finish (a restore would get 409 meanwhile)" : `repair ${f.pair.standby.name} (provisioning state ${state}) before it is needed`);
}

function customProxy(hostnames: ApimHostname[], host: string): ApimHostname | undefined {
  return hostnames.find((h) => h.type === "Proxy" && h.hostName.toLowerCase() === host.toLowerCase());
}

/** A Key Vault secret id without its version: `https://kv.vault.azure.net/secrets/name[/version]`. */
export function versionlessSecret(id: string): string {
  const m = /^(https:\/\/[^/]+\/secrets\/[^/]+)(\/[^/]*)?\/?$/i.exec(id.trim());
  return (m ? m[1]! : id).toLowerCase();
}

export function checkHostname(f: ReadinessFacts): CheckResult {
  const sides = bothSides("hostname", f);
  if (isResult(sides)) return sides;
  const host = f.pair.customHostname;
  const found = [sides.primary, sides.standby].map((s) => ({ name: s.service.name, h: customProxy(s.service.hostnames, host) }));
  const missing = found.filter((x) => !x.h);
  if (missing.length) {
    return notReady("hostname", `${host} is not a Proxy hostname on ${missing.map((m) => m.name).join(" and ")}`, `add ${host} as a custom Proxy hostname with the same certificate on ${missing.map((m) => m.name).join(" and ")}: restore does not change hostnames`);
  }
  const describe = (x: { name: string; h?: ApimHostname }) =>
    `${x.name}: ${x.h!.keyVaultId ? `Key Vault ${x.h!.keyVaultId}` : "uploaded"}, thumbprint ${x.h!.certificateThumbprint ?? "?"}, expires ${x.h!.certificateExpiry ?? "?"}`;
  const evidence = found.map(describe).join("; ");
  const [a, b] = found.map((x) => x.h!) as [ApimHostname, ApimHostname];
  const sameVault = a.keyVaultId && b.keyVaultId && versionlessSecret(a.keyVaultId) === versionlessSecret(b.keyVaultId);
  const sameThumbprint = a.certificateThumbprint && b.certificateThumbprint && a.certificateThumbprint.toUpperCase() === b.certificateThumbprint.toUpperCase();
  if (!sameVault && !sameThumbprint) {
    return notReady("hostname", `${evidence}: the certificates differ`, `bind the same certificate to ${host} on both instances (the same versionless Key Vault secret, or the same thumbprint)`);
  }
  const limit = f.now + f.settings.certificateExpiryDays * DAY_MS;
  const expiring = found.filter((x) => x.h!.certificateExpiry && Date.parse(x.h!.certificateExpiry) < limit);
  if (expiring.length) {
    const days = (x: (typeof found)[number]) => Math.round((Date.parse(x.h!.certificateExpiry!) - f.now) / DAY_MS);
    return notReady("hostname", `${evidence}: ${expiring.map((x) => `${x.name}'s certificate expires in ${days(x)} day(s)`).join(", ")} (limit ${f.settings.certificateExpiryDays} days)`, `renew the certificate for ${host} on ${expiring.map((x) => x.name).join(" and ")} (with a versionless Key Vault secret APIM picks up the new version itself)`);
  }
  return ready("hostname", evidence);
}

export function checkIdentity(f: ReadinessFacts): CheckResult {
  const access = f.pair.backup.access;
  if (access.type === "accessKey") return ready("identity", "backup access is an access key: no managed identity is used");
  const sides = bothSides("identity", f);
  if (isResult(sides)) return sides;
  const problems: string[] = [];
  const evidence: string[] = [];
  for (const side of [sides.primary.service, sides.standby.service]) {
    const identity = side.identity;
    evidence.push(`${side.name}: ${identity ? `${identity.type}${identity.userAssignedClientIds.length ? ` (client ids ${identity.userAssignedClientIds.join(", ")})` : ""}` : "no identity"}`);
    if (access.type === "systemAssignedManagedIdentity" && !(identity?.type.includes("SystemAssigned") && identity.principalId)) problems.push(`${side.name} has no system-assigned identity`);
    if (access.type === "userAssignedManagedIdentity" && !identity?.userAssignedClientIds.some((c) => c.toLowerCase() === access.clientId.toLowerCase())) {
      problems.push(`${side.name} does not carry the user-assigned identity ${access.clientId}`);
    }
  }
  if (problems.length) {
    const fix = access.type === "systemAssignedManagedIdentity" ? "turn on the system-assigned identity of both instances (a backup does not carry it)" : `attach the user-assigned identity ${access.clientId} to both instances`;
    return notReady("identity", `${evidence.join("; ")}: ${problems.join("; ")}`, fix);
  }
  return ready("identity", evidence.join("; "));
}

export function checkRole(f: ReadinessFacts): CheckResult {
  const access = f.pair.backup.access;
  if (access.type === "accessKey") return ready("role", "backup access is an access key: no role assignment is used");
  if (!f.pair.backup.storageAccountId) return unknown("role", "backup.storageAccountId is not configured", "set pairs[].backup.storageAccountId to the backup account's ARM id");
  if (!f.roles) return unknown("role", "the instances' identities could not be read", "fix the identity check first");
  const wanted = BUILT_IN_ROLE_IDS.storageBlobDataContributor;
  const evidence: string[] = [];
  const missing: string[] = [];
  for (const side of ["primary", "standby"] as const) {
    const read = f.roles[side];
    const name = f.pair[side].name;
    if (!read.ok) return unknown("role", `role assignments of ${name}: ${read.error}`, "give the controller's identity Reader on the backup account (it reads the role assignments there)");
    const has = read.value.some((a) => a.roleDefinitionId.toLowerCase().endsWith(`/${wanted}`));
    evidence.push(`${name}: ${read.value.length} assignment(s)${has ? ", Storage Blob Data Contributor" : ", no Storage Blob Data Contributor"}`);
    if (!has) missing.push(name);
  }
  if (missing.length) {
    return notReady("role", `${evidence.join("; ")} on ${f.pair.backup.storageAccount}`, `assign Storage Blob Data Contributor on ${f.pair.backup.storageAccount} to the identity of ${missing.join(" and ")}`);
  }
  return ready("role", `${evidence.join("; ")} on ${f.pair.backup.storageAccount}`);
}

export function checkStorageCors(f: ReadinessFacts): CheckResult {
  if (!f.cors.ok) return unknown("storage-cors", `blob service properties of ${f.pair.backup.storageAccount}: ${f.cors.error}`, "let the controller read the backup account's blob service properties");
  if (f.cors.value.length === 0) return ready("storage-cors", `no CORS rule on the blob service of ${f.pair.backup.storageAccount}`);
  const rules = f.cors.value.map((r) => `${r.allowedMethods} from ${r.allowedOrigins}`).join("; ");
  return notReady("storage-cors", `${f.cors.value.length} CORS rule(s) on the blob service of ${f.pair.backup.storageAccount}: ${rules}`, `remove every CORS rule from the blob service of ${f.pair.backup.storageAccount}: APIM backup and restore fail while CORS is on`);
}

function account(check: CheckName, f: ReadinessFacts) {
  if (!f.backupAccount) return unknown(check, "backup.storageAccountId is not configured", "set pairs[].backup.storageAccountId to the backup account's ARM id");
  if (!f.backupAccount.ok) return unknown(check, `storage account ${f.pair.backup.storageAccount}: ${f.backupAccount.error}`, "give the controller's identity Reader on the backup account");
  return f.backupAccount.value;
}

export function checkStorageNetwork(f: ReadinessFacts): CheckResult {
  const a = account("storage-network", f);
  if (isResult(a)) return a;
  const evidence = `public network access ${a.publicNetworkAccess ?? "Enabled"}, default action ${a.defaultAction}, bypass ${a.bypass}, allowed IPs ${a.ipRules.join(", ") || "none"}`;
  if (a.publicNetworkAccess === "Disabled") return notReady("storage-network", evidence, `enable public network access on ${a.name} restricted to selected networks: APIM's control plane reaches storage over it`);
  if (a.defaultAction !== "Deny") return ready("storage-network", evidence);
  if (f.pair.backup.access.type === "accessKey") {
    if (a.ipRules.length === 0) return notReady("storage-network", `${evidence}: with an access key the firewall must allow the APIM control-plane IPs`, `add the APIM control-plane IP addresses of both regions to the firewall of ${a.name}`);
    return ready("storage-network", `${evidence} (these must be the APIM control-plane IPs of both regions)`);
  }
  if (!/AzureServices/i.test(a.bypass)) {
    return notReady("storage-network", `${evidence}: with a managed identity the firewall must let trusted Azure services through`, `allow trusted Azure services on ${a.name} (networking → exceptions)`);
  }
  return ready("storage-network", evidence);
}

export function checkStorageRedundancy(f: ReadinessFacts): CheckResult {
  const a = account("storage-redundancy", f);
  if (isResult(a)) return a;
  const evidence = `${a.name}: ${a.skuName} in ${a.location}; primary in ${f.pair.primary.region}`;
  if (a.location === f.pair.primary.region && !GEO_REDUNDANT.test(a.skuName)) {
    return notReady("storage-redundancy", `${evidence}: the backups would be lost with the primary's region`, `keep the backups in another region than ${f.pair.primary.region}, or make ${a.name} geo-redundant (GZRS/GRS with read access)`);
  }
  return ready("storage-redundancy", evidence);
}

/** The controller's state store and, with several replicas, its lease store must outlive the primary's region. */
export function checkPlacement(f: ReadinessFacts): CheckResult {
  const primaryRegion = f.pair.primary.region;
  if (f.stateAccount === "file") return unknown("placement", "the state store is a directory on the controller's own disk: its region is the controller's", `run the controller outside ${primaryRegion}, or use a blob state store in another region`);
  if (f.stateAccount === null) return unknown("placement", "stateStore.accountId is not configured", "set stateStore.accountId to the state account's ARM id");
  if (!f.stateAccount.ok) return unknown("placement", `state account: ${f.stateAccount.error}`, "give the controller's identity Reader on the state account");
  const state = f.stateAccount.value;
  if (state.location === primaryRegion) return notReady("placement", `state store ${state.name} is in ${state.location}, the primary's region`, `move the controller's state store out of ${primaryRegion}: it must outlive the region it fails over from`);
  const evidence = `state store ${state.name} in ${state.location}`;
  if (f.leaseAccount === undefined) return ready("placement", `${evidence}; primary in ${primaryRegion}`);
  if (f.leaseAccount === null) return unknown("placement", `${evidence}; coordination.leaseStore.accountId is not configured`, "set coordination.leaseStore.accountId to the lease account's ARM id");
  if (!f.leaseAccount.ok) return unknown("placement", `${evidence}; lease account: ${f.leaseAccount.error}`, "give the controller's identity Reader on the lease account");
  const lease = f.leaseAccount.value;
  if (lease.location === primaryRegion) return notReady("placement", `${evidence}; lease store ${lease.name} is in ${lease.location}, the primary's region`, `move the lease store out of ${primaryRegion}: with it gone no replica can lead`);
  return ready("placement", `${evidence}; lease store ${lease.name} in ${lease.location}; primary in ${primaryRegion}`);
}

export function checkDns(f: ReadinessFacts): CheckResult {
  const { dns } = f.pair;
  const record = `${dns.recordName}.${dns.zoneName}`;
  if (!f.dns.ok) return unknown("dns", `CNAME ${record}: ${f.dns.error}`, "give the controller's identity DNS Zone Contributor on the zone");
  if (!f.dns.value || !f.dns.value.cname) return notReady("dns", `CNAME ${record} does not exist`, `create CNAME ${record} → ${dns.primaryTarget}`);
  const { cname, ttl } = f.dns.value;
  const target = cname.toLowerCase().replace(/\.$/, "");
  const active = f.active ?? activeFromDns(f);
  const expected = active === "standby" ? dns.standbyTarget : dns.primaryTarget;
  const rtoMs = f.pair.objectives.rtoMinutes * 60_000;
  const evidence = `CNAME ${record} → ${cname}, TTL ${ttl} s; expected restore ${Math.round(f.expectedRestore.ms / 1000)} s (${f.expectedRestore.source}); RTO ${f.pair.objectives.rtoMinutes} min`;
  if (target !== expected.toLowerCase()) return notReady("dns", `${evidence}: the active instance's target is ${expected}`, `point ${record} at ${expected} (or find out who changed it)`);
  if (ttl * 1000 + f.expectedRestore.ms > rtoMs) {
    return notReady("dns", `${evidence}: TTL plus restore exceed the RTO`, `lower the TTL of ${record} to at most ${Math.max(0, Math.floor((rtoMs - f.expectedRestore.ms) / 1000))} s, or keep a warm standby (no restore), or raise the RTO objective`);
  }
  return ready("dns", evidence);
}

export function checkBackup(f: ReadinessFacts): CheckResult {
  if (!f.backups.ok) return unknown("backup", `backups in ${f.pair.backup.storageAccount}/${f.pair.backup.container}: ${f.backups.error}`, "let the controller list the backup container (Storage Blob Data Contributor)");
  const activeSide = f.active ?? activeFromDns(f);
  const active = f.pair[activeSide];
  const mine = f.backups.value.filter((b) => isBackupOf(b, active.serviceId)).sort((a, b) => b.takenAt - a.takenAt);
  const newest = mine[0];
  if (!newest) return notReady("backup", `no backup of ${active.name} in ${f.pair.backup.container}`, `take one now: apim-dr backup --pair ${f.pair.name}`);
  const age = ageOf(newest, f.now);
  const rpoMs = f.pair.objectives.rpoMinutes * 60_000;
  const evidence = `newest ${newest.name}, ${minutes(age.ageMs)} old (RPO ${f.pair.objectives.rpoMinutes} min), expires ${new Date(age.expiresAt).toISOString()}, ${newest.sizeBytes} bytes, SKU ${newest.sku ?? "?"}`;
  if (age.expired) return notReady("backup", `${evidence}: expired, APIM cannot restore it`, `take a backup now: apim-dr backup --pair ${f.pair.name}; check why scheduled backups stopped`);
  if (age.ageMs > rpoMs) return notReady("backup", `${evidence}: older than the RPO`, `take a backup now (apim-dr backup --pair ${f.pair.name}) and check the schedule and the controller's log`);
  if (newest.sizeBytes <= 0 || !newest.sku) return notReady("backup", `${evidence}: not readable as a finished backup`, "take a new backup; the newest blob is empty or has no metadata");
  return ready("backup", evidence);
}

function activeFromDns(f: ReadinessFacts): RegionRole {
  const cname = f.dns.ok ? f.dns.value?.cname?.toLowerCase().replace(/\.$/, "") : undefined;
  return cname === f.pair.dns.standbyTarget.toLowerCase() ? "standby" : "primary";
}

export function checkDrift(f: ReadinessFacts): CheckResult {
  const sides = bothSides("drift", f);
  if (isResult(sides)) return sides;
  const p = sides.primary;
  const s = sides.standby;
  const pu = p.service.unbacked;
  const su = s.service.unbacked;
  if (!pu || !su) return unknown("drift", "the services' settings were not read", "retry");
  const diffs: string[] = [];
  const pair = (name: string, a: string, b: string) => {
    if (a !== b) diffs.push(`${name}: ${p.service.name} ${a}, ${s.service.name} ${b}`);
  };
  for (const key of [...new Set([...Object.keys(pu.customProperties), ...Object.keys(su.customProperties)])].sort()) {
    pair(key.replace(/^Microsoft\.WindowsAzure\.ApiManagement\.Gateway\./, ""), pu.customProperties[key] ?? "(unset)", su.customProperties[key] ?? "(unset)");
  }
  const cas = (u: typeof pu) => u.caCertificates.map((c) => `${c.storeName}:${c.thumbprint.toUpperCase()}`).sort().join(", ") || "none";
  pair("custom CA certificates", cas(pu), cas(su));
  pair("virtual network type", pu.virtualNetworkType, su.virtualNetworkType);
  const identity = (x: ApimFacts) => `${x.service.identity?.type ?? "None"}${x.service.identity?.userAssignedClientIds.length ? ` [${[...x.service.identity.userAssignedClientIds].sort().join(", ")}]` : ""}`;
  pair("managed identity", identity(p), identity(s));
  // Loggers and diagnostics together: what each instance sends where.
  const logging = (x: ApimFacts) =>
    x.loggers.ok && x.diagnostics.ok
      ? [...x.loggers.value.map((l) => `logger ${l.name} (${l.loggerType})`), ...x.diagnostics.value.map((d) => `diagnostic ${d.name} → ${d.logger}`)].sort().join(", ") || "none"
      : null;
  const pl = logging(p);
  const sl = logging(s);
  if (pl !== null && sl !== null) pair("loggers and diagnostics", pl, sl);
  const hosts = (x: ApimFacts) =>
    x.service.hostnames
      // The pair's own hostname is the hostname check's: it is left out here so one fault answers once.
      .filter((h) => !h.hostName.toLowerCase().endsWith(".azure-api.net") && h.hostName.toLowerCase() !== f.pair.customHostname.toLowerCase())
      .map((h) => `${h.type} ${h.hostName}`)
      .sort()
      .join(", ") || "none";
  pair("other custom hostnames", hosts(p), hosts(s));
  const unread = pl === null || sl === null ? " (loggers and diagnostics could not be read)" : "";
  if (diffs.length) {
    return notReady("drift", `${diffs.length} difference(s) in settings no backup carries: ${diffs.join("; ")}${unread}`, `make ${s.service.name} match ${p.service.name} for each listed setting (a restore will not copy them)`);
  }
  return ready("drift", `protocol and cipher settings, custom CA certificates, virtual network type, managed identity, loggers and diagnostics, and other custom hostnames are the same on both${unread}`);
}

export function checkSignals(f: ReadinessFacts): CheckResult {
  if (!f.signals) return unknown("signals", "only the running controller knows when it last heard from each source", `see GET /pairs/${f.pair.name}/readiness on the controller`);
  const limit = f.settings.signalSilenceMinutes * 60_000;
  const entries = Object.entries(f.signals.heard);
  if (entries.length === 0) return notReady("signals", "no signal source is configured", "configure signals (Event Hubs, metrics, logs, probes)");
  const since = f.signals.since;
  const described = entries.map(([source, at]) => `${source} ${at === null ? `not yet (listening for ${minutes(f.now - since)})` : `${minutes(f.now - at)} ago`}`);
  // A source never heard from counts from when the controller started listening.
  const silent = entries.filter(([, at]) => f.now - (at ?? since) > limit).map(([source]) => source);
  if (silent.length) return notReady("signals", `${described.join(", ")}: ${silent.join(", ")} silent for over ${f.settings.signalSilenceMinutes} min`, `check that ${silent.join(", ")} still deliver (diagnostic settings, action groups, network path, the controller's log)`);
  return ready("signals", described.join(", "));
}

function minutes(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export const CHECKS: Record<CheckName, (f: ReadinessFacts) => CheckResult> = {
  tier: checkTier,
  standby: checkStandby,
  hostname: checkHostname,
  identity: checkIdentity,
  role: checkRole,
  "storage-cors": checkStorageCors,
  "storage-network": checkStorageNetwork,
  "storage-redundancy": checkStorageRedundancy,
  placement: checkPlacement,
  dns: checkDns,
  backup: checkBackup,
  drift: checkDrift,
  signals: checkSignals,
};

/** Every check over one set of facts, in a fixed order; `skip` leaves checks out (the CLI has no signal history). */
export function runChecks(f: ReadinessFacts, skip: readonly CheckName[] = []): CheckResult[] {
  return (Object.keys(CHECKS) as CheckName[]).filter((c) => !skip.includes(c)).map((c) => CHECKS[c](f));
}
