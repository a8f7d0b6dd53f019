import { describe, expect, it, vi } from "vitest";
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

  it("stops its round when a failover starts: pairs already checked keep the new results, the others their last, and nothing is written for them", async () => {
    const config = effectiveConfig(validateConfig({ ...validDocument(), pairs: [pair("contoso"), pair("fabrikam")] }), "/tmp");
    const [contoso, fabrikam] = config.pairs;
    let hang = false;
    const aborted: string[] = [];
    // fabrikam's primary answers at once in the first round; in the second it answers only when the round is stopped.
    const getService = (id: string, signal?: AbortSignal) => {
      if (!hang || id !== fabrikam!.primary.serviceId) return Promise.reject(new Error("service refused"));
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => {
          aborted.push(id);
          reject(signal.reason);
        }),
      );
    };
    const refused = () => Promise.reject(new Error("refused"));
    const ports = {
      apim: { getService },
      dns: { getCname: refused },
      storageAccounts: { getAccount: refused },
      roleAssignments: { listForPrincipal: refused },
      blobServiceFor: () => ({ corsRules: refused }),
      backupStoreFor: () => ({ list: refused, annotate: refused, delete: refused }),
    } as unknown as ReadinessPorts;
    const appended: string[] = [];
    let now = Date.parse("2026-12-05T10:00:00Z");
    const clock = { ...systemClock(), now: () => now };
    const monitor = new ReadinessMonitor(
      config,
      ports,
      { activeSide: () => "primary", busy: () => false, signalsHeard: () => ({ since: 0, heard: {} }), audit: async () => [], appendAudit: (name) => appended.push(name) },
      clock,
      silentLogger,
    );
    await monitor.checkAll();
    const first = monitor.get(fabrikam!.name);
    expect(first).not.toBeNull();
    expect(appended.sort()).toEqual(["contoso", "fabrikam"]); // the first round's checks that are not READY

    hang = true;
    now += 5_000;
    appended.length = 0;
    const round = monitor.checkAll();
    await vi.waitFor(() => expect(monitor.get(contoso!.name)?.checkedAt).toBe(new Date(now).toISOString()));
    monitor.yieldToOperation("contoso");
    await round; // ends without waiting for fabrikam's read, and without failing

    expect(aborted).toEqual([fabrikam!.primary.serviceId]);
    expect(monitor.get(fabrikam!.name)).toBe(first);
    expect(appended).not.toContain("fabrikam");
    // No round runs now: nothing to stop.
    monitor.yieldToOperation("contoso");
  });
});
