import { describe, expect, it } from "vitest";
import { defaultHealthSettings, resolveHealthSettings } from "../../../src/health/config.js";

describe("health settings", () => {
  it("defaults: five independent groups, quorum 2, probes the only observer group", () => {
    const s = resolveHealthSettings();
    expect(s.groups.map((g) => g.name)).toEqual(["resourceHealth", "azureMonitor", "probe", "gatewayLog", "serviceHealth"]);
    expect(s.groups.filter((g) => g.observer).map((g) => g.name)).toEqual(["probe"]);
    expect(s.quorum).toBe(2);
    expect(s.authoritative).toEqual([
      { sources: ["resourceHealth", "activityLog"], status: "unhealthy", attributes: { cause: "PlatformInitiated" }, confirms: "withCorroboration" },
    ]);
  });

  it.each([
    [{ quorum: 0 }, "health.quorum must be a whole number from 1 to 5 (the number of source groups), got 0"],
    [{ quorum: 6 }, "health.quorum must be a whole number from 1 to 5 (the number of source groups), got 6"],
    [{ confirmationWindowMs: -1 }, "health.confirmationWindowMs must be a non-negative number of milliseconds, got -1"],
    [{ groups: [] }, 'health.groups is empty: list at least one source group, e.g. { name: "probe", sources: ["probe"] }'],
    [
      { groups: [...defaultHealthSettings.groups, { name: "more", sources: ["metric" as const] }] },
      "health.groups: source 'metric' is in both 'azureMonitor' and 'more'; a source can cast only one vote, keep it in one group",
    ],
    [
      { groups: defaultHealthSettings.groups.filter((g) => g.name !== "resourceHealth"), quorum: 2 },
      "health.authoritative names source 'resourceHealth', which is in no group; add it to a group or remove it from the rule",
    ],
  ])("rejects %j with a message naming the fix", (overrides, message) => {
    expect(() => resolveHealthSettings(overrides)).toThrow(message);
  });
});
