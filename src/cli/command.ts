import { parseArgs, type ParseArgsConfig } from "node:util";

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

/** One top-level command. The file src/cli/commands/NAME.ts exports it as `command`. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the exit status: 0 success, 1 operation failed, 2 bad usage or invalid configuration. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

// The errors every command throws; library code (e.g. the controller client) throws them too.
export { OperationError, UsageError } from "../ports/user-errors.js";
import { UsageError } from "../ports/user-errors.js";

/** parseArgs with strict options, turning its errors into UsageError that carry the command's usage. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}
