import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../src/config/index.js";
import { validDocument } from "../config/valid-config.js";

const withTargets = (targets: unknown[]) => ({ ...validDocument(), notifications: { targets } });
const problems = (doc: unknown) => {
  try {
    validateConfig(doc, "config.yaml");
    return "";
  } catch (error) {
    return (error as Error).message;
  }
};

describe("notifications config", () => {
  it("fills the delivery defaults and every event when none are named", () => {
    const config = validateConfig(withTargets([{ name: "dr-channel", kind: "teams", urlEnv: "TEAMS_URL" }]));
    expect(config.notifications?.targets[0]).toMatchObject({ timeoutSeconds: 10, maxAttempts: 5, retrySeconds: 2, maxQueue: 100 });
    expect(config.notifications?.targets[0]!.events).toContain("awaitingOperator");
  });

  it("says what is wrong: a generic target without its HMAC key, a key on a kind that sends none, an unknown event, a URL in place of a variable name", () => {
    expect(problems(withTargets([{ name: "oncall", kind: "generic", urlEnv: "URL" }]))).toContain("a generic target needs secretEnv");
    expect(problems(withTargets([{ name: "s", kind: "slack", urlEnv: "URL", secretEnv: "KEY" }]))).toContain("a slack target sends no signature: remove secretEnv");
    expect(problems(withTargets([{ name: "s", kind: "slack", urlEnv: "URL", events: ["failoverDone"] }]))).toMatch(/events\[0\].*awaitingOperator/);
    const inline = problems(withTargets([{ name: "s", kind: "slack", urlEnv: "https://hooks.slack.com/services/T000/B000/XXXX" }]));
    expect(inline).toContain("urlEnv");
    expect(inline).not.toContain("hooks.slack.com");
    expect(problems(withTargets([{ name: "a", kind: "teams", urlEnv: "U" }, { name: "a", kind: "slack", urlEnv: "V" }]))).toContain("target names must be unique");
  });
});
