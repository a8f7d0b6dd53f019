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
