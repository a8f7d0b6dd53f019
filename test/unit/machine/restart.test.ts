import { describe, expect, it } from "vitest";
import { AzureOperationError } from "../../../src/ports/errors.js";
import { STANDBY_ID, ZONE_ID, settle } from "../../support/fakes/index.js";
import { addBackup, healthyPair, sendAndSettle, startedPair, stateOf, type World } from "./helpers.js";
import { DECISION_HISTORY_LIMIT } from "../../../src/machine/context.js";
import type { PairActor } from "../../../src/runtime/pair-actor.js";

type Started = Awaited<ReturnType<typeof startedPair>>;

const unavailable = () => new AzureOperationError("Service Unavailable", "ServiceUnavailable", 503, true);
const cname = (world: World) => world.dns.records.get(`${ZONE_ID.toLowerCase()}|api`)?.cname;

/**
 * A crash: the process dies with its last snapshot stored; with `auditDown`, the audit store had stopped answering,
 * so what the audit trail was owed is only in that snapshot's outbox. A new actor starts from the store.
 */
async function restart(s: Started, auditDown = false) {
  await settle();
  const dies = s.pair.stop(); // one more save at most; nothing retried, nothing delivered from here on
  await settle();
  await dies;
  if (auditDown) s.audit.failNext = 0;
  const stored = JSON.stringify((await s.store.load(s.settings.name) as { value: unknown }).value);
  const again = await s.start();
  await settle();
  return { again, stored };
}

/** Every decision the machine took is in the audit trail once, in order, and the records are numbered without a gap or a repeat. */
async function expectAuditComplete(s: Started, pair: PairActor) {
  await pair.flush();
  const seqs = s.audit.entries.map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  const decisions = pair.actor.getSnapshot().context.decisions;
  expect(decisions.length).toBeLessThan(DECISION_HISTORY_LIMIT); // the whole history is still in context
  const audited = s.audit.entries.filter((e) => e.type === "decision" || e.type === "alert").map((e) => [e.verdict, e.state, e.at]);
  expect(audited).toEqual(decisions.map((d) => [d.verdict, d.state, new Date(d.at).toISOString()]));
}

async function failOver(s: Started) {
  addBackup(s.world, 10 * 60_000);
  await healthyPair(s.pair);
  await sendAndSettle(s.pair, { type: "health.primaryUnhealthy", reason: "quorum 3/3" });
}

/** Drives a failover to completion and the primary back to health for the failback window. */
async function failedOver(s: Started) {
  await failOver(s);
  await s.world.clock.advance(600_000);
  expect(stateOf(s.pair)).toBe('"failedOver"');
  await sendAndSettle(s.pair, { type: "health.primaryHealthy", reason: "recovered" });
  await s.world.clock.advance(30 * 60_000);
}

describe("restart in each state of failingOver resumes without a second restore or DNS write", () => {
  const cases: { state: string; freeze: (s: Started) => Promise<void>; backups?: number }[] = [
    {
      state: "checkingBackup",
      freeze: async (s) => {
        s.world.apim.failNext.getService = [unavailable()];
        await failOver(s);
      },
    },
    {
      state: "takingFreshBackup",
      backups: 1,
      freeze: async (s) => {
        addBackup(s.world, 3 * 3600_000, "Premium", "apim-weu-old.apimbackup");
        await healthyPair(s.pair);
        await sendAndSettle(s.pair, { type: "health.primaryUnhealthy", reason: "gateway down, management up" });
      },
    },
    { state: "restoring", freeze: failOver },
    {
      state: "verifyingStandby",
      freeze: async (s) => {
        s.world.probe.fail("https://apim-neu", 503, 1);
        await failOver(s);
        await s.world.clock.advance(600_000);
      },
    },
    {
      state: "switchingDns",
      freeze: async (s) => {
        s.world.dns.hangAfterNextWrite = true;
        await failOver(s);
        await s.world.clock.advance(600_000);
      },
    },
    {
      state: "verifyingCutover",
      freeze: async (s) => {
        s.world.probe.fail("https://apim-neu", 503, 1, 1);
        await failOver(s);
        await s.world.clock.advance(600_000);
      },
    },
  ];

  for (const c of cases) for (const auditDown of [false, true]) {
    it(`failingOver.${c.state}${auditDown ? ", the audit store down at the crash" : ""}`, async () => {
      const s = await startedPair();
      if (auditDown) s.audit.failNext = Number.MAX_SAFE_INTEGER;
      await c.freeze(s);
      expect(stateOf(s.pair)).toBe(JSON.stringify({ failingOver: c.state }));
      const { again, stored } = await restart(s, auditDown);
      expect(again.restored).toBe(true);
      expect(stored).toBe(JSON.stringify({ failingOver: c.state }));
      await s.world.clock.advance(3 * 600_000);
      expect(stateOf(again)).toBe('"failedOver"');
      expect(s.world.apim.calls.beginRestore).toBe(1);
      expect(s.world.apim.calls.beginBackup).toBe(c.backups ?? 0);
      expect(s.world.dns.calls.setCname).toBe(1);
      expect(cname(s.world)).toBe("apim-neu.azure-api.net");
      expect(s.world.apim.holds.get(STANDBY_ID.toLowerCase())).toBeDefined();
      await expectAuditComplete(s, again);
      await again.stop();
    });
  }
});

describe("restart in each state of failingBack resumes without a second restore or DNS write", () => {
  const failBack = async (s: Started) => {
    await failedOver(s);
    await sendAndSettle(s.pair, { type: "operator.failbackRequested", actor: "alice" });
  };
  const cases: { state: string; freeze: (s: Started) => Promise<void> }[] = [
    {
      state: "checkingPrimary",
      freeze: async (s) => {
        await failedOver(s);
        s.world.apim.failNext.getService = [unavailable()];
        await sendAndSettle(s.pair, { type: "operator.failbackRequested", actor: "alice" });
      },
    },
    { state: "backingUpActive", freeze: failBack },
    {
      state: "restoringPrimary",
      freeze: async (s) => {
        await failBack(s);
        await s.world.clock.advance(60_000);
      },
    },
    {
      state: "verifyingPrimary",
      freeze: async (s) => {
        s.world.probe.fail("https://apim-weu", 503, 1);
        await failBack(s);
        await s.world.clock.advance(60_000 + 600_000);
      },
    },
    {
      state: "switchingDnsBack",
      freeze: async (s) => {
        await failBack(s);
        s.world.dns.hangAfterNextWrite = true;
        await s.world.clock.advance(60_000 + 600_000);
      },
    },
    {
      state: "verifyingCutover",
      freeze: async (s) => {
        s.world.probe.fail("https://apim-weu", 503, 1, 1);
        await failBack(s);
        await s.world.clock.advance(60_000 + 600_000);
      },
    },
  ];

  for (const c of cases) for (const auditDown of [false, true]) {
    it(`failingBack.${c.state}${auditDown ? ", the audit store down at the crash" : ""}`, async () => {
      const s = await startedPair();
      if (auditDown) s.audit.failNext = Number.MAX_SAFE_INTEGER;
      await c.freeze(s);
      const { again, stored } = await restart(s, auditDown);
      expect(stored).toBe(JSON.stringify({ failingBack: c.state }));
      await s.world.clock.advance(3 * 600_000);
      expect(stateOf(again)).toBe('{"monitoring":"healthy"}');
      expect(s.world.apim.calls.beginBackup).toBe(1);
      expect(s.world.apim.calls.beginRestore).toBe(2); // one into the standby, one into the primary
      expect(s.world.dns.calls.setCname).toBe(2); // one each way
      expect(cname(s.world)).toBe("apim-weu.azure-api.net");
      expect(again.actor.getSnapshot().context.activeRegion).toBe("primary");
      await expectAuditComplete(s, again);
      await again.stop();
    });
  }
});
