import { describe, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import type { ApimService } from "../../../src/ports/apim.js";
import { checkHostname, checkPlacement, checkTier, versionlessSecret } from "../../../src/readiness/checks.js";
import { changedChecks } from "../../../src/readiness/monitor.js";
import { expectedRestore } from "../../../src/readiness/restore-history.js";
import type { ApimFacts, CheckResult, ReadinessFacts } from "../../../src/readiness/types.js";
import type { AuditEntry } from "../../../src/ports/state.js";
import { validDocument } from "../config/valid-config.js";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const DAY = 86_400_000;
const config = effectiveConfig(validateConfig(validDocument()), "/tmp");
const pair = config.pairs[0]!;

function service(name: string, over: Partial<ApimService> = {}): ApimService {
  return {
    id: `/x/${name}`,
    name,
    region: "westeurope",
    skuName: "Premium",
    skuCapacity: 1,
    provisioningState: "Succeeded",
    gatewayUrl: "",
    hostnames: [{ type: "Proxy", hostName: pair.customHostname, certificateThumbprint: "AA", certificateExpiry: new Date(NOW + 400 * DAY).toISOString(), keyVaultId: "https://kv.vault.azure.net/secrets/api" }],
    identity: null,
    ...over,
  };
}
const apim = (s: ApimService): { ok: true; value: ApimFacts } => ({ ok: true, value: { service: s, workspaces: { ok: true, value: [] }, loggers: { ok: true, value: [] }, diagnostics: { ok: true, value: [] } } });

function facts(primary: ApimService, standby: ApimService, over: Partial<ReadinessFacts> = {}): ReadinessFacts {
  return {
    pair,
    settings: config.readiness,
    now: NOW,
    primary: apim(primary),
    standby: apim(standby),
    backupAccount: null,
    stateAccount: "file",
    roles: null,
    cors: { ok: true, value: [] },
    dns: { ok: true, value: null },
    active: "primary",
    backups: { ok: true, value: [] },
    expectedRestore: { ms: 60_000, source: "test" },
    signals: null,
    ...over,
  };
}

describe("readiness checks (pure)", () => {
  it("hostname: the same versionless Key Vault secret is the same certificate even while the two thumbprints differ (one instance has not picked up the new version yet)", () => {
    const p = service("p", { hostnames: [{ ...service("p").hostnames[0]!, keyVaultId: "https://kv.vault.azure.net/secrets/api/1111", certificateThumbprint: "AA" }] });
    const s = service("s", { hostnames: [{ ...service("s").hostnames[0]!, keyVaultId: "https://KV.vault.azure.net/secrets/api/", certificateThumbprint: "BB" }] });
    expect(checkHostname(facts(p, s)).status).toBe("READY");
    expect(versionlessSecret("https://kv.vault.azure.net/secrets/api/0123abcd")).toBe("https://kv.vault.azure.net/secrets/api");
  });

  it("hostname: uploaded certificates are the same only by thumbprint", () => {
    const uploaded = (name: string, thumbprint: string) => service(name, { hostnames: [{ type: "Proxy", hostName: pair.customHostname, certificateThumbprint: thumbprint, certificateExpiry: new Date(NOW + 400 * DAY).toISOString() }] });
    expect(checkHostname(facts(uploaded("p", "aa11"), uploaded("s", "AA11"))).status).toBe("READY");
    expect(checkHostname(facts(uploaded("p", "AA11"), uploaded("s", "BB22")))).toMatchObject({ status: "NOT READY", evidence: expect.stringContaining("the certificates differ") });
  });

  it("tier: Consumption has no backup either; a read that failed is UNKNOWN, never READY", () => {
    expect(checkTier(facts(service("p", { skuName: "Consumption" }), service("s", { skuName: "Consumption" })))).toMatchObject({ status: "NOT READY", evidence: expect.stringContaining("p is Consumption") });
    const f = facts(service("p"), service("s"), { standby: { ok: false, error: "HTTP 403 AuthorizationFailed" } });
    expect(checkTier(f)).toMatchObject({ status: "UNKNOWN", evidence: "could not read apim-contoso-neu: HTTP 403 AuthorizationFailed" });
  });

  it("placement: a file state store is on the controller's own disk, whose region is not known: UNKNOWN", () => {
    expect(checkPlacement(facts(service("p"), service("s")))).toMatchObject({ status: "UNKNOWN", evidence: expect.stringContaining("controller's own disk") });
  });

  it("placement: with several replicas the lease store must be outside the primary's region too", () => {
    const account = (name: string, location: string) => ({ ok: true as const, value: { name, location, skuName: "Standard_GZRS", kind: "StorageV2", networkAcls: null, publicNetworkAccess: "Enabled" } as never });
    const state = account("apimdrstate", "swedencentral");
    expect(checkPlacement(facts(service("p"), service("s"), { stateAccount: state }))).toMatchObject({ status: "READY", evidence: "state store apimdrstate in swedencentral; primary in westeurope" });
    expect(checkPlacement(facts(service("p"), service("s"), { stateAccount: state, leaseAccount: account("apimdrleases", "westeurope") }))).toMatchObject({
      status: "NOT READY",
      evidence: "state store apimdrstate in swedencentral; lease store apimdrleases is in westeurope, the primary's region",
      fix: "move the lease store out of westeurope: with it gone no replica can lead",
    });
    expect(checkPlacement(facts(service("p"), service("s"), { stateAccount: state, leaseAccount: null }))).toMatchObject({ status: "UNKNOWN", evidence: expect.stringContaining("coordination.leaseStore.accountId is not configured") });
    expect(checkPlacement(facts(service("p"), service("s"), { stateAccount: state, leaseAccount: account("apimdrleases", "northeurope") }))).toMatchObject({ status: "READY" });
  });
});

describe("expected restore time", () => {
  const entry = (at: number, e: Partial<AuditEntry>): AuditEntry => ({ at: new Date(at).toISOString(), pair: "contoso", type: "transition", ...e });

  it("is the longest of the last five restores seen: restoreStarted until the transition out of restoring", () => {
    const audit: AuditEntry[] = [];
    [120, 300, 90].forEach((seconds, i) => {
      const start = NOW + i * DAY;
      audit.push(entry(start, { type: "operation", verdict: "restoreStarted" }));
      audit.push(entry(start + seconds * 1000, { state: "failingOver.verifyingStandby", detail: { from: "failingOver.restoring" } }));
    });
    expect(expectedRestore(audit, 30 * 60_000)).toEqual({ ms: 300_000, source: "longest of the last 3 restore(s) the controller saw" });
  });

  it("falls back to the configured default, saying so, when no restore was seen", () => {
    expect(expectedRestore([], 30 * 60_000)).toEqual({ ms: 1_800_000, source: "default readiness.expectedRestoreMinutes (30 min): no restore seen yet" });
  });
});

describe("what the audit trail records", () => {
  const r = (check: CheckResult["check"], status: CheckResult["status"]): CheckResult => ({ check, status, evidence: "e" });

  it("after a start only what is not READY; then every change of a check's result, both ways", () => {
    expect(changedChecks(null, [r("tier", "READY"), r("drift", "NOT READY")]).map((c) => [c.to.check, c.from, c.to.status])).toEqual([["drift", null, "NOT READY"]]);
    const before = [r("tier", "READY"), r("drift", "NOT READY"), r("dns", "READY")];
    const after = [r("tier", "READY"), r("drift", "READY"), r("dns", "UNKNOWN")];
    expect(changedChecks(before, after).map((c) => [c.to.check, c.from, c.to.status])).toEqual([
      ["drift", "NOT READY", "READY"],
      ["dns", "READY", "UNKNOWN"],
    ]);
  });
});
