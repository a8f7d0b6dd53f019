import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startAzurite, type RunningAzurite } from "../../src/sim/storage/azurite.js";

describe("Azurite launcher", () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it("serves blobs to the real storage SDK on 127.0.0.1", async () => {
    expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    const service = new BlobServiceClient(
      azurite.blobEndpoint,
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    );
    const container = service.getContainerClient("probe");
    await container.createIfNotExists();
    await container.getBlockBlobClient("hello.txt").upload("hi", 2);
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat()) names.push(blob.name);
    expect(names).toEqual(["hello.txt"]);
  });
});
