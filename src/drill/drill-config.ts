import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { validateConfig, type ApimDrConfigInput } from "../config/index.js";
import type { SimulatedAzure } from "../sim/index.js";

/** Environment variables the drill config names for the simulator's (public, per-run) secrets. */
export const SIM_STORAGE_KEY_ENV = "APIM_DR_SIM_STORAGE_KEY";
export const SIM_EVENTHUBS_ENV = "APIM_DR_SIM_EVENTHUBS";

/** config/sim.yaml, the template every drill starts from (found beside src/ and dist/). */
export const SIM_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "config", "sim.yaml");

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep merge for plain objects; arrays and scalars in `patch` replace. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = isObject(value) && isObject(out[key]) ? merge(out[key] as Json, value) : value;
  return out;
}

/**
 * The controller config for a drill: config/sim.yaml with every simulator-specific value (ids,
 * endpoints, ports, CA) filled in from the running simulator, plus the scenario's overrides.
 */
export async function drillConfig(sim: SimulatedAzure, overrides: { pair?: Json; health?: Json } = {}): Promise<ApimDrConfigInput> {
  const template = parseYaml(await readFile(SIM_TEMPLATE, "utf8")) as Json & { pairs: Json[] };
  const { primary, standby } = sim.services;
  const simPair: Json = {
    primary: { serviceId: primary.id, region: primary.region, gatewayUrl: primary.gatewayUrl },
    standby: { serviceId: standby.id, region: standby.region, gatewayUrl: standby.gatewayUrl },
    customHostname: sim.customHostname,
    dns: { zoneId: sim.dns.zoneId, recordName: sim.dns.recordName, primaryTarget: primary.gatewayHost, standbyTarget: standby.gatewayHost },
    backup: { storageAccount: sim.storage.accountName, blobEndpoint: sim.storage.blobEndpoint, access: { type: "accessKey", accessKeyEnv: SIM_STORAGE_KEY_ENV } },
  };
  const simWide: Json = {
    signals: {
      eventHubs: { connectionStringEnv: SIM_EVENTHUBS_ENV, eventHubName: sim.eventHubName, consumerGroup: sim.eventHubsConsumerGroup },
      logs: { workspaceId: sim.workspaceId },
    },
    azure: { armEndpoint: sim.armEndpoint, metricsEndpoint: sim.metricsEndpoint, logsEndpoint: sim.logsEndpoint, caCertPath: sim.caCertPath },
    stateStore: { accountName: sim.storage.accountName, blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountKeyEnv: SIM_STORAGE_KEY_ENV } },
    server: { listen: "127.0.0.1:0" },
  };
  const pair = merge(merge(template.pairs[0]!, simPair), overrides.pair ?? {});
  const config = merge(merge(template, simWide), { pairs: [pair], ...(overrides.health ? { health: merge((template.health as Json) ?? {}, overrides.health) } : {}) });
  validateConfig(config, "drill config (config/sim.yaml + simulator + scenario)");
  return config as ApimDrConfigInput;
}

/** The environment the controller needs against this simulator (its secrets are per run and public). */
export function drillEnv(sim: SimulatedAzure): Record<string, string> {
  return { [SIM_STORAGE_KEY_ENV]: sim.storage.accountKey, [SIM_EVENTHUBS_ENV]: sim.eventHubsConnectionString };
}
