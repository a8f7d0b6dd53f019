import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

/** How a test starts `apim-dr`: the TypeScript entry point through tsx, as a user would start the built one. */
export const CLI_ENTRY = ["--import", "tsx", join(process.cwd(), "src", "cli", "main.ts")];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `apim-dr ARGS` to its end (killed after `timeoutMs`, which then shows as code null) with stdin not a terminal. */
export function execCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<CliRun> {
  return new Promise<CliRun>((resolve) => {
    execFile(process.execPath, [...CLI_ENTRY, ...args], { env, timeout: timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `apim-dr run` as a child process. Everything it writes is kept (stdout and stderr, in order)
 * so tests can read the log; the exit is observed, never assumed.
 */
export class DaemonProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<Exit> | null = null;
  /** Everything every run of this daemon wrote, stdout and stderr interleaved. */
  output = "";
  url = "";

  constructor(
    readonly configPath: string,
    readonly env: Record<string, string>,
  ) {}

  /** Starts the daemon and resolves with its admin URL once it prints the line that announces it. */
  async start(timeoutMs = 90_000): Promise<string> {
    if (this.child) throw new Error("the daemon is already running");
    const child = spawn(process.execPath, [...CLI_ENTRY, "run", "--config", this.configPath, "--listen", "127.0.0.1:0"], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const runStart = this.output.length;
    const collect = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the daemon did not announce its admin URL within ${timeoutMs / 1000} s:\n${this.output.slice(runStart)}`)), timeoutMs);
      const look = () => {
        const match = /admin api listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(this.output.slice(runStart));
        if (!match) return;
        clearTimeout(timer);
        child.stdout!.off("data", look);
        resolve(match[1]!);
      };
      child.stdout!.on("data", look);
      void this.exited!.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`the daemon exited (${exit.code ?? exit.signal}) before it was ready:\n${this.output.slice(runStart)}`));
      });
    });
    return this.url;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Sends a signal and waits for the exit; a daemon that ignores SIGTERM for 30 s is killed and the test sees why. */
  async signal(sig: "SIGTERM" | "SIGKILL"): Promise<Exit> {
    const child = this.child;
    if (!child || !this.exited) throw new Error("the daemon is not running");
    const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.kill(sig);
    const exit = await this.exited;
    clearTimeout(force);
    this.child = null;
    this.exited = null;
    return exit;
  }

  /** For afterAll/afterEach: stops the daemon if it still runs, whatever state the test left it in. */
  async stop(): Promise<void> {
    if (this.child) await this.signal("SIGTERM");
  }

  /** The JSON log lines written so far, parsed. */
  logLines(): Array<Record<string, unknown>> {
    return this.output
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
