import { createHash } from "node:crypto";
import { regionDisplayName } from "../world.js";

export { regionDisplayName };

/**
 * What Azure publishes to an Event Hub, rendered for simulator events. Shapes follow the samples in
 * shared/external/samples (see SHAPES.md) including their quirks: `alertTargetIDs`, 7-digit
 * fractions in essentials, `+00:00` offsets in alert contexts, numeric Service Health fields,
 * `impactedServices` as a JSON string, `currentHealthStatus` in alerts but `healthStatus` in
 * activity-log records, `level: "Information"` and `category: "Write"` in streamed records, and
 * GatewayLogs records with a capital `Level`, an upper-case `resourceId` and a display-name `location`.
 */

export type AlertSeverity = 0 | 1 | 2 | 3 | 4;
export type MonitorCondition = "Fired" | "Resolved";
export type HealthStatus = "Available" | "Unavailable" | "Degraded" | "Unknown";

/** ISO time with Azure's 7-digit fraction: `2021-11-16T09:54:08.9938123Z`, or with `+00:00`. */
export function azureTime(ms: number, zone: "Z" | "+00:00" = "Z"): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, `.$10000${zone}`);
}

/** A GUID that is the same for the same inputs, so a resolved alert carries its fired alert's id. */
export function stableGuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

function subscriptionOf(resourceId: string): string {
  const match = /^\/subscriptions\/([^/]+)/i.exec(resourceId);
  if (!match) throw new Error(`'${resourceId}' is not an ARM resource id: expected /subscriptions/{id}/...`);
  return match[1]!;
}

/** Alerts lower-case an id's structure but keep its names: `/resourcegroups/test-RG/providers/microsoft.compute/virtualmachines/test-VM`. */
function alertTargetCasing(resourceId: string): string {
  const parts = resourceId.split("/");
  const providers = parts.findIndex((p) => p.toLowerCase() === "providers");
  return parts
    .map((p, i) => {
      const isKey = providers < 0 ? i % 2 === 1 : i < providers ? i % 2 === 1 : i === providers || i === providers + 1 || (i - providers) % 2 === 0;
      return isKey ? p.toLowerCase() : p;
    })
    .join("/");
}

function lastSegment(resourceId: string): string {
  return resourceId.split("/").filter(Boolean).pop() ?? resourceId;
}

interface EssentialsInput {
  ruleName: string;
  severity: AlertSeverity;
  signalType: "Metric" | "Log" | "Activity Log";
  condition: MonitorCondition;
  monitoringService: string;
  targets: string[];
  firedAt: number;
  resolvedAt?: number;
  description?: string;
}

function envelope<Context extends Record<string, unknown>>(essentials: EssentialsInput, alertContext: Context, customProperties?: Record<string, string>) {
  const subscription = subscriptionOf(essentials.targets[0]!);
  const alertId = stableGuid(essentials.ruleName, ...essentials.targets, String(essentials.firedAt));
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        alertId: `/subscriptions/${subscription}/providers/Microsoft.AlertsManagement/alerts/${alertId}`,
        alertRule: essentials.ruleName,
        severity: `Sev${essentials.severity}`,
        signalType: essentials.signalType,
        monitorCondition: essentials.condition,
        monitoringService: essentials.monitoringService,
        alertTargetIDs: essentials.targets.map(alertTargetCasing),
        configurationItems: essentials.targets.map(lastSegment),
        originAlertId: `${subscription}_${stableGuid(essentials.ruleName)}`,
        firedDateTime: azureTime(essentials.firedAt),
        ...(essentials.condition === "Resolved" ? { resolvedDateTime: azureTime(essentials.resolvedAt ?? essentials.firedAt) } : {}),
        description: essentials.description ?? "",
        essentialsVersion: "1.0",
        alertContextVersion: "1.0",
      },
      alertContext,
      ...(customProperties ? { customProperties } : {}),
    },
  };
}

export interface MetricAlertInput {
  ruleName: string;
  resourceId: string;
  severity: AlertSeverity;
  condition: MonitorCondition;
  firedAt: number;
  resolvedAt?: number;
  metricName: string;
  metricNamespace?: string;
  operator?: "GreaterThan" | "LessThan" | "GreaterThanOrEqual" | "LessThanOrEqual";
  threshold: number;
  metricValue: number;
  timeAggregation?: "Average" | "Total" | "Maximum" | "Minimum" | "Count";
  windowMinutes?: number;
  /** Dimensions the rule splits by, e.g. `Location` (display name); the target's `ResourceId` comes first. */
  dimensions?: { name: string; value: string }[];
}

/** A static-threshold metric alert (monitoringService Platform); `threshold` is a string as in Azure. */
export function metricAlert(input: MetricAlertInput) {
  const windowMs = (input.windowMinutes ?? 5) * 60_000;
  const end = input.condition === "Resolved" ? (input.resolvedAt ?? input.firedAt) : input.firedAt;
  return envelope(
    { ruleName: input.ruleName, severity: input.severity, signalType: "Metric", condition: input.condition, monitoringService: "Platform", targets: [input.resourceId], firedAt: input.firedAt, ...(input.resolvedAt !== undefined ? { resolvedAt: input.resolvedAt } : {}) },
    {
      properties: null,
      conditionType: "SingleResourceMultipleMetricCriteria",
      condition: {
        windowSize: `PT${input.windowMinutes ?? 5}M`,
        allOf: [
          {
            metricName: input.metricName,
            metricNamespace: input.metricNamespace ?? "Microsoft.ApiManagement/service",
            operator: input.operator ?? "GreaterThan",
            threshold: String(input.threshold),
            timeAggregation: input.timeAggregation ?? "Average",
            dimensions: [{ name: "ResourceId", value: input.resourceId }, ...(input.dimensions ?? [])],
            metricValue: input.metricValue,
            webTestName: null,
          },
        ],
        windowStartTime: new Date(end - windowMs).toISOString(),
        windowEndTime: new Date(end).toISOString(),
      },
    },
  );
}

export interface LogSearchAlertInput {
  ruleName: string;
  /** The scope the rule queries, e.g. the APIM service or a workspace. */
  resourceId: string;
  severity: AlertSeverity;
  condition: MonitorCondition;
  firedAt: number;
  resolvedAt?: number;
  query: string;
  threshold: number;
  metricValue: number;
  dimensions?: { name: string; value: string }[];
  windowMinutes?: number;
}

/** A log search alert (monitoringService `Log Alerts V2`). */
export function logSearchAlert(input: LogSearchAlertInput) {
  const end = input.condition === "Resolved" ? (input.resolvedAt ?? input.firedAt) : input.firedAt;
  const windowMs = (input.windowMinutes ?? 5) * 60_000;
  return envelope(
    { ruleName: input.ruleName, severity: input.severity, signalType: "Log", condition: input.condition, monitoringService: "Log Alerts V2", targets: [input.resourceId], firedAt: input.firedAt, ...(input.resolvedAt !== undefined ? { resolvedAt: input.resolvedAt } : {}) },
    {
      properties: {},
      conditionType: "LogQueryCriteria",
      condition: {
        windowSize: `PT${input.windowMinutes ?? 5}M`,
        allOf: [
          {
            searchQuery: input.query,
            metricMeasureColumn: null,
            targetResourceTypes: "['Microsoft.ApiManagement/service']",
            operator: "GreaterThan",
            threshold: String(input.threshold),
            timeAggregation: "Count",
            dimensions: input.dimensions ?? [],
            metricValue: input.metricValue,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
          },
        ],
        windowStartTime: new Date(end - windowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        windowEndTime: new Date(end).toISOString().replace(/\.\d{3}Z$/, "Z"),
      },
    },
  );
}

export interface ResourceHealthAlertInput {
  ruleName?: string;
  resourceId: string;
  current: HealthStatus;
  previous: HealthStatus;
  cause?: "PlatformInitiated" | "UserInitiated" | "Unknown";
  title?: string;
  details?: string | null;
  at: number;
}

/** A Resource Health activity-log alert: always `Fired` (activity-log alerts are stateless), `currentHealthStatus` spelling. */
export function resourceHealthAlert(input: ResourceHealthAlertInput) {
  const recovered = input.current === "Available";
  return envelope(
    { ruleName: input.ruleName ?? "apim-resource-health", severity: 4, signalType: "Activity Log", condition: "Fired", monitoringService: "Resource Health", targets: [input.resourceId], firedAt: input.at + 3_000 },
    {
      channels: "Admin, Operation",
      correlationId: stableGuid("rh-correlation", input.resourceId, String(input.at)),
      eventSource: "ResourceHealth",
      eventTimestamp: azureTime(input.at, "+00:00"),
      eventDataId: stableGuid("rh", input.resourceId, String(input.at)),
      level: recovered ? "Informational" : input.current === "Unavailable" ? "Critical" : "Warning",
      operationName: recovered ? "Microsoft.Resourcehealth/healthevent/Resolved/action" : "Microsoft.Resourcehealth/healthevent/Activated/action",
      operationId: stableGuid("rh-op", input.resourceId, String(input.at)),
      properties: {
        title: input.title ?? (recovered ? "Service is available" : `Service health status changed to ${input.current.toLowerCase()}`),
        details: input.details ?? null,
        currentHealthStatus: input.current,
        previousHealthStatus: input.previous,
        type: recovered ? "Downtime" : input.current === "Unavailable" ? "Downtime" : "Degraded",
        cause: input.cause ?? "PlatformInitiated",
      },
      status: recovered ? "Resolved" : "Active",
      submissionTimestamp: azureTime(input.at + 2_000, "+00:00"),
      "Activity Log Event Description": null,
    },
  );
}

export interface ServiceHealthAlertInput {
  subscriptionId: string;
  service: string;
  /** Normalized or display names; rendered as display names. */
  regions: string[];
  trackingId: string;
  stage: "Active" | "Resolved";
  incidentType?: "Incident" | "Maintenance" | "Informational" | "ActionRequired";
  title?: string;
  impactStartedAt: number;
  at: number;
}

/** A Service Health alert: numeric channels/eventSource/level and `impactedServices` as a JSON string. */
export function serviceHealthAlert(input: ServiceHealthAlertInput) {
  const regions = input.regions.map(regionDisplayName);
  const resolved = input.stage === "Resolved";
  return envelope(
    { ruleName: "apim-service-health", severity: 4, signalType: "Activity Log", condition: "Fired", monitoringService: "ServiceHealth", targets: [`/subscriptions/${input.subscriptionId}`], firedAt: input.at + 3_000 },
    {
      authorization: null,
      channels: 1,
      claims: null,
      caller: null,
      correlationId: stableGuid("sh", input.trackingId),
      eventSource: 2,
      eventTimestamp: azureTime(input.at, "+00:00"),
      httpRequest: null,
      eventDataId: stableGuid("sh", input.trackingId, input.stage, String(input.at)),
      level: 3,
      operationName: "Microsoft.ServiceHealth/incident/action",
      operationId: stableGuid("sh", input.trackingId),
      properties: {
        title: input.title ?? `${input.service} - ${regions.join(", ")} - ${resolved ? "Mitigated" : "Investigating"}`,
        service: input.service,
        region: regions.join(", "),
        communication: resolved ? "<p>The issue has been mitigated.</p>" : "<p>We are investigating an issue affecting this service.</p>",
        incidentType: input.incidentType ?? "Incident",
        trackingId: input.trackingId,
        impactStartTime: new Date(input.impactStartedAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        ...(resolved ? { impactMitigationTime: new Date(input.at).toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
        impactedServices: JSON.stringify([{ ImpactedRegions: regions.map((RegionName) => ({ RegionName })), ServiceName: input.service }]),
        impactedServicesTableRows: regions.map((r) => `<tr>\r\n<td align='center'>${input.service}</td>\r\n<td align='center'>${r}<br></td>\r\n</tr>\r\n`).join(""),
        defaultLanguageTitle: input.title ?? `${input.service} - ${regions.join(", ")}`,
        stage: input.stage,
        communicationId: stableGuid("sh-comm", input.trackingId, input.stage).replace(/-/g, "").slice(0, 14),
        isHIR: "false",
        IsSynthetic: "False",
        impactType: "SubscriptionList",
        version: "0.1.1",
      },
      status: resolved ? "Resolved" : "Active",
      subStatus: null,
      submissionTimestamp: azureTime(input.at + 2_000, "+00:00"),
      ResourceType: null,
    },
  );
}

export interface AdministrativeOperation {
  resourceId: string;
  /** e.g. `Microsoft.ApiManagement/service/apis/write`. */
  operationName: string;
  caller?: string;
  status?: "Succeeded" | "Failed" | "Started";
  at: number;
  region?: string;
}

/** An Administrative activity-log alert (monitoringService `Activity Log - Administrative`). */
export function administrativeAlert(op: AdministrativeOperation) {
  const caller = op.caller ?? "apim-dr-sim@contoso.com";
  return envelope(
    { ruleName: "apim-config-changes", severity: 4, signalType: "Activity Log", condition: "Fired", monitoringService: "Activity Log - Administrative", targets: [op.resourceId], firedAt: op.at + 3_000 },
    {
      authorization: { action: op.operationName, scope: op.resourceId },
      channels: "Operation",
      claims: "{}",
      caller,
      correlationId: stableGuid("admin", op.resourceId, op.operationName, String(op.at)),
      eventSource: "Administrative",
      eventTimestamp: azureTime(op.at, "+00:00"),
      eventDataId: stableGuid("admin-data", op.resourceId, op.operationName, String(op.at)),
      level: "Informational",
      operationName: op.operationName,
      operationId: stableGuid("admin-op", op.resourceId, String(op.at)),
      properties: { eventCategory: "Administrative", entity: op.resourceId, message: op.operationName, hierarchy: subscriptionOf(op.resourceId) },
      status: op.status ?? "Succeeded",
      subStatus: "",
      submissionTimestamp: azureTime(op.at + 2_000, "+00:00"),
      "Activity Log Event Description": "",
    },
  );
}

/** Administrative activity-log records as diagnostic settings stream them (`{"records":[…]}`, `category` = Write/Delete/Action). */
export function administrativeRecords(ops: AdministrativeOperation[]) {
  return {
    records: ops.map((op) => {
      const verb = /\/delete$/i.test(op.operationName) ? "Delete" : /\/write$/i.test(op.operationName) ? "Write" : "Action";
      const status = op.status ?? "Succeeded";
      return {
        time: azureTime(op.at),
        resourceId: op.resourceId,
        operationName: op.operationName,
        category: verb,
        resultType: status === "Started" ? "Start" : status === "Failed" ? "Failure" : "Success",
        resultSignature: status === "Failed" ? "Failed" : `${status}.${verb === "Write" ? "OK" : "Accepted"}`,
        durationMs: 312,
        callerIpAddress: "127.0.0.1",
        correlationId: stableGuid("admin", op.resourceId, op.operationName, String(op.at)),
        identity: { authorization: { scope: op.resourceId, action: op.operationName }, claims: { name: op.caller ?? "apim-dr-sim@contoso.com" } },
        level: "Information",
        location: "global",
        properties: { eventCategory: "Administrative", entity: op.resourceId, message: op.operationName, statusCode: status === "Failed" ? "BadRequest" : verb === "Write" ? "OK" : "Accepted" },
      };
    }),
  };
}

export interface ResourceHealthChange {
  resourceId: string;
  status: HealthStatus;
  previous: HealthStatus;
  cause?: "PlatformInitiated" | "UserInitiated" | "Unknown";
  at: number;
}

/** Resource Health activity-log records (`healthStatus`/`healthEventType`/`healthEventCause` spelling) in the records wrapper. */
export function resourceHealthRecords(changes: ResourceHealthChange[]) {
  return {
    records: changes.map((c) => {
      const recovered = c.status === "Available";
      return {
        time: azureTime(c.at),
        resourceId: c.resourceId,
        operationName: recovered ? "Microsoft.Resourcehealth/healthevent/Resolved/action" : "Microsoft.Resourcehealth/healthevent/Activated/action",
        category: "ResourceHealth",
        resultType: recovered ? "Resolved" : "Active",
        resultSignature: recovered ? "Resolved" : "Active",
        durationMs: 0,
        callerIpAddress: "",
        correlationId: stableGuid("rh-correlation", c.resourceId, String(c.at)),
        level: recovered ? "Informational" : c.status === "Unavailable" ? "Critical" : "Warning",
        location: "global",
        properties: {
          eventCategory: "ResourceHealth",
          stage: recovered ? "Resolved" : "Active",
          title: recovered ? "API Management service is available" : `API Management service health status changed to ${c.status.toLowerCase()}`,
          details: recovered ? "" : "The service is experiencing a platform event",
          healthStatus: c.status,
          previousHealthStatus: c.previous,
          healthEventType: c.status === "Degraded" ? "Degraded" : "Downtime",
          healthEventCause: c.cause ?? "PlatformInitiated",
          healthEventCategory: "Unplanned",
        },
      };
    }),
  };
}

export interface GatewayRequestInput {
  /** The APIM service's ARM id (rendered upper-case, as Azure does). */
  serviceId: string;
  region: string;
  responseCode: number;
  /** Defaults to the response code; 0 when the gateway never reached the backend. */
  backendResponseCode?: number;
  at: number;
  method?: string;
  url?: string;
  apiId?: string;
  operationId?: string;
  durationMs?: number;
}

/** APIM GatewayLogs resource-log records in the records wrapper. */
export function gatewayLogRecords(requests: GatewayRequestInput[]) {
  return {
    records: requests.map((r, i) => {
      const success = r.responseCode < 400;
      const backend = r.backendResponseCode ?? r.responseCode;
      return {
        Level: success ? 4 : 2,
        isRequestSuccess: success,
        time: azureTime(r.at),
        operationName: "Microsoft.ApiManagement/GatewayLogs",
        category: "GatewayLogs",
        durationMs: r.durationMs ?? (success ? 120 : 30_000),
        callerIpAddress: "127.0.0.1",
        correlationId: stableGuid("gw", r.serviceId, String(r.at), String(i)),
        location: regionDisplayName(r.region),
        properties: {
          method: r.method ?? "GET",
          url: r.url ?? "https://api.contoso.example/orders/health",
          backendResponseCode: backend,
          responseCode: r.responseCode,
          responseSize: success ? 512 : 0,
          cache: "none",
          ...(backend ? { backendTime: 80 } : {}),
          requestSize: 420,
          apiId: r.apiId ?? "orders",
          operationId: r.operationId ?? "health",
          apimSubscriptionId: "master",
          clientTime: 12,
          clientProtocol: "HTTP/1.1",
          backendProtocol: "HTTP/1.1",
          apiRevision: "1",
          clientTlsVersion: "1.2",
          backendMethod: r.method ?? "GET",
          ...(success ? {} : { lastError: { source: backend ? "backend" : "forward-request", reason: backend ? "BackendError" : "BackendConnectionFailure", message: `Request failed with status ${r.responseCode}`, section: "backend" } }),
        },
        resourceId: r.serviceId.toUpperCase(),
      };
    }),
  };
}
