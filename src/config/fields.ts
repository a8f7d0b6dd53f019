import { z } from "zod";

// What a field expects, in words, keyed by the schema instance that raises the issue.
// The problem formatter turns it into `expected a positive number, got "sixty"`.
const expectations = new WeakMap<object, string>();
// Fields whose rejected value must not be echoed (it may be the secret itself).
const undisclosed = new WeakSet<object>();
// Extra detail about why a value was rejected, e.g. the cron parser's complaint.
const details = new WeakMap<object, (value: unknown) => string | null>();

/** Registers the wording of what `schema` expects. Call it last: `.describe()` and friends clone the schema. */
export function expects<T extends z.ZodType>(
  schema: T,
  expected: string,
  options: { disclose?: boolean; detail?: (value: unknown) => string | null } = {},
): T {
  expectations.set(schema, expected);
  if (options.disclose === false) undisclosed.add(schema);
  if (options.detail) details.set(schema, options.detail);
  return schema;
}

export function detailOf(schema: unknown, value: unknown): string | null {
  const detail = typeof schema === "object" && schema !== null ? details.get(schema) : undefined;
  return detail ? detail(value) : null;
}

export function expectationOf(schema: unknown): string | undefined {
  return typeof schema === "object" && schema !== null ? expectations.get(schema) : undefined;
}

export function isUndisclosed(schema: unknown): boolean {
  return typeof schema === "object" && schema !== null && undisclosed.has(schema);
}

export const positiveNumber = (description: string) =>
  expects(z.number().positive().describe(description), "a positive number");

export const positiveInt = (description: string) =>
  expects(z.number().int().positive().describe(description), "a positive whole number");

export const nonNegativeInt = (description: string) =>
  expects(z.number().int().nonnegative().describe(description), "a whole number, 0 or more");

export const intInRange = (min: number, max: number, description: string) =>
  expects(z.number().int().min(min).max(max).describe(description), `a whole number from ${min} to ${max}`);

export const ratio = (description: string) =>
  expects(z.number().gt(0).lte(1).describe(description), "a number greater than 0 and at most 1");

export const flag = (description: string) => expects(z.boolean().describe(description), "true or false");

export const nonEmptyString = (description: string) =>
  expects(z.string().trim().min(1).describe(description), "a non-empty string");

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const uuid = (description: string) =>
  expects(z.string().regex(uuidPattern).describe(description), "a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");

export const envVarPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A reference to a secret: the NAME of an environment variable, never its value. */
export const envVarName = (description: string) =>
  expects(
    z.string().regex(envVarPattern).describe(description),
    "the name of an environment variable (letters, digits and _, not starting with a digit), not the secret itself",
    { disclose: false },
  );

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;
export const hostname = (description: string) =>
  expects(z.string().regex(hostnamePattern).describe(description), "a fully qualified host name such as api.contoso.com");

export const dnsLabelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const dnsLabel = (description: string) =>
  expects(
    z.string().regex(dnsLabelPattern).describe(description),
    "a lower-case DNS label (letters, digits and inner hyphens, at most 63 characters)",
  );

// `{region}` is a placeholder some endpoints take (the metrics endpoint is per region).
const asUrl = (s: string) => s.replaceAll("{region}", "region");

export const httpsUrl = (description: string) =>
  expects(
    z.string().refine((s) => URL.canParse(asUrl(s)) && new URL(asUrl(s)).protocol === "https:").describe(description),
    "an https:// URL",
  );

export const httpUrl = (description: string) =>
  expects(
    z.string().refine((s) => URL.canParse(s) && ["http:", "https:"].includes(new URL(s).protocol)).describe(description),
    "an http:// or https:// URL",
  );
