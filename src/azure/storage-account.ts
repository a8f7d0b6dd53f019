import { StorageManagementClient } from "@azure/arm-storage";
import type { TokenCredential } from "@azure/core-auth";
import { normalizeRegion } from "../ports/signal.js";
import type { StorageAccountFacts, StorageAccountPort } from "../ports/readiness.js";
import { armClientOptions, type ClientSettings } from "./client-options.js";
import { azureCall } from "./errors.js";
import { parseResourceId } from "./resource-id.js";

/** StorageAccountPort on `StorageManagementClient` (@azure/arm-storage 19.1, the last that runs on Node 20). Needs Reader on the account. */
export class AzureStorageAccountAdapter implements StorageAccountPort {
  private readonly clients = new Map<string, StorageManagementClient>();

  constructor(private readonly options: { credential: TokenCredential; client: ClientSettings }) {}

  async getAccount(accountId: string, signal?: AbortSignal): Promise<StorageAccountFacts> {
    const id = parseResourceId(accountId, { provider: "Microsoft.Storage", type: "storageAccounts", what: "a storage account" });
    const account = await azureCall(`reading storage account ${id.name}`, () =>
      this.client(id.subscriptionId).storageAccounts.getProperties(id.resourceGroup, id.name, { abortSignal: signal }),
    );
    const acl = account.networkRuleSet;
    return {
      id: account.id ?? accountId,
      name: account.name ?? id.name,
      location: normalizeRegion(account.location) ?? account.location ?? "",
      skuName: account.sku?.name ?? "",
      defaultAction: acl?.defaultAction ?? "Allow",
      bypass: acl?.bypass ?? "AzureServices",
      ipRules: (acl?.ipRules ?? []).map((r) => r.iPAddressOrRange),
      ...(account.publicNetworkAccess ? { publicNetworkAccess: account.publicNetworkAccess } : {}),
    };
  }

  private client(subscriptionId: string): StorageManagementClient {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new StorageManagementClient(this.options.credential, subscriptionId, armClientOptions(this.options.client));
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}
