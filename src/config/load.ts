import { readFile } from "node:fs/promises";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { configSchema, type ApimDrConfig } from "./schema.js";
import { configErrorMap, formatPath, problemsFromIssues } from "./problems.js";
import { findInlineSecrets } from "./secrets.js";
import { crossCheck } from "./cross-checks.js";
import { healthSettingsFrom } from "./health-settings.js";
import { HealthSettingsError } from "../health/config.js";

export interface ConfigProblem {
  /** e.g. `pairs[0].objectives.rpoMinutes` */
  path: string;
  /** e.g. `expected a positive number, got "sixty"` */
  message: string;
  /** 1-based line in the source file, when known. */
  line?: number;
}

/** Invalid configuration: every problem found, not only the first. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** One line per problem: `path: message (line N)`. */
  readonly problems: string[];
  constructor(
    readonly source: string,
    readonly details: ConfigProblem[],
  ) {
    const problems = details.map(formatProblem);
    super(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.join("\n")}`);
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}${problem.line ? ` (line ${problem.line})` : ""}`;
}

type Locate = (path: ReadonlyArray<PropertyKey>) => number | undefined;

/** Validates an already-parsed document (e.g. a config built in code); throws ConfigError. */
export function validateConfig(data: unknown, sourceName = "config", locate: Locate = () => undefined): ApimDrConfig {
  const result = configSchema.safeParse(data, { error: configErrorMap(data) });
  const located = [
    ...findInlineSecrets(data),
    ...(result.success ? healthProblems(result.data) : problemsFromIssues(result.error.issues)),
    ...crossCheck(data),
  ].map((p) => ({ path: formatPath(p.path), message: p.message, line: locate(p.path) }));
  const problems = dedupe(located).sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (problems.length > 0 || !result.success) throw new ConfigError(sourceName, problems);
  return result.data;
}

/** Parses and validates YAML text; `sourceName` names it in messages. Throws ConfigError. */
export function parseConfig(text: string, sourceName: string): ApimDrConfig {
  const lineCounter = new LineCounter();
  // `<<` merge keys let pairs share blocks (`policy: *defaultPolicy`) in YAML itself.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  const tabs = doc.errors.filter((e) => e.code === "TAB_AS_INDENT").map((e) => lineCounter.linePos(e.pos[0]).line);
  if (tabs.length > 0) {
    // Every other error of such a file follows from the tabs: one problem, with every line to fix.
    const lines = [...new Set(tabs)];
    const listed = lines.length > 8 ? `${lines.slice(0, 8).join(", ")} and ${lines.length - 8} more` : lines.join(", ");
    throw new ConfigError(sourceName, [
      { path: `line ${lines[0]}`, message: `invalid YAML: indented with tabs (line${lines.length > 1 ? "s" : ""} ${listed}); YAML indents with spaces only: replace the tabs with spaces` },
    ]);
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(
      sourceName,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: `line ${pos.line}, column ${pos.col}`, message: `invalid YAML: ${e.message.split("\n")[0]}` };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (data === null || data === undefined) {
    throw new ConfigError(sourceName, [{ path: "(top level)", message: "the file is empty; expected a mapping with at least pairs and stateStore (see config/production.example.yaml)" }]);
  }
  return validateConfig(data, sourceName, (path) => lineOf(doc, lineCounter, path));
}

/** Reads and validates a YAML config file. Throws ConfigError (also when the file cannot be read). */
export async function loadConfig(path: string): Promise<ApimDrConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory, not a file" : (error as Error).message;
    throw new ConfigError(path, [{ path, message: `${why}; pass the path of a YAML config file (see config/production.example.yaml)` }]);
  }
  return parseConfig(text, path);
}

/** Line of the deepest node on `path` that exists: the key's line for a map entry. */
function lineOf(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** The health evaluator's own rules (quorum within the number of groups, one group per source, ...). */
function healthProblems(config: ApimDrConfig): Array<{ path: string[]; message: string }> {
  try {
    healthSettingsFrom(config.health);
    return [];
  } catch (error) {
    if (!(error instanceof HealthSettingsError)) throw error;
    // Its messages start with the setting's name: `health.quorum must be ...`.
    const match = /^(health(?:\.\w+)*)(?::\s*|\s+)([\s\S]*)$/.exec(error.message);
    const [path, message] = match ? [match[1]!.split("."), match[2]!] : [["health"], error.message];
    return [{ path, message }];
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
