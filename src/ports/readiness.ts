/** The storage account's ARM resource (Microsoft.Storage/storageAccounts), as the readiness checks need it. */
export interface StorageAccountFacts {
  id: string;
  name: string;
  /** Normalized region, e.g. `westeurope`. */
  location: string;
  /** e.g. `Standard_GZRS`, `Standard_LRS`. */
  skuName: string;
  /** `Allow` or `Deny`: what the firewall does with traffic no rule matches. */
  defaultAction: string;
  /** e.g. `AzureServices`, `None`, `Logging, Metrics, AzureServices`. */
  bypass: string;
  /** Allowed IPs or CIDR ranges. */
  ipRules: string[];
  /** `Enabled`, `Disabled` or unset. */
  publicNetworkAccess?: string;
}

export interface StorageAccountPort {
  getAccount(accountId: string, signal?: AbortSignal): Promise<StorageAccountFacts>;
}

export interface RoleAssignmentFacts {
  /** Full id of the role definition; its last segment is the built-in role GUID. */
  roleDefinitionId: string;
  principalId: string;
  scope: string;
}

export interface RoleAssignmentPort {
  /** Role assignments of `principalId` that apply at `scope` (assigned there or inherited). */
  listForPrincipal(scope: string, principalId: string, signal?: AbortSignal): Promise<RoleAssignmentFacts[]>;
}

export interface CorsRuleFacts {
  allowedOrigins: string;
  allowedMethods: string;
}

export interface BlobServicePropertiesPort {
  /** CORS rules of the account's blob service (empty when CORS is off). */
  corsRules(signal?: AbortSignal): Promise<CorsRuleFacts[]>;
}
