import { BUILT_IN_ROLE_IDS } from "../../config/roles.js";
import type { SimState } from "../state.js";
import { storageAccountId, type SimService, type SimStorageAccountSpec } from "../world.js";
import { fail, requestIds, requireApiVersion, type ArmRequest, type ArmResponse } from "./http.js";

const STORAGE_API_VERSIONS = ["2023-01-01", "2023-05-01", "2024-01-01", "2025-01-01", "2025-06-01"] as const;
const AUTHORIZATION_API_VERSIONS = ["2020-04-01-preview", "2022-04-01"] as const;
const STORAGE_TYPE = "Microsoft.Storage/storageAccounts";

/** Paired regions, for the secondary of a geo-redundant account. */
const PAIRED: Record<string, string> = { westeurope: "northeurope", northeurope: "westeurope", swedencentral: "swedensouth", eastus: "westus", westus: "eastus" };

/** Routes under `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}`. */
export function handleStorage(state: SimState, req: ArmRequest, name: string, rest: string): ArmResponse {
  const account = Object.values(state.world.storageAccounts).find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!account) fail(404, "ResourceNotFound", `The Resource '${STORAGE_TYPE}/${name}' under resource group '${state.world.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  if (rest === "" && req.method === "GET") {
    requireApiVersion(req, STORAGE_API_VERSIONS, STORAGE_TYPE);
    return { status: 200, headers: requestIds(req), body: accountBody(state, account) };
  }
  if (/^\/providers\/Microsoft\.Authorization\/roleAssignments$/i.test(rest) && req.method === "GET") {
    requireApiVersion(req, AUTHORIZATION_API_VERSIONS, "Microsoft.Authorization/roleAssignments");
    return { status: 200, headers: requestIds(req), body: { value: roleAssignments(state, account, req.query.get("$filter")), nextLink: null } };
  }
  fail(405, "MethodNotAllowed", `The simulator does not implement ${req.method} ${STORAGE_TYPE}${rest}: it serves GET of the account and of its role assignments.`);
}

/** StorageAccount as ARM returns it (lower-case location, networkAcls with `value` per IP rule). */
function accountBody(state: SimState, a: SimStorageAccountSpec): Record<string, unknown> {
  const geo = /GRS|GZRS/.test(a.skuName);
  return {
    id: storageAccountId(state.world, a.name),
    name: a.name,
    type: STORAGE_TYPE,
    location: a.location,
    tags: {},
    sku: { name: a.skuName, tier: a.skuName.startsWith("Premium") ? "Premium" : "Standard" },
    kind: "StorageV2",
    properties: {
      provisioningState: "Succeeded",
      creationTime: "2026-01-05T09:12:44.1234567Z",
      primaryEndpoints: { blob: `https://${a.name}.blob.core.windows.net/`, dfs: `https://${a.name}.dfs.core.windows.net/` },
      primaryLocation: a.location,
      statusOfPrimary: "available",
      ...(geo ? { secondaryLocation: PAIRED[a.location] ?? a.location, statusOfSecondary: "available" } : {}),
      networkAcls: {
        bypass: a.bypass,
        virtualNetworkRules: [],
        ipRules: a.ipRules.map((value) => ({ value, action: "Allow" })),
        defaultAction: a.defaultAction,
      },
      publicNetworkAccess: a.publicNetworkAccess,
      supportsHttpsTrafficOnly: true,
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      accessTier: "Hot",
    },
  };
}

/** Storage Blob Data Contributor of each APIM identity that holds it, on the backup account only. */
function roleAssignments(state: SimState, account: SimStorageAccountSpec, filter: string | null): Record<string, unknown>[] {
  if (account !== state.world.storageAccounts.backup) return [];
  const wanted = filter ? /assignedTo\('([^']+)'\)/i.exec(filter)?.[1]?.toLowerCase() : undefined;
  const scope = storageAccountId(state.world, account.name);
  return state.services
    .filter((s) => s.spec.identityHasStorageAccess)
    .flatMap((s) => principalsOf(s))
    .filter((p, i, all) => all.indexOf(p) === i && (!wanted || p.toLowerCase() === wanted))
    .map((principalId) => {
      const name = `${principalId.slice(0, 8)}-0000-4000-8000-${principalId.replace(/-/g, "").slice(-12)}`;
      return {
        properties: {
          roleDefinitionId: `/subscriptions/${state.world.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.storageBlobDataContributor}`,
          principalId,
          principalType: "ServicePrincipal",
          scope,
          condition: null,
          conditionVersion: null,
          createdOn: "2026-01-05T09:45:00.0000000Z",
          updatedOn: "2026-01-05T09:45:00.0000000Z",
          createdBy: null,
          updatedBy: null,
          delegatedManagedIdentityResourceId: null,
          description: null,
        },
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        type: "Microsoft.Authorization/roleAssignments",
        name,
      };
    });
}

/** The principals of a service's identities: the system-assigned one and each user-assigned one. */
export function principalsOf(service: SimService): string[] {
  const out: string[] = [];
  if (service.spec.identityType.includes("SystemAssigned")) out.push(service.principalId);
  if (service.spec.identityType.includes("UserAssigned")) out.push(...service.spec.userAssignedClientIds.map((c) => userAssignedPrincipalId(c)));
  return out;
}

/** The principal id the simulator gives a user-assigned identity (stable per client id). */
export function userAssignedPrincipalId(clientId: string): string {
  let h = 0;
  for (const c of clientId + "principal") h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const hex = (h.toString(16).padStart(8, "0") + clientId.replace(/[^0-9a-f]/gi, "")).padEnd(32, "0").slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
