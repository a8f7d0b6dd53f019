import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadArmSchemas, type ArmSchemas } from "../../support/arm/schemas.js";
import { expandTemplate, type ExpandedResource, type Expansion, type Json } from "../../support/arm/template.js";
import type { DeploymentScope } from "../../support/arm/expressions.js";

// infra/main.json rendered offline with infra/main.parameters.example.json, as
// `az deployment group create --resource-group rg-apim-dr` would see it.

export const ROOT = join(import.meta.dirname, "..", "..", "..");
export const SCHEMA_FOLDER = join(ROOT, "test", "fixtures", "arm-schemas", "schemas");

const readJson = (rel: string) => JSON.parse(readFileSync(join(ROOT, rel), "utf8")) as Json;

export const template = readJson("infra/main.json");
export const parametersFile = readJson("infra/main.parameters.example.json");
export const exampleValues: Record<string, unknown> = Object.fromEntries(
  Object.entries(parametersFile.parameters as Record<string, Json>).map(([name, p]) => [name, p.value]),
);

/** The resource group the example deploys into. */
export const SCOPE: DeploymentScope = {
  subscriptionId: "11111111-2222-3333-4444-555555555555",
  resourceGroup: "rg-apim-dr",
  location: "northeurope",
  tenantId: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
};

export function expand(overrides: Record<string, unknown> = {}, tpl: Json = template): Expansion {
  return expandTemplate(tpl, { ...exampleValues, ...overrides }, SCOPE);
}

let schemas: ArmSchemas | undefined;
export function armSchemas(): ArmSchemas {
  return (schemas ??= loadArmSchemas(SCHEMA_FOLDER));
}

export const ofType = (expansion: Expansion, type: string): ExpandedResource[] =>
  expansion.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());

export const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Azure region names compare without case and spaces ("West Europe" is westeurope). */
export const sameRegion = (a: unknown, b: unknown) => String(a).toLowerCase().replace(/\s/g, "") === String(b).toLowerCase().replace(/\s/g, "");

/** The controller config each Container App mounts: the `controller-config` secret's value. */
export function renderedConfigs(expansion: Expansion): Array<{ app: string; text: string }> {
  return ofType(expansion, "Microsoft.App/containerApps").map((app) => {
    const secrets = ((app.evaluated.properties as Json).configuration as Json).secrets as Json[];
    const secret = secrets.find((s) => s.name === "controller-config");
    if (typeof secret?.value !== "string") throw new Error(`${app.name} has no controller-config secret with a value`);
    return { app: app.name, text: secret.value };
  });
}
