import type { z } from "zod";
import { detailOf, expectationOf, isUndisclosed } from "./fields.js";
import { isInlineSecretKey } from "./secrets.js";
import { nearest } from "./suggest.js";

export type ConfigPath = ReadonlyArray<PropertyKey>;

/** `["pairs", 0, "policy", "mode"]` → `pairs[0].policy.mode`; the document itself is `(top level)`. */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`;
      const key = String(segment);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join("");
}

export function valueAt(root: unknown, path: ConfigPath): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** How a rejected value is shown after `got`. */
export function renderValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (typeof value === "string") return JSON.stringify(value.length > 200 ? `${value.slice(0, 197)}...` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

const quoted = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");

function oneOf(values: readonly unknown[], value: unknown): string {
  const expected = `one of ${quoted(values)}`;
  if (value === undefined) return `missing; expected ${expected}`;
  const suggestion = typeof value === "string" ? nearest(value, values.map(String)) : undefined;
  return `expected ${expected}, got ${renderValue(value)}${suggestion ? `; did you mean "${suggestion}"?` : ""}`;
}

function unknownKey(key: string, schema: unknown): string {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const known = Object.keys(shape);
  const suggestion = nearest(key, known);
  if (suggestion) return `unknown key; did you mean "${suggestion}"?`;
  return known.length ? `unknown key; known keys here: ${known.join(", ")}` : "unknown key; nothing may be set here";
}

// Unknown keys arrive as one issue per object; the formatter splits them into one problem per key.
const KEY_SEPARATOR = "\u0000";

/** A zod error map that words every issue as `expected X, got Y`, looking values up in the raw document. */
export function configErrorMap(raw: unknown): z.core.$ZodErrorMap {
  return (issue) => {
    const path = issue.path ?? [];
    const value = valueAt(raw, path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys
        .map((key) => `${key}${KEY_SEPARATOR}${isInlineSecretKey(key) ? "" : unknownKey(key, issue.schema)}`)
        .join("\n");
    }
    if (issue.code === "invalid_union" && Array.isArray(issue.options)) return oneOf(issue.options, value);
    if (issue.code === "invalid_value") return oneOf(issue.values, value);
    const expected = expectationOf(issue.schema);
    if (expected) {
      if (value === undefined) return `missing; expected ${expected}`;
      const got = isUndisclosed(issue.schema) ? "a value that is not a variable name (not shown: it may be the secret itself)" : renderValue(value);
      const detail = detailOf(issue.schema, value);
      return `expected ${expected}, got ${got}${detail ? ` (${detail})` : ""}`;
    }
    if (issue.code === "invalid_type") {
      const what = issue.expected === "object" ? "a mapping" : issue.expected === "array" ? "a list" : `a ${issue.expected}`;
      return value === undefined ? `missing; expected ${what}` : `expected ${what}, got ${renderValue(value)}`;
    }
    if (issue.code === "too_small" && issue.origin === "array") return `expected at least ${String(issue.minimum)} item(s), got ${Array.isArray(value) ? value.length : 0}`;
    return undefined;
  };
}

/** Finished zod issues → `{ path, message }`, one per unknown key; inline-secret keys are left to the secret scan. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): Array<{ path: PropertyKey[]; message: string }> {
  return issues.flatMap((issue) => {
    if (issue.code !== "unrecognized_keys") return [{ path: [...issue.path], message: issue.message }];
    return issue.message
      .split("\n")
      .map((line) => line.split(KEY_SEPARATOR) as [string, string])
      .filter(([, message]) => message)
      .map(([key, message]) => ({ path: [...issue.path, key], message }));
  });
}
