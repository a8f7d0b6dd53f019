// The Azure roles an apim-dr installation needs: one list for README's least-privilege tables,
// the role assignments in infra/main.json and the readiness checks' table. test/unit/infra checks
// that README and the template say exactly what this list says.

/** The single resource a role is assigned on; never a resource group or a subscription. */
export type RoleScope = "apimServices" | "dnsZone" | "backupAccount" | "stateAccount" | "eventHub" | "workspace" | "adminTokenSecret";

export interface RoleGrant {
  /** Built-in role name, as the Azure portal shows it. */
  role: string;
  /** Built-in role definition GUID (the same in every tenant). */
  roleDefinitionId: string;
  scope: RoleScope;
  /** What the scope is, in README's words. */
  scopeText: string;
  /** What the role is needed for. */
  purpose: string;
}

export const BUILT_IN_ROLE_IDS = {
  apiManagementServiceContributor: "312a565d-c81f-4fd8-895a-4e21e48d571c",
  dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
  storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
  monitoringReader: "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
  logAnalyticsReader: "73c42c96-874c-492b-b04d-ab87d138a893",
  reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
} as const;

/** Roles that are never granted: they allow far more than the controller does. */
export const FORBIDDEN_ROLE_IDS: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
};

/** Roles of the controller's user-assigned managed identity. */
export const CONTROLLER_ROLES: readonly RoleGrant[] = [
  {
    role: "API Management Service Contributor",
    roleDefinitionId: BUILT_IN_ROLE_IDS.apiManagementServiceContributor,
    scope: "apimServices",
    scopeText: "both APIM services",
    purpose: "backup, restore, read",
  },
  {
    role: "DNS Zone Contributor",
    roleDefinitionId: BUILT_IN_ROLE_IDS.dnsZoneContributor,
    scope: "dnsZone",
    scopeText: "the DNS zone",
    purpose: "CNAME",
  },
  {
    role: "Storage Blob Data Contributor",
    roleDefinitionId: BUILT_IN_ROLE_IDS.storageBlobDataContributor,
    scope: "backupAccount",
    scopeText: "the backup account",
    purpose: "list, annotate, delete backups",
  },
  {
    role: "Storage Blob Data Contributor",
    roleDefinitionId: BUILT_IN_ROLE_IDS.storageBlobDataContributor,
    scope: "stateAccount",
    scopeText: "the state account",
    purpose: "state, audit, checkpoints, leases",
  },
  {
    role: "Reader",
    roleDefinitionId: BUILT_IN_ROLE_IDS.reader,
    scope: "backupAccount",
    scopeText: "the backup account",
    purpose: "readiness: region, redundancy, firewall, role assignments, CORS",
  },
  {
    role: "Reader",
    roleDefinitionId: BUILT_IN_ROLE_IDS.reader,
    scope: "stateAccount",
    scopeText: "the state account",
    purpose: "readiness: region",
  },
  {
    role: "Azure Event Hubs Data Receiver",
    roleDefinitionId: BUILT_IN_ROLE_IDS.eventHubsDataReceiver,
    scope: "eventHub",
    scopeText: "the Event Hub",
    purpose: "signals",
  },
  {
    role: "Monitoring Reader",
    roleDefinitionId: BUILT_IN_ROLE_IDS.monitoringReader,
    scope: "apimServices",
    scopeText: "both APIM services",
    purpose: "metrics",
  },
  {
    role: "Log Analytics Reader",
    roleDefinitionId: BUILT_IN_ROLE_IDS.logAnalyticsReader,
    scope: "workspace",
    scopeText: "the workspace",
    purpose: "log queries",
  },
  {
    role: "Reader",
    roleDefinitionId: BUILT_IN_ROLE_IDS.reader,
    scope: "apimServices",
    scopeText: "both APIM services",
    purpose: "Resource Health",
  },
  {
    role: "Key Vault Secrets User",
    roleDefinitionId: BUILT_IN_ROLE_IDS.keyVaultSecretsUser,
    scope: "adminTokenSecret",
    scopeText: "the admin-token secret",
    purpose: "Container Apps reads the admin token",
  },
];

/** Roles of each APIM instance's system-assigned identity (backup.access: systemAssignedManagedIdentity). */
export const APIM_IDENTITY_ROLES: readonly RoleGrant[] = [
  {
    role: "Storage Blob Data Contributor",
    roleDefinitionId: BUILT_IN_ROLE_IDS.storageBlobDataContributor,
    scope: "backupAccount",
    scopeText: "the backup account",
    purpose: "APIM writes backups there and reads them back on restore",
  },
];
