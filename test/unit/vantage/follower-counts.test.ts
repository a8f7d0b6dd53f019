import { afterEach, describe, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { Controller, type ControllerPorts } from "../../../src/runtime/controller.js";
import type { Logger } from "../../../src/runtime/logger.js";
import { NotLeaderError, type Leadership, type ReplicaInfo } from "../../../src/ports/leadership.js";
import type { VantageDocument } from "../../../src/vantage/index.js";
import { FakeApim, FakeBackupStore, FakeDns, FakeProbe, ManualClock, MemoryAuditLog, MemoryStateStore, MemoryVantageStore, settle } from "../../support/fakes/index.js";
import { validDocument } from "../config/valid-config.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, child: () => quiet } as unknown as Logger;
const weu: ReplicaInfo = { replicaId: "ctl-weu", region: "westeurope", adminUrl: "http://127.0.0.1:7001" };
const neu: ReplicaInfo = { replicaId: "ctl-neu", region: "northeurope", adminUrl: "http://127.0.0.1:7002" };
const PRIMARY_GW = "https://apim-contoso-weu.gw.test";

/** This replica (ctl-weu) follows the pair: ctl-neu leads and never hands it over in this test. */
function following(): Leadership & { start(): void; stop(): Promise<void> } {
  return {
    self: weu,
    canMutate: () => false,
    confirm: () => Promise.reject(new NotLeaderError("contoso", neu, "ctl-neu leads")),
    view: () => ({ role: "follower", leader: neu, epoch: 1, leaseExpiresAt: null }),
    onChange: () => () => undefined,
    start: () => undefined,
    stop: () => Promise.resolve(),
  };
}

function configFor() {
  const doc = validDocument();
  const [pair] = doc.pairs;
  Object.assign(pair!.primary, { gatewayUrl: PRIMARY_GW });
  Object.assign(pair!.standby, { gatewayUrl: "https://apim-contoso-neu.gw.test" });
  return effectiveConfig(
    validateConfig({
      ...doc,
      stateStore: { type: "blob", accountName: "ststate" },
      health: { quorum: 2, confirmationWindowSeconds: 3, stalenessSeconds: 60, recoveryWindowSeconds: 5 },
      signals: { probes: { intervalSeconds: 1, timeoutMs: 500, failuresBeforeUnhealthy: 2 } },
      coordination: { leaseStore: { accountName: "stleases" }, replicaId: weu.replicaId, region: weu.region, adminUrl: weu.adminUrl },
    }),
    "/etc/apim-dr",
  );
}

describe("a follower counts the other region's published probe verdicts", () => {
  let controller: Controller | null = null;
  afterEach(async () => {
    await controller?.stop();
    controller = null;
  });

  async function follower(neuSeesPrimary: "unhealthy" | "healthy", storeDown = false) {
    const config = configFor();
    const clock = new ManualClock();
    const backups = new FakeBackupStore();
    const probe = new FakeProbe();
    probe.fail(PRIMARY_GW, 503);
    const vantage = new MemoryVantageStore();
    vantage.down = storeDown;
    const ports: ControllerPorts = {
      clock,
      apim: new FakeApim(clock, backups),
      dns: new FakeDns(),
      probe,
      stateStore: new MemoryStateStore(),
      audit: new MemoryAuditLog(),
      log: quiet,
      resolveAccessKey: () => "key",
      backupStoreFor: () => backups,
      leadership: following(),
      vantage,
    };
    controller = await Controller.start(config, ports, { tickMs: 1_000 });
    const began = new Date(clock.now()).toISOString();
    // ctl-neu (another region) publishes what its probes see every second, as its own controller would.
    for (let s = 0; s < 8; s++) {
      const measuredAt = new Date(clock.now()).toISOString();
      const doc: VantageDocument = {
        version: 1,
        replicaId: neu.replicaId,
        region: neu.region,
        publishedAt: measuredAt,
        verdicts: [{ serviceId: config.pairs[0]!.primary.serviceId, region: "westeurope", status: neuSeesPrimary, measuredAt, since: began, failed: neuSeesPrimary === "healthy" ? 0 : 2, attempts: 2 }],
      };
      vantage.documents.set(neu.replicaId, JSON.stringify(doc));
      await clock.advance(1_000);
      await settle();
    }
    return { status: controller.getPair("contoso")!, vantage, metrics: controller.metrics() };
  }

  it("its failing probes and the other region's make a quorum: the follower sees the primary unhealthy, naming both", async () => {
    const { status, vantage } = await follower("unhealthy");
    expect(status.leadership).toMatchObject({ role: "follower" });
    expect(status.health.primary.verdict).toBe("unhealthy");
    expect(status.health.primary.reason).toMatch(/^unhealthy: 2 independent sources agree on 2 channels \(other regions' probes, probes\) .*probe 2\/2 failed.*probes@ctl-neu 2\/2 failed/);
    // The follower publishes its own view too.
    const own = JSON.parse(vantage.documents.get("ctl-weu")!) as VantageDocument;
    expect(own.verdicts.find((v) => v.region === "westeurope")).toMatchObject({ pair: "contoso", side: "primary", status: "unhealthy" });
  });

  it("the other region probes the primary healthy: observer impaired for that gateway, primary not unhealthy", async () => {
    const { status } = await follower("healthy");
    expect(status.health.primary.verdict).toBe("healthy");
    expect(status.health.observerImpaired).toBe(true);
    expect(status.health.primary.reason).toContain("not counted: own probes");
  });

  it("a follower's readiness results stay off the pair's trail, and asking it for a plan names the leader", async () => {
    const { status } = await follower("healthy");
    expect(status.leadership).toMatchObject({ role: "follower" });
    const audit = await controller!.audit("contoso");
    controller!.appendAudit("contoso", [{ at: new Date().toISOString(), pair: "contoso", type: "readiness", verdict: "READY", reason: "rbac: ok" }]);
    expect(await controller!.audit("contoso")).toEqual(audit);
    expect(() => controller!.failoverPlan("contoso")).toThrow("this replica follows pair contoso: ask its leader, ctl-neu at http://127.0.0.1:7002");
    expect(() => controller!.failoverPlan("nope")).toThrow("no pair named 'nope'");
  });

  it("a coordination store that does not answer changes nothing but the count: the controller keeps judging on its own probes", async () => {
    const { status, metrics } = await follower("unhealthy", true);
    expect(status.health.primary.verdict).toBe("suspect");
    expect(status.health.primary.reason).toBe("suspect: probes alone: 1 of 2 required independent sources report unhealthy (probe 2/2 failed 0s ago)");
    expect(metrics).toMatch(/apim_dr_poller_errors_total\{poller="vantage-publish"\} \d+/);
    expect(metrics).toMatch(/apim_dr_poller_errors_total\{poller="vantage-read"\} \d+/);
  });
});
