import { describe, expect, it } from "vitest";
import { ConfigError, effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { validDocument } from "../config/valid-config.js";

function problemsOf(doc: unknown): string[] {
  try {
    validateConfig(doc);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

function withCoordination(coordination: Record<string, unknown>) {
  return {
    ...validDocument(),
    stateStore: { type: "blob", accountName: "ststate" },
    coordination: { leaseStore: { accountName: "stleases" }, region: "swedencentral", adminUrl: "https://apim-dr-sec.contoso.com", ...coordination },
  };
}

describe("coordination config", () => {
  it("is optional: without it the controller runs alone", () => {
    const config = effectiveConfig(validateConfig(validDocument()), "/etc/apim-dr");
    expect(config.coordination).toBeUndefined();
  });

  it("fills in the defaults: host name as replica id, a 15 s lease, a 10 s renew deadline", () => {
    const config = effectiveConfig(validateConfig(withCoordination({})), "/etc/apim-dr");
    expect(config.coordination).toMatchObject({
      leaseStore: { accountName: "stleases", container: "apim-dr-leases", blobEndpoint: "https://stleases.blob.core.windows.net" },
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      renewIntervalSeconds: 3,
      region: "swedencentral",
    });
    expect(config.coordination!.replicaId).toMatch(/\S/);
  });

  it("refuses a lease Azure does not grant (15-60 s)", () => {
    expect(problemsOf(withCoordination({ leaseDurationSeconds: 90 })).join("\n")).toMatch(/coordination\.leaseDurationSeconds/);
  });

  it("refuses a renew interval that cannot renew before the lease expires", () => {
    const problems = problemsOf(withCoordination({ leaseDurationSeconds: 15, renewIntervalSeconds: 12 }));
    expect(problems.join("\n")).toMatch(/coordination\.renewIntervalSeconds.*cannot renew before the renew deadline \(10 s\)/);
  });

  it("refuses a renew deadline that is not below the lease duration", () => {
    const problems = problemsOf(withCoordination({ leaseDurationSeconds: 20, renewDeadlineSeconds: 20 }));
    expect(problems.join("\n")).toMatch(/coordination\.renewDeadlineSeconds.*not below leaseDurationSeconds \(20 s\)/);
  });

  it("needs a consumer group of its own when it reads Event Hubs", () => {
    const hub = { connectionStringEnv: "EH", eventHubName: "signals" };
    expect(problemsOf({ ...withCoordination({ replicaId: "ctl-neu" }), signals: { eventHubs: hub } }).join("\n")).toMatch(
      /signals\.eventHubs\.consumerGroup.*its own consumer group.*consumerGroup: apim-dr-ctl-neu/,
    );
    expect(() => validateConfig({ ...withCoordination({}), signals: { eventHubs: { ...hub, consumerGroup: "apim-dr-ctl-neu" } } })).not.toThrow();
  });

  it("keeps another replica's probe verdict fresh for 3 probe intervals by default, and refuses a max age a verdict cannot meet", () => {
    const probes = { intervalSeconds: 5 };
    const config = effectiveConfig(validateConfig({ ...withCoordination({}), signals: { probes } }), "/etc/apim-dr");
    expect(config.coordination!.verdictMaxAgeSeconds).toBe(15);
    const problems = problemsOf({ ...withCoordination({ verdictMaxAgeSeconds: 5 }), signals: { probes } });
    expect(problems.join("\n")).toMatch(/coordination\.verdictMaxAgeSeconds.*5 s is not above signals\.probes\.intervalSeconds \(5 s\).*use at least 10/);
  });

  it("needs a blob state store every replica reaches", () => {
    const problems = problemsOf({ ...withCoordination({}), stateStore: { type: "file", dir: "state" } });
    expect(problems.join("\n")).toMatch(/stateStore\.type.*with coordination, use stateStore\.type: blob/);
  });
});
