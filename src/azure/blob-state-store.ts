import type { BlobServiceClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import type { StateStore } from "../ports/state.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { AzureOperationError } from "../ports/errors.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";

async function streamToBuffer(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream) for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

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
  /**
   * With several replicas, saves are conditional on the etag this replica last read or wrote (null: the blob did not
   * exist), so a deposed leader cannot overwrite the state its successor wrote: Azure answers 412.
   */
  private readonly etags: Map<string, string | null> | null;
  /** One client per pair's blob: building one for every save was 3.5 % of the controller's CPU in a 50-pair outage. */
  private readonly blobs = new Map<string, BlockBlobClient>();

  constructor(service: BlobServiceClient, containerName: string, options: { conditional?: boolean } = {}) {
    this.etags = options.conditional ? new Map() : null;
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
  }

  async load(pair: string): Promise<unknown | null> {
    const blob = this.blob(pair);
    let text: string;
    try {
      const download = await blob.download();
      text = (await streamToBuffer(download.readableStreamBody)).toString("utf8");
      this.etags?.set(pair, download.etag ?? null);
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `loading the state of pair ${pair}`);
      if (failure.code === "BlobNotFound" || failure.code === "ContainerNotFound") {
        this.etags?.set(pair, null);
        return null;
      }
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
    const blob = this.blob(pair);
    await this.ensureContainer();
    const known = this.etags?.get(pair);
    const conditions = this.etags === null || known === undefined ? {} : known === null ? { ifNoneMatch: "*" } : { ifMatch: known };
    const written = await azureCall(`saving the state of pair ${pair}`, () =>
      blob.upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "application/json" }, conditions }),
    ).catch((error: unknown) => {
      if (this.etags && error instanceof AzureOperationError && (error.statusCode === 412 || error.statusCode === 409)) {
        throw new AzureOperationError(`the state of pair ${pair} was written by another replica since this one read it: this replica is no longer its leader and does not overwrite it`, "FencedOut", error.statusCode, false);
      }
      throw error;
    });
    this.etags?.set(pair, written.etag ?? null);
  }

  private blob(pair: string): BlockBlobClient {
    let blob = this.blobs.get(pair);
    if (!blob) {
      blob = this.container.getBlockBlobClient(`${checkPairName(pair)}.json`);
      this.blobs.set(pair, blob);
    }
    return blob;
  }
}
