import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureContext } from "../support/cli.js";

describe("apim-dr dispatcher", () => {
  it("rejects an unknown command with exit status 2 and says how to list commands", async () => {
    const io = captureContext();
    expect(await main(["frobnicate"], io.ctx)).toBe(2);
    expect(io.stderr()).toContain("unknown command 'frobnicate'");
    expect(io.stderr()).toContain("apim-dr --help");
  });

  it("prints help listing commands with exit status 0", async () => {
    const io = captureContext();
    expect(await main(["--help"], io.ctx)).toBe(0);
    expect(io.stdout()).toContain("usage: apim-dr <command>");
  });
});

describe("apim-dr as a process", () => {
  it("stops quietly when its reader closes stdout early (apim-dr audit | head)", async () => {
    const child = spawn(process.execPath, ["dist/cli/main.js", "--help"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // like `head` exiting before the first line
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});

describe("help that teaches", () => {
  const help = async (...args: string[]) => {
    const io = captureContext();
    expect(await main([...args, "--help"], io.ctx)).toBe(0);
    return io.stdout();
  };
  const commands = ["abort", "approve", "audit", "backup", "config", "drill", "failback", "failover", "pause", "resume", "run", "signals", "status"];
  const simSubcommands = ["start", "fault", "change", "forge", "stats"];

  it("every flag of every command's usage is listed under options with an explanation, and there is an example", async () => {
    for (const args of [...commands.map((c) => [c]), ...simSubcommands.map((s) => ["sim", s])]) {
      const text = await help(...args);
      const usage = /^usage: (.*)$/m.exec(text)![1]!;
      const options = text.split("\n\noptions:\n")[1]?.split("\n\n")[0] ?? "";
      for (const flag of usage.match(/--[a-z-]+/g) ?? []) {
        expect(options, `${args.join(" ")}: ${flag}`).toMatch(new RegExp(`^  ${flag}\\b[^\\n]*?  +\\S`, "m"));
      }
      expect(text, args.join(" ")).toMatch(/\nexamples?:\n {2}[^\n]*apim-dr /);
    }
  });

  it("each sim subcommand has its own help", async () => {
    const texts = await Promise.all(simSubcommands.map((s) => help("sim", s)));
    expect(new Set(texts).size).toBe(simSubcommands.length);
    expect(texts[1]).toContain("apim-dr sim fault: start (or with --clear end) a fault");
    expect(texts[1]).toContain("  --management-plane up|down");
    expect(await help("sim")).toContain("subcommands (each has --help):\n  start  ");
  });

  it("an unknown command, subcommand or flag gets a did-you-mean", async () => {
    const cmd = captureContext();
    expect(await main(["stauts"], cmd.ctx)).toBe(2);
    expect(cmd.stderr()).toBe("apim-dr: unknown command 'stauts'; did you mean 'status'? Run 'apim-dr --help' to list the commands.");
    const flag = captureContext();
    expect(await main(["status", "--pari", "contoso"], flag.ctx)).toBe(2);
    expect(flag.stderr()).toContain("apim-dr status: unknown option '--pari'; did you mean '--pair'? ('--help' lists every option)");
    const sub = captureContext();
    expect(await main(["sim", "fualt"], sub.ctx)).toBe(2);
    expect(sub.stderr()).toContain("unknown subcommand 'fualt'; did you mean 'fault'?");
  });

  it("drill --all --list is refused, saying why", async () => {
    const io = captureContext();
    expect(await main(["drill", "--all", "--list"], io.ctx)).toBe(2);
    expect(io.stderr()).toContain("--list only lists the scenarios; it cannot be combined with --all: drop one");
  });
});

describe("drill --out", () => {
  it("names a file given as --out instead of failing with EEXIST", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "apim-dr-out-")), "report.html");
    await writeFile(file, "");
    const io = captureContext();
    expect(await main(["drill", "--scenario", "flapping", "--out", file], io.ctx)).toBe(2);
    expect(io.stderr()).toBe(`apim-dr drill: --out ${file}: that is a file, not a directory; name a directory for the report (it is created when missing)`);
  });
});
