import { randomUUID } from "node:crypto";
import { initialContent, type ServiceContent } from "./content.js";

export interface ServiceSpec {
  name: string;
  /** Normalized region name, e.g. `westeurope`. */
  region: string;
  skuName: string;
  skuCapacity: number;
  /** `None`, `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned`. */
  identityType: "None" | "SystemAssigned" | "UserAssigned" | "SystemAssigned, UserAssigned";
  /** Client ids of the user-assigned identities attached to the service. */
  userAssignedClientIds: string[];
  /** Whether the service's identities hold Storage Blob Data Contributor on the backup account. */
  identityHasStorageAccess: boolean;
  /** `Succeeded` unless a precondition is broken (`Failed`); `Updating` while an operation runs is added on top. */
  provisioningState: string;
  /** Whether the world's custom hostname is bound to the service as a Proxy hostname. */
  customHostnameBound: boolean;
  /** The certificate bound to the custom hostname. */
  certificate: SimCertificate;
  /** Protocol and cipher settings (`customProperties`): not in a backup. */
  customProperties: Record<string, string>;
  /** Custom CA certificates (`certificates`): not in a backup. */
  caCertificates: { storeName: "Root" | "CertificateAuthority"; thumbprint: string; expiry: string; subject: string }[];
  virtualNetworkType: "None" | "External" | "Internal";
  /** Loggers (diagnostics destinations): name and loggerType. */
  loggers: { name: string; loggerType: string }[];
  /** Diagnostics: name and the logger they write to. */
  diagnostics: { name: string; logger: string }[];
  /** Workspace names (an instance with workspaces cannot be backed up). */
  workspaces: string[];
}

export interface SimCertificate {
  thumbprint: string;
  /** ISO-8601. */
  expiry: string;
  subject: string;
  /** Versionless Key Vault secret id, or null for an uploaded certificate. */
  keyVaultId: string | null;
}

/** A storage account's ARM resource (Microsoft.Storage/storageAccounts). Its blobs are Azurite's. */
export interface SimStorageAccountSpec {
  name: string;
  /** Normalized region. */
  location: string;
  skuName: string;
  defaultAction: "Allow" | "Deny";
  bypass: string;
  ipRules: string[];
  publicNetworkAccess: "Enabled" | "Disabled";
}

export interface WorldSpec {
  subscriptionId: string;
  tenantId: string;
  resourceGroup: string;
  primary: ServiceSpec;
  standby: ServiceSpec;
  /** Custom proxy hostname carried by both services (and the CNAME's name inside the zone). */
  customHostname: string;
  certificateThumbprint: string;
  dnsZone: string;
  recordName: string;
  ttl: number;
  /** Log Analytics workspace (customer) id that answers queries. */
  workspaceId: string;
  /**
   * ARM resources of the backup account (named after Azurite's account once it runs) and of the controller's
   * state account. Both accounts' blobs live in the one Azurite; ARM tells them apart by name.
   */
  storageAccounts: { backup: SimStorageAccountSpec; state: SimStorageAccountSpec };
  /**
   * Every protected pair of the world; the first is `primary`/`standby` with `customHostname` and
   * `recordName` above, the others (`sim start --pairs N`) sit in the same two regions.
   */
  pairs: PairSpec[];
}

/** One APIM pair of the world: two services, one custom hostname, one CNAME in the zone. */
export interface PairSpec {
  name: string;
  primary: ServiceSpec;
  standby: ServiceSpec;
  customHostname: string;
  recordName: string;
}

/** Overrides for the default world; `primary` and `standby` merge field by field. */
export type WorldOverrides = Partial<Omit<WorldSpec, "primary" | "standby" | "pairs">> & {
  primary?: Partial<ServiceSpec>;
  standby?: Partial<ServiceSpec>;
  /** How many pairs the world holds (default 1); pair k > 1 is `contoso-k` with services `apim-contoso-k-weu`/`-neu`. */
  pairCount?: number;
};

/** Protocol settings a hardened APIM instance carries (the values ARM returns are the strings "True"/"False"). */
export const DEFAULT_CUSTOM_PROPERTIES: Readonly<Record<string, string>> = {
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Ssl30": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls11": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30": "False",
  "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "False",
};

const DEFAULT_THUMBPRINT = "8E989A1B2C3D4E5F60718293A4B5C6D7E8F90A1B";
/** The most pairs one simulator runs: 400 services already cost more memory than a drill machine should spend. */
export const MAX_PAIRS = 500;
const FIRST_PAIR = "contoso";

const DEFAULT_USER_ASSIGNED_CLIENT_ID = "6f2c9a1e-3b7d-4e58-9c0a-1d2e3f4a5b6c";

export function buildWorld(overrides: WorldOverrides = {}): WorldSpec {
  const { primary, standby, pairCount = 1, ...rest } = overrides;
  if (!Number.isInteger(pairCount) || pairCount < 1 || pairCount > MAX_PAIRS) {
    throw new Error(`world pair count must be a whole number from 1 to ${MAX_PAIRS}, got ${pairCount}`);
  }
  const service = (name: string, region: string): ServiceSpec => ({
    name,
    region,
    skuName: "Premium",
    skuCapacity: 1,
    identityType: "SystemAssigned, UserAssigned",
    userAssignedClientIds: [DEFAULT_USER_ASSIGNED_CLIENT_ID],
    identityHasStorageAccess: true,
    provisioningState: "Succeeded",
    customHostnameBound: true,
    certificate: {
      thumbprint: rest.certificateThumbprint ?? DEFAULT_THUMBPRINT,
      expiry: "2036-01-01T07:00:00+00:00",
      subject: `CN=*.${rest.dnsZone ?? "contoso.example"}`,
      keyVaultId: "https://kv-contoso-dr.vault.azure.net/secrets/api-contoso-example",
    },
    customProperties: { ...DEFAULT_CUSTOM_PROPERTIES },
    caCertificates: [],
    virtualNetworkType: "None",
    loggers: [{ name: "azuremonitor", loggerType: "azureMonitor" }],
    diagnostics: [{ name: "azuremonitor", logger: "azuremonitor" }],
    workspaces: [],
  });
  const account = (name: string): SimStorageAccountSpec => ({
    name,
    location: "swedencentral",
    skuName: "Standard_GZRS",
    defaultAction: "Allow",
    bypass: "AzureServices",
    ipRules: [],
    publicNetworkAccess: "Enabled",
  });
  const first = { ...service("apim-contoso-weu", "westeurope"), ...primary };
  const second = { ...service("apim-contoso-neu", "northeurope"), ...standby };
  const world: WorldSpec = {
    subscriptionId: randomUUID(),
    tenantId: "72f988bf-0000-4000-8000-2d7cd011db47",
    resourceGroup: "rg-apim-dr",
    customHostname: "api.contoso.example",
    certificateThumbprint: DEFAULT_THUMBPRINT,
    dnsZone: "contoso.example",
    recordName: "api",
    ttl: 60,
    workspaceId: randomUUID(),
    storageAccounts: { backup: account("devstoreaccount1"), state: account("apimdrstate") },
    ...rest,
    primary: first,
    standby: second,
    pairs: [],
  };
  world.pairs.push({ name: FIRST_PAIR, primary: first, standby: second, customHostname: world.customHostname, recordName: world.recordName });
  for (let k = 2; k <= pairCount; k++) {
    world.pairs.push({
      name: `${FIRST_PAIR}-${k}`,
      primary: { ...first, name: `apim-contoso-${k}-weu` },
      standby: { ...second, name: `apim-contoso-${k}-neu` },
      customHostname: `${world.recordName}-${k}.${world.dnsZone}`,
      recordName: `${world.recordName}-${k}`,
    });
  }
  validateWorld(world);
  return world;
}

function validateWorld(world: WorldSpec): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(world.subscriptionId)) {
    throw new Error(`world.subscriptionId '${world.subscriptionId}' is not a UUID: the APIM SDK requires one; pass a UUID or leave it out.`);
  }
  if (world.primary.region === world.standby.region) {
    throw new Error(`world.primary and world.standby are both in '${world.primary.region}': give the standby another region.`);
  }
  if (world.primary.name.toLowerCase() === world.standby.name.toLowerCase()) {
    throw new Error(`world.primary and world.standby are both named '${world.primary.name}': service names are global, pick two.`);
  }
  if (!world.customHostname.toLowerCase().endsWith(`.${world.dnsZone.toLowerCase()}`)) {
    throw new Error(`world.customHostname '${world.customHostname}' is not inside world.dnsZone '${world.dnsZone}'.`);
  }
}

/** A simulated APIM service at run time. */
export interface SimService {
  spec: ServiceSpec;
  id: string;
  principalId: string;
  content: ServiceContent;
  revision: number;
  restoredFromRevision: number | null;
  restoredFromServiceId: string | null;
  etagCounter: number;
  backups: OperationCounts;
  restores: OperationCounts;
}

export interface OperationCounts {
  started: number;
  succeeded: number;
  failed: number;
}

export interface SimDnsRecord {
  id: string;
  zone: string;
  name: string;
  cname: string | null;
  ttl: number;
  etag: string;
  metadata: Record<string, string> | null;
  writes: number;
}

export function serviceResourceId(world: WorldSpec, name: string): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.ApiManagement/service/${name}`;
}

export function storageAccountId(world: WorldSpec, name: string): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${name}`;
}

export function dnsZoneId(world: WorldSpec): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${world.resourceGroup}/providers/Microsoft.Network/dnszones/${world.dnsZone}`;
}

export function gatewayHost(name: string): string {
  return `${name.toLowerCase()}.azure-api.net`;
}

const pairIndex = new WeakMap<WorldSpec, Map<string, PairSpec>>();

/** The pair a service belongs to (its custom hostname and CNAME); asked on every gateway request and service body. */
export function pairOf(world: WorldSpec, serviceName: string): PairSpec {
  let index = pairIndex.get(world);
  if (!index) {
    index = new Map(world.pairs.flatMap((p) => [[p.primary.name.toLowerCase(), p] as const, [p.standby.name.toLowerCase(), p] as const]));
    pairIndex.set(world, index);
  }
  const pair = index.get(serviceName.toLowerCase());
  if (!pair) throw new Error(`service '${serviceName}' belongs to no pair of the world`);
  return pair;
}

export function createServices(world: WorldSpec): SimService[] {
  return world.pairs.flatMap((p) => [p.primary, p.standby]).map((spec) => ({
    spec,
    id: serviceResourceId(world, spec.name),
    principalId: randomUUID(),
    content: initialContent(),
    revision: 0,
    restoredFromRevision: null,
    restoredFromServiceId: null,
    etagCounter: 1,
    backups: { started: 0, succeeded: 0, failed: 0 },
    restores: { started: 0, succeeded: 0, failed: 0 },
  }));
}

/** One CNAME per pair, pointing at its primary. */
export function createDnsRecords(world: WorldSpec): SimDnsRecord[] {
  return world.pairs.map((pair) => ({
    id: `${dnsZoneId(world)}/CNAME/${pair.recordName}`,
    zone: world.dnsZone,
    name: pair.recordName,
    cname: gatewayHost(pair.primary.name),
    ttl: world.ttl,
    etag: randomUUID(),
    metadata: null,
    writes: 0,
  }));
}

/** Display names ARM puts in `location` (it answers `West Europe` although clients send `westeurope`). */
const REGION_DISPLAY: Record<string, string> = {
  westeurope: "West Europe",
  northeurope: "North Europe",
  eastus: "East US",
  eastus2: "East US 2",
  westus: "West US",
  westus2: "West US 2",
  westus3: "West US 3",
  centralus: "Central US",
  uksouth: "UK South",
  ukwest: "UK West",
  francecentral: "France Central",
  germanywestcentral: "Germany West Central",
  swedencentral: "Sweden Central",
  switzerlandnorth: "Switzerland North",
  southeastasia: "Southeast Asia",
  eastasia: "East Asia",
  japaneast: "Japan East",
  australiaeast: "Australia East",
};

/** `westeurope` → `West Europe` (Azure's display name); unknown names are returned unchanged. */
export function regionDisplayName(region: string): string {
  return REGION_DISPLAY[region.toLowerCase().replace(/\s+/g, "")] ?? region;
}
