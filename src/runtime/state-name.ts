/** `{ failingOver: "restoring" }` → `failingOver.restoring`. */
export function stateName(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null) {
    const [key, child] = Object.entries(value)[0] ?? ["?", null];
    return child === null || (typeof child === "object" && Object.keys(child).length === 0) ? key : `${key}.${stateName(child)}`;
  }
  return String(value);
}
