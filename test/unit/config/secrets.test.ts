import { describe, expect, it } from "vitest";
import { resolveSecret, secretReferences, SecretReferenceError, validateConfig } from "../../../src/config/index.js";
import { validDocument } from "./valid-config.js";

describe("secret references", () => {
  it("resolves a referenced environment variable", () => {
    expect(resolveSecret("BACKUP_KEY", { BACKUP_KEY: "s3cret" })).toBe("s3cret");
  });

  it("names the variable and the field that refers to it when it is unset or empty", () => {
    for (const env of [{}, { BACKUP_KEY: "" }]) {
      const attempt = () => resolveSecret("BACKUP_KEY", env, "pairs[0].backup.access.accessKeyEnv");
      expect(attempt).toThrow(SecretReferenceError);
      expect(attempt).toThrow(
        "environment variable BACKUP_KEY is not set (named by pairs[0].backup.access.accessKeyEnv); export BACKUP_KEY=<secret> in the controller's environment, or point the reference at a variable that is set",
      );
    }
  });

  it("refuses a reference that is not a variable name without printing it", () => {
    let message = "";
    try {
      resolveSecret("DefaultEndpointsProtocol=https;AccountKey=abc", {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('"Def…" is not an environment variable name; set it to the NAME of a variable (letters, digits and _) that holds the secret');
  });

  it("lists every secret a config refers to", () => {
    const doc = validDocument();
    doc.pairs[0]!.backup.access = { type: "accessKey", accessKeyEnv: "BACKUP_KEY" };
    doc.signals = { eventHubs: { connectionStringEnv: "EH_CONNECTION", eventHubName: "hub" } };
    doc.stateStore = { type: "blob", accountName: "ststate", auth: { type: "accountKey", accountKeyEnv: "STATE_KEY" } };
    expect(secretReferences(validateConfig(doc))).toEqual([
      { envVar: "BACKUP_KEY", usedBy: "pairs[0].backup.access.accessKeyEnv", kind: "storageAccountKey" },
      { envVar: "EH_CONNECTION", usedBy: "signals.eventHubs.connectionStringEnv", kind: "eventHubsConnectionString" },
      { envVar: "STATE_KEY", usedBy: "stateStore.auth.accountKeyEnv", kind: "storageAccountKey" },
    ]);
  });
});
