import { ArmExpressionError, evaluate, type DeploymentScope, type EvalContext, type Recorder } from "./expressions.js";

// Expands an ARM template the way Resource Manager would before deploying it: parameters
// (with defaults, types and allowed values checked), variables (with copy), resource copy
// loops, conditions, and nested deployments with inner-scoped expressions, each deployed
// into its own resource group. Every resource comes back evaluated, with its full id.

export type Json = Record<string, unknown>;

export interface TemplateDoc {
  /** Where the template sits: "main" or "main > <deployment name>". */
  path: string;
  /** The template as written. */
  template: Json;
  scope: DeploymentScope;
}

export interface ExpandedResource {
  /** e.g. "main resources[3][copy 1]". */
  where: string;
  template: TemplateDoc;
  /** The resource as written (expressions unevaluated). */
  declared: Json;
  /** The resource with every expression evaluated, except a nested deployment's template. */
  evaluated: Json;
  type: string;
  name: string;
  /** Full resource id; an extension resource's id hangs off its scope. */
  id: string;
  /** Full id of what an extension resource (one with `scope`) extends. */
  scopeId?: string;
  condition: boolean;
  copyName?: string;
}

export interface Expansion {
  templates: TemplateDoc[];
  resources: ExpandedResource[];
  outputs: Record<string, unknown>;
  recorder: Recorder;
  /** Parameter values of the top-level template after defaults. */
  parameters: Record<string, unknown>;
}

const PARAMETER_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  securestring: (v) => typeof v === "string",
  int: (v) => Number.isInteger(v),
  bool: (v) => typeof v === "boolean",
  object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
  secureobject: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
  array: (v) => Array.isArray(v),
};

export function expandTemplate(template: Json, values: Record<string, unknown>, scope: DeploymentScope): Expansion {
  const recorder: Recorder = { resourceIds: [], subscriptionResourceIds: [], references: [] };
  const out: Expansion = { templates: [], resources: [], outputs: {}, recorder, parameters: {} };
  out.parameters = expandInto(out, { path: "main", template, scope }, values);
  return out;
}

function expandInto(out: Expansion, doc: TemplateDoc, values: Record<string, unknown>): Record<string, unknown> {
  out.templates.push(doc);
  const { template, scope } = doc;
  const declaredParams = (template.parameters ?? {}) as Record<string, Json>;
  const declaredVars = (template.variables ?? {}) as Json;
  for (const name of Object.keys(values)) {
    if (!(name in declaredParams)) throw new ArmExpressionError(`${doc.path}: parameter '${name}' is given but not declared`);
  }

  const params = new Map<string, unknown>();
  const vars = new Map<string, unknown>();
  const context = (copyIndexes: Map<string | undefined, number>): EvalContext => ({ scope, recorder: out.recorder, copyIndexes, parameter, variable });
  const root = context(new Map());
  // ARM refuses reference() and listKeys() in variables and parameter defaults.
  const declarations = { ...root, noRuntimeFunctions: "variables or parameter defaults" };

  function parameter(name: string): unknown {
    const key = Object.keys(declaredParams).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) throw new ArmExpressionError(`${doc.path}: parameter '${name}' is not declared`);
    if (!params.has(key)) {
      const spec = declaredParams[key]!;
      const given = Object.keys(values).find((k) => k.toLowerCase() === key.toLowerCase());
      if (given === undefined && !("defaultValue" in spec)) throw new ArmExpressionError(`${doc.path}: parameter '${key}' has no value and no default`);
      const value = given !== undefined ? values[given] : evaluate(spec.defaultValue, declarations);
      checkParameter(doc.path, key, spec, value);
      params.set(key, value);
    }
    return params.get(key);
  }

  function variable(name: string): unknown {
    if (!vars.has(name)) {
      const loops = (declaredVars.copy ?? []) as Json[];
      const loop = loops.find((l) => l.name === name);
      if (loop) {
        const count = Number(evaluate(loop.count, declarations));
        vars.set(name, Array.from({ length: count }, (_, i) => evaluate(loop.input, { ...declarations, copyIndexes: new Map([[name, i]]) })));
      } else {
        if (!(name in declaredVars) || name === "copy") throw new ArmExpressionError(`${doc.path}: variable '${name}' is not declared`);
        vars.set(name, evaluate(declaredVars[name], declarations));
      }
    }
    return vars.get(name);
  }

  for (const name of Object.keys(declaredParams)) parameter(name);

  const resources = (template.resources ?? []) as Json[];
  resources.forEach((declared, i) => {
    const copy = declared.copy as Json | undefined;
    const count = copy ? Number(evaluate(copy.count, root)) : 1;
    for (let index = 0; index < count; index++) {
      const ctx = context(new Map(copy ? [[undefined, index], [String(copy.name), index]] : []));
      const where = `${doc.path} resources[${i}]${copy ? `[copy ${index}]` : ""}`;
      const expanded = expandResource(doc, declared, ctx, where, copy ? String(copy.name) : undefined);
      out.resources.push(expanded);
      if (expanded.type.toLowerCase() === "microsoft.resources/deployments") expandNested(out, expanded, doc);
    }
  });

  for (const [name, output] of Object.entries((template.outputs ?? {}) as Record<string, Json>)) {
    const copy = output.copy as Json | undefined;
    const value = copy
      ? Array.from({ length: Number(evaluate(copy.count, root)) }, (_, i) => evaluate(copy.input, context(new Map([[undefined, i]]))))
      : evaluate(output.value, root);
    if (doc.path === "main") out.outputs[name] = value;
  }
  return Object.fromEntries(params);
}

function expandResource(doc: TemplateDoc, declared: Json, ctx: EvalContext, where: string, copyName?: string): ExpandedResource {
  // A nested deployment's template is evaluated in its own scope, later.
  const { copy: _copy, ...rest } = declared;
  const props = rest.properties as Json | undefined;
  const nested = String(declared.type).toLowerCase() === "microsoft.resources/deployments" && props && "template" in props;
  const withoutTemplate = nested ? { ...rest, properties: { ...props, template: {} } } : rest;
  let evaluated: Json;
  try {
    evaluated = evaluate(withoutTemplate, ctx) as Json;
  } catch (error) {
    throw new ArmExpressionError(`${where} (${String(declared.type)}): ${(error as Error).message}`);
  }
  const type = String(evaluated.type);
  const name = String(evaluated.name);
  const subscriptionId = String(evaluated.subscriptionId ?? doc.scope.subscriptionId);
  const resourceGroup = String(evaluated.resourceGroup ?? doc.scope.resourceGroup);
  const groupId = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
  const scopeId = typeof evaluated.scope === "string" ? (evaluated.scope.startsWith("/") ? evaluated.scope : `${groupId}/providers/${evaluated.scope}`) : undefined;
  const id = `${scopeId ?? groupId}/${resourcePath(type, name)}`;
  const condition = evaluated.condition === undefined ? true : evaluated.condition === true;
  return { where, template: doc, declared, evaluated, type, name, id, scopeId, condition, copyName };
}

/** `Microsoft.EventHub/namespaces/eventhubs` + `ns/hub` → `providers/Microsoft.EventHub/namespaces/ns/eventhubs/hub`. */
export function resourcePath(type: string, name: string): string {
  const [namespace, ...types] = type.split("/");
  const names = name.split("/");
  if (names.length !== types.length) throw new ArmExpressionError(`resource name '${name}' does not fit type ${type} (${types.length} segment(s))`);
  return `providers/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join("/")}`;
}

function expandNested(out: Expansion, deployment: ExpandedResource, parent: TemplateDoc): void {
  const props = deployment.declared.properties as Json;
  const scopeOption = ((props.expressionEvaluationOptions ?? {}) as Json).scope;
  if (String(scopeOption).toLowerCase() !== "inner") {
    throw new ArmExpressionError(`${deployment.where}: nested deployments must use expressionEvaluationOptions.scope 'inner' (this evaluator does not do outer scope)`);
  }
  const evaluatedParams = ((deployment.evaluated.properties as Json).parameters ?? {}) as Record<string, Json>;
  const values = Object.fromEntries(Object.entries(evaluatedParams).map(([k, v]) => [k, v.value]));
  const scope: DeploymentScope = {
    ...parent.scope,
    subscriptionId: String(deployment.evaluated.subscriptionId ?? parent.scope.subscriptionId),
    resourceGroup: String(deployment.evaluated.resourceGroup ?? parent.scope.resourceGroup),
  };
  expandInto(out, { path: `${parent.path} > ${deployment.name}`, template: props.template as Json, scope }, values);
}

function checkParameter(where: string, name: string, spec: Json, value: unknown): void {
  const type = String(spec.type).toLowerCase();
  const fail = (why: string) => {
    throw new ArmExpressionError(`${where}: parameter '${name}' ${why}`);
  };
  if (!PARAMETER_TYPES[type]?.(value)) fail(`must be of type ${spec.type}, got ${JSON.stringify(value)}`);
  const allowed = spec.allowedValues as unknown[] | undefined;
  if (allowed && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(value))) fail(`must be one of ${JSON.stringify(allowed)}`);
  const length = typeof value === "string" || Array.isArray(value) ? value.length : undefined;
  if (length !== undefined && typeof spec.minLength === "number" && length < spec.minLength) fail(`is shorter than ${spec.minLength}`);
  if (length !== undefined && typeof spec.maxLength === "number" && length > spec.maxLength) fail(`is longer than ${spec.maxLength}`);
  if (typeof value === "number" && typeof spec.minValue === "number" && value < spec.minValue) fail(`is below ${spec.minValue}`);
  if (typeof value === "number" && typeof spec.maxValue === "number" && value > spec.maxValue) fail(`is above ${spec.maxValue}`);
}
