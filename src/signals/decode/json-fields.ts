// Azure payloads spell the same field in PascalCase or camelCase and sometimes wrap values
// as {"value": …, "localizedValue": …}; these helpers read a field whatever its spelling.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{"value": "Administrative", "localizedValue": "Administrative"}` → `"Administrative"`. */
function unwrapLocalized(value: unknown): unknown {
  if (!isObject(value)) return value;
  const keys = Object.keys(value).map((k) => k.toLowerCase());
  if (!keys.includes("value") || !keys.every((k) => k === "value" || k === "localizedvalue")) return value;
  const inner = field(value, "value");
  if (inner !== null && inner !== undefined && inner !== "") return inner;
  const localized = field(value, "localizedValue");
  return localized === "" ? null : localized;
}

function field(obj: JsonObject, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/** The first of `names` present on `obj` (exact spelling first, then case-insensitive), localized wrappers unwrapped. */
export function get(obj: JsonObject | null | undefined, ...names: string[]): unknown {
  if (!obj) return undefined;
  for (const name of names) {
    const value = unwrapLocalized(field(obj, name));
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** A non-empty string field; numbers and booleans are rendered as text. */
export function text(obj: JsonObject | null | undefined, ...names: string[]): string | null {
  const value = get(obj, ...names);
  if (typeof value === "string") return value.trim() === "" ? null : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** Like `text`, but only real strings: numeric codes (ServiceHealth's `"eventSource": 2`) are ignored. */
export function stringOnly(obj: JsonObject | null | undefined, ...names: string[]): string | null {
  const value = get(obj, ...names);
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/** A number field; numeric strings (`"500"`) count. */
export function num(obj: JsonObject | null | undefined, ...names: string[]): number | null {
  const value = get(obj, ...names);
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function object(obj: JsonObject | null | undefined, ...names: string[]): JsonObject | null {
  const value = get(obj, ...names);
  return isObject(value) ? value : null;
}

/** Lower-cased with spaces, dashes and underscores removed: `"Activity Log - Administrative"` → `activitylogadministrative`. */
export function key(value: string | null | undefined): string {
  return (value ?? "").toLowerCase().replace(/[\s_-]+/g, "");
}
