import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { effectiveConfig, loadConfig } from "../../../src/config/index.js";

const configDir = join(import.meta.dirname, "..", "..", "..", "config");

describe("example configs", () => {
  it("production.example.yaml validates and its effective settings fill in derived defaults", async () => {
    const config = await loadConfig(join(configDir, "production.example.yaml"));
    expect(config.pairs.map((p) => p.name)).toEqual(["contoso-api"]);
    expect(config.pairs[0]!.policy.mode).toBe("approval");
    const effective = effectiveConfig(config, configDir);
    expect(effective.pairs[0]!.primary).toMatchObject({ name: "apim-contoso-weu", resourceGroup: "rg-apim-weu", region: "westeurope" });
    expect(effective.pairs[0]!.dns.zoneName).toBe("contoso.com");
    expect(effective.stateStore).toMatchObject({ type: "blob", blobEndpoint: "https://stcontosoapimdrstate.blob.core.windows.net" });
  });

  it("sim.yaml validates and names the simulator's default world", async () => {
    const config = await loadConfig(join(configDir, "sim.yaml"));
    const effective = effectiveConfig(config, configDir);
    const pair = effective.pairs[0]!;
    expect([pair.primary.name, pair.standby.name]).toEqual(["apim-contoso-weu", "apim-contoso-neu"]);
    expect(pair.dns).toMatchObject({ primaryTarget: "apim-contoso-weu.azure-api.net", standbyTarget: "apim-contoso-neu.azure-api.net" });
    expect(effective.azure.credential).toEqual({ type: "simulator" });
    expect(effective.azure.caCertPath).toBe(join(configDir, "sim-ca.pem"));
  });

  it("production.example.yaml has a comment on every field", async () => {
    const text = await readFile(join(configDir, "production.example.yaml"), "utf8");
    const fieldLines = text.split("\n").filter((line) => /^\s*(- )?[A-Za-z0-9$]+:/.test(line));
    expect(fieldLines.length).toBeGreaterThan(60);
    expect(fieldLines.filter((line) => !line.includes(" # "))).toEqual([]);
  });

  it("both examples point editors at the JSON Schema", async () => {
    for (const file of ["production.example.yaml", "sim.yaml"]) {
      const text = await readFile(join(configDir, file), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./schema.json");
    }
  });
});
