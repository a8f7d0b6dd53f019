import type { SimState } from "./state.js";
import type { SimService } from "./world.js";

/**
 * Ways to break one failover precondition of the simulated world, each answered by exactly one readiness
 * check (named here). Unlike faults they change configuration, not availability, and stay until repaired.
 */
export const PRECONDITION_BREAKS = {
  "v2-sku": { check: "tier", what: "the service (default: the standby) moves to StandardV2, a tier without backup/restore" },
  workspace: { check: "tier", what: "the service (default: the standby) gets a workspace" },
  "provisioning-failed": { check: "standby", what: "the service (default: the standby) is left in provisioning state Failed" },
  "hostname-removed": { check: "hostname", what: "the custom Proxy hostname is removed from the service (default: the standby)" },
  "certificate-mismatch": { check: "hostname", what: "the service (default: the standby) gets another certificate (thumbprint and Key Vault secret)" },
  "certificate-expiring": { check: "hostname", what: "the certificate on both services expires in --days (default 5) days" },
  "identity-off": { check: "identity", what: "the managed identities of both services are turned off (seen when backup.access is a managed identity)" },
  "role-removed": { check: "role", what: "Storage Blob Data Contributor on the backup account is removed from both services' identities" },
  "cors-on": { check: "storage-cors", what: "a CORS rule is set on the backup account's blob service (Azurite's real service properties)" },
  "firewall-closed": { check: "storage-network", what: "the backup account's firewall denies by default, lets no trusted service through and allows no IP" },
  "backup-account-local": { check: "storage-redundancy", what: "the backup account becomes Standard_LRS in the primary's region" },
  "state-in-primary-region": { check: "placement", what: "the controller's state account moves to the primary's region" },
  "dns-ttl": { check: "dns", what: "the CNAME's TTL becomes --ttl seconds (default 86400), longer than the RTO allows" },
  "protocol-setting": { check: "drift", what: "TLS 1.1 is enabled on the service (default: the standby) (customProperties)" },
  "ca-certificate": { check: "drift", what: "a custom CA certificate is added to the service (default: the standby)" },
  "logging-removed": { check: "drift", what: "the Azure Monitor logger and diagnostic are removed from the service (default: the standby)" },
} as const;

export type PreconditionBreak = keyof typeof PRECONDITION_BREAKS;
export const PRECONDITION_BREAK_NAMES = Object.keys(PRECONDITION_BREAKS) as PreconditionBreak[];

export function isPreconditionBreak(name: string): name is PreconditionBreak {
  return Object.hasOwn(PRECONDITION_BREAKS, name);
}

export interface BreakOptions {
  /** Name, region or resource id; the default is per break (usually the standby). */
  service?: string;
  /** certificate-expiring: days until expiry. */
  days?: number;
  /** dns-ttl: the TTL to write. */
  ttl?: number;
}

const DAY_MS = 86_400_000;

/** Applies a break; returns what changed, in words. */
export async function breakPrecondition(state: SimState, name: PreconditionBreak, options: BreakOptions = {}): Promise<string> {
  const standby = state.services[1]!;
  // Breaks act on the first pair, the one the drills watch and `repairAll` restores.
  const firstPair = state.services.slice(0, 2);
  const one = (): SimService => (options.service ? state.resolveService(options.service) : standby);
  const touch = (s: SimService) => (s.etagCounter += 1);
  const { backup, state: stateAccount } = state.world.storageAccounts;
  switch (name) {
    case "v2-sku": {
      const s = one();
      s.spec.skuName = "StandardV2";
      touch(s);
      return `${s.spec.name} is now StandardV2`;
    }
    case "workspace": {
      const s = one();
      s.spec.workspaces = [...s.spec.workspaces, "team-a"];
      return `${s.spec.name} has workspace team-a`;
    }
    case "provisioning-failed": {
      const s = one();
      s.spec.provisioningState = "Failed";
      return `${s.spec.name} is in provisioning state Failed`;
    }
    case "hostname-removed": {
      const s = one();
      s.spec.customHostnameBound = false;
      touch(s);
      return `${state.world.customHostname} removed from ${s.spec.name}`;
    }
    case "certificate-mismatch": {
      const s = one();
      s.spec.certificate = { ...s.spec.certificate, thumbprint: "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C", keyVaultId: "https://kv-other.vault.azure.net/secrets/api-other" };
      touch(s);
      return `${s.spec.name} now serves certificate 0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C`;
    }
    case "certificate-expiring": {
      const days = options.days ?? 5;
      if (!(days >= 0)) throw new Error(`certificate-expiring: --days must be a non-negative number, got ${options.days}`);
      const expiry = new Date(Date.now() + days * DAY_MS).toISOString();
      for (const s of firstPair) {
        s.spec.certificate = { ...s.spec.certificate, expiry };
        touch(s);
      }
      return `the certificate of ${state.world.customHostname} expires ${expiry} on both services`;
    }
    case "identity-off":
      for (const s of firstPair) {
        s.spec.identityType = "None";
        touch(s);
      }
      return "both services have no managed identity";
    case "role-removed":
      for (const s of firstPair) s.spec.identityHasStorageAccess = false;
      return `no Storage Blob Data Contributor on ${backup.name} for either service`;
    case "cors-on":
      await state.storage.client.setCors([{ allowedOrigins: "https://portal.contoso.example", allowedMethods: "GET,PUT" }]);
      return `a CORS rule (GET,PUT from https://portal.contoso.example) is on the blob service of ${backup.name}`;
    case "firewall-closed":
      Object.assign(backup, { defaultAction: "Deny", bypass: "None", ipRules: [] });
      return `${backup.name}'s firewall denies everything`;
    case "backup-account-local":
      Object.assign(backup, { skuName: "Standard_LRS", location: state.world.primary.region });
      return `${backup.name} is Standard_LRS in ${state.world.primary.region}`;
    case "state-in-primary-region":
      stateAccount.location = state.world.primary.region;
      return `${stateAccount.name} is in ${state.world.primary.region}`;
    case "dns-ttl": {
      const ttl = options.ttl ?? 86_400;
      if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`dns-ttl: --ttl must be a positive whole number of seconds, got ${options.ttl}`);
      const record = state.dnsRecords[0]!;
      state.writeDns(record, record.cname, ttl, "tamper");
      return `CNAME ${record.name}.${record.zone} TTL is now ${ttl} s`;
    }
    case "protocol-setting": {
      const s = one();
      s.spec.customProperties = { ...s.spec.customProperties, "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": "True" };
      touch(s);
      return `${s.spec.name} accepts TLS 1.1`;
    }
    case "logging-removed": {
      const s = one();
      s.spec.loggers = [];
      s.spec.diagnostics = [];
      return `${s.spec.name} has no logger and no diagnostic`;
    }
    case "ca-certificate": {
      const s = one();
      s.spec.caCertificates = [...s.spec.caCertificates, { storeName: "Root", thumbprint: "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334", expiry: "2031-06-30T00:00:00+00:00", subject: "CN=Contoso Internal Root CA" }];
      touch(s);
      return `${s.spec.name} trusts CA A1B2C3D4E5F60718293A4B5C6D7E8F9001122334`;
    }
  }
}

/** Undoes every break: the services, storage accounts, CORS and the CNAME's TTL are as the world started. */
export async function repairAll(state: SimState): Promise<void> {
  const fresh = structuredClone(state.pristine);
  Object.assign(state.services[0]!.spec, fresh.primary);
  Object.assign(state.services[1]!.spec, fresh.standby);
  Object.assign(state.world.storageAccounts.backup, fresh.storageAccounts.backup);
  Object.assign(state.world.storageAccounts.state, fresh.storageAccounts.state);
  for (const s of state.services) s.etagCounter += 1;
  await state.storage.client.setCors([]);
  const record = state.dnsRecords[0]!;
  if (record.ttl !== state.world.ttl) state.writeDns(record, record.cname, state.world.ttl, "tamper");
}
