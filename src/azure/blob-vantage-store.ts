import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import type { VantageStorePort } from "../ports/vantage.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";

const PREFIX = "vantage/";

/**
 * VantageStorePort on Azure Blob Storage: one block blob `vantage/<replica>.json` per replica in the
 * lease container (the account every replica already reaches, outside the primary region).
 */
export class BlobVantageStore implements VantageStorePort {
  private readonly container: ContainerClient;
  private readonly ensureContainer: () => Promise<void>;

  constructor(service: BlobServiceClient, containerName: string) {
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
  }

  async publish(replicaId: string, body: string, signal?: AbortSignal): Promise<void> {
    const blob = this.container.getBlockBlobClient(`${PREFIX}${replicaId}.json`);
    const upload = () => blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "application/json" }, abortSignal: signal });
    try {
      await upload();
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `publishing replica ${replicaId}'s probe verdicts`);
      if (failure.code !== "ContainerNotFound") throw failure;
      // The first replica to publish creates the container (the leases may not have yet).
      await this.ensureContainer();
      await azureCall(`publishing replica ${replicaId}'s probe verdicts`, upload);
    }
  }

  async readAll(signal?: AbortSignal): Promise<Array<{ replicaId: string; body: string }>> {
    return azureCall("reading the replicas' probe verdicts", async () => {
      const documents: Array<{ replicaId: string; body: string }> = [];
      try {
        for await (const item of this.container.listBlobsFlat({ prefix: PREFIX, abortSignal: signal })) {
          if (!item.name.endsWith(".json")) continue;
          const buffer = await this.container.getBlobClient(item.name).downloadToBuffer(undefined, undefined, { abortSignal: signal });
          documents.push({ replicaId: item.name.slice(PREFIX.length, -".json".length), body: buffer.toString("utf8") });
        }
      } catch (error) {
        // Nobody published yet.
        if ((error as { code?: string }).code === "ContainerNotFound") return [];
        throw error;
      }
      return documents;
    });
  }
}
