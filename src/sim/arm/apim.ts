import { OperationRefused, type BackupRestoreRequest, type SimOperation } from "../operations.js";
import type { SimState } from "../state.js";
import { gatewayHost, pairOf, regionDisplayName, type SimService } from "../world.js";
import { fail, requestIds, requireApiVersion, type ArmRequest, type ArmResponse } from "./http.js";
import { userAssignedPrincipalId } from "./storage.js";

export const APIM_API_VERSIONS = ["2021-08-01", "2022-08-01", "2023-03-01-preview", "2023-05-01-preview", "2023-09-01-preview", "2024-05-01", "2024-06-01-preview"] as const;
const SERVICE_TYPE = "Microsoft.ApiManagement/service";

/** Routes under `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{name}`. */
export async function handleApim(state: SimState, req: ArmRequest, service: SimService, rest: string): Promise<ArmResponse> {
  const apiVersion = requireApiVersion(req, APIM_API_VERSIONS, SERVICE_TYPE);
  if (rest === "" && req.method === "GET") return { status: 200, headers: serviceHeaders(req, service), body: serviceBody(state, service) };
  const action = /^\/(backup|restore)$/i.exec(rest);
  if (action && req.method === "POST") return begin(state, req, service, action[1]!.toLowerCase() as "backup" | "restore", apiVersion);
  if (/^\/workspaces$/i.test(rest) && req.method === "GET") return list(req, service, "workspaces", service.spec.workspaces.map((name) => ({ name, properties: { displayName: name, description: null } })));
  if (/^\/loggers$/i.test(rest) && req.method === "GET") {
    return list(req, service, "loggers", service.spec.loggers.map((l) => ({ name: l.name, properties: { loggerType: l.loggerType, description: null, credentials: {}, isBuffered: true, resourceId: null } })));
  }
  if (/^\/diagnostics$/i.test(rest) && req.method === "GET") {
    return list(req, service, "diagnostics", service.spec.diagnostics.map((d) => ({ name: d.name, properties: { alwaysLog: "allErrors", loggerId: `${service.id}/loggers/${d.logger}`, sampling: { samplingType: "fixed", percentage: 100 }, logClientIp: true, verbosity: "information" } })));
  }
  const result = /^\/operationresults\/([^/]+)$/i.exec(rest);
  if (result && req.method === "GET") return poll(state, req, service, result[1]!, apiVersion);
  fail(405, "MethodNotAllowed", `The simulator does not implement ${req.method} ${SERVICE_TYPE}${rest}: it serves GET of the service, its workspaces, loggers and diagnostics, POST backup and restore, and GET operationresults.`);
}

/**
 * `GET …/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service` (ApiManagementService_ListByResourceGroup):
 * `{value, nextLink}` with each service's full body, `provisioningState` `Updating` while a backup/restore runs.
 * A service whose region's management plane is down is left out of the list (it cannot answer), the rest are listed.
 */
export function handleServiceList(state: SimState, req: ArmRequest, reachable: (service: SimService) => boolean): ArmResponse {
  if (req.method !== "GET") fail(405, "MethodNotAllowed", `The simulator serves only GET on the ${SERVICE_TYPE} collection of a resource group.`);
  requireApiVersion(req, APIM_API_VERSIONS, SERVICE_TYPE);
  const value = state.services.filter(reachable).map((service) => serviceBody(state, service));
  return { status: 200, headers: requestIds(req), body: { value, nextLink: null } };
}

async function begin(state: SimState, req: ArmRequest, service: SimService, kind: "backup" | "restore", apiVersion: string): Promise<ArmResponse> {
  const request = parseParameters(req.body);
  let operation: SimOperation;
  try {
    operation = await state.operations.begin(kind, service, request);
  } catch (error) {
    if (error instanceof OperationRefused) fail(error.status, error.code, error.message);
    throw error;
  }
  return accepted(state, req, operation, apiVersion);
}

function poll(state: SimState, req: ArmRequest, service: SimService, id: string, apiVersion: string): ArmResponse {
  const operation = state.operations.get(id);
  if (!operation || operation.service !== service) {
    fail(404, "ResourceNotFound", `The operation '${id}' was not found on service '${service.spec.name}'.`);
  }
  if (operation.status === "running") return accepted(state, req, operation, apiVersion);
  if (operation.status === "failed") {
    return { status: 400, headers: requestIds(req), body: { error: { ...operation.error!, details: null } } };
  }
  return { status: 200, headers: serviceHeaders(req, service), body: serviceBody(state, service) };
}

/** 202 with Location (lower-case on the wire, as in the examples) and Retry-After; no body, no Azure-AsyncOperation. */
function accepted(state: SimState, req: ArmRequest, operation: SimOperation, apiVersion: string): ArmResponse {
  return {
    status: 202,
    headers: {
      ...requestIds(req),
      location: `${req.origin}${operation.service.id}/operationresults/${operation.id}?api-version=${apiVersion}`,
      "retry-after": String(state.timings.operationRetryAfterSeconds),
    },
  };
}

/** A collection GET (`{value, count, nextLink}`) of child resources, ids under the service's. */
function list(req: ArmRequest, service: SimService, type: "workspaces" | "loggers" | "diagnostics", items: { name: string; properties: Record<string, unknown> }[]): ArmResponse {
  const value = items.map((i) => ({ id: `${service.id}/${type}/${i.name}`, type: `${SERVICE_TYPE}/${type}`, ...i }));
  return { status: 200, headers: requestIds(req), body: { value, count: value.length, nextLink: null } };
}

function parseParameters(body: unknown): BackupRestoreRequest {
  if (typeof body !== "object" || body === null) fail(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: a JSON object with storageAccount, containerName and backupName is required.");
  const b = body as Record<string, unknown>;
  for (const field of ["storageAccount", "containerName", "backupName"]) {
    if (typeof b[field] !== "string" || b[field] === "") fail(400, "InvalidParameters", `Invalid parameter: ${field} is required.\r\nParameter name: ${field}`);
  }
  const accessType = (b.accessType ?? "AccessKey") as string;
  if (!["AccessKey", "SystemAssignedManagedIdentity", "UserAssignedManagedIdentity"].includes(accessType)) {
    fail(400, "InvalidParameters", `Invalid parameter: accessType '${accessType}' is not one of AccessKey, SystemAssignedManagedIdentity, UserAssignedManagedIdentity.\r\nParameter name: accessType`);
  }
  return {
    storageAccount: b.storageAccount as string,
    containerName: b.containerName as string,
    backupName: b.backupName as string,
    accessType: accessType as BackupRestoreRequest["accessType"],
    ...(typeof b.accessKey === "string" ? { accessKey: b.accessKey } : {}),
    ...(typeof b.clientId === "string" ? { clientId: b.clientId } : {}),
  };
}

/** Body etag unquoted and base64-like; the ETag header carries the same value in quotes. */
function etagOf(service: SimService): string {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(service.etagCounter) + 0x6ce14an);
  return bytes.toString("base64");
}

function serviceHeaders(req: ArmRequest, service: SimService): Record<string, string> {
  return { ...requestIds(req), etag: `"${etagOf(service)}"` };
}

/** ApiManagementServiceResource as ARM returns it, with the real quirks (display-name location, explicit nulls). */
export function serviceBody(state: SimState, service: SimService): Record<string, unknown> {
  const { world } = state;
  const spec = service.spec;
  const host = gatewayHost(spec.name);
  const busy = state.operations.running(service);
  const identity =
    spec.identityType === "None"
      ? null
      : {
          type: spec.identityType,
          ...(spec.identityType.includes("SystemAssigned") ? { principalId: service.principalId, tenantId: world.tenantId } : {}),
          ...(spec.identityType.includes("UserAssigned")
            ? {
                userAssignedIdentities: Object.fromEntries(
                  spec.userAssignedClientIds.map((clientId, i) => [
                    `/subscriptions/${world.subscriptionId}/resourcegroups/${world.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${spec.name}-identity-${i + 1}`,
                    { principalId: userAssignedPrincipalId(clientId), clientId },
                  ]),
                ),
              }
            : {}),
        };
  return {
    id: service.id,
    name: spec.name,
    type: SERVICE_TYPE,
    tags: {},
    location: regionDisplayName(spec.region),
    etag: etagOf(service),
    properties: {
      publisherEmail: "apim-admin@contoso.example",
      publisherName: "Contoso",
      notificationSenderEmail: "apimgmt-noreply@mail.windowsazure.com",
      provisioningState: busy ? "Updating" : spec.provisioningState,
      targetProvisioningState: busy ? "Succeeded" : "",
      createdAtUtc: "2026-01-05T09:40:00.9453556Z",
      gatewayUrl: `https://${host}`,
      gatewayRegionalUrl: `https://${spec.name.toLowerCase()}-${spec.region}-01.regional.azure-api.net`,
      portalUrl: `https://${spec.name.toLowerCase()}.portal.azure-api.net`,
      developerPortalUrl: `https://${spec.name.toLowerCase()}.developer.azure-api.net`,
      managementApiUrl: `https://${spec.name.toLowerCase()}.management.azure-api.net`,
      scmUrl: `https://${spec.name.toLowerCase()}.scm.azure-api.net`,
      hostnameConfigurations: [
        { type: "Proxy", hostName: host, negotiateClientCertificate: false, defaultSslBinding: false, certificateSource: "BuiltIn" },
        ...(spec.customHostnameBound
          ? [
              {
                type: "Proxy",
                hostName: pairOf(world, spec.name).customHostname,
                ...(spec.certificate.keyVaultId ? { keyVaultId: spec.certificate.keyVaultId, identityClientId: null } : {}),
                negotiateClientCertificate: false,
                certificate: { expiry: spec.certificate.expiry, thumbprint: spec.certificate.thumbprint, subject: spec.certificate.subject },
                defaultSslBinding: true,
                certificateSource: spec.certificate.keyVaultId ? "KeyVault" : "Custom",
                ...(spec.certificate.keyVaultId ? { certificateStatus: "Completed" } : {}),
              },
            ]
          : []),
      ],
      publicIPAddresses: [spec.region === world.primary.region ? "20.61.10.1" : "20.67.20.2"],
      privateIPAddresses: null,
      additionalLocations: null,
      customProperties: { ...spec.customProperties },
      certificates: spec.caCertificates.length
        ? spec.caCertificates.map((c) => ({ encodedCertificate: null, certificatePassword: null, storeName: c.storeName, certificate: { expiry: c.expiry, thumbprint: c.thumbprint, subject: c.subject } }))
        : null,
      virtualNetworkType: spec.virtualNetworkType,
      disableGateway: false,
      apiVersionConstraint: { minApiVersion: "2019-12-01" },
      publicNetworkAccess: "Enabled",
      platformVersion: "stv2",
    },
    sku: { name: spec.skuName, capacity: spec.skuCapacity },
    identity,
    zones: null,
  };
}
