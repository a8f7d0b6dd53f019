import { FORBIDDEN_ROLE_IDS } from "../../../src/config/roles.js";
import type { Expansion, ExpandedResource, Json } from "../../support/arm/template.js";

// Checks over an expanded template, each returning its problems (empty when all is well), so the
// tests can show both that infra/main.json passes and that a broken template is caught.

const key = (id: string) => id.toLowerCase();

function declaredIds(expansion: Expansion): Set<string> {
  return new Set(expansion.resources.map((r) => key(r.id)));
}

/** dependsOn may name a resource of the same template (by id) or a copy loop of it. */
export function dependsOnProblems(expansion: Expansion): string[] {
  const problems: string[] = [];
  for (const resource of expansion.resources) {
    const siblings = expansion.resources.filter((r) => r.template === resource.template);
    const ids = new Set(siblings.map((r) => key(r.id)));
    const loops = new Set(siblings.map((r) => r.copyName).filter(Boolean));
    for (const entry of (resource.evaluated.dependsOn ?? []) as string[]) {
      if (!ids.has(key(entry)) && !loops.has(entry)) problems.push(`${resource.where} ${resource.name}: dependsOn ${entry} is not a resource or copy loop of this template`);
    }
  }
  return problems;
}

/** resourceId()/extensionResourceId() must name something the deployment creates; subscriptionResourceId() only built-in role definitions. */
export function resourceIdProblems(expansion: Expansion): string[] {
  const ids = declaredIds(expansion);
  const problems = expansion.recorder.resourceIds.filter((id) => !ids.has(key(id))).map((id) => `resourceId ${id} names nothing this deployment creates`);
  for (const id of expansion.recorder.subscriptionResourceIds) {
    if (!/^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(id)) {
      problems.push(`subscriptionResourceId ${id} is not a built-in role definition`);
    }
  }
  return [...new Set(problems)];
}

/** reference()/listKeys() must name something the deployment creates or an existing resource whose id is a parameter. */
export function referenceProblems(expansion: Expansion, existing: string[]): string[] {
  const ids = declaredIds(expansion);
  const allowed = new Set(existing.map(key));
  const problems = expansion.recorder.references.filter((id) => !ids.has(key(id)) && !allowed.has(key(id))).map((id) => `reference ${id} names nothing this deployment creates or is given`);
  return [...new Set(problems)];
}

export const roleAssignments = (expansion: Expansion): ExpandedResource[] =>
  expansion.resources.filter((r) => r.condition && r.type.toLowerCase() === "microsoft.authorization/roleassignments");

const RESOURCE_SCOPE = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i;

/** No Owner/Contributor/User Access Administrator; each assignment on one resource, never a resource group or subscription. */
export function roleAssignmentProblems(expansion: Expansion): string[] {
  const problems: string[] = [];
  for (const assignment of roleAssignments(expansion)) {
    const props = assignment.evaluated.properties as Json;
    const roleId = String(props.roleDefinitionId).split("/").at(-1)!.toLowerCase();
    const where = `${assignment.where} (${String(assignment.declared.comments ?? assignment.name)})`;
    const forbidden = Object.entries(FORBIDDEN_ROLE_IDS).find(([, id]) => id === roleId);
    if (forbidden) problems.push(`${where}: assigns ${forbidden[0]}`);
    if (!assignment.scopeId) problems.push(`${where}: no scope, so it applies to the whole resource group`);
    else if (!RESOURCE_SCOPE.test(assignment.scopeId)) problems.push(`${where}: scope ${assignment.scopeId} is not a single resource`);
    if (props.principalType !== "ServicePrincipal") problems.push(`${where}: principalType should be ServicePrincipal (managed identities), got ${String(props.principalType)}`);
  }
  return problems;
}
