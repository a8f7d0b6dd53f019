import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../../src/ports/state.js";
import type { startTcpProxy } from "../../support/tcp-proxy.js";
import { PAIR, startDaemonWorldWithCuttableStore, waitFor, type DaemonWorld } from "./world.js";

/**
 * The state and audit store (its own blob endpoint here, behind a proxy the test cuts) stops answering while one
 * backup completes and another fails: the controller keeps running and says it is degraded, and once the store
 * answers again the audit trail has every record of that period, in order.
 */
describe("the state and audit store goes down while backups run", () => {
  let world: DaemonWorld;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    ({ world, proxy } = await startDaemonWorldWithCuttableStore());
  });
  afterAll(async () => {
    await world?.stop();
    await proxy?.close();
  });

  const audit = async () => ((await world.api(`/audit?pair=${PAIR}`)).json() as { entries: AuditEntry[] }).entries;
  const backups = () => world.sim.stats().services[world.primaryName]!.backups;

  it("keeps running, reports degraded, and appends every audit record of the outage in order once the store answers", async () => {
    const before = await audit();
    const { succeeded, failed } = backups();
    // APIM cannot reach the backup account (the first attempt fails), and the controller's state store is cut.
    await world.sim.fault("storage-outage", { service: world.primaryName });
    proxy.down();

    // An operator's backup is accepted (the state was stored until now): its first attempt fails, its retry completes.
    const accepted = await world.api(`/pairs/${PAIR}/backup`, { method: "POST", body: { actor: "ops", reason: "before maintenance" } });
    expect(accepted.status).toBe(202);
    await waitFor("a backup to fail", () => (backups().failed > failed ? true : undefined), 60_000);
    const health = await waitFor("/healthz to say degraded", async () => {
      const res = await world.api("/healthz", { token: false });
      return res.status === 200 && (res.json() as { status: string }).status === "degraded" ? (res.json() as { problems: string[] }) : undefined;
    }, 30_000);
    expect(health.problems.join("\n")).toMatch(new RegExp(`pair ${PAIR}: state NOT persisted since .*`));
    world.sim.clearAllFaults();
    await waitFor("the retried backup to complete", () => (backups().succeeded > succeeded ? true : undefined), 90_000);

    // The store answers again: everything owed is appended, in order, and the daemon never stopped.
    proxy.up();
    const after = await waitFor("the audit trail to catch up", async () => {
      const entries = await audit().catch(() => []);
      return entries.some((e) => e.verdict === "backupCompleted" && e.seq !== undefined && e.seq > (before.at(-1)?.seq ?? 0)) ? entries : undefined;
    }, 60_000);
    const verdicts = after.slice(before.length).map((e) => e.verdict);
    const order = ["operator.backupRequested", "backupStarted", "backupFailed", "backupCompleted"].map((v) => verdicts.indexOf(v));
    expect(order.every((i) => i >= 0), verdicts.join(", ")).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const seqs = after.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // no gap, no repeat
    // Nothing but JSON log lines: no process warning (a listener leak, say) and no unexpected rejection.
    expect(world.daemon.output.split("\n").filter((l) => l.trim() && !l.startsWith("{"))).toEqual([]);
    expect(world.daemon.logLines().filter((l) => String(l.msg).includes("unexpected")).map((l) => l.msg)).toEqual([]);
    await waitFor("the state to be stored again", async () => ((await world.pair()).unsavedState === null ? true : undefined), 30_000);
  }, 300_000);
});
