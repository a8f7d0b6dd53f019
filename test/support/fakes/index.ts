import type { PairSettings } from "../../../src/machine/types.js";
import { FakeApim } from "./apim.js";
import { FakeBackupStore } from "./backup-store.js";
import { ManualClock } from "./clock.js";
import { FakeDns } from "./dns.js";
import { FakeProbe } from "./probe.js";

export { FakeApim } from "./apim.js";
export { FakeBackupStore } from "./backup-store.js";
export { ManualClock, settle } from "./clock.js";
export { FakeDns } from "./dns.js";
export { FakeProbe } from "./probe.js";
export { MemoryAuditLog, MemoryStateStore } from "./state-store.js";

export const PRIMARY_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu";
export const STANDBY_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-neu";
export const ZONE_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/dnsZones/contoso.com";

/** A pair as the config loader would produce it; override what a test is about. */
export function pairSettings(overrides: { policy?: Partial<PairSettings["policy"]>; objectives?: Partial<PairSettings["objectives"]> } = {}): PairSettings {
  return {
    name: "contoso",
    primary: { serviceId: PRIMARY_ID, region: "westeurope" },
    standby: { serviceId: STANDBY_ID, region: "northeurope" },
    customHostname: "api.contoso.com",
    dns: { zoneId: ZONE_ID, recordName: "api", ttl: 60, primaryTarget: "apim-weu.azure-api.net", standbyTarget: "apim-neu.azure-api.net" },
    objectives: { rpoMs: 60 * 60_000, rtoMs: 60 * 60_000, ...overrides.objectives },
    policy: { mode: "automatic", brakeWindowMs: 24 * 3600_000, maxStepAttempts: 3, failbackHealthyWindowMs: 30 * 60_000, ...overrides.policy },
    backup: { storageAccount: "stbackups", containerName: "apim-backups", access: { type: "AccessKey", accessKeyRef: "APIM_DR_BACKUP_KEY" } },
  };
}

/** A simulated world: two Premium services, a CNAME on the primary, a backup store and probes. */
export function fakeWorld() {
  const clock = new ManualClock();
  const backups = new FakeBackupStore();
  const apim = new FakeApim(clock, backups);
  const dns = new FakeDns();
  const probe = new FakeProbe();
  apim.addService(PRIMARY_ID, "westeurope");
  apim.addService(STANDBY_ID, "northeurope");
  dns.put(ZONE_ID, "api", "apim-weu.azure-api.net");
  const ports = { apim, dns, backups, probe, clock, resolveAccessKey: (ref: string) => `key-from-${ref}` };
  return { clock, backups, apim, dns, probe, ports };
}
export { idleStepActors } from "./idle-steps.js";
export { MemoryVantageStore } from "./vantage-store.js";
