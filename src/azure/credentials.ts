import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential, ManagedIdentityCredential, WorkloadIdentityCredential } from "@azure/identity";

/** How the controller authenticates to Azure; secrets never appear here, only where to find them. */
export type CredentialSpec =
  | { type: "default"; managedIdentityClientId?: string; tenantId?: string }
  | { type: "managedIdentity"; clientId?: string }
  | { type: "workloadIdentity"; clientId?: string; tenantId?: string }
  | { type: "simulator" };

export const CREDENTIAL_TYPES = ["default", "managedIdentity", "workloadIdentity", "simulator"] as const;

/** The simulator accepts any bearer token; this one is recognisable in its request logs. */
export const SIMULATOR_TOKEN = "apim-dr-simulator-token";

export function createCredential(spec: CredentialSpec): TokenCredential {
  switch (spec.type) {
    case "default":
      return new DefaultAzureCredential({
        ...(spec.managedIdentityClientId ? { managedIdentityClientId: spec.managedIdentityClientId } : {}),
        ...(spec.tenantId ? { tenantId: spec.tenantId } : {}),
      });
    case "managedIdentity":
      // No client id: the system-assigned identity.
      return spec.clientId ? new ManagedIdentityCredential({ clientId: spec.clientId }) : new ManagedIdentityCredential();
    case "workloadIdentity":
      // Client id, tenant and token file default to AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE.
      return new WorkloadIdentityCredential({
        ...(spec.clientId ? { clientId: spec.clientId } : {}),
        ...(spec.tenantId ? { tenantId: spec.tenantId } : {}),
      });
    case "simulator":
      return simulatorCredential();
    default: {
      const type = (spec as { type?: unknown }).type;
      throw new Error(`Unknown credential type '${String(type)}': use one of ${CREDENTIAL_TYPES.join(", ")}.`);
    }
  }
}

/** A fixed opaque token that never expires within a run (the simulator checks presence, not content). */
export function simulatorCredential(): TokenCredential {
  const farFuture = Date.UTC(2100, 0, 1);
  return {
    getToken: async (): Promise<AccessToken> => ({ token: SIMULATOR_TOKEN, expiresOnTimestamp: farFuture, tokenType: "Bearer" }),
  };
}
