import type { CliContext } from "../../src/cli/command.js";

/** A CliContext that records output, for driving commands in-process. */
export function captureContext(env: NodeJS.ProcessEnv = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const ctx: CliContext = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
    cwd,
    interactive: false,
    signal: controller.signal,
  };
  return { ctx, stdout: () => out.join("\n"), stderr: () => err.join("\n"), abort: () => controller.abort() };
}
