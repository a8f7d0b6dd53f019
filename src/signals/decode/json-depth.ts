// Deeply nested JSON (thousands of levels) overflows the stack of every recursive walker,
// JSON.stringify and structuredClone included. These two never recurse.

/** Whether `value` nests objects or arrays more than `limit` levels deep. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

type Frame = { items: unknown[]; i: number } | { entries: Array<[string, unknown]>; i: number };

/** `JSON.stringify(value)` for parsed JSON, however deep. */
export function jsonText(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (v: unknown) => {
    if (Array.isArray(v)) {
      out.push("[");
      stack.push({ items: v, i: 0 });
    } else if (typeof v === "object" && v !== null) {
      out.push("{");
      stack.push({ entries: Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== "function"), i: 0 });
    } else out.push(JSON.stringify(v) ?? "null");
  };
  open(value);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const size = "items" in top ? top.items.length : top.entries.length;
    if (top.i === size) {
      out.push("items" in top ? "]" : "}");
      stack.pop();
      continue;
    }
    if (top.i > 0) out.push(",");
    if ("items" in top) open(top.items[top.i++]);
    else {
      const [key, v] = top.entries[top.i++]!;
      out.push(JSON.stringify(key), ":");
      open(v);
    }
  }
  return out.join("");
}
