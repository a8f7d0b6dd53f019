#!/usr/bin/env node
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { OperationError, renderHelp, UsageError, type CliCommand, type CliContext } from "./command.js";
import { nearest } from "../config/suggest.js";

// Each file in commands/ is one top-level command named after the file, so adding a
// command never touches this dispatcher.
const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

function commandNames(): string[] {
  if (!existsSync(commandsDir)) return [];
  return readdirSync(commandsDir)
    .filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith(".d.ts") && !f.startsWith("_"))
    .map((f) => f.replace(/\.(js|ts)$/, ""))
    .sort();
}

async function loadCommand(name: string): Promise<CliCommand | undefined> {
  if (!commandNames().includes(name)) return undefined;
  const file = readdirSync(commandsDir).find((f) => f === `${name}.js` || f === `${name}.ts`)!;
  const mod = (await import(pathToFileURL(join(commandsDir, file)).href)) as { command: CliCommand };
  return mod.command;
}

async function help(ctx: CliContext): Promise<void> {
  ctx.out("apim-dr — disaster-recovery controller for Azure API Management\n");
  ctx.out("usage: apim-dr <command> [options]   (apim-dr <command> --help for details)\n");
  ctx.out("commands:");
  for (const name of commandNames()) {
    const cmd = await loadCommand(name);
    if (cmd) ctx.out(`  ${name.padEnd(10)} ${cmd.summary}`);
  }
  ctx.out("\nexit status: 0 success, 1 the operation failed or an expectation did not hold, 2 bad usage or invalid configuration");
}

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    await help(ctx);
    return name ? 0 : 2;
  }
  if (name === "--version") {
    const pkgPath = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
    ctx.out((JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version);
    return 0;
  }
  const cmd = await loadCommand(name);
  if (!cmd) {
    const guess = nearest(name, commandNames());
    ctx.err(`apim-dr: unknown command '${name}'${guess ? `; did you mean '${guess}'?` : "."} Run 'apim-dr --help' to list the commands.`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    const sub = rest[0] !== undefined ? cmd.subcommands?.[rest[0]] : undefined;
    ctx.out(sub ? renderHelp(`apim-dr ${name} ${rest[0]}: ${sub.summary}`, sub.help) : renderHelp(`apim-dr ${name}: ${cmd.summary}`, cmd.help, cmd.subcommands));
    return 0;
  }
  try {
    return await cmd.run(rest, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err(`apim-dr ${name}: ${error.message}`);
      return 2;
    }
    if (error instanceof OperationError) {
      ctx.err(`apim-dr ${name}: ${error.message}`);
      return 1;
    }
    // Unexpected: still no stack trace unless asked for, but say how to get one.
    ctx.err(`apim-dr ${name}: ${(error as Error)?.message ?? String(error)}`);
    if (process.env.APIM_DR_DEBUG) ctx.err(String((error as Error)?.stack));
    else ctx.err("(set APIM_DR_DEBUG=1 for a stack trace)");
    return 1;
  }
}

function isEntryPoint(): boolean {
  // npm's bin shim is a symlink, so compare real paths.
  const entry = process.argv[1];
  return entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url);
}

/** How long a command stopped by SIGINT/SIGTERM may take to let the process end by itself once it returned. */
const EXIT_GRACE_MS = 3_000;

if (isEntryPoint()) {
  const controller = new AbortController();
  let signals = 0;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.on(sig, () => {
      signals++;
      if (signals > 1) process.exit(130);
      controller.abort(new Error(`received ${sig}`));
    });
  }
  let stdoutClosed = false;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    // The reader went away (`apim-dr audit | head`): stop writing and wind down as on SIGTERM.
    stdoutClosed = true;
    controller.abort(new Error("stdout was closed"));
  });
  const ctx: CliContext = {
    out: (line) => {
      if (!stdoutClosed) process.stdout.write(line + "\n");
    },
    err: (line) => process.stderr.write(line + "\n"),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    signal: controller.signal,
  };
  main(process.argv.slice(2), ctx).then(
    (code) => {
      process.exitCode = code;
      // Last resort: a command stopped by a signal has closed what it opened; a timer or socket a library
      // still holds must not keep the process running until SIGKILL (seen with `sim start`).
      if (controller.signal.aborted) {
        setTimeout(() => {
          process.stderr.write(`apim-dr: something still held the process ${EXIT_GRACE_MS / 1000} s after it stopped; exiting anyway\n`);
          process.exit(code);
        }, EXIT_GRACE_MS).unref();
      }
    },
    (error: unknown) => {
      process.stderr.write(`apim-dr: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
