import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** How to start the CLI as a child: the built file, or the TypeScript source through tsx (tests). */
export function cliCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = here.split(/[\\/]/).includes("dist");
  return built ? [join(here, "..", "cli", "main.js")] : ["--import", "tsx", join(here, "..", "cli", "main.ts")];
}

/**
 * `apim-dr run` as a child process, exactly as users deploy it; its JSON logs go straight to a file (as a container
 * runtime drains stdout: never through this process, whose simulator may be too busy to read a pipe in time).
 */
export class ControllerProcess {
  private child: ChildProcess | null = null;
  url = "";

  constructor(
    private readonly configPath: string,
    private readonly env: Record<string, string>,
    readonly logPath: string,
    /** Arguments for `apim-dr run`; a replica of a coordinated drill advertises its real address. */
    private readonly listen = "127.0.0.1:0",
  ) {}

  /** The running daemon's process id (benchmarks read its CPU and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the daemon and resolves with its admin URL once it says it listens. */
  async start(timeoutMs = 60_000): Promise<string> {
    const log = openSync(this.logPath, "a");
    const from = statSync(this.logPath).size;
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...cliCommand(), "run", "--config", this.configPath, "--listen", this.listen], {
        env: { ...process.env, ...this.env },
        stdio: ["ignore", log, log],
      });
    } finally {
      closeSync(log); // the child has its own copy
    }
    this.child = child;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = /admin api listening on (http:\/\/[^\s"]+)/.exec(readFileSync(this.logPath).subarray(from).toString("utf8"));
      if (match) return (this.url = match[1]!);
      const code = await Promise.race([exited, new Promise<"waiting">((resolve) => setTimeout(() => resolve("waiting"), 50))]);
      if (code !== "waiting") throw new Error(`the controller exited with status ${code} before it was ready; see ${this.logPath}`);
      if (Date.now() > deadline) throw new Error(`the controller did not report its admin URL within ${timeoutMs / 1000} s; see ${this.logPath}`);
    }
  }

  /** kill -9: no chance to persist anything beyond what it already did. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  /** SIGSTOP: the process freezes (a long GC pause, a frozen VM); its timers and leases run on without it. */
  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  /** SIGCONT: a frozen process wakes up, believing no time has passed. */
  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** SIGTERM: the controller persists its step and exits. */
  async stop(): Promise<void> {
    await this.signal("SIGTERM");
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill(sig);
    });
  }
}
