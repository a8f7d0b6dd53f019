/**
 * Fails when modules in src import each other in a cycle at run time (a module then sees the other half-loaded).
 * Type-only imports are erased by the compiler and are not counted, as madge's skipTypeImports does.
 * Usage: tsx scripts/check-cycles.ts
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Module specifiers of the imports and re-exports that survive compilation. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const names: string[] = [];
  for (const node of source.statements) {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) names.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      names.push(node.moduleSpecifier.text);
    }
  }
  return names;
}

const files = sources(root);
const known = new Set(files);
const graph = new Map<string, string[]>();
for (const file of files) {
  const targets = runtimeImports(file)
    .filter((name) => name.startsWith("."))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/, ".ts")))
    .filter((path) => known.has(path));
  graph.set(file, [...new Set(targets)]);
}

// Tarjan's strongly connected components: any component with more than one module is a cycle.
let index = 0;
const stack: string[] = [];
const info = new Map<string, { index: number; low: number; onStack: boolean }>();
const cycles: string[][] = [];
function visit(node: string): void {
  const mine = { index, low: index, onStack: true };
  index++;
  info.set(node, mine);
  stack.push(node);
  for (const next of graph.get(node) ?? []) {
    const seen = info.get(next);
    if (!seen) {
      visit(next);
      mine.low = Math.min(mine.low, info.get(next)!.low);
    } else if (seen.onStack) mine.low = Math.min(mine.low, seen.index);
  }
  if (mine.low === mine.index) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      info.get(member)!.onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.map((f) => relative(root, f)).sort());
  }
}
for (const file of files) if (!info.has(file)) visit(file);

if (cycles.length) {
  console.error(`import cycles in src (${cycles.length}): break each by moving what both sides need into a module of its own`);
  for (const cycle of cycles) console.error(`  - ${cycle.join(" <-> ")}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} modules in src`);
