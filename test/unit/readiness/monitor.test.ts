import { describe, expect, it } from "vitest";
import { effectiveConfig, validateConfig } from "../../../src/config/index.js";
import { systemClock } from "../../../src/ports/clock.js";
import type { ReadinessPorts } from "../../../src/readiness/index.js";
import { ReadinessMonitor } from "../../../src/readiness/monitor.js";
import { silentLogger } from "../../../src/runtime/logger.js";
import { pair, validDocument } from "../config/valid-config.js";


describe("readiness monitor", () => {
  it("leaves a pair whose failover runs out of the round (its last results stay) and checks the others", async () => {
    const config = effectiveConfig(validateConfig({ ...validDocument(), pairs: [pair("contoso"), pair("fabrikam")] }), "/tmp");
    const first = config.pairs[0]!;
    const read: string[] = [];
    const failing = (what: string) => (...args: unknown[]) => {
      read.push(`${what} ${String(args[0])}`);
      return Promise.reject(new Error(`${what} refused`));
    };
    const ports = {
      apim: { getService: failing("service") },
      dns: { getCname: failing("cname") },
      storageAccounts: { getAccount: failing("account") },
      roleAssignments: { listForPrincipal: failing("roles") },
      blobServiceFor: () => ({ corsRules: failing("cors") }),
      backupStoreFor: () => ({ list: failing("backups"), annotate: failing("annotate"), delete: failing("delete") }),
    } as unknown as ReadinessPorts;
    let failingOver = "contoso";
    const auditReads: string[] = [];
    const monitor = new ReadinessMonitor(
      config,
      ports,
      {
        activeSide: () => "primary",
        busy: (name) => name === failingOver,
        signalsHeard: () => ({ since: 0, heard: {} }),
        audit: async (name) => (auditReads.push(name), []),
        appendAudit: () => undefined,
      },
      systemClock(),
      silentLogger,
    );
    await monitor.checkAll();
    expect(monitor.get(first.name)).toBeNull();
    expect(monitor.get("fabrikam")?.checks.length).toBeGreaterThan(0);
    expect(read.filter((r) => r.includes(config.pairs[0]!.primary.serviceId))).toEqual([]);
    expect(read).toContain(`service ${config.pairs[1]!.primary.serviceId}`);

    // The failover is over: the pair is checked again, and its restore history (which the failover added to) read again.
    failingOver = "";
    await monitor.checkAll();
    expect(monitor.get(first.name)?.checks.length).toBeGreaterThan(0);
    expect(auditReads.sort()).toEqual(["contoso", "fabrikam"]);
    // Nothing ran since: the next round does not read either trail again.
    await monitor.checkAll();
    expect(auditReads).toHaveLength(2);
  });
});
