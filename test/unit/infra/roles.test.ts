import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { APIM_IDENTITY_ROLES, CONTROLLER_ROLES, FORBIDDEN_ROLE_IDS, type RoleGrant, type RoleScope } from "../../../src/config/roles.js";
import { referenceStub } from "../../support/arm/expressions.js";
import type { Expansion, Json } from "../../support/arm/template.js";
import { roleAssignmentProblems, roleAssignments } from "./checks.js";
import { expand, ofType, ROOT, template } from "./deployment.js";

// One list of roles (src/config/roles.ts): README's tables and the template's role assignments
// must say exactly what it says.

/** Rows of the Markdown table whose header row starts with `firstHeader`. */
function readmeTable(firstHeader: string): string[][] {
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith(`| ${firstHeader} |`));
  if (start < 0) throw new Error(`README has no table headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const asRows = (grants: readonly RoleGrant[]) => grants.map((g) => [g.role, g.scopeText, g.purpose]);

/** The resource id each scope kind stands for in this deployment. */
function scopeIds(expansion: Expansion): Record<RoleScope, string[]> {
  const p = expansion.parameters;
  const account = (name: unknown) => ofType(expansion, "Microsoft.Storage/storageAccounts").find((a) => a.name === name)!.id;
  return {
    apimServices: [String(p.primaryApimResourceId), String(p.standbyApimResourceId)],
    dnsZone: [String(p.dnsZoneResourceId)],
    backupAccount: [account(expansion.outputs.backupStorageAccount)],
    stateAccount: [account(expansion.outputs.stateStorageAccount)],
    eventHub: ofType(expansion, "Microsoft.EventHub/namespaces/eventhubs").map((h) => h.id),
    workspace: ofType(expansion, "Microsoft.OperationalInsights/workspaces").map((w) => w.id),
    adminTokenSecret: [`${String(p.keyVaultResourceId)}/secrets/${String(p.adminTokenSecretName)}`],
  };
}

const line = (who: string, roleDefinitionId: string, scope: string) => `${who} ${roleDefinitionId} on ${scope.toLowerCase()}`;

/** What the list says the deployment must assign, one line per principal, role and scope. */
function expectedAssignments(expansion: Expansion): string[] {
  const scopes = scopeIds(expansion);
  const apim = [String(expansion.parameters.primaryApimResourceId), String(expansion.parameters.standbyApimResourceId)];
  return [
    ...CONTROLLER_ROLES.flatMap((g) => scopes[g.scope].map((s) => line("controller", g.roleDefinitionId, s))),
    ...apim.flatMap((id) => APIM_IDENTITY_ROLES.flatMap((g) => scopes[g.scope].map((s) => line(`APIM ${id.split("/").at(-1)}`, g.roleDefinitionId, s)))),
  ].sort();
}

/** What the template assigns, named the same way. */
function actualAssignments(expansion: Expansion): string[] {
  const apim = [String(expansion.parameters.primaryApimResourceId), String(expansion.parameters.standbyApimResourceId)];
  const principals = new Map<string, string>([
    [String(expansion.outputs.controllerIdentityPrincipalId), "controller"],
    ...apim.map((id): [string, string] => [String((referenceStub(id, true).identity as Json).principalId), `APIM ${id.split("/").at(-1)}`]),
  ]);
  return roleAssignments(expansion)
    .map((a) => {
      const props = a.evaluated.properties as Json;
      return line(principals.get(String(props.principalId)) ?? `unknown principal ${String(props.principalId)}`, String(props.roleDefinitionId).split("/").at(-1)!, a.scopeId ?? "(no scope)");
    })
    .sort();
}

describe("least-privilege roles: one list", () => {
  it("README's tables are the list in src/config/roles.ts", () => {
    expect(readmeTable("role of the controller's identity")).toEqual(asRows(CONTROLLER_ROLES));
    expect(readmeTable("role of each APIM instance's identity")).toEqual(asRows(APIM_IDENTITY_ROLES));
  });

  it("the template assigns exactly the listed roles, each on the resource the list names", () => {
    const expansion = expand();
    expect(actualAssignments(expansion)).toEqual(expectedAssignments(expansion));
  });

  it("no role is Owner, Contributor or User Access Administrator, and none is scoped to a resource group or subscription", () => {
    expect(roleAssignmentProblems(expand())).toEqual([]);
    for (const grant of [...CONTROLLER_ROLES, ...APIM_IDENTITY_ROLES]) expect(Object.values(FORBIDDEN_ROLE_IDS)).not.toContain(grant.roleDefinitionId);
  });

  it("catches a Contributor assignment and one at resource-group scope", () => {
    const broken = structuredClone(template);
    const assignment = (broken.resources as Json[]).find((r) => r.type === "Microsoft.Authorization/roleAssignments" && !r.copy)!;
    delete assignment.scope;
    const props = assignment.properties as Json;
    props.roleDefinitionId = `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${FORBIDDEN_ROLE_IDS.Contributor}')]`;
    const problems = roleAssignmentProblems(expand({}, broken));
    expect(problems).toEqual([expect.stringContaining("assigns Contributor"), expect.stringContaining("no scope, so it applies to the whole resource group")]);
  });
});
