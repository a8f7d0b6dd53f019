import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startSimulatedAzure, type SimulatedAzure } from "../../../src/sim/index.js";
import { createAzureAdapters, type AzureAdapters } from "../../../src/azure/index.js";
import { AzureOperationError } from "../../../src/ports/errors.js";
import { httpGatewayProbe } from "../../../src/signals/probes/http-gateway-probe.js";
import type { BackupLocation } from "../../../src/ports/apim.js";

/** Faults not covered elsewhere: CORS on the storage account, slow-restore, flap. */
describe("simulator faults: CORS, slow-restore, flap", () => {
  let sim: SimulatedAzure;
  let azure: AzureAdapters;
  let blobService: BlobServiceClient;
  let n = 0;
  const location = (backupName = `more-faults-${++n}.apimbackup`): BackupLocation => ({
    storageAccount: sim.storage.accountName,
    containerName: "apim-backups",
    backupName,
    access: { type: "AccessKey", accessKey: sim.storage.accountKey },
  });

  beforeAll(async () => {
    sim = await startSimulatedAzure({ backupDurationMs: 200, restoreDurationMs: 400, retryAfterSeconds: 0 });
    azure = createAzureAdapters({ armEndpoint: sim.armEndpoint, caCertPem: sim.caCertPem, credential: { type: "simulator" }, lroPollIntervalMs: 50, retry: { maxRetries: 0 } });
    blobService = new BlobServiceClient(sim.storage.blobEndpoint, new StorageSharedKeyCredential(sim.storage.accountName, sim.storage.accountKey));
  });
  afterEach(async () => {
    sim.clearAllFaults();
    await blobService.setProperties({ cors: [] });
  });
  afterAll(() => sim?.stop());

  it("refuses a backup while CORS is enabled on the storage account's blob service, as APIM does", async () => {
    await blobService.setProperties({ cors: [{ allowedOrigins: "*", allowedMethods: "GET", allowedHeaders: "*", exposedHeaders: "*", maxAgeInSeconds: 60 }] });
    const error = await azure.apim.beginBackup(sim.services.primary.id, location()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AzureOperationError);
    expect((error as AzureOperationError).code).toBe("InvalidParameters");
    expect((error as AzureOperationError).message).toContain("Requested value 'GET' was not found.");
    await blobService.setProperties({ cors: [] });
    const handle = await azure.apim.beginBackup(sim.services.primary.id, location());
    await azure.apim.waitForOperation(handle);
  });

  it("slow-restore stretches a restore by its factor: still running when a normal one would be done", async () => {
    const backup = location();
    await azure.apim.waitForOperation(await azure.apim.beginBackup(sim.services.primary.id, backup));
    await sim.fault("slow-restore", { region: sim.services.standby.region }, { factor: 10 });
    const standby = () => sim.stats().services[sim.services.standby.name]!.restores;
    const before = standby().succeeded;
    const handle = await azure.apim.beginRestore(sim.services.standby.id, backup);
    await new Promise((r) => setTimeout(r, 1_200)); // three normal restore durations
    expect(standby().succeeded).toBe(before);
    await azure.apim.waitForOperation(handle);
    expect(standby().succeeded).toBe(before + 1);
  });

  it("flap alternates a region's gateway between down and up", async () => {
    await sim.fault("flap", { region: sim.services.primary.region }, { periodMs: 300 });
    const probe = httpGatewayProbe();
    const codes = new Set<number | null>();
    // Sample until both phases were seen (fixed sleeps can land in one phase on a slow machine).
    const deadline = Date.now() + 10_000;
    while (codes.size < 2 && Date.now() < deadline) {
      codes.add((await probe.probe(`${sim.gateways[sim.services.primary.region]}/status-0123456789abcdef`, sim.customHostname, 5_000)).statusCode);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...codes].sort()).toEqual([200, 503]);
  });
});
