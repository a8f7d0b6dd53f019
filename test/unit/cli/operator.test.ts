import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorName } from "../../../src/cli/operator-command.js";
import { main } from "../../../src/cli/main.js";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import { captureContext } from "../../support/cli.js";
import { FakeController, pair } from "../../support/fake-controller.js";

describe("operator commands", () => {
  const controller = new FakeController();
  let server: AdminServer;
  const env = () => ({ APIM_DR_ADMIN_TOKEN: "tok", APIM_DR_ACTOR: "alice" });
  beforeAll(async () => {
    server = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token: "tok" });
  });
  afterAll(() => server.close());

  it("status prints state, health, backup age against the RPO and the last decision", async () => {
    const io = captureContext(env());
    expect(await main(["status", "--controller", server.url], io.ctx)).toBe(0);
    expect(io.stdout()).toContain("contoso: monitoring.healthy   active region: westeurope");
    expect(io.stdout()).toContain("backup of apim-weu: apim-weu-x.apimbackup, age 1m / RPO 1h");
    expect(io.stdout()).toContain("last decision: stay — primary healthy");
  });

  it("status --json prints the pair as JSON", async () => {
    const io = captureContext(env());
    expect(await main(["status", "--pair", "contoso", "--json", "--controller", server.url], io.ctx)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ name: "contoso", state: "monitoring.healthy" });
  });

  it("shows the plan and refuses to act without --yes when not on a terminal", async () => {
    const io = captureContext(env());
    expect(await main(["failover", "--pair", "contoso", "--controller", server.url], io.ctx)).toBe(2);
    expect(io.stdout()).toContain("would failover");
    expect(io.stderr()).toContain("not a terminal, so nothing was asked or sent: pass --yes to failover contoso");
    expect(controller.commands).toHaveLength(0);
  });

  it("sends the command with reason and actor when confirmed with --yes", async () => {
    pair.state = "monitoring.healthy";
    const io = captureContext(env());
    const code = await main(["failover", "--pair", "contoso", "--reason", "drill", "--planned", "--yes", "--no-wait", "--controller", server.url], io.ctx);
    expect(code).toBe(0);
    expect(io.stdout()).toContain("failover accepted: contoso is now failingOver.checkingBackup");
    expect(controller.commands.at(-1)).toEqual({ name: "contoso", action: "failover", request: { reason: "drill", actor: "alice", planned: true } });
  });

  it("explains a refused event with the current state and what it accepts (exit 1)", async () => {
    const io = captureContext(env());
    expect(await main(["failback", "--pair", "contoso", "--yes", "--controller", server.url], io.ctx)).toBe(1);
    expect(io.stderr()).toContain("'failback' is not accepted in state monitoring.healthy (state monitoring.healthy; accepts: failover, pause)");
  });

  it("needs the admin token for mutating commands", async () => {
    const io = captureContext({});
    expect(await main(["pause", "--pair", "contoso", "--yes", "--controller", server.url], io.ctx)).toBe(2);
    expect(io.stderr()).toContain("APIM_DR_ADMIN_TOKEN is not set");
  });

  it("says how to fix an unreachable controller", async () => {
    const closed = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token: "tok" });
    await closed.close();
    const io = captureContext(env());
    expect(await main(["status", "--controller", closed.url], io.ctx)).toBe(1);
    expect(io.stderr()).toContain(`cannot reach the controller at ${closed.url} (ECONNREFUSED); is 'apim-dr run' running?`);
  });
});

describe("who the audit trail names (operatorName)", () => {
  const login = () => "login-name";
  it("takes --actor, else APIM_DR_ACTOR, else the login name, else USER", () => {
    expect(operatorName("alice", { APIM_DR_ACTOR: "bob", USER: "carol" }, login)).toBe("alice");
    expect(operatorName(undefined, { APIM_DR_ACTOR: "bob", USER: "carol" }, login)).toBe("bob");
    expect(operatorName(undefined, { USER: "carol" }, login)).toBe("login-name");
    // A container user without a passwd entry: os.userInfo() throws.
    const noLogin = () => {
      throw new Error("ENOENT");
    };
    expect(operatorName(undefined, { USER: "carol" }, noLogin)).toBe("carol");
    expect(operatorName(undefined, {}, noLogin)).toBeUndefined();
  });
  it("refuses an empty name instead of recording nobody", () => {
    expect(() => operatorName(" ", {}, login)).toThrow("--actor is empty: name the operator (it goes into the audit trail)");
    expect(() => operatorName(undefined, { APIM_DR_ACTOR: "" }, login)).toThrow("APIM_DR_ACTOR is empty");
  });
});

describe("consistent errors", () => {
  const controller = new FakeController();
  let server: AdminServer;
  beforeAll(async () => {
    server = await startAdminServer(controller, { host: "127.0.0.1", port: 0, token: "tok" });
  });
  afterAll(() => server.close());

  it("audit --pair nosuch fails like status --pair nosuch", async () => {
    for (const command of ["audit", "status"]) {
      const io = captureContext({});
      expect(await main([command, "--pair", "nosuch", "--controller", server.url], io.ctx)).toBe(1);
      expect(io.stderr()).toBe(`apim-dr ${command}: no pair named 'nosuch'; known pairs: contoso`);
    }
  });

  it("a controller URL that answers 404 is said not to be an apim-dr controller", async () => {
    const other = createServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not Found</h1>"));
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const io = captureContext({});
      expect(await main(["status", "--controller", url], io.ctx)).toBe(1);
      expect(io.stderr()).toContain(`apim-dr status: ${url} is not an apim-dr controller (it answered 404 for /pairs): pass the admin API's address`);
    } finally {
      other.close();
    }
  });
});
