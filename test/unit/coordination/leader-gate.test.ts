import { describe, expect, it } from "vitest";
import { LeaderGate } from "../../../src/coordination/leader-gate.js";
import type { Leadership, PairRole } from "../../../src/ports/leadership.js";

/** A leadership whose changes the test makes, as the lease manager would report them. */
function scriptedLeadership() {
  const leading = new Set<string>();
  let listener: ((pair: string, role: PairRole, why: string) => void) | null = null;
  const leadership: Leadership = {
    self: { replicaId: "ctl-neu", region: "northeurope", adminUrl: "http://127.0.0.1:7002" },
    canMutate: (pair) => leading.has(pair),
    confirm: async () => 1,
    view: () => ({ role: "follower", leader: null, epoch: 1, leaseExpiresAt: null }),
    onChange: (l) => {
      listener = l;
      return () => (listener = null);
    },
  };
  const set = (pair: string, role: PairRole) => {
    if (role === "leader") leading.add(pair);
    else leading.delete(pair);
    listener?.(pair, role, role === "leader" ? "lease acquired" : "renew deadline missed");
  };
  return { leadership, set };
}

const quiet = { info: () => undefined, warn: () => undefined };

describe("leader gate", () => {
  it("starts a pair's runtime when the lease is taken and stops it when it is lost; one runtime at a time", async () => {
    const { leadership, set } = scriptedLeadership();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new LeaderGate<string>(leadership, {
      log: quiet,
      takeOver: async (pair) => {
        log.push(`start ${pair}`);
        await new Promise<void>((r) => (release = r)); // loading the snapshot
        return `runtime-${pair}`;
      },
      standDown: async (pair, runtime, why) => void log.push(`stop ${runtime}: ${why}`),
    });
    gate.start();
    set("contoso", "leader");
    set("contoso", "leader"); // a repeated report starts nothing twice
    await new Promise((r) => setTimeout(r, 0));
    expect(gate.runtime("contoso")).toBeUndefined(); // still loading
    set("contoso", "follower"); // lost while loading: applied after the takeover finished
    release();
    await gate.stop();
    expect(log).toEqual(["start contoso", "stop runtime-contoso: the lease was lost while taking over"]);
    expect(gate.runtime("contoso")).toBeUndefined();
    expect(gate.takeovers.get("contoso")).toBe(1);
  });

  it("a stand-down cancels what runs; the next takeover starts afresh", async () => {
    const { leadership, set } = scriptedLeadership();
    const log: string[] = [];
    let n = 0;
    const gate = new LeaderGate<string>(leadership, {
      log: quiet,
      takeOver: async (pair) => `runtime-${pair}-${++n}`,
      standDown: async (_pair, runtime, why) => void log.push(`stop ${runtime}: ${why}`),
    });
    gate.start();
    set("contoso", "leader");
    await gate.stop();
    gate.start();
    expect(gate.runtime("contoso")).toBe("runtime-contoso-1");
    set("contoso", "follower");
    set("contoso", "leader");
    await gate.stop();
    expect(log).toEqual(["stop runtime-contoso-1: renew deadline missed"]);
    expect(gate.runtime("contoso")).toBe("runtime-contoso-2");
  });
});
