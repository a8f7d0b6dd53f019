/**
 * Writes statecharts/failover.json (machine.toJSON(), keys sorted) and statecharts/failover.mmd (Mermaid
 * stateDiagram-v2) from the failover machine. `--check` writes nothing and exits 1 when a file is stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnyStateNode } from "xstate";
import { failoverMachine } from "../src/machine/failover-machine.js";

const outDir = join(dirname(fileURLToPath(import.meta.url)), "..", "statecharts");

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

const mermaidId = (node: AnyStateNode) => node.path.join("_") || "root";

function label(eventType: string, guard: unknown): string {
  const event = eventType.replace(/^xstate\.error\.actor\./, "error of ");
  if (!guard) return event;
  const g = guard as { type?: string } | string;
  const name = typeof g === "string" ? g : (g.type ?? "guard");
  return `${event} [${name}]`;
}

function mermaid(): string {
  const lines = ["stateDiagram-v2"];
  const edges: string[] = [];
  const walk = (node: AnyStateNode, indent: string) => {
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const id = mermaidId(child);
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state "${child.key}" as ${id} {`);
        lines.push(`${indent}  [*] --> ${mermaidId(child.states[child.config.initial as string] as AnyStateNode)}`);
        walk(child, indent + "  ");
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}state "${child.key}" as ${id}`);
      }
      for (const [eventType, transitions] of child.transitions) {
        for (const t of transitions) {
          for (const target of t.target ?? []) {
            edges.push(`${mermaidId(child)} --> ${mermaidId(target)} : ${label(eventType, t.guard)}`);
          }
        }
      }
    }
  };
  lines.push(`[*] --> ${mermaidId(failoverMachine.root.states[failoverMachine.root.config.initial as string] as AnyStateNode)}`);
  walk(failoverMachine.root, "");
  return [...lines, ...edges].join("\n") + "\n";
}

const files: Record<string, string> = {
  "failover.json": JSON.stringify(sortKeys(JSON.parse(JSON.stringify(failoverMachine.toJSON()))), null, 2) + "\n",
  "failover.mmd": mermaid(),
};

if (process.argv.includes("--check")) {
  const stale = Object.keys(files).filter((f) => !existsSync(join(outDir, f)) || readFileSync(join(outDir, f), "utf8") !== files[f]);
  if (stale.length) {
    console.error(`statecharts/${stale.join(", statecharts/")} ${stale.length > 1 ? "are" : "is"} stale: the failover machine changed. Run \`npm run statecharts\` and commit the result.`);
    process.exit(1);
  }
  console.log("statecharts/ is up to date");
} else {
  mkdirSync(outDir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(outDir, f), text);
  console.log(`wrote statecharts/${Object.keys(files).join(", statecharts/")}`);
}
