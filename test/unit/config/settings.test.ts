import { describe, expect, it } from "vitest";
import { ConfigError, effectiveConfig, healthSettingsFrom, validateConfig } from "../../../src/config/index.js";
import { defaultHealthSettings } from "../../../src/health/config.js";
import { validDocument } from "./valid-config.js";

function problemsOf(doc: unknown): string[] {
  try {
    validateConfig(doc);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("health settings from the config", () => {
  it("keeps the evaluator's defaults for everything the file leaves out", () => {
    expect(healthSettingsFrom(validateConfig(validDocument()).health)).toEqual(defaultHealthSettings);
  });

  it("converts seconds to milliseconds and replaces groups and rules that are set", () => {
    const doc = validDocument();
    doc.health = {
      quorum: 1,
      confirmationWindowSeconds: 90,
      groups: [{ name: "probe", sources: ["probe"], stalenessSeconds: 20, observer: true }],
      authoritative: [{ sources: ["probe"], status: "unhealthy", confirms: "alone" }],
    };
    const settings = healthSettingsFrom(validateConfig(doc).health);
    expect(settings).toMatchObject({
      quorum: 1,
      confirmationWindowMs: 90_000,
      stalenessMs: defaultHealthSettings.stalenessMs,
      groups: [{ name: "probe", sources: ["probe"], stalenessMs: 20_000, observer: true }],
      authoritative: [{ sources: ["probe"], status: "unhealthy", confirms: "alone" }],
    });
  });

  it("reports the evaluator's own rules as config problems", () => {
    const doc = validDocument();
    doc.health = { quorum: 7 };
    expect(problemsOf(doc)).toEqual(["health.quorum: must be a whole number from 1 to 5 (the number of source groups), got 7"]);
  });
});

describe("effective settings", () => {
  it("fills in endpoints and CNAME targets from names, and resolves paths against the config's directory", () => {
    const doc = validDocument();
    doc.pairs[0]!.dns.primaryTarget = "edge-weu.contoso.net";
    const effective = effectiveConfig(validateConfig(doc), "/etc/apim-dr");
    const pair = effective.pairs[0]!;
    expect(pair.dns).toMatchObject({ zoneName: "contoso.com", primaryTarget: "edge-weu.contoso.net", standbyTarget: "apim-contoso-neu.azure-api.net" });
    expect(pair.backup.blobEndpoint).toBe("https://stbackups.blob.core.windows.net");
    expect(pair.primary).toMatchObject({ subscriptionId: "11111111-2222-3333-4444-555555555555", resourceGroup: "rg-apim", name: "apim-contoso-weu" });
    expect(effective.stateStore).toEqual({ type: "file", dir: "/etc/apim-dr/state" });
  });

  it("accepts a per-region metrics endpoint template", () => {
    const doc = validDocument();
    doc.azure = { metricsEndpoint: "https://{region}.metrics.monitor.azure.com" };
    expect(validateConfig(doc).azure.metricsEndpoint).toBe("https://{region}.metrics.monitor.azure.com");
  });
});
