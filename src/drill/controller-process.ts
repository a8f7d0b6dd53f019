import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** How to start the CLI as a child: the built file, or the TypeScript source through tsx (tests). */
export function cliCommand(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = here.split(/[\\/]/).includes("dist");
  return built ? [join(here, "..", "cli", "main.js")] : ["--import", "tsx", join(here, "..", "cli", "main.ts")];
}

/** `apim-dr run` as a child process, exactly as users deploy it; its JSON logs go to a file. */
export class ControllerProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream;
  url = "";

  constructor(
    private readonly configPath: string,
    private readonly env: Record<string, string>,
    readonly logPath: string,
    /** Arguments for `apim-dr run`; a replica of a coordinated drill advertises its real address. */
    private readonly listen = "127.0.0.1:0",
  ) {
    this.log = createWriteStream(logPath, { flags: "a" });
  }

  /** The running daemon's process id (benchmarks read its CPU and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the daemon and resolves with its admin URL once it says it listens. */
  async start(timeoutMs = 60_000): Promise<string> {
    const child = spawn(process.execPath, [...cliCommand(), "run", "--config", this.configPath, "--listen", this.listen], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.url = await new Promise<string>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`the controller did not report its admin URL within ${timeoutMs / 1000} s; see ${this.logPath}`)), timeoutMs);
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /admin api listening on (http:\/\/[^\s"]+)/.exec(seen);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the controller exited with status ${code} before it was ready; see ${this.logPath}`));
      });
    });
    return this.url;
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
    this.log.end();
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
