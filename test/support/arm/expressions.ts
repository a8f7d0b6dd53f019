import { createHash } from "node:crypto";

// A small evaluator for ARM template expressions ("[format('{0}-x', parameters('p'))]"), enough
// to render infra/ templates offline with a parameters file: names, resource ids, the
// controller config, role assignment scopes. Values only Azure knows at deployment time
// (reference(), listKeys()) come from deterministic stubs, and every resourceId()/reference()
// is recorded so tests can check that it names a resource that exists.
// Function names and property access are case-insensitive, as in ARM.

type Node =
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "property"; target: Node; name: string }
  | { kind: "index"; target: Node; index: Node };

export class ArmExpressionError extends Error {
  override name = "ArmExpressionError";
}

/** "[...]" is an expression; "[[..." is a literal string starting with "[". */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("[") && !value.startsWith("[[") && value.endsWith("]");
}

export function parseExpression(source: string): Node {
  const text = source.slice(1, -1);
  let pos = 0;
  const fail = (what: string): never => {
    throw new ArmExpressionError(`${what} at ${pos} in ${source}`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };
  const identifier = (): string => {
    skip();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos));
    if (!m) fail("expected a name");
    pos += m![0].length;
    return m![0];
  };
  const primary = (): Node => {
    skip();
    const ch = text[pos];
    if (ch === "'") {
      let value = "";
      pos++;
      for (;;) {
        if (pos >= text.length) fail("unterminated string");
        if (text[pos] === "'") {
          if (text[pos + 1] === "'") {
            value += "'";
            pos += 2;
            continue;
          }
          pos++;
          return { kind: "string", value };
        }
        value += text[pos++];
      }
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(pos));
    if (number) {
      pos += number[0].length;
      return { kind: "number", value: Number(number[0]) };
    }
    const name = identifier();
    expect("(");
    const args: Node[] = [];
    skip();
    if (text[pos] === ")") pos++;
    else {
      for (;;) {
        args.push(expression());
        skip();
        if (text[pos] === ",") pos++;
        else if (text[pos] === ")") {
          pos++;
          break;
        } else fail("expected ',' or ')'");
      }
    }
    return { kind: "call", name, args };
  };
  const expression = (): Node => {
    let node = primary();
    for (;;) {
      skip();
      if (text[pos] === ".") {
        pos++;
        node = { kind: "property", target: node, name: identifier() };
      } else if (text[pos] === "[") {
        pos++;
        const index = expression();
        expect("]");
        node = { kind: "index", target: node, index };
      } else return node;
    }
  };
  const node = expression();
  skip();
  if (pos !== text.length) fail("unexpected text");
  return node;
}

export interface DeploymentScope {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tenantId: string;
}

/** What the evaluation touched, for reference checks. */
export interface Recorder {
  /** Results of resourceId() and extensionResourceId(). */
  resourceIds: string[];
  /** Results of subscriptionResourceId(). */
  subscriptionResourceIds: string[];
  /** Targets of reference() and listKeys(). */
  references: string[];
}

export interface EvalContext {
  scope: DeploymentScope;
  parameter(name: string): unknown;
  variable(name: string): unknown;
  /** Loop name (undefined: the resource's own copy loop) to its current index. */
  copyIndexes: ReadonlyMap<string | undefined, number>;
  recorder: Recorder;
  /** Set while evaluating variables and parameter defaults, where ARM refuses reference() and list*(). */
  noRuntimeFunctions?: string;
}

/** Evaluates every expression in a JSON value, including object keys. */
export function evaluate(value: unknown, ctx: EvalContext): unknown {
  if (isExpression(value)) return evalNode(parseExpression(value), ctx);
  if (typeof value === "string" && value.startsWith("[[")) return value.slice(1);
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [String(evaluate(k, ctx)), evaluate(v, ctx)]));
  }
  return value;
}

function evalNode(node: Node, ctx: EvalContext): unknown {
  switch (node.kind) {
    case "string":
    case "number":
      return node.value;
    case "property":
      return property(evalNode(node.target, ctx), node.name);
    case "index": {
      const target = evalNode(node.target, ctx);
      const index = evalNode(node.index, ctx);
      if (Array.isArray(target) && typeof index === "number") {
        if (index < 0 || index >= target.length) throw new ArmExpressionError(`index ${index} is out of range (length ${target.length})`);
        return target[index];
      }
      if (typeof index === "string") return property(target, index);
      throw new ArmExpressionError(`cannot index ${JSON.stringify(target)} with ${JSON.stringify(index)}`);
    }
    case "call": {
      const name = node.name.toLowerCase();
      // if() evaluates only the branch it takes, as ARM does.
      if (name === "if") {
        const [condition, whenTrue, whenFalse] = node.args;
        if (!condition || !whenTrue || !whenFalse) throw new ArmExpressionError("if() takes three arguments");
        return evalNode(evalNode(condition, ctx) === true ? whenTrue : whenFalse, ctx);
      }
      const fn = FUNCTIONS[name];
      if (!fn) throw new ArmExpressionError(`function ${node.name}() is not supported by this evaluator`);
      return fn(node.args.map((a) => evalNode(a, ctx)), ctx);
    }
  }
}

function property(target: unknown, name: string): unknown {
  if (target === null || typeof target !== "object" || Array.isArray(target)) {
    throw new ArmExpressionError(`cannot read property '${name}' of ${JSON.stringify(target)}`);
  }
  const key = Object.keys(target).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new ArmExpressionError(`property '${name}' does not exist; it has ${Object.keys(target).join(", ") || "none"}`);
  return (target as Record<string, unknown>)[key];
}

const str = (v: unknown, fn: string): string => {
  if (typeof v !== "string") throw new ArmExpressionError(`${fn}() expects a string, got ${JSON.stringify(v)}`);
  return v;
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** ARM's union(): arrays without duplicates; objects merged, nested objects recursively. */
function union(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = [...a];
    for (const item of b) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(item))) out.push(item);
    return out;
  }
  if (isObject(a) && isObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k]) && isObject(v) ? union(out[k], v) : v;
    return out;
  }
  throw new ArmExpressionError("union() expects arrays or objects of the same kind");
}

function hash(parts: unknown[]): Buffer {
  return createHash("sha256").update(JSON.stringify(parts)).digest();
}

/** Deterministic stand-in for a GUID only Azure knows (principalId, clientId, ...). */
export function stubGuid(...parts: unknown[]): string {
  const h = hash(parts).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Splits a resource type into namespace and type segments and interleaves the names. */
function providerPath(type: string, names: unknown[], fn: string): string {
  const [namespace, ...types] = type.split("/");
  if (!namespace || types.length === 0) throw new ArmExpressionError(`${fn}(): '${type}' is not a resource type`);
  if (names.length !== types.length) {
    throw new ArmExpressionError(`${fn}(): type ${type} needs ${types.length} name(s), got ${names.length}`);
  }
  return `providers/${namespace}/${types.map((t, i) => `${t}/${str(names[i], fn)}`).join("/")}`;
}

/** The type argument is the first one containing '/'; what precedes it is [subscriptionId,] resourceGroup. */
function splitAtType(args: unknown[], fn: string): { before: string[]; type: string; names: unknown[] } {
  const at = args.findIndex((a) => typeof a === "string" && a.includes("/"));
  if (at < 0) throw new ArmExpressionError(`${fn}(): no resource type among ${JSON.stringify(args)}`);
  return { before: args.slice(0, at).map((a) => str(a, fn)), type: args[at] as string, names: args.slice(at + 1) };
}

/** Values Azure returns for reference(): only the properties the templates read. */
export function referenceStub(id: string, full: boolean): Record<string, unknown> {
  const type = /\/providers\/([^/]+\/[^/]+)\//i.exec(`${id}/`)?.[1]?.toLowerCase() ?? "";
  const props: Record<string, unknown> =
    type === "microsoft.managedidentity/userassignedidentities"
      ? { clientId: stubGuid(id, "clientId"), principalId: stubGuid(id, "principalId"), tenantId: stubGuid("tenant") }
      : type === "microsoft.operationalinsights/workspaces"
        ? { customerId: stubGuid(id, "customerId") }
        : type === "microsoft.app/managedenvironments"
          ? { defaultDomain: `${stubGuid(id, "defaultDomain").slice(0, 8)}.northeurope.azurecontainerapps.io` }
          : {};
  if (!full) return props;
  return { id, properties: props, identity: { type: "SystemAssigned", principalId: stubGuid(id, "identity.principalId"), tenantId: stubGuid("tenant") } };
}

type Fn = (args: unknown[], ctx: EvalContext) => unknown;

const FUNCTIONS: Record<string, Fn> = {
  parameters: ([name], ctx) => ctx.parameter(str(name, "parameters")),
  variables: ([name], ctx) => ctx.variable(str(name, "variables")),
  copyindex: (args, ctx) => {
    const loop = typeof args[0] === "string" ? args[0] : undefined;
    const offset = Number(typeof args[0] === "number" ? args[0] : (args[1] ?? 0));
    const index = ctx.copyIndexes.get(loop);
    if (index === undefined) throw new ArmExpressionError(`copyIndex(${loop ? `'${loop}'` : ""}) used outside that copy loop`);
    return index + offset;
  },
  concat: (args) => (args.every(Array.isArray) ? args.flat() : args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join("")),
  format: ([template, ...args]) =>
    str(template, "format").replace(/\{\{|\}\}|\{(\d+)(:[^}]*)?\}/g, (m, i: string | undefined) => {
      if (m === "{{") return "{";
      if (m === "}}") return "}";
      const v = args[Number(i)];
      if (v === undefined) throw new ArmExpressionError(`format(): no argument {${i}}`);
      return typeof v === "string" ? v : JSON.stringify(v);
    }),
  string: ([v]) => (typeof v === "string" ? v : JSON.stringify(v)),
  json: ([v]) => JSON.parse(str(v, "json")) as unknown,
  int: ([v]) => Number.parseInt(String(v), 10),
  bool: ([v]) => v === true || String(v).toLowerCase() === "true",
  true: () => true,
  false: () => false,
  null: () => null,
  createarray: (args) => args,
  createobject: (args) => {
    if (args.length % 2 !== 0) throw new ArmExpressionError("createObject() takes name/value pairs");
    const out: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) out[str(args[i], "createObject")] = args[i + 1];
    return out;
  },
  union: (args) => args.reduce((a, b) => union(a, b)),
  length: ([v]) => (typeof v === "string" || Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : NaN),
  empty: ([v]) => v === null || v === "" || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0),
  first: ([v]) => (Array.isArray(v) || typeof v === "string" ? v[0] : undefined),
  last: ([v]) => (Array.isArray(v) || typeof v === "string" ? v[v.length - 1] : undefined),
  take: ([v, n]) => (Array.isArray(v) || typeof v === "string" ? v.slice(0, Number(n)) : undefined),
  skip: ([v, n]) => (Array.isArray(v) || typeof v === "string" ? v.slice(Number(n)) : undefined),
  split: ([s, delimiter]) => str(s, "split").split(str(delimiter, "split")),
  tolower: ([s]) => str(s, "toLower").toLowerCase(),
  toupper: ([s]) => str(s, "toUpper").toUpperCase(),
  replace: ([s, from, to]) => str(s, "replace").split(str(from, "replace")).join(str(to, "replace")),
  contains: ([container, item]) =>
    typeof container === "string"
      ? container.includes(str(item, "contains"))
      : Array.isArray(container)
        ? container.some((x) => JSON.stringify(x) === JSON.stringify(item))
        : isObject(container) && Object.keys(container).some((k) => k.toLowerCase() === String(item).toLowerCase()),
  if: ([condition, whenTrue, whenFalse]) => (condition === true ? whenTrue : whenFalse),
  equals: ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
  not: ([v]) => v !== true,
  and: (args) => args.every((v) => v === true),
  or: (args) => args.some((v) => v === true),
  coalesce: (args) => args.find((v) => v !== null && v !== undefined) ?? null,
  // Real ARM hashes differently; these only need to be deterministic and of the right shape.
  uniquestring: (args) => {
    const h = hash(args);
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    return Array.from(h.subarray(0, 13), (b) => alphabet[b % alphabet.length]).join("");
  },
  guid: (args) => stubGuid("guid", ...args),
  resourcegroup: (_args, ctx) => ({
    id: `/subscriptions/${ctx.scope.subscriptionId}/resourceGroups/${ctx.scope.resourceGroup}`,
    name: ctx.scope.resourceGroup,
    location: ctx.scope.location,
    type: "Microsoft.Resources/resourceGroups",
  }),
  subscription: (_args, ctx) => ({
    id: `/subscriptions/${ctx.scope.subscriptionId}`,
    subscriptionId: ctx.scope.subscriptionId,
    tenantId: ctx.scope.tenantId,
  }),
  environment: () => ({
    name: "AzureCloud",
    resourceManager: "https://management.azure.com/",
    suffixes: { keyvaultDns: ".vault.azure.net", storage: "core.windows.net", sqlServerHostname: ".database.windows.net" },
  }),
  resourceid: (args, ctx) => {
    const { before, type, names } = splitAtType(args, "resourceId");
    const [subscriptionId, resourceGroup] =
      before.length === 2 ? before : before.length === 1 ? [ctx.scope.subscriptionId, before[0]] : [ctx.scope.subscriptionId, ctx.scope.resourceGroup];
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/${providerPath(type, names, "resourceId")}`;
    ctx.recorder.resourceIds.push(id);
    return id;
  },
  subscriptionresourceid: (args, ctx) => {
    const { before, type, names } = splitAtType(args, "subscriptionResourceId");
    const id = `/subscriptions/${before[0] ?? ctx.scope.subscriptionId}/${providerPath(type, names, "subscriptionResourceId")}`;
    ctx.recorder.subscriptionResourceIds.push(id);
    return id;
  },
  extensionresourceid: ([base, type, ...names], ctx) => {
    const id = `${str(base, "extensionResourceId")}/${providerPath(str(type, "extensionResourceId"), names, "extensionResourceId")}`;
    ctx.recorder.resourceIds.push(id);
    return id;
  },
  reference: ([target, apiVersion, full], ctx) => {
    const id = str(target, "reference");
    if (ctx.noRuntimeFunctions) throw new ArmExpressionError(`reference() cannot be used in ${ctx.noRuntimeFunctions}`);
    if (!id.startsWith("/")) throw new ArmExpressionError(`reference('${id}'): pass a resource id so the target is unambiguous`);
    if (typeof apiVersion !== "string") throw new ArmExpressionError(`reference('${id}'): give the API version`);
    ctx.recorder.references.push(id);
    return referenceStub(id, String(full).toLowerCase() === "full");
  },
  listkeys: ([target, apiVersion], ctx) => {
    const id = str(target, "listKeys");
    if (ctx.noRuntimeFunctions) throw new ArmExpressionError(`listKeys() cannot be used in ${ctx.noRuntimeFunctions}`);
    if (typeof apiVersion !== "string") throw new ArmExpressionError(`listKeys('${id}'): give the API version`);
    ctx.recorder.references.push(id);
    return { primarySharedKey: "stub-primary-key", secondarySharedKey: "stub-secondary-key" };
  },
};
