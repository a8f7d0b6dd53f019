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
});

/** A leader that takes a backup when asked: its newest backup changes from then on. */
class BackupLeader extends FakeController {
  private latest = "apim-weu-1.apimbackup";
  override getPair = (name: string) => (name === pair.name ? { ...pair, accepts: [...pair.accepts, "backup" as const], backup: { ...pair.backup, latest: this.latest } } : undefined);
  override async command(name: string, action: OperatorAction, request: OperatorRequest): Promise<CommandResult> {
    this.commands.push({ name, action, request });
    this.latest = "apim-weu-2.apimbackup";
    return { accepted: true, state: pair.state, busy: false };
  }
}

describe("a backup asked of a follower replica", () => {
  const leader = new BackupLeader();
  let leaderServer: AdminServer;
  // The follower's view is the leader's last stored state: it runs no backups, so its newest backup never changes.
  const follower = new FollowerController(() => leaderServer.url);
  follower.getPair = (name: string) =>
    name === pair.name
      ? { ...pair, accepts: [], backup: { ...pair.backup, latest: "apim-weu-0.apimbackup" }, leadership: { role: "follower", leader: { replicaId: "ctl-neu", region: "northeurope", adminUrl: leaderServer.url }, epoch: 3, leaseExpiresAt: null, replica: null } }
      : undefined;
  let followerServer: AdminServer;
  beforeAll(async () => {
    leaderServer = await startAdminServer(leader, { host: "127.0.0.1", port: 0, token: "tok" });
    followerServer = await startAdminServer(follower, { host: "127.0.0.1", port: 0, token: "tok" });
  });
  afterAll(async () => {
    await leaderServer.close();
    await followerServer.close();
  });

  it("is planned, sent and watched at the leader, and ends when the leader's new backup is there", async () => {
    const io = captureContext({ APIM_DR_ADMIN_TOKEN: "tok", USER: "alice" });
    expect(await main(["backup", "--pair", "contoso", "--yes", "--controller", followerServer.url], io.ctx)).toBe(0);
    expect(leader.commands.map((c) => c.action)).toEqual(["backup"]);
    expect(follower.commands).toEqual([]);
    expect(io.stdout()).toContain("backup apim-weu-2.apimbackup of apim-weu completed");
  });
});
