import { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { TokenCredential } from "@azure/core-auth";
import type { RoleAssignmentFacts, RoleAssignmentPort } from "../ports/readiness.js";
import { armClientOptions, type ClientSettings } from "./client-options.js";
import { azureCall } from "./errors.js";

/**
 * RoleAssignmentPort on `AuthorizationManagementClient` (@azure/arm-authorization 9, api-version 2022-04-01).
 * Reading the assignments at a scope needs Microsoft.Authorization/roleAssignments/read there (Reader has it).
 */
export class AzureRoleAssignmentAdapter implements RoleAssignmentPort {
  private client: AuthorizationManagementClient | null = null;

  constructor(private readonly options: { credential: TokenCredential; client: ClientSettings }) {}

  async listForPrincipal(scope: string, principalId: string, signal?: AbortSignal): Promise<RoleAssignmentFacts[]> {
    // The operation's path is `/{scope}/providers/...` with the scope unescaped: it must not start with a slash.
    const relative = scope.replace(/^\/+/, "");
    return azureCall(`reading the role assignments of ${principalId} on ${scope}`, async () => {
      const out: RoleAssignmentFacts[] = [];
      for await (const a of this.sdk().roleAssignments.listForScope(relative, { filter: `assignedTo('${principalId}')`, abortSignal: signal })) {
        out.push({ roleDefinitionId: a.roleDefinitionId ?? "", principalId: a.principalId ?? "", scope: a.scope ?? "" });
      }
      return out;
    });
  }

  private sdk(): AuthorizationManagementClient {
    // Role assignments are read at a resource scope: the subscription id in the client is not used in the path.
    this.client ??= new AuthorizationManagementClient(this.options.credential, "00000000-0000-0000-0000-000000000000", armClientOptions(this.options.client));
    return this.client;
  }
}
