import { describe, expect, it } from "vitest";
import { AzureOperationError } from "../../../src/ports/errors.js";
import { STANDBY_ID, ZONE_ID, settle } from "../../support/fakes/index.js";
import { addBackup, healthyPair, sendAndSettle, startedPair, stateOf, type World } from "./helpers.js";

type Started = Awaited<ReturnType<typeof startedPair>>;

const unavailable = () => new AzureOperationError("Service Unavailable", "ServiceUnavailable", 503, true);
const cname = (world: World) => world.dns.records.get(`${ZONE_ID.toLowerCase()}|api`)?.cname;

/** Persist, drop the actor (its step actors stop mid-flight), and start a new one from the store. Returns it and the state it was stored in. */
async function restart(s: Started) {
  await s.pair.flush();
  s.pair.actor.stop();
  const stored = JSON.stringify((await s.store.load(s.settings.name) as { value: unknown }).value);
  const again = await s.start();
  await settle();
  return { again, stored };
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

  for (const c of cases) {
    it(`failingOver.${c.state}`, async () => {
      const s = await startedPair();
      await c.freeze(s);
      expect(stateOf(s.pair)).toBe(JSON.stringify({ failingOver: c.state }));
      const { again, stored } = await restart(s);
      expect(again.restored).toBe(true);
      expect(stored).toBe(JSON.stringify({ failingOver: c.state }));
      await s.world.clock.advance(3 * 600_000);
      expect(stateOf(again)).toBe('"failedOver"');
      expect(s.world.apim.calls.beginRestore).toBe(1);
      expect(s.world.apim.calls.beginBackup).toBe(c.backups ?? 0);
      expect(s.world.dns.calls.setCname).toBe(1);
      expect(cname(s.world)).toBe("apim-neu.azure-api.net");
      expect(s.world.apim.holds.get(STANDBY_ID.toLowerCase())).toBeDefined();
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

  for (const c of cases) {
    it(`failingBack.${c.state}`, async () => {
      const s = await startedPair();
      await c.freeze(s);
      const { again, stored } = await restart(s);
      expect(stored).toBe(JSON.stringify({ failingBack: c.state }));
      await s.world.clock.advance(3 * 600_000);
      expect(stateOf(again)).toBe('{"monitoring":"healthy"}');
      expect(s.world.apim.calls.beginBackup).toBe(1);
      expect(s.world.apim.calls.beginRestore).toBe(2); // one into the standby, one into the primary
      expect(s.world.dns.calls.setCname).toBe(2); // one each way
      expect(cname(s.world)).toBe("apim-weu.azure-api.net");
      expect(again.actor.getSnapshot().context.activeRegion).toBe("primary");
      await again.stop();
    });
  }
});
