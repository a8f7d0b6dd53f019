import { describe, expect, it } from "vitest";
import type { EffectivePair } from "../../../src/config/index.js";
import type { BackupStorePort } from "../../../src/ports/backups.js";
import type { BlobServicePropertiesPort } from "../../../src/ports/readiness.js";
import type { ReadinessPorts } from "../../../src/readiness/index.js";
import { sharedForOneRound } from "../../../src/readiness/index.js";

/** Ports that count every read; one blob service and one backup store for every pair, as the wiring shares them per account. */
function countingPorts() {
  const reads: string[] = [];
  const cors: BlobServicePropertiesPort = { corsRules: () => (reads.push("cors"), Promise.resolve([])) };
  const store: BackupStorePort = {
    list: (container) => (reads.push(`list ${container}`), Promise.resolve([{ name: "b1", takenAt: 1, sourceServiceId: null, sku: null, sizeBytes: 1 }])),
    annotate: () => Promise.resolve(),
    delete: () => Promise.resolve(),
  };
  const ports = {
    storageAccounts: { getAccount: (id: string) => (reads.push(`account ${id}`), id.endsWith("/gone") ? Promise.reject(new Error("404 gone")) : Promise.resolve({ id })) },
    blobServiceFor: () => cors,
    backupStoreFor: () => store,
  } as unknown as ReadinessPorts;
  return { ports, reads };
}

const pair = (name: string) => ({ name }) as EffectivePair;
const ACCOUNT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stbackups";

describe("one readiness round shares the reads its pairs have in common", () => {
  it("reads a shared account, its CORS rules and its backup listing once a round, whatever the number of pairs", async () => {
    const { ports, reads } = countingPorts();
    const round = sharedForOneRound(ports);
    const results = await Promise.all(
      ["a", "b", "c"].map(async (name) => [
        await round.storageAccounts.getAccount(ACCOUNT),
        await round.storageAccounts.getAccount(ACCOUNT.toUpperCase()),
        await round.blobServiceFor(pair(name)).corsRules(),
        await round.backupStoreFor(pair(name)).list("apim-backups"),
        await round.backupStoreFor(pair(name)).list("other"),
      ]),
    );
    expect(reads.sort()).toEqual([`account ${ACCOUNT}`, "cors", "list apim-backups", "list other"]);
    expect(results[2]![3]).toEqual([expect.objectContaining({ name: "b1" })]);

    // The next round reads again: a change between rounds is seen within one interval.
    const next = sharedForOneRound(ports);
    await next.storageAccounts.getAccount(ACCOUNT);
    expect(reads.filter((r) => r.startsWith("account"))).toHaveLength(2);
  });

  it("a read that fails fails for every pair of the round, with the same error", async () => {
    const { ports, reads } = countingPorts();
    const round = sharedForOneRound(ports);
    const outcomes = await Promise.allSettled([round.storageAccounts.getAccount(`${ACCOUNT}/gone`), round.storageAccounts.getAccount(`${ACCOUNT}/gone`)]);
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message : "ok"))).toEqual(["404 gone", "404 gone"]);
    expect(reads).toHaveLength(1);
  });
});
