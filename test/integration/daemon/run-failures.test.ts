import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execCli } from "./daemon.js";
import { startDaemonWorld, type DaemonWorld } from "./world.js";

describe("apim-dr run refuses to start cleanly, and leaves nothing running", () => {
  let world: DaemonWorld;
  let blocker: Server;
  beforeAll(async () => {
    world = await startDaemonWorld();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => blocker?.close(resolve));
    await world?.stop();
  });
  const env = () => ({ ...process.env, ...world.daemon.env });

  it("exits 1 naming the address when the admin port is taken, before starting anything", async () => {
    const port = (blocker.address() as { port: number }).port;
    // Killed after 60 s (code null) if it hangs with its pollers and consumer still running.
    const run = await execCli(["run", "--config", world.daemon.configPath, "--listen", `127.0.0.1:${port}`], env(), 60_000);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`apim-dr run: cannot listen on 127.0.0.1:${port} (the address is already in use); stop what listens there or pass another --listen (port 0 picks a free port)`);
    expect(run.stdout).not.toContain("admin api listening");
  });

  it("exits 2 on a bad --listen, a missing config file and a missing secret", async () => {
    const listen = await execCli(["run", "--config", world.daemon.configPath, "--listen", "localhost"], env());
    expect(listen.code).toBe(2);
    expect(listen.stderr.trim()).toBe("apim-dr run: --listen 'localhost' is not HOST:PORT; use e.g. 127.0.0.1:7070 (port 0 picks a free port)");

    const missing = join(dirname(world.daemon.configPath), "nowhere.yaml");
    const noFile = await execCli(["run", "--config", missing], env());
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("nowhere.yaml");

    const { APIM_DR_SIM_STORAGE_KEY: _key, ...withoutKey } = env();
    const noSecret = await execCli(["run", "--config", world.daemon.configPath], withoutKey);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain("APIM_DR_SIM_STORAGE_KEY");
    expect(noSecret.stderr).not.toContain("    at ");
  });

  it("exits 2 on an invalid configuration, listing the problem", async () => {
    const bad = join(dirname(world.daemon.configPath), "bad.yaml");
    await writeFile(bad, "pairs: []\n");
    const run = await execCli(["run", "--config", bad], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^apim-dr run: invalid configuration .*bad\.yaml:\n/);
  });
});
