import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAzureAdapters, createBackupStore } from "../../../src/azure/index.js";
import { takeBackup } from "../../../src/backup/take-backup.js";
import { effectiveConfig, validateConfig, type EffectiveConfig } from "../../../src/config/index.js";
import { systemClock } from "../../../src/ports/clock.js";
import { readFacts, runChecks, type CheckName, type CheckResult, type ControllerKnowledge } from "../../../src/readiness/index.js";
import { readinessPorts } from "../../../src/readiness/wiring.js";
import { merge, simControllerConfig, simEnv } from "../../../src/sim/controller-config.js";
import { startSimulatedAzure, type BreakOptions, type PreconditionBreak, type SimulatedAzure } from "../../../src/sim/index.js";

const DAY = 86_400_000;

/**
 * Every readiness check through the production adapters (@azure/arm-apimanagement, arm-storage,
 * arm-authorization, arm-dns, storage-blob) against the simulator, broken one precondition at a time.
 */
describe("readiness checks against the simulator", () => {
  let sim: SimulatedAzure;
  let accessKey: EffectiveConfig;
  let managedIdentity: EffectiveConfig;
  const known = (): ControllerKnowledge => ({ active: "primary", signals: { since: Date.now() - 60_000, heard: { eventHubs: Date.now() - 5_000, probes: Date.now() - 1_000 } }, expectedRestore: { ms: 3_000, source: "test" } });

  async function configWith(pair: Record<string, unknown> = {}): Promise<EffectiveConfig> {
    const input = await simControllerConfig(sim);
    const patched = merge(input as Record<string, unknown>, {}) as { pairs: Record<string, unknown>[] };
    const base = patched.pairs[0] as { backup: Record<string, unknown> };
    // The access is replaced whole: its fields depend on its type.
    const access = (pair as { backup?: { access?: unknown } }).backup?.access;
    patched.pairs[0] = merge(access ? { ...base, backup: { ...base.backup, access } } : base, pair);
    return effectiveConfig(validateConfig(patched), sim.stateDir);
  }

  /** `knowledge` null: what `apim-dr check` knows without the running controller. */
  async function check(config = accessKey, knowledge: ControllerKnowledge | null = known()): Promise<CheckResult[]> {
    const pair = config.pairs[0]!;
    return runChecks(await readFacts(config, pair, readinessPorts(config, simEnv(sim)), Date.now(), knowledge ?? undefined));
  }

  const byStatus = (results: CheckResult[], status: CheckResult["status"]) => results.filter((r) => r.status === status).map((r) => r.check);
  const find = (results: CheckResult[], name: CheckName) => results.find((r) => r.check === name)!;

  beforeAll(async () => {
    sim = await startSimulatedAzure({ backupDurationMs: 200, restoreDurationMs: 500, retryAfterSeconds: 0 });
    accessKey = await configWith();
    managedIdentity = await configWith({ backup: { access: { type: "systemAssignedManagedIdentity" } } });
    // The newest backup of the active instance, annotated as the controller annotates it.
    const azure = createAzureAdapters({ armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem, credential: { type: "simulator" }, lroPollIntervalMs: 50 });
    const store = createBackupStore({ blobEndpoint: sim.storage.blobEndpoint, auth: { type: "accountKey", accountName: sim.storage.accountName, accountKey: sim.storage.accountKey } }, azure.credential);
    await takeBackup(
      { apim: azure.apim, store, clock: systemClock() },
      { serviceId: sim.services.primary.id, storageAccount: sim.storage.accountName, container: accessKey.pairs[0]!.backup.container, access: () => ({ type: "AccessKey", accessKey: sim.storage.accountKey }) },
    );
  });
  afterEach(async () => {
    await sim.repair();
    sim.clearAllFaults();
  });
  afterAll(() => sim?.stop());

  it("a healthy world is READY on every check, each with the values it read", async () => {
    const results = await check();
    expect(byStatus(results, "READY")).toEqual(["tier", "standby", "hostname", "identity", "role", "storage-cors", "storage-network", "storage-redundancy", "placement", "dns", "backup", "drift", "signals"]);
    expect(find(results, "tier").evidence).toBe("apim-contoso-weu Premium ×1, apim-contoso-neu Premium ×1; no workspaces");
    expect(find(results, "storage-redundancy").evidence).toBe("devstoreaccount1: Standard_GZRS in swedencentral; primary in westeurope");
    expect(find(results, "placement").evidence).toBe("state store apimdrstate in swedencentral; primary in westeurope");
    expect(find(results, "dns").evidence).toMatch(/^CNAME api\.contoso\.example → apim-contoso-weu\.azure-api\.net, TTL 60 s/);
    expect(find(results, "backup").evidence).toMatch(/^newest apim-contoso-weu-\S+\.apimbackup, \d+ s old \(RPO 60 min\)/);
  });

  it("with a managed identity, identity and role are read from the services and the backup account's role assignments", async () => {
    const results = await check(managedIdentity);
    expect(find(results, "identity")).toMatchObject({ status: "READY", evidence: expect.stringMatching(/apim-contoso-weu: SystemAssigned, UserAssigned/) });
    expect(find(results, "role")).toMatchObject({ status: "READY", evidence: expect.stringMatching(/apim-contoso-weu: 1 assignment\(s\), Storage Blob Data Contributor; apim-contoso-neu: 1 assignment/) });
  });

  // Each break is answered by exactly one check, NOT READY with the values that show it.
  const cases: { name: PreconditionBreak; options?: BreakOptions; check: CheckName; evidence: RegExp; fix: RegExp; mi?: boolean }[] = [
    { name: "v2-sku", check: "tier", evidence: /apim-contoso-neu StandardV2 ×1; apim-contoso-neu is StandardV2: no backup\/restore on that tier/, fix: /Developer, Basic, Standard or Premium/ },
    { name: "workspace", check: "tier", evidence: /apim-contoso-neu has workspace\(s\) team-a/, fix: /remove the workspaces/ },
    { name: "provisioning-failed", check: "standby", evidence: /^apim-contoso-neu provisioning state Failed$/, fix: /repair apim-contoso-neu/ },
    { name: "hostname-removed", check: "hostname", evidence: /^api\.contoso\.example is not a Proxy hostname on apim-contoso-neu$/, fix: /restore does not change hostnames/ },
    { name: "certificate-mismatch", check: "hostname", evidence: /apim-contoso-neu: Key Vault https:\/\/kv-other\.vault\.azure\.net\/secrets\/api-other, thumbprint 0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C.*: the certificates differ/, fix: /same certificate/ },
    { name: "certificate-expiring", options: { days: 5 }, check: "hostname", evidence: /apim-contoso-weu's certificate expires in 5 day\(s\), apim-contoso-neu's certificate expires in 5 day\(s\) \(limit 30 days\)/, fix: /renew the certificate/ },
    { name: "identity-off", check: "identity", evidence: /apim-contoso-weu: no identity; apim-contoso-neu: no identity: apim-contoso-weu has no system-assigned identity/, fix: /turn on the system-assigned identity/, mi: true },
    { name: "role-removed", check: "role", evidence: /apim-contoso-weu: 0 assignment\(s\), no Storage Blob Data Contributor; apim-contoso-neu: 0 assignment\(s\), no Storage Blob Data Contributor on devstoreaccount1/, fix: /assign Storage Blob Data Contributor on devstoreaccount1/, mi: true },
    { name: "cors-on", check: "storage-cors", evidence: /^1 CORS rule\(s\) on the blob service of devstoreaccount1: GET,PUT from https:\/\/portal\.contoso\.example$/, fix: /remove every CORS rule/ },
    { name: "firewall-closed", check: "storage-network", evidence: /default action Deny, bypass None, allowed IPs none: with an access key the firewall must allow the APIM control-plane IPs/, fix: /control-plane IP addresses/ },
    { name: "firewall-closed", check: "storage-network", evidence: /default action Deny, bypass None, allowed IPs none: with a managed identity the firewall must let trusted Azure services through/, fix: /allow trusted Azure services/, mi: true },
    { name: "backup-account-local", check: "storage-redundancy", evidence: /^devstoreaccount1: Standard_LRS in westeurope; primary in westeurope: the backups would be lost with the primary's region$/, fix: /geo-redundant/ },
    { name: "state-in-primary-region", check: "placement", evidence: /^state store apimdrstate is in westeurope, the primary's region$/, fix: /move the controller's state store out of westeurope/ },
    { name: "dns-ttl", options: { ttl: 3600 }, check: "dns", evidence: /TTL 3600 s; expected restore 3 s \(test\); RTO 5 min: TTL plus restore exceed the RTO/, fix: /lower the TTL of api\.contoso\.example to at most 297 s/ },
    { name: "protocol-setting", check: "drift", evidence: /^1 difference\(s\) in settings no backup carries: Security\.Protocols\.Tls11: apim-contoso-weu False, apim-contoso-neu True$/, fix: /make apim-contoso-neu match apim-contoso-weu/ },
    { name: "logging-removed", check: "drift", evidence: /^1 difference\(s\) in settings no backup carries: loggers and diagnostics: apim-contoso-weu diagnostic azuremonitor → azuremonitor, logger azuremonitor \(azureMonitor\), apim-contoso-neu none$/, fix: /make apim-contoso-neu match/ },
    { name: "ca-certificate", check: "drift", evidence: /custom CA certificates: apim-contoso-weu none, apim-contoso-neu Root:A1B2C3D4E5F60718293A4B5C6D7E8F9001122334/, fix: /a restore will not copy them/ },
  ];
  for (const c of cases) {
    it(`${c.name}${c.mi ? " (managed identity)" : ""}: ${c.check} is NOT READY with the evidence, and no other check is`, async () => {
      await sim.breakPrecondition(c.name, c.options);
      const results = await check(c.mi ? managedIdentity : accessKey);
      expect(find(results, c.check)).toMatchObject({ status: "NOT READY", evidence: expect.stringMatching(c.evidence), fix: expect.stringMatching(c.fix) });
      expect(byStatus(results, "NOT READY")).toEqual([c.check]);
      // With an access key every other check can read what it needs.
      if (!c.mi) expect(byStatus(results, "UNKNOWN")).toEqual([]);
    });
  }

  it("a CNAME changed behind the controller's back: dns is NOT READY naming both targets", async () => {
    await sim.fault("dns-tamper", {}, { cname: "elsewhere.azure-api.net" });
    const results = await check();
    expect(find(results, "dns")).toMatchObject({ status: "NOT READY", evidence: expect.stringMatching(/CNAME api\.contoso\.example → elsewhere\.azure-api\.net.*: the active instance's target is apim-contoso-weu\.azure-api\.net/) });
    expect(byStatus(results, "NOT READY")).toEqual(["dns"]);
    await sim.fault("dns-tamper", {}, { cname: sim.services.primary.gatewayHost });
  });

  it("a signal source silent for longer than readiness.signalSilenceMinutes: signals is NOT READY naming it", async () => {
    const results = await check(accessKey, { ...known(), signals: { since: Date.now() - 3_600_000, heard: { eventHubs: Date.now() - 16 * 60_000, probes: Date.now() - 1_000, metrics: null } } });
    expect(find(results, "signals")).toMatchObject({ status: "NOT READY", evidence: expect.stringMatching(/^eventHubs 16 min ago, probes 1 s ago, metrics not yet \(listening for 60 min\): eventHubs, metrics silent for over 15 min$/) });
    expect(byStatus(results, "NOT READY")).toEqual(["signals"]);
  });

  it("without the running controller (apim-dr check), signals is UNKNOWN and the CNAME's target names the active instance", async () => {
    const results = await check(accessKey, null);
    expect(find(results, "signals").status).toBe("UNKNOWN");
    expect(find(results, "dns").status).toBe("READY");
  });

  it("a backup older than 30 days (clock-shift 31d): backup is NOT READY as expired", async () => {
    await sim.fault("clock-shift", {}, { byMs: 31 * DAY });
    const results = await check();
    expect(find(results, "backup")).toMatchObject({ status: "NOT READY", evidence: expect.stringMatching(/, 44\d{3} min old \(RPO 60 min\), expires .*: expired, APIM cannot restore it$/) });
    expect(byStatus(results, "NOT READY")).toEqual(["backup"]);
  });
});
