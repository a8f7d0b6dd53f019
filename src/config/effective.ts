import { hostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { defaultRenewDeadlineSeconds } from "./cross-checks.js";
import { APIM_SERVICE, DNS_ZONE, parseArmId, type ArmResourceId } from "./arm-id.js";
import type { ApimDrConfig, CoordinationConfig, DnsConfig, PairConfig, ServiceConfig } from "./schema.js";
import type { RegionRole } from "../ports/region.js";

export type EffectiveService = ServiceConfig & ArmResourceId;

export type EffectiveDns = DnsConfig & {
  primaryTarget: string;
  standbyTarget: string;
  /** The zone's name, from its resource id (e.g. `contoso.com`). */
  zoneName: string;
};

export type EffectiveBackup = PairConfig["backup"] & { blobEndpoint: string };

export type EffectivePair = Omit<PairConfig, RegionRole | "dns" | "backup"> & {
  primary: EffectiveService;
  standby: EffectiveService;
  dns: EffectiveDns;
  backup: EffectiveBackup;
};

type BlobStateStore = Extract<ApimDrConfig["stateStore"], { type: "blob" }>;
type FileStateStore = Extract<ApimDrConfig["stateStore"], { type: "file" }>;

/** Coordination with every default filled in (replica id: the host name; lease endpoint; renew deadline). */
export type EffectiveCoordination = Omit<CoordinationConfig, "leaseStore" | "replicaId" | "renewDeadlineSeconds" | "verdictMaxAgeSeconds"> & {
  leaseStore: CoordinationConfig["leaseStore"] & { blobEndpoint: string };
  replicaId: string;
  renewDeadlineSeconds: number;
  verdictMaxAgeSeconds: number;
};

export type EffectiveConfig = Omit<ApimDrConfig, "pairs" | "stateStore" | "coordination"> & {
  coordination?: EffectiveCoordination;
  pairs: EffectivePair[];
  /** blobEndpoint filled in; a file store's dir made absolute. */
  stateStore: (BlobStateStore & { blobEndpoint: string }) | FileStateStore;
};

/**
 * The settings the controller runs with: a validated config with the defaults that depend on
 * other fields filled in. `baseDir` is the config file's directory (relative paths start there).
 */
export function effectiveConfig(config: ApimDrConfig, baseDir: string): EffectiveConfig {
  const stateStore =
    config.stateStore.type === "blob"
      ? { ...config.stateStore, blobEndpoint: config.stateStore.blobEndpoint ?? blobEndpointOf(config.stateStore.accountName) }
      : { ...config.stateStore, dir: absolute(config.stateStore.dir, baseDir) };
  const { coordination, ...rest } = config;
  return {
    ...rest,
    azure: { ...config.azure, ...(config.azure.caCertPath ? { caCertPath: absolute(config.azure.caCertPath, baseDir) } : {}) },
    stateStore,
    pairs: config.pairs.map(effectivePair),
    ...(coordination ? { coordination: effectiveCoordination(coordination, config.signals.probes?.intervalSeconds) } : {}),
  };
}

/** Another replica's probe verdict stays fresh for this many probe rounds by default (one lost publish is no gap). */
export const VERDICT_MAX_AGE_ROUNDS = 3;

function effectiveCoordination(c: CoordinationConfig, probeIntervalSeconds = 10): EffectiveCoordination {
  return {
    ...c,
    leaseStore: { ...c.leaseStore, blobEndpoint: c.leaseStore.blobEndpoint ?? blobEndpointOf(c.leaseStore.accountName) },
    replicaId: c.replicaId ?? hostname().toLowerCase(),
    renewDeadlineSeconds: c.renewDeadlineSeconds ?? defaultRenewDeadlineSeconds(c.leaseDurationSeconds),
    verdictMaxAgeSeconds: c.verdictMaxAgeSeconds ?? VERDICT_MAX_AGE_ROUNDS * probeIntervalSeconds,
  };
}

export function effectivePair(pair: PairConfig): EffectivePair {
  const primary = service(pair.primary);
  const standby = service(pair.standby);
  // ARM ids were validated by the schema; a failure here is a caller passing unvalidated data.
  const zone = parseArmId(pair.dns.zoneId, DNS_ZONE);
  if (!zone) throw new Error(`pair ${pair.name}: dns.zoneId is not a DNS zone resource id; validate the config with parseConfig first`);
  return {
    ...pair,
    primary,
    standby,
    backup: { ...pair.backup, blobEndpoint: pair.backup.blobEndpoint ?? blobEndpointOf(pair.backup.storageAccount) },
    dns: {
      ...pair.dns,
      zoneName: zone.name,
      primaryTarget: pair.dns.primaryTarget ?? defaultGatewayHost(primary.name),
      standbyTarget: pair.dns.standbyTarget ?? defaultGatewayHost(standby.name),
    },
  };
}

/** The gateway host APIM gives every service: `<name>.azure-api.net`. */
export function defaultGatewayHost(serviceName: string): string {
  return `${serviceName.toLowerCase()}.azure-api.net`;
}

function blobEndpointOf(account: string): string {
  return `https://${account}.blob.core.windows.net`;
}

function service(config: ServiceConfig): EffectiveService {
  const id = parseArmId(config.serviceId, APIM_SERVICE);
  if (!id) throw new Error(`${config.serviceId} is not an APIM service resource id; validate the config with parseConfig first`);
  return { ...config, ...id };
}

function absolute(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
