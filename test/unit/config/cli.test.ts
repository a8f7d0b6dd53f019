import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { captureContext } from "../../support/cli.js";

const example = join(import.meta.dirname, "..", "..", "..", "config", "production.example.yaml");
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "apim-dr-config-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withExample(name: string, edit: (text: string) => string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, edit(await readFile(example, "utf8")));
  return path;
}

describe("apim-dr config validate", () => {
  it("prints ok and exits 0 for a valid file", async () => {
    const io = captureContext();
    expect(await main(["config", "validate", example], io.ctx)).toBe(0);
    expect(io.stdout()).toBe("ok");
    expect(io.stderr()).toBe("");
  });

  it("resolves a relative FILE against the working directory", async () => {
    const io = captureContext({}, join(import.meta.dirname, "..", "..", "..", "config"));
    expect(await main(["config", "validate", "sim.yaml"], io.ctx)).toBe(0);
  });

  it("prints every problem, one per line, with its line, and exits 2", async () => {
    const file = await withExample("bad.yaml", (t) =>
      t.replace("rpoMinutes: 60 ", "rpoMinutes: sixty ").replace("      mode: approval ", "      mod: approval "),
    );
    const lines = (await readFile(file, "utf8")).split("\n");
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    const io = captureContext();
    expect(await main(["config", "validate", file], io.ctx)).toBe(2);
    expect(io.stdout().split("\n")).toEqual([
      `pairs[0].objectives.rpoMinutes: expected a positive number, got "sixty" (line ${lineOf("rpoMinutes: sixty")})`,
      `pairs[0].policy.mode: missing; expected one of "automatic", "approval", "observe" (line ${lineOf("policy:")})`,
      `pairs[0].policy.mod: unknown key; did you mean "mode"? (line ${lineOf("mod: approval")})`,
    ]);
  });

  it("reports invalid YAML with its position and exits 2", async () => {
    const file = join(dir, "broken.yaml");
    await writeFile(file, "pairs:\n  - name: [unclosed\n");
    const io = captureContext();
    expect(await main(["config", "validate", file], io.ctx)).toBe(2);
    expect(io.stdout()).toMatch(/^line \d+, column \d+: invalid YAML: /);
  });

  it("says so when the file does not exist, exit 2", async () => {
    const io = captureContext();
    const missing = join(dir, "missing.yaml");
    expect(await main(["config", "validate", missing], io.ctx)).toBe(2);
    expect(io.stderr()).toBe(
      `apim-dr config: cannot read config file ${missing}: not found; pass the path of a YAML config file (see config/production.example.yaml)`,
    );
  });

  it("rejects a missing FILE or subcommand as bad usage", async () => {
    const noFile = captureContext();
    expect(await main(["config", "validate"], noFile.ctx)).toBe(2);
    expect(noFile.stderr()).toContain("apim-dr config: missing config FILE expected");
    const noSub = captureContext();
    expect(await main(["config", "check", example], noSub.ctx)).toBe(2);
    expect(noSub.stderr()).toContain("unknown subcommand 'check'; the only one is 'validate'");
  });

  it("with --env, reports referenced secret variables that are unset", async () => {
    const file = await withExample("key.yaml", (t) =>
      t.replace("type: systemAssignedManagedIdentity ", "type: accessKey\n        accessKeyEnv: CONTOSO_BACKUP_KEY "),
    );
    const unset = captureContext({});
    expect(await main(["config", "validate", file, "--env"], unset.ctx)).toBe(2);
    expect(unset.stdout().split("\n")).toEqual([
      "pairs[0].backup.access.accessKeyEnv: environment variable CONTOSO_BACKUP_KEY is not set; export it before starting the controller",
      // Webhook URLs and HMAC keys are secrets by reference too.
      "notifications.targets[0].urlEnv: environment variable APIM_DR_ONCALL_WEBHOOK_URL is not set; export it before starting the controller",
      "notifications.targets[0].secretEnv: environment variable APIM_DR_ONCALL_WEBHOOK_SECRET is not set; export it before starting the controller",
      "notifications.targets[1].urlEnv: environment variable APIM_DR_TEAMS_WEBHOOK_URL is not set; export it before starting the controller",
    ]);
    const set = captureContext({ CONTOSO_BACKUP_KEY: "a2V5", APIM_DR_ONCALL_WEBHOOK_URL: "https://hooks.example/x", APIM_DR_ONCALL_WEBHOOK_SECRET: "s", APIM_DR_TEAMS_WEBHOOK_URL: "https://hooks.example/y" });
    expect(await main(["config", "validate", file, "--env"], set.ctx)).toBe(0);
    // Without --env only the file is checked.
    const fileOnly = captureContext({});
    expect(await main(["config", "validate", file], fileOnly.ctx)).toBe(0);
  });

  it("with --env, an empty variable is 'set but empty' and a secret in the wrong format is named with its variable", async () => {
    const file = await withExample("formats.yaml", (t) =>
      t.replace("type: systemAssignedManagedIdentity ", "type: accessKey\n        accessKeyEnv: CONTOSO_BACKUP_KEY "),
    );
    // The example's webhooks (URLs and HMAC key) are secrets by reference too.
    const hooks = { APIM_DR_ONCALL_WEBHOOK_URL: "https://hooks.example/x", APIM_DR_ONCALL_WEBHOOK_SECRET: "s", APIM_DR_TEAMS_WEBHOOK_URL: "https://hooks.example/y" };
    const empty = captureContext({ CONTOSO_BACKUP_KEY: "", ...hooks });
    expect(await main(["config", "validate", file, "--env"], empty.ctx)).toBe(2);
    expect(empty.stdout()).toBe("pairs[0].backup.access.accessKeyEnv: environment variable CONTOSO_BACKUP_KEY is set but empty; export the secret itself");
    const connectionString = captureContext({ CONTOSO_BACKUP_KEY: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=a2V5", ...hooks });
    expect(await main(["config", "validate", file, "--env"], connectionString.ctx)).toBe(2);
    expect(connectionString.stdout()).toContain("CONTOSO_BACKUP_KEY is not a storage account key (base64, as shown under the account's Access keys): it looks like a connection string");
    const badUrl = captureContext({ CONTOSO_BACKUP_KEY: "a2V5", ...hooks, APIM_DR_TEAMS_WEBHOOK_URL: "prod.webhook.office.com/secret-token" });
    expect(await main(["config", "validate", file, "--env"], badUrl.ctx)).toBe(2);
    expect(badUrl.stdout()).toBe("notifications.targets[1].urlEnv: environment variable APIM_DR_TEAMS_WEBHOOK_URL is not an http(s) URL; export the webhook URL the receiving service gave you");
  });

  it("with --env, an Event Hubs connection string without Endpoint= or SharedAccessKeyName= is reported with the variable's name", async () => {
    const file = join(dir, "hub.yaml");
    const sim = await readFile(join(import.meta.dirname, "..", "..", "..", "config", "sim.yaml"), "utf8");
    await writeFile(file, sim);
    const io = captureContext({ APIM_DR_SIM_EVENTHUBS: "SharedAccessKey=abc;EntityPath=hub", APIM_DR_SIM_STORAGE_KEY: "a2V5" });
    const code = await main(["config", "validate", file, "--env"], io.ctx);
    expect(io.stdout()).toContain(
      "signals.eventHubs.connectionStringEnv: environment variable APIM_DR_SIM_EVENTHUBS is not an Event Hubs connection string: it has no Endpoint=, SharedAccessKeyName=;",
    );
    expect(code).toBe(2);
  });

  it("a file indented with tabs gets one error naming the lines, not a cascade", async () => {
    const file = join(dir, "tabs.yaml");
    await writeFile(file, "pairs:\n\t- name: contoso\n\t  primary:\n\t    serviceId: x\nstateStore:\n  type: file\n");
    const io = captureContext();
    expect(await main(["config", "validate", file], io.ctx)).toBe(2);
    expect(io.stdout()).toBe("line 2: invalid YAML: indented with tabs (lines 2, 3, 4); YAML indents with spaces only: replace the tabs with spaces");
  });
});
