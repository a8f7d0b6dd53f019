import type { BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import type { StateStore } from "../ports/state.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";

/** Pair names become blob names: keep them to a portable, unambiguous set. */
export function checkPairName(pair: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(pair)) {
    throw new Error(`Pair name '${pair}' cannot name a blob: use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit).`);
  }
  return pair;
}

/**
 * StateStore on block blobs `<pair>.json`. Put Blob commits atomically and is durable when Azure
 * answers 201, so a snapshot is either the old or the new one, never a mix.
 */
export class BlobStateStore implements StateStore {
  private readonly container: ContainerClient;
  private readonly ensureContainer: () => Promise<void>;

  constructor(service: BlobServiceClient, containerName: string) {
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
  }

  async load(pair: string): Promise<unknown | null> {
    const blob = this.container.getBlockBlobClient(`${checkPairName(pair)}.json`);
    let text: string;
    try {
      text = (await blob.downloadToBuffer()).toString("utf8");
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `loading the state of pair ${pair}`);
      if (failure.code === "BlobNotFound" || failure.code === "ContainerNotFound") return null;
      throw failure;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(
        `The saved state of pair ${pair} (${blob.url}) is not valid JSON (${(error as Error).message}): inspect it, then delete the blob to start the pair fresh.`,
      );
    }
  }

  async save(pair: string, snapshot: unknown): Promise<void> {
    const body = JSON.stringify(snapshot);
    if (body === undefined) throw new Error(`The state of pair ${pair} is not JSON-serializable.`);
    const blob = this.container.getBlockBlobClient(`${checkPairName(pair)}.json`);
    await this.ensureContainer();
    await azureCall(`saving the state of pair ${pair}`, () =>
      blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "application/json" } }),
    );
  }
}
