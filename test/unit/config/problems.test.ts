import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, validateConfig } from "../../../src/config/index.js";
import { pair, serviceId, validDocument } from "./valid-config.js";

/** The problems validateConfig reports for a document (no line numbers: it is not YAML). */
function problemsOf(doc: unknown): string[] {
  try {
    validateConfig(doc);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

function problemsOfYaml(text: string): string[] {
  try {
    parseConfig(text, "test.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

describe("config problems", () => {
  it("accepts the valid document and applies defaults", () => {
    const config = validateConfig(validDocument());
    expect(config.pairs[0]!.policy).toEqual({
      mode: "automatic",
      onRpoBreach: "awaitApproval",
      brakeWindowMinutes: 60,
      maxStepAttempts: 3,
      failbackHealthyWindowMinutes: 30,
    });
    expect(config.pairs[0]!.backup.retentionDays).toBe(30);
    expect(config.health.severityMapping.Sev0).toBe("unhealthy");
    expect(config.server.listen).toBe("127.0.0.1:7070");
    expect(config.signals.probes).toBeUndefined();
  });

  it("normalizes region display names", () => {
    const doc = validDocument();
    doc.pairs[0]!.standby.region = "North Europe";
    expect(validateConfig(doc).pairs[0]!.standby.region).toBe("northeurope");
  });

  it("words a wrong type as 'expected X, got Y'", () => {
    const doc = validDocument();
    doc.pairs[0]!.objectives.rpoMinutes = "sixty";
    expect(problemsOf(doc)).toEqual(['pairs[0].objectives.rpoMinutes: expected a positive number, got "sixty"']);
  });

  it("rejects values out of range with the range", () => {
    const doc = validDocument();
    Object.assign(doc.pairs[0]!.backup, { retentionDays: 45 });
    expect(problemsOf(doc)).toEqual(["pairs[0].backup.retentionDays: expected a whole number from 1 to 30, got 45"]);
  });

  it("reports a missing required field with what belongs there", () => {
    const doc = validDocument();
    delete doc.pairs[0]!.policy.mode;
    expect(problemsOf(doc)).toEqual(['pairs[0].policy.mode: missing; expected one of "automatic", "approval", "observe"']);
  });

  it("rejects an unknown key and suggests the nearest known one", () => {
    const doc = validDocument();
    doc.pairs[0]!.policy = { mode: "automatic", onRpoBrech: "refuse" };
    expect(problemsOf(doc)).toEqual(['pairs[0].policy.onRpoBrech: unknown key; did you mean "onRpoBreach"?']);
  });

  it("suggests the key a typo of a required key replaced, besides reporting it missing", () => {
    const doc = validDocument();
    doc.pairs[0]!.policy = { mod: "automatic" };
    expect(problemsOf(doc)).toEqual([
      'pairs[0].policy.mode: missing; expected one of "automatic", "approval", "observe"',
      'pairs[0].policy.mod: unknown key; did you mean "mode"?',
    ]);
  });

  it("lists the known keys when nothing is close", () => {
    const doc = validDocument();
    doc.pairs[0]!.objectives.zzzzzzzz = 1;
    expect(problemsOf(doc)).toEqual(["pairs[0].objectives.zzzzzzzz: unknown key; known keys here: rpoMinutes, rtoMinutes"]);
  });

  it("suggests the nearest enum value", () => {
    const doc = validDocument();
    doc.pairs[0]!.policy.mode = "automatc";
    expect(problemsOf(doc)).toEqual(['pairs[0].policy.mode: expected one of "automatic", "approval", "observe", got "automatc"; did you mean "automatic"?']);
  });

  it("names the allowed types of a discriminated section", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.access = { type: "sas" };
    expect(problemsOf(doc)).toEqual([
      'pairs[0].backup.access.type: expected one of "accessKey", "systemAssignedManagedIdentity", "userAssignedManagedIdentity", got "sas"',
    ]);
  });

  it("rejects an inline access key and says how to pass it", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.access = { type: "accessKey", accessKeyEnv: "BACKUP_KEY", accessKey: "c2VjcmV0LWtleQ==" };
    const problems = problemsOf(doc);
    expect(problems).toEqual([
      "pairs[0].backup.access.accessKey: inline secrets are not allowed; put the key in an environment variable and set accessKeyEnv: NAME",
    ]);
    expect(problems.join("\n")).not.toContain("c2VjcmV0");
  });

  it("rejects a connection string with AccountKey= under any key, without echoing it", () => {
    const doc = validDocument();
    doc.signals = { eventHubs: { connectionStringEnv: "Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=hunter2", eventHubName: "hub" } };
    const problems = problemsOf(doc);
    expect(problems).toContain(
      "signals.eventHubs.connectionStringEnv: looks like an inline secret (a connection string with SharedAccessKey=; not shown); connectionStringEnv takes the NAME of an environment variable; put the secret in that variable",
    );
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("never echoes a rejected secret reference that might be the secret itself", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.access = { type: "accessKey", accessKeyEnv: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==" };
    const problems = problemsOf(doc);
    expect(problems).toEqual([
      "pairs[0].backup.access.accessKeyEnv: expected the name of an environment variable (letters, digits and _, not starting with a digit), not the secret itself, got a value that is not a variable name (not shown: it may be the secret itself)",
    ]);
  });

  it("rejects an ARM id of the wrong resource type and says which part is wrong", () => {
    const doc = validDocument();
    doc.pairs[0]!.primary.serviceId = doc.pairs[0]!.primary.serviceId.replace("/service/", "/services/");
    expect(problemsOf(doc)).toEqual([
      `pairs[0].primary.serviceId: expected an ARM resource id of the form /subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.ApiManagement/service/<name>, got "${doc.pairs[0]!.primary.serviceId}" (resource type is Microsoft.ApiManagement/services, not Microsoft.ApiManagement/service)`,
    ]);
  });

  it("rejects an ARM id whose subscription is not a UUID", () => {
    const doc = validDocument();
    doc.pairs[0]!.dns.zoneId = "/subscriptions/prod/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/contoso.com";
    expect(problemsOf(doc)).toEqual([
      'pairs[0].dns.zoneId: expected an ARM resource id of the form /subscriptions/<uuid>/resourceGroups/<rg>/providers/Microsoft.Network/dnsZones/<zone name>, got "/subscriptions/prod/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/contoso.com" (subscription "prod" is not a UUID)',
    ]);
  });

  it("rejects a bad cron expression with the parser's reason", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.schedule = "61 * * * *";
    expect(problemsOf(doc)).toEqual([
      'pairs[0].backup.schedule: expected a 5-field cron expression "minute hour day-of-month month day-of-week" (UTC) such as "0 * * * *", or @hourly/@daily, got "61 * * * *" (Constraint error, got value 61 expected range 0-59)',
    ]);
  });

  it("rejects a cron expression with seconds (6 fields)", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.schedule = "0 0 * * * *";
    expect(problemsOf(doc)[0]).toMatch(/^pairs\[0\]\.backup\.schedule: .* got "0 0 \* \* \* \*" \(has 6 fields, needs 5\)$/);
  });

  it("rejects duplicate pair names", () => {
    const doc = validDocument();
    const second = pair("fabrikam");
    second.name = "contoso";
    second.customHostname = "fabrikam.contoso.com";
    second.dns.recordName = "fabrikam";
    doc.pairs.push(second);
    expect(problemsOf(doc)).toEqual(['pairs[1].name: duplicate pair name "contoso" (also pairs[0].name); pair names must be unique']);
  });

  it("rejects two pairs with the same custom hostname or DNS record, whatever the case, naming both pairs", () => {
    const doc = validDocument();
    const second = pair("fabrikam");
    second.customHostname = "CONTOSO.contoso.com";
    second.dns.recordName = "Contoso";
    doc.pairs.push(second);
    expect(problemsOf(doc)).toEqual([
      `pairs[1].customHostname: pairs 'contoso' and 'fabrikam' use the same custom hostname "contoso.contoso.com" (also pairs[0].customHostname); each pair needs its own`,
      expect.stringMatching(/^pairs\[1\]\.dns\.recordName: pairs 'contoso' and 'fabrikam' use the same DNS record "contoso in \/subscriptions\/.*\/dnszones\/contoso\.com" \(also pairs\[0\]\.dns\.recordName\); each pair needs its own$/),
    ]);
  });

  it("rejects a standby in the primary's region, whatever the spelling", () => {
    const doc = validDocument();
    doc.pairs[0]!.standby.region = "West Europe";
    expect(problemsOf(doc)).toEqual([
      'pairs[0].standby.region: same region as the primary ("westeurope"); the standby must be in another region to survive a regional outage',
    ]);
  });

  it("rejects one APIM service used twice", () => {
    const doc = validDocument();
    doc.pairs[0]!.standby.serviceId = serviceId("APIM-contoso-weu");
    expect(problemsOf(doc)).toEqual([
      "pairs[0].standby.serviceId: the same APIM service is already pairs[0].primary.serviceId; each service may appear once, as one pair's primary or standby",
    ]);
  });

  it("rejects a DNS record that is not the custom hostname", () => {
    const doc = validDocument();
    doc.pairs[0]!.dns.recordName = "www";
    expect(problemsOf(doc)).toEqual([
      'pairs[0].dns.recordName: record "www" in zone "contoso.com" is www.contoso.com, not the customHostname "contoso.contoso.com"; the CNAME that moves must be the custom hostname',
    ]);
  });

  it("needs exactly one way to reach Event Hubs, and a blob store for checkpoints", () => {
    const doc = validDocument();
    doc.signals = { eventHubs: { eventHubName: "hub", checkpoint: { container: "checkpoints" } } };
    expect(problemsOf(doc)).toEqual([
      "signals.eventHubs: set connectionStringEnv (name of a variable holding the connection string) or fullyQualifiedNamespace (with azure.credential)",
      "signals.eventHubs.checkpoint: checkpoints are kept in the state storage account; use stateStore.type: blob, or remove checkpoint (reading then starts at the newest events)",
    ]);
  });

  it("requires an https ARM endpoint (bearer tokens are refused over http)", () => {
    const doc = validDocument();
    doc.azure = { armEndpoint: "http://127.0.0.1:8443" };
    expect(problemsOf(doc)).toEqual(['azure.armEndpoint: expected an https:// URL, got "http://127.0.0.1:8443"']);
  });

  it("reports every problem at once, not only the first", () => {
    const doc = validDocument();
    doc.pairs[0]!.objectives.rpoMinutes = -5;
    doc.pairs[0]!.objectives.rtoMinutes = "soon";
    doc.pairs[0]!.policy.mode = "yolo";
    doc.pairs[0]!.standby.region = "westeurope";
    doc.stateStore = { type: "file" };
    expect(problemsOf(doc)).toEqual([
      "pairs[0].objectives.rpoMinutes: expected a positive number, got -5",
      'pairs[0].objectives.rtoMinutes: expected a positive number, got "soon"',
      'pairs[0].policy.mode: expected one of "automatic", "approval", "observe", got "yolo"',
      "stateStore.dir: missing; expected a non-empty string",
      'pairs[0].standby.region: same region as the primary ("westeurope"); the standby must be in another region to survive a regional outage',
    ]);
  });

  it("rejects a document without pairs", () => {
    expect(problemsOf({ pairs: [], stateStore: { type: "file", dir: "s" } })).toEqual(["pairs: expected at least 1 item(s), got 0"]);
    expect(problemsOf({ stateStore: { type: "file", dir: "s" } })).toEqual(["pairs: missing; expected a list"]);
  });
});

describe("YAML problems", () => {
  const yaml = `pairs:
  - name: contoso
    primary:
      serviceId: ${serviceId("apim-contoso-weu")}
      region: westeurope
    standby:
      serviceId: ${serviceId("apim-contoso-neu")}
      region: northeurope
    customHostname: api.contoso.com
    dns:
      zoneId: /subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-dns/providers/Microsoft.Network/dnsZones/contoso.com
      recordName: api
    backup:
      storageAccount: stbackups
      container: apim-backups
      access: { type: systemAssignedManagedIdentity }
      schedule: "0 * * * *"
    objectives:
      rpoMinutes: sixty
      rtoMinutes: 45
    policy:
      mod: automatic
stateStore: { type: file, dir: state }
`;

  it("adds the line of each problem", () => {
    expect(problemsOfYaml(yaml)).toEqual([
      'pairs[0].objectives.rpoMinutes: expected a positive number, got "sixty" (line 19)',
      'pairs[0].policy.mode: missing; expected one of "automatic", "approval", "observe" (line 21)',
      'pairs[0].policy.mod: unknown key; did you mean "mode"? (line 22)',
    ]);
  });

  it("reports a YAML syntax error with its position", () => {
    expect(problemsOfYaml("pairs: [\n  a: b\n")).toEqual([
      "line 3, column 1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
  });

  it("rejects duplicate keys (the second would silently win)", () => {
    const problems = problemsOfYaml("stateStore: { type: file, dir: a }\nstateStore: { type: file, dir: b }\n");
    expect(problems[0]).toBe("line 2, column 1: invalid YAML: Map keys must be unique");
  });

  it("rejects an empty file with a pointer to the example", () => {
    expect(problemsOfYaml("# nothing here\n")).toEqual([
      "(top level): the file is empty; expected a mapping with at least pairs and stateStore (see config/production.example.yaml)",
    ]);
  });

  it("resolves YAML anchors and merge keys, so pairs can share blocks", () => {
    const second = yaml
      .slice(yaml.indexOf("  - name: contoso"), yaml.indexOf("    objectives:"))
      .replaceAll("contoso-weu", "fabrikam-weu")
      .replaceAll("contoso-neu", "fabrikam-neu")
      .replace("name: contoso", "name: fabrikam")
      .replace("api.contoso.com", "fabrikam.contoso.com")
      .replace("recordName: api", "recordName: fabrikam");
    const shared = yaml
      .replace("    objectives:\n      rpoMinutes: sixty\n      rtoMinutes: 45", "    objectives: &objectives { rpoMinutes: 60, rtoMinutes: 45 }")
      .replace("    policy:\n      mod: automatic\n", `    policy: &policy { mode: approval, maxStepAttempts: 5 }\n${second}    objectives: *objectives\n    policy: { <<: *policy, brakeWindowMinutes: 15 }\n`);
    const config = parseConfig(shared, "shared.yaml");
    expect(config.pairs.map((p) => p.name)).toEqual(["contoso", "fabrikam"]);
    expect(config.pairs[1]!.objectives).toEqual({ rpoMinutes: 60, rtoMinutes: 45 });
    expect(config.pairs[1]!.policy).toMatchObject({ mode: "approval", maxStepAttempts: 5, brakeWindowMinutes: 15 });
    expect(config.pairs[0]!.policy.brakeWindowMinutes).toBe(60);
  });
});
