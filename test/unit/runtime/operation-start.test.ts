import { afterEach, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { Controller } from "../../../src/runtime/controller.js";
import { silentLogger } from "../../../src/runtime/logger.js";
import { FakeApim, FakeBackupStore, FakeDns, FakeProbe, ManualClock, MemoryAuditLog, MemoryStateStore, settle } from "../../support/fakes/index.js";
import { validDocument } from "../config/valid-config.js";

let controller: Controller | null = null;
afterEach(async () => {
  await controller?.stop();
  controller = null;
});

it("tells onOperationStart once when a failover starts, not again at each of its steps", async () => {
  const config = effectiveConfig(validateConfig({ ...validDocument(), stateStore: { type: "blob", accountName: "ststate" } }), "/etc/apim-dr");
  const pair = config.pairs[0]!;
  const clock = new ManualClock();
  const backups = new FakeBackupStore();
  const apim = new FakeApim(clock, backups);
  apim.addService(pair.primary.serviceId, pair.primary.region);
  apim.addService(pair.standby.serviceId, pair.standby.region);
  const dns = new FakeDns();
  dns.put(pair.dns.zoneId, pair.dns.recordName, pair.dns.primaryTarget);
  controller = await Controller.start(
    config,
    {
      clock,
      apim,
      dns,
      probe: new FakeProbe(),
      stateStore: new MemoryStateStore(),
      audit: new MemoryAuditLog(),
      log: silentLogger,
      resolveAccessKey: () => "key",
      backupStoreFor: () => backups,
    },
    { tickMs: 1_000 },
  );
  const started: string[] = [];
  const states = new Set<string>();
  controller.onOperationStart = (name) => started.push(name);

  expect(await controller.command(pair.name, "failover", { actor: "ops", planned: true, reason: "drill" })).toMatchObject({ accepted: true });
  for (let s = 0; s < 120 && controller.getPair(pair.name)!.busy; s++) {
    states.add(controller.getPair(pair.name)!.state);
    await clock.advance(1_000);
    await settle();
  }
  expect(states.size).toBeGreaterThan(1); // the failover went through several busy steps
  expect(started).toEqual([pair.name]);
});
