import { dirname, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, effectiveConfig, loadConfig, type EffectiveConfig } from "../config/index.js";
import { nearest } from "../config/suggest.js";

/** What a command may touch; tests pass their own to capture output. */
export interface CliContext {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stdin and stdout are a terminal (confirmation prompts are allowed). */
  interactive: boolean;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop cleanly when it fires. */
  signal: AbortSignal;
}

/** What `--help` prints for a command or a subcommand: every option with one line, and examples. */
export interface CommandHelp {
  usage: string;
  /** Flag as written (`--pair P`) and one line of explanation. */
  options: [flag: string, text: string][];
  examples: string[];
  /** Extra lines after the options (e.g. what a positional argument is). */
  notes?: string[];
}

/** One top-level command. The file src/cli/commands/NAME.ts exports it as `command`. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  help: CommandHelp;
  /** Commands with subcommands (`sim fault`): `apim-dr sim fault --help` prints the subcommand's own help. */
  subcommands?: Record<string, { summary: string; help: CommandHelp }>;
  /** Resolves to the exit status: 0 success, 1 operation failed, 2 bad usage or invalid configuration. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

// The errors every command throws; library code (e.g. the controller client) throws them too.
export { OperationError, UsageError } from "../ports/user-errors.js";
import { UsageError } from "../ports/user-errors.js";

/** "; did you mean 'X'?" when `word` is close to one of `known`, else nothing. */
export function didYouMean(word: string, known: readonly string[]): string {
  const guess = nearest(word, known);
  return guess ? `; did you mean '${guess}'?` : "";
}

/** The help text: summary, usage, every option, notes, examples. */
export function renderHelp(summary: string, help: CommandHelp, subcommands?: CliCommand["subcommands"]): string {
  const lines = [summary, "", `usage: ${help.usage}`];
  if (subcommands) {
    lines.push("", "subcommands (each has --help):");
    const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
    for (const [name, sub] of Object.entries(subcommands)) lines.push(`  ${name.padEnd(width)}  ${sub.summary}`);
  }
  if (help.options.length) {
    lines.push("", "options:");
    const width = Math.max(...help.options.map(([flag]) => flag.length));
    for (const [flag, text] of help.options) lines.push(`  ${flag.padEnd(width)}  ${text}`);
  }
  if (help.notes?.length) lines.push("", ...help.notes);
  if (help.examples.length) lines.push("", help.examples.length > 1 ? "examples:" : "example:", ...help.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/**
 * parseArgs with strict options, turning its errors into UsageError that carry the command's usage; an
 * unknown flag close to a known one gets a did-you-mean.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const unknown = code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /'(-[^']*)'/.exec(message)?.[1] : undefined;
    if (unknown !== undefined) {
      const flags = Object.keys(options).map((name) => `--${name}`);
      const guess = nearest(unknown.replace(/=.*$/, ""), flags);
      throw new UsageError(`unknown option '${unknown}'${guess ? `; did you mean '${guess}'?` : ""} ('--help' lists every option)\nusage: ${usage}`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const extra = /'([^']*)'/.exec(message)?.[1] ?? "";
      throw new UsageError(`unexpected argument '${extra}': this command takes options only ('--help' lists them)\nusage: ${usage}`);
    }
    throw new UsageError(`${message}\nusage: ${usage}`);
  }
}

/** The effective configuration of `file` (relative to `cwd`); an invalid one is a usage error listing every problem. */
export async function loadEffectiveConfig(cwd: string, file: string): Promise<EffectiveConfig> {
  const path = resolve(cwd, file);
  try {
    return effectiveConfig(await loadConfig(path), dirname(path));
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`invalid configuration ${file}:\n${error.problems.join("\n")}`);
    throw error;
  }
}
