import { z } from "zod";
import { APIM_SERVICE, DNS_ZONE, STORAGE_ACCOUNT, armIdProblem, parseArmId, type ArmResourceKind } from "./arm-id.js";
import { CRON_EXPECTATION, cronProblem, isCronExpression } from "./cron.js";
import { NOTIFICATION_EVENTS } from "../notify/events.js";
import { normalizeRegion, SIGNAL_SOURCES } from "../ports/signal.js";
import { APIM_STATUS_PATH } from "../ports/probe.js";
import {
  dnsLabel,
  envVarName,
  expects,
  flag,
  hostname,
  httpUrl,
  httpsUrl,
  intInRange,
  nonEmptyString,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
  ratio,
  uuid,
} from "./fields.js";

// Every object is strict: an unknown key (usually a typo) is an error, so a misspelt
// safety rule can never be silently ignored.

const armId = (kind: ArmResourceKind, description: string) =>
  expects(
    z.string().refine((s) => parseArmId(s, kind) !== null).describe(description),
    `an ARM resource id of the form ${kind.example}`,
    { detail: (value) => (typeof value === "string" ? armIdProblem(value, kind) : null) },
  );

const region = (description: string) =>
  expects(
    z.string().regex(/^[A-Za-z][A-Za-z0-9 _-]*$/).describe(description),
    'an Azure region name such as "westeurope" or "West Europe"',
  ).transform((name) => normalizeRegion(name) ?? name);

export const serviceSchema = z
  .strictObject({
    serviceId: armId(APIM_SERVICE, "ARM resource id of the Microsoft.ApiManagement/service instance."),
    region: region("Azure region the service runs in; normalized (\"West Europe\" becomes westeurope)."),
    gatewayUrl: httpUrl("Where the controller reaches this service's gateway for probes and verification; default: the gatewayUrl ARM reports (https://<name>.azure-api.net). Set it when that name does not resolve from the controller, e.g. against the simulator.").optional(),
  })
  .describe("One APIM instance of the pair.");

export const dnsSchema = z
  .strictObject({
    zoneId: armId(DNS_ZONE, "ARM resource id of the Azure DNS zone (Microsoft.Network/dnsZones) that holds the custom hostname."),
    recordName: expects(
      z.string().regex(/^(@|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*)$/i).describe(
        "Name of the CNAME record set relative to the zone, e.g. `api` for api.contoso.com in zone contoso.com.",
      ),
      "a record name relative to the zone, such as api",
    ),
    ttlSeconds: intInRange(1, 86_400, "TTL written with the CNAME; clients keep the old target this long after a cutover, so keep it well below the RTO.").default(60),
    primaryTarget: hostname("CNAME target while the primary serves traffic. Default: <primary service name>.azure-api.net.").optional(),
    standbyTarget: hostname("CNAME target while the standby serves traffic. Default: <standby service name>.azure-api.net.").optional(),
  })
  .describe("The DNS record that moves traffic: a CNAME from the custom hostname to the active gateway.");

export const backupAccessSchema = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("accessKey"),
        accessKeyEnv: envVarName("Name of the environment variable holding the storage account access key (never the key itself)."),
      })
      .describe("APIM authenticates to storage with the account access key, read from an environment variable at call time."),
    z
      .strictObject({ type: z.literal("systemAssignedManagedIdentity") })
      .describe("APIM uses its system-assigned managed identity; it needs Storage Blob Data Contributor on the account."),
    z
      .strictObject({
        type: z.literal("userAssignedManagedIdentity"),
        clientId: uuid("Client id of the user-assigned identity attached to both APIM instances."),
      })
      .describe("APIM uses a user-assigned managed identity; it needs Storage Blob Data Contributor on the account."),
  ])
  .describe("How APIM reaches the backup storage account.");

export const backupSchema = z
  .strictObject({
    storageAccount: expects(
      z.string().regex(/^[a-z0-9]{3,24}$/).describe("Storage account that holds the backups (name only)."),
      "a storage account name: 3-24 lower-case letters and digits",
    ),
    container: expects(
      z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/).describe("Blob container for the backups; APIM creates it if missing."),
      "a blob container name: 3-63 lower-case letters, digits and single inner hyphens",
    ),
    blobEndpoint: httpUrl("Blob endpoint of the backup account, where the controller lists backups; default https://<storageAccount>.blob.core.windows.net.").optional(),
    storageAccountId: armId(STORAGE_ACCOUNT, "ARM resource id of the backup storage account: the readiness checks read its region, redundancy, firewall and role assignments. Without it those checks answer UNKNOWN.").optional(),
    access: backupAccessSchema,
    schedule: expects(
      z.string().refine(isCronExpression).describe("When to take scheduled backups: a 5-field cron expression in UTC, e.g. `0 * * * *` (hourly)."),
      CRON_EXPECTATION,
      { detail: (value) => (typeof value === "string" ? cronProblem(value) : null) },
    ),
    changeDebounceSeconds: nonNegativeInt("After a configuration change, wait this long for further changes before taking an on-demand backup; 0 backs up at once.").default(300),
    retentionDays: intInRange(1, 30, "Delete backups older than this; APIM refuses to restore a backup older than 30 days.").default(30),
    keepLatest: positiveInt("Always keep at least this many newest backups, whatever their age.").default(3),
    warmStandby: flag("Restore every new backup into the standby right away, so a failover can skip the restore.").default(false),
  })
  .describe("Backups of the primary: where they go and how often they are taken.");

export const objectivesSchema = z
  .strictObject({
    rpoMinutes: positiveNumber("Recovery point objective: the newest backup must be at most this old for an automatic failover."),
    rtoMinutes: positiveNumber("Recovery time objective: how long a failover may take end to end."),
  })
  .describe("Recovery objectives for the pair.");

export const policySchema = z
  .strictObject({
    mode: z
      .enum(["automatic", "approval", "observe"])
      .describe("automatic: fail over on confirmed loss of the primary; approval: prepare and wait for an operator; observe: only report."),
    onRpoBreach: z
      .enum(["awaitApproval", "failoverWithStaleBackup", "refuse"])
      .describe(
        "When the newest backup is older than the RPO and no fresh one can be taken: wait for an operator (showing the data-loss window), fail over anyway, or refuse.",
      )
      .default("awaitApproval"),
    brakeWindowMinutes: positiveNumber("At most one automatic failover per pair within this window; later ones wait for an operator.").default(60),
    maxStepAttempts: positiveInt("Attempts per failover step before handing over to an operator.").default(3),
    failbackHealthyWindowMinutes: positiveNumber("The primary must be healthy this long before an operator-requested failback starts.").default(30),
  })
  .describe("What the controller may do on its own.");

export const pairSchema = z
  .strictObject({
    name: dnsLabel("Unique name of the pair, used in commands (--pair), state and audit entries."),
    primary: serviceSchema,
    standby: serviceSchema,
    customHostname: hostname("Host name clients use; both instances must carry it with the same TLS certificate."),
    dns: dnsSchema,
    backup: backupSchema,
    objectives: objectivesSchema,
    policy: policySchema,
  })
  .describe("A primary APIM instance and its standby in another region.");

const severityVerdict = (sev: string, fallback: "unhealthy" | "degraded") =>
  z.enum(["unhealthy", "degraded"]).describe(`Verdict for an alert of severity ${sev}.`).default(fallback);

const signalSource = z.enum(SIGNAL_SOURCES).describe("A signal source.");

// Timing fields are optional without a default here: the health evaluator's defaults
// (src/health/config.ts) are the single source of truth, overlaid by healthSettingsFrom().
export const healthSchema = z
  .strictObject({
    quorum: positiveInt("Independent source groups that must agree before a region counts as unhealthy (default 2).").optional(),
    confirmationWindowSeconds: positiveNumber("The primary must stay unhealthy this long before a failover starts (default 60).").optional(),
    stalenessSeconds: positiveNumber("A signal older than this no longer counts (default 300).").optional(),
    recoveryWindowSeconds: positiveNumber("A region must report healthy this long before it counts as recovered (default 300).").optional(),
    maxClockSkewSeconds: positiveNumber("Signals stamped further in the future than this are rejected (default 30).").optional(),
    severityMapping: z
      .strictObject({
        Sev0: severityVerdict("Sev0", "unhealthy"),
        Sev1: severityVerdict("Sev1", "unhealthy"),
        Sev2: severityVerdict("Sev2", "degraded"),
        Sev3: severityVerdict("Sev3", "degraded"),
        Sev4: severityVerdict("Sev4", "degraded"),
      })
      .describe("How Azure Monitor alert severities map to health verdicts.")
      .prefault({}),
    groups: z
      .array(
        z
          .strictObject({
            name: nonEmptyString("Name of the group, shown in health reasons."),
            sources: z.array(signalSource).min(1).describe("Sources in this group; together they cast one vote."),
            stalenessSeconds: positiveNumber("Staleness for this group's signals, overriding health.stalenessSeconds.").optional(),
            observer: flag("The controller's own vantage point (probes): suspected first when it fails for both regions.").optional(),
          })
          .describe("Sources sharing one failure domain cast one vote."),
      )
      .min(1)
      .describe("Independent source groups (default: resourceHealth, azureMonitor, probe, gatewayLog, serviceHealth).")
      .optional(),
    authoritative: z
      .array(
        z
          .strictObject({
            sources: z.array(signalSource).min(1).describe("Sources the rule applies to."),
            status: z.enum(["unhealthy", "degraded"]).describe("Status the signal must report."),
            attributes: z
              .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
              .describe("Attributes that must all match, e.g. { cause: PlatformInitiated }.")
              .optional(),
            confirms: z
              .enum(["alone", "withCorroboration"])
              .describe("alone: confirmed at once on its own; withCorroboration: at once when one more independent group agrees."),
          })
          .describe("A signal strong enough to skip the confirmation window."),
      )
      .describe("Signals that skip the confirmation window (default: Resource Health Unavailable with cause PlatformInitiated, with corroboration).")
      .optional(),
  })
  .describe("How signals become per-region health verdicts.");

export const eventHubsSchema = z
  .strictObject({
    connectionStringEnv: envVarName("Name of the environment variable holding the Event Hubs connection string. Use this or fullyQualifiedNamespace.").optional(),
    fullyQualifiedNamespace: hostname("Event Hubs namespace host, e.g. contoso-dr.servicebus.windows.net, reached with azure.credential. Use this or connectionStringEnv.").optional(),
    eventHubName: nonEmptyString("Event hub that receives alerts, activity log, resource health and gateway logs."),
    consumerGroup: nonEmptyString("Consumer group reserved for the controller.").default("$Default"),
    checkpoint: z
      .strictObject({
        container: expects(
          z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/).describe("Blob container, in the stateStore's account, for consumer checkpoints."),
          "a blob container name: 3-63 lower-case letters, digits and single inner hyphens",
        ),
      })
      .describe("Where consumer checkpoints go; needs a blob stateStore. Without it, reading starts at the newest events.")
      .optional(),
  })
  .describe("Azure Event Hubs with alerts and diagnostic logs routed to it.");

export const signalsSchema = z
  .strictObject({
    eventHubs: eventHubsSchema.optional(),
    metrics: z
      .strictObject({
        intervalSeconds: positiveNumber("How often to read APIM request metrics.").default(60),
        fiveXxRatioThreshold: ratio("Share of 5xx responses above which a region counts as unhealthy.").default(0.5),
      })
      .describe("Azure Monitor metrics poller.")
      .optional(),
    logs: z
      .strictObject({
        workspaceId: uuid("Log Analytics workspace id."),
        query: nonEmptyString("KQL query returning gateway failures per region."),
        intervalSeconds: positiveNumber("How often to run the query.").default(60),
      })
      .describe("Log Analytics poller.")
      .optional(),
    resourceHealth: z
      .strictObject({
        intervalSeconds: positiveNumber("How often to read Resource Health for both services.").default(60),
      })
      .describe("Resource Health poller.")
      .optional(),
    probes: z
      .strictObject({
        intervalSeconds: positiveNumber("How often to probe each gateway.").default(10),
        timeoutMs: positiveInt("Probe timeout in milliseconds.").default(5000),
        failuresBeforeUnhealthy: positiveInt("Consecutive failed probes before a gateway counts as unhealthy.").default(3),
        path: expects(
          z.string().regex(/^\/\S*$/).describe("Gateway path to probe; APIM answers its built-in status endpoint without a subscription key."),
          "a URL path starting with /",
        ).default(APIM_STATUS_PATH),
      })
      .describe("Synthetic probes of both gateways, addressed with the custom hostname.")
      .optional(),
  })
  .describe("Health and change signal sources; at least one should be configured.");

export const credentialSchema = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("default"),
        managedIdentityClientId: uuid("Client id of a user-assigned identity for the managed-identity step.").optional(),
        tenantId: uuid("Tenant to authenticate in.").optional(),
      })
      .describe("DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI."),
    z
      .strictObject({
        type: z.literal("managedIdentity"),
        clientId: uuid("Client id of a user-assigned identity; omit for the system-assigned one.").optional(),
      })
      .describe("The managed identity of the host running the controller."),
    z
      .strictObject({
        type: z.literal("workloadIdentity"),
        clientId: uuid("Client id of the federated identity; default AZURE_CLIENT_ID.").optional(),
        tenantId: uuid("Tenant id; default AZURE_TENANT_ID.").optional(),
      })
      .describe("AKS workload identity (federated token from the environment)."),
    z.strictObject({ type: z.literal("simulator") }).describe("Token for the local simulator; only works against it."),
  ])
  .describe("How the controller authenticates to Azure.");

export const azureSchema = z
  .strictObject({
    armEndpoint: httpsUrl("Azure Resource Manager endpoint (sovereign clouds and the simulator differ).").default("https://management.azure.com"),
    armAudience: httpsUrl("Token audience for Resource Manager, when it differs from armEndpoint (sovereign clouds).").optional(),
    metricsEndpoint: httpsUrl("Azure Monitor metrics data-plane endpoint; may contain {region}. Default https://{region}.metrics.monitor.azure.com.").optional(),
    logsEndpoint: httpsUrl("Log Analytics query endpoint, replacing https://api.loganalytics.io/v1.").optional(),
    caCertPath: nonEmptyString("PEM file with an extra trusted CA (the simulator's test CA).").optional(),
    credential: credentialSchema.prefault({ type: "default" }),
  })
  .describe("Azure endpoints and credential.");

const containerName = (description: string) =>
  expects(
    z.string().regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/).describe(description),
    "a blob container name: 3-63 lower-case letters, digits and single inner hyphens",
  );

const storageAuthSchema = (account: string) =>
  z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("credential") }).describe("Use azure.credential (needs Storage Blob Data Contributor)."),
      z
        .strictObject({
          type: z.literal("accountKey"),
          accountKeyEnv: envVarName("Name of the environment variable holding the account key (never the key itself)."),
        })
        .describe("Shared key read from an environment variable."),
    ])
    .describe(`How the controller authenticates to the ${account} storage account.`)
    .prefault({ type: "credential" });

export const stateStoreSchema = z
  .discriminatedUnion("type", [
    z
      .strictObject({
        type: z.literal("blob"),
        accountName: expects(
          z.string().regex(/^[a-z0-9]{3,24}$/).describe("Storage account for the controller's state, audit trail and checkpoints."),
          "a storage account name: 3-24 lower-case letters and digits",
        ),
        blobEndpoint: httpUrl("Blob endpoint; default https://<accountName>.blob.core.windows.net.").optional(),
        accountId: armId(STORAGE_ACCOUNT, "ARM resource id of the state account: the readiness check reads its region (it must not be the primary's). Without it that check answers UNKNOWN.").optional(),
        auth: storageAuthSchema("state"),
        stateContainer: containerName("Container for the per-pair machine snapshots.").default("apim-dr-state"),
        auditContainer: containerName("Container for the append-only audit trail.").default("apim-dr-audit"),
      })
      .describe("Durable state in Azure Blob Storage (production)."),
    z
      .strictObject({
        type: z.literal("file"),
        dir: nonEmptyString("Directory for snapshots and the audit trail, relative to the config file's directory."),
      })
      .describe("State on the local disk (single machine, development and drills)."),
  ])
  .describe("Where the controller keeps its state and audit trail.");

// Several replicas (one per region) agree on one leader per pair through blob leases; see README "Deployment topology".
export const coordinationSchema = z
  .strictObject({
    leaseStore: z
      .strictObject({
        accountName: expects(
          z.string().regex(/^[a-z0-9]{3,24}$/).describe("Storage account holding one lease blob per pair; keep it outside the primary region."),
          "a storage account name: 3-24 lower-case letters and digits",
        ),
        blobEndpoint: httpUrl("Blob endpoint; default https://<accountName>.blob.core.windows.net.").optional(),
        auth: storageAuthSchema("lease"),
        accountId: armId(STORAGE_ACCOUNT, "ARM resource id of the lease account: the readiness placement check reads its region (it must not be the primary's). Without it that check answers UNKNOWN.").optional(),
        container: containerName("Container for the per-pair lease blobs and the published probe verdicts.").default("apim-dr-leases"),
      })
      .describe("Where the per-pair leases live (Azure Blob Storage leases)."),
    replicaId: dnsLabel("This replica's id, unique among the replicas; default: the host name.").optional(),
    region: region("Azure region this replica runs in."),
    adminUrl: httpUrl("The admin API URL other replicas and the CLI use to reach this replica (a follower names the leader's); default: the address it listens on.").optional(),
    leaseDurationSeconds: intInRange(15, 60, "Blob lease duration (Azure allows 15-60 s): a dead leader's pairs are taken over at most this long plus one renew interval after its last renewal.").default(15),
    renewDeadlineSeconds: positiveNumber("A leader that has not renewed for this long stops starting mutations and cancels its steps; must be below leaseDurationSeconds (default: two thirds of it).").optional(),
    renewIntervalSeconds: positiveNumber("How often the leader renews and a follower tries to acquire; must be below renewDeadlineSeconds.").default(3),
    verdictMaxAgeSeconds: positiveNumber(
      "Each replica publishes its probe verdicts to the lease container every probe round; another replica's verdict older than this is ignored. Default: 3 probe intervals; must exceed signals.probes.intervalSeconds.",
    ).optional(),
  })
  .describe("Several controller replicas: a leader per pair by blob lease. Without this section one replica runs alone and acts on every pair.");

export const serverSchema = z
  .strictObject({
    listen: expects(
      z.string().regex(/^(\[[0-9a-f:]+\]|[a-z0-9.-]+):([0-9]{1,5})$/i).refine((s) => Number(s.slice(s.lastIndexOf(":") + 1)) <= 65_535).describe("Address of the admin API, HOST:PORT."),
      'HOST:PORT such as "127.0.0.1:7070"',
    ).default("127.0.0.1:7070"),
  })
  .describe("The admin HTTP API (/healthz, /metrics, operator commands).");

const notificationTargetSchema = z
  .strictObject({
    name: expects(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).describe("Names the target in logs and /metrics (the URL never appears)."), "a short name of lower-case letters, digits and hyphens, such as oncall"),
    kind: z.enum(["generic", "teams", "slack"]).describe("generic: signed JSON; teams: an Adaptive Card for a Teams Workflows or incoming webhook; slack: incoming-webhook blocks."),
    urlEnv: envVarName("Name of the environment variable holding the webhook URL (a secret: Slack and Teams put the credential in it)."),
    secretEnv: envVarName("generic only: name of the environment variable holding the HMAC-SHA256 key; the body's signature is sent in X-Apim-Dr-Signature: sha256=<hex>.").optional(),
    events: z
      .array(z.enum(NOTIFICATION_EVENTS))
      .min(1)
      .describe(`Events to deliver; default all: ${NOTIFICATION_EVENTS.join(", ")}.`)
      .default([...NOTIFICATION_EVENTS]),
    pairs: z.array(nonEmptyString("A pair name.")).min(1).describe("Only these pairs; default every pair.").optional(),
    timeoutSeconds: positiveNumber("An answer slower than this is a failed attempt.").default(10),
    maxAttempts: intInRange(1, 100, "Attempts per message before it is dropped (counted and logged).").default(5),
    retrySeconds: positiveNumber("Wait before the first retry, doubled after each failure (at most 16 times as long).").default(2),
    maxQueue: intInRange(1, 100_000, "Messages waiting for this target beyond this many: the oldest is dropped.").default(100),
  })
  .superRefine((t, ctx) => {
    if (t.kind === "generic" && !t.secretEnv) ctx.addIssue({ code: "custom", path: ["secretEnv"], message: "a generic target needs secretEnv: the NAME of an environment variable holding the HMAC key receivers check the signature with" });
    if (t.kind !== "generic" && t.secretEnv) ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `a ${t.kind} target sends no signature: remove secretEnv (${t.kind} authenticates by the secret URL)` });
  })
  .describe("One webhook that pages a person.");

export const notificationsSchema = z
  .strictObject({
    targets: z.array(notificationTargetSchema).min(1).describe("Webhooks to notify; each has its own queue, retries and counters.")
      .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, { message: "target names must be unique (they label /metrics)" }),
  })
  .describe("Messages for people: a pair waiting for an operator, failovers, failbacks, RPO, an impaired observer.");
export const readinessSchema = z
  .strictObject({
    intervalSeconds: positiveNumber("How often the running controller re-runs the readiness checks (cheap reads only).").default(300),
    certificateExpiryDays: positiveInt("A custom-hostname certificate expiring within this many days is NOT READY.").default(30),
    expectedRestoreMinutes: positiveNumber("Expected restore time until the controller has seen a restore of its own (APIM restores take up to 30 minutes or more).").default(30),
    signalSilenceMinutes: positiveNumber("A configured signal source not heard from for this long is NOT READY.").default(15),
  })
  .describe("Readiness checks: the preconditions of a failover, audited before the incident (apim-dr check, GET /pairs/{name}/readiness).");

export const configSchema = z
  .strictObject({
    $schema: z.string().describe("Path or URL of the JSON Schema, for editors.").optional(),
    pairs: z.array(pairSchema).min(1).describe("The APIM pairs this controller protects."),
    health: healthSchema.prefault({}),
    signals: signalsSchema.prefault({}),
    azure: azureSchema.prefault({}),
    stateStore: stateStoreSchema,
    server: serverSchema.prefault({}),
    notifications: notificationsSchema.optional(),
    readiness: readinessSchema.prefault({}),
    coordination: coordinationSchema.optional(),
    drill: z.strictObject({}).describe("Reserved for drill settings.").optional(),
  })
  .describe("apim-dr controller configuration.");

export type ApimDrConfig = z.output<typeof configSchema>;
export type ApimDrConfigInput = z.input<typeof configSchema>;
export type PairConfig = ApimDrConfig["pairs"][number];
export type ServiceConfig = PairConfig["primary"];
export type DnsConfig = PairConfig["dns"];
export type BackupConfig = PairConfig["backup"];
export type BackupAccessConfig = BackupConfig["access"];
export type ObjectivesConfig = PairConfig["objectives"];
export type PolicyConfig = PairConfig["policy"];
export type PolicyMode = PolicyConfig["mode"];
export type RpoBreachAction = PolicyConfig["onRpoBreach"];
export type HealthConfig = ApimDrConfig["health"];
export type SignalsConfig = ApimDrConfig["signals"];
export type EventHubsConfig = NonNullable<SignalsConfig["eventHubs"]>;
export type AzureConfig = ApimDrConfig["azure"];
export type CredentialConfig = AzureConfig["credential"];
export type StateStoreConfig = ApimDrConfig["stateStore"];
export type ServerConfig = ApimDrConfig["server"];
export type NotificationsConfig = NonNullable<ApimDrConfig["notifications"]>;
export type NotificationTargetConfig = NotificationsConfig["targets"][number];
export type ReadinessConfig = ApimDrConfig["readiness"];
export type CoordinationConfig = NonNullable<ApimDrConfig["coordination"]>;
