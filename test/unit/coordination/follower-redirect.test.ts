import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.js";
import { startAdminServer, type AdminServer } from "../../../src/server/admin-server.js";
import type { CommandResult, OperatorAction, OperatorRequest } from "../../../src/server/controller-api.js";
import { captureContext } from "../../support/cli.js";
import { FakeController, pair } from "../../support/fake-controller.js";

/** A follower replica: refuses every command with 409 and names the leader's admin URL. */
class FollowerController extends FakeController {
  constructor(private readonly leaderUrl: () => string) {
    super();
  }
  /** What the follower last stored of the leader's state: it runs no backups, so its view of the backup stays put. */
  override getPair = (name: string) => (name === pair.name ? { ...pair, backup: { ...pair.backup, latest: "apim-weu-before.apimbackup" } } : undefined);
  override async command(name: string, action: OperatorAction, request: OperatorRequest): Promise<CommandResult> {
    this.commands.push({ name, action, request });
    return { accepted: false, state: pair.state, accepts: [], message: `this replica (ctl-weu) follows pair ${name}; its leader is ctl-neu in northeurope: send the command to ${this.leaderUrl()}`, leaderUrl: this.leaderUrl() };
  }
}

describe("a command sent to a follower replica", () => {
  const leader = new FakeController();
  let leaderServer: AdminServer;
  const follower = new FollowerController(() => leaderServer.url);
  let followerServer: AdminServer;
  const env = () => ({ APIM_DR_ADMIN_TOKEN: "tok", USER: "alice" });
  beforeAll(async () => {
    leaderServer = await startAdminServer(leader, { host: "127.0.0.1", port: 0, token: "tok" });
    followerServer = await startAdminServer(follower, { host: "127.0.0.1", port: 0, token: "tok" });
  });
  afterAll(async () => {
    await leaderServer.close();
    await followerServer.close();
  });

  it("is answered 409 with the leader's admin URL", async () => {
    const res = await fetch(`${followerServer.url}/pairs/contoso/pause`, { method: "POST", headers: { authorization: "Bearer tok", "content-type": "application/json" }, body: "{}" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ leaderUrl: leaderServer.url, error: expect.stringContaining("its leader is ctl-neu") });
  });

  it("is sent to the leader by the CLI, which acts on it", async () => {
    pair.state = "monitoring.healthy";
    leader.commands = [];
    const io = captureContext(env());
    expect(await main(["pause", "--pair", "contoso", "--yes", "--reason", "maintenance", "--controller", followerServer.url], io.ctx)).toBe(0);
    expect(leader.commands).toEqual([{ name: "contoso", action: "pause", request: expect.objectContaining({ reason: "maintenance" }) }]);
  });

  it("follows the progress at the leader, not at the follower that redirected it", async () => {
    leader.commands = [];
    const accepts = pair.accepts;
    pair.accepts = [...accepts, "backup"];
    try {
      const io = captureContext(env());
      // The follower's view never shows a new backup: watching it would wait for ever.
      expect(await main(["backup", "--pair", "contoso", "--yes", "--controller", followerServer.url], io.ctx)).toBe(0);
      expect(leader.commands.map((c) => c.action)).toEqual(["backup"]);
      expect(io.stdout()).toContain("backup apim-weu-x.apimbackup of apim-weu completed");
    } finally {
      pair.accepts = accepts;
    }
  });
});
