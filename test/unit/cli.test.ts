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
