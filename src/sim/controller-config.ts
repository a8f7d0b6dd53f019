import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { validateConfig, type ApimDrConfigInput } from "../config/index.js";
import type { SimulatedAzure } from "./index.js";

/** Environment variable the generated config names for Azurite's (public, well-known) account key. */
export const SIM_STORAGE_KEY_ENV = "APIM_DR_SIM_STORAGE_KEY";
/** Environment variable the generated config names for the Event Hubs emulator's connection string. */
export const SIM_EVENTHUBS_ENV = "APIM_DR_SIM_EVENTHUBS";
/** Environment variables the generated config names for the simulator's webhook receiver (URL prefix and HMAC key). */
export const SIM_WEBHOOK_URL_ENV = "APIM_DR_SIM_WEBHOOK_URL";
export const SIM_WEBHOOK_TEAMS_URL_ENV = "APIM_DR_SIM_WEBHOOK_TEAMS_URL";
export const SIM_WEBHOOK_SLACK_URL_ENV = "APIM_DR_SIM_WEBHOOK_SLACK_URL";
export const SIM_WEBHOOK_SECRET_ENV = "APIM_DR_SIM_WEBHOOK_SECRET";
/** Blob container, in the state account (Azurite), for the consumer's checkpoints and partition ownership. */
export const SIM_CHECKPOINT_CONTAINER = "apim-dr-checkpoints";

/**
 * The secrets the generated config refers to, as `NAME='value'` lines for `<state-dir>/sim.env`,
 * so `set -a; . .sim/sim.env; set +a` exports them. Values are single-quoted for the shell: a
 * connection string contains `;`.
 */
export function simEnvFile(sim: SimulatedAzure): string {
  const line = (name: string, value: string) => `${name}='${value.replaceAll("'", "'\\''")}'\n`;
  return (
    "# Written by 'apim-dr sim start': secrets of the simulator running now (development values, not Azure's).\n" +
    "# Load with: set -a; . .sim/sim.env; set +a\n" +
    Object.entries(simEnv(sim))
      .map(([name, value]) => line(name, value))
      .join("")
  );
}

/** config/sim.yaml, the template of every simulator config (found beside src/ and dist/). */
export const SIM_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "config", "sim.yaml");

/** The environment a controller needs against this simulator (its secrets are per run and public). */
export function simEnv(sim: SimulatedAzure): Record<string, string> {
  return {
    [SIM_STORAGE_KEY_ENV]: sim.storage.accountKey,
    [SIM_EVENTHUBS_ENV]: sim.eventHubsConnectionString,
    [SIM_WEBHOOK_URL_ENV]: `${sim.webhooksUrl}/hooks/oncall`,
    [SIM_WEBHOOK_TEAMS_URL_ENV]: `${sim.webhooksUrl}/hooks/teams`,
    [SIM_WEBHOOK_SLACK_URL_ENV]: `${sim.webhooksUrl}/hooks/slack`,
    [SIM_WEBHOOK_SECRET_ENV]: sim.webhookSecret,
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge for plain objects; arrays and scalars in `patch` replace. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = isObject(value) && isObject(out[key]) ? merge(out[key] as Json, value) : value;
  return out;
}

/**
 * A controller configuration that points every adapter at the running simulator: config/sim.yaml
 * with every simulator-specific value (ids, endpoints, ports, CA) filled in, plus overrides (a
 * drill scenario's pair and health settings).
 */
export async function simControllerConfig(sim: SimulatedAzure, overrides: { pair?: Json; health?: Json; listen?: string } = {}): Promise<ApimDrConfigInput> {
  const template = parseYaml(await readFile(SIM_TEMPLATE, "utf8")) as Json & { pairs: Json[] };
  // One configured pair per simulated pair, named as the simulator names them (the first is the template's).
  const simPairs: Json[] = sim.pairs.map(({ name, primary, standby, customHostname, recordName }, i) => ({
    ...(i > 0 ? { name } : {}),
    primary: { serviceId: primary.id, region: primary.region, gatewayUrl: primary.gatewayUrl },
    standby: { serviceId: standby.id, region: standby.region, gatewayUrl: standby.gatewayUrl },
    customHostname,
    dns: { zoneId: sim.dns.zoneId, recordName, primaryTarget: primary.gatewayHost, standbyTarget: standby.gatewayHost },
    backup: { storageAccount: sim.storage.accountName, storageAccountId: sim.storageAccountIds.backup, blobEndpoint: sim.storage.blobEndpoint, access: { type: "accessKey", accessKeyEnv: SIM_STORAGE_KEY_ENV } },
  }));
  const simWide: Json = {
    signals: {
      eventHubs: { connectionStringEnv: SIM_EVENTHUBS_ENV, eventHubName: sim.eventHubName, consumerGroup: sim.eventHubsConsumerGroup, checkpoint: { container: SIM_CHECKPOINT_CONTAINER } },
      logs: { workspaceId: sim.workspaceId },
    },
    azure: { armEndpoint: sim.armEndpoint, metricsEndpoint: sim.metricsEndpoint, logsEndpoint: sim.logsEndpoint, caCertPath: sim.caCertPath },
    stateStore: { accountName: sim.storage.accountName, accountId: sim.storageAccountIds.state, blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountKeyEnv: SIM_STORAGE_KEY_ENV } },
    server: { listen: overrides.listen ?? "127.0.0.1:0" },
    // One target of each kind, all received by the simulator; short timeouts so a stalled receiver shows quickly.
    notifications: {
      targets: [
        { name: "oncall", kind: "generic", urlEnv: SIM_WEBHOOK_URL_ENV, secretEnv: SIM_WEBHOOK_SECRET_ENV, timeoutSeconds: 2, retrySeconds: 1, maxAttempts: 3 },
        { name: "teams", kind: "teams", urlEnv: SIM_WEBHOOK_TEAMS_URL_ENV, events: ["awaitingOperator", "failoverCompleted", "failoverFailed"], timeoutSeconds: 2, retrySeconds: 1, maxAttempts: 3 },
        { name: "slack", kind: "slack", urlEnv: SIM_WEBHOOK_SLACK_URL_ENV, events: ["awaitingOperator", "failoverCompleted", "failoverFailed"], timeoutSeconds: 2, retrySeconds: 1, maxAttempts: 3 },
      ],
    },
  };
  // A scenario's pair settings apply to every pair.
  const pairs = simPairs.map((simPair) => merge(merge(template.pairs[0]!, simPair), overrides.pair ?? {}));
  const config = merge(merge(template, simWide), { pairs, ...(overrides.health ? { health: merge((template.health as Json) ?? {}, overrides.health) } : {}) });
  validateConfig(config, "simulator config (config/sim.yaml + the running simulator)");
  return config as ApimDrConfigInput;
}

