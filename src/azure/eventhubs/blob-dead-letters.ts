import { ContainerClient } from "@azure/storage-blob";
import type { TokenCredential } from "@azure/core-auth";
import type { DeadLetter, DeadLetterStore } from "../../ports/dead-letters.js";

export type DeadLetterContainer =
  | { connectionString: string; containerName: string; prefix?: string }
  | { containerUrl: string; credential: TokenCredential; prefix?: string };

/** How a body is kept in the blob: JSON stays JSON, text stays text, bytes become base64. */
interface StoredDeadLetter extends Omit<DeadLetter, "body"> {
  bodyEncoding: "json" | "text" | "base64";
  body: unknown;
}

/**
 * Dead letters as one JSON blob per event, `{prefix}{partitionId}/{sequenceNumber}.json`, so an
 * event redelivered after a crash overwrites its own entry instead of adding a second.
 */
export function createBlobDeadLetterStore(location: DeadLetterContainer): DeadLetterStore {
  const container =
    "connectionString" in location
      ? new ContainerClient(location.connectionString, location.containerName)
      : new ContainerClient(location.containerUrl, location.credential);
  const prefix = location.prefix ?? "deadletters/";
  let ready: Promise<unknown> | undefined;

  return {
    async put(entry) {
      ready ??= container.createIfNotExists().catch((error: Error) => {
        ready = undefined;
        throw new Error(`Cannot create the dead-letter container ${container.url}: ${error.message}`);
      });
      await ready;
      const text = JSON.stringify(toStored(entry));
      const name = `${prefix}${entry.partitionId}/${String(entry.sequenceNumber).padStart(20, "0")}.json`;
      await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), {
        blobHTTPHeaders: { blobContentType: "application/json" },
        metadata: { reason: entry.reason.slice(0, 256).replace(/[^\x20-\x7e]/g, "?") },
      });
    },
    async list() {
      const entries: DeadLetter[] = [];
      if (!(await container.exists())) return entries;
      for await (const blob of container.listBlobsFlat({ prefix })) {
        const content = await container.getBlobClient(blob.name).downloadToBuffer();
        entries.push(fromStored(JSON.parse(content.toString("utf8")) as StoredDeadLetter));
      }
      return entries.sort((a, b) => a.at.localeCompare(b.at) || a.partitionId.localeCompare(b.partitionId) || a.sequenceNumber - b.sequenceNumber);
    },
  };
}

function toStored(entry: DeadLetter): StoredDeadLetter {
  const { body, ...rest } = entry;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return { ...rest, bodyEncoding: "base64", body: Buffer.from(body).toString("base64") };
  if (typeof body === "string") return { ...rest, bodyEncoding: "text", body };
  return { ...rest, bodyEncoding: "json", body };
}

function fromStored(stored: StoredDeadLetter): DeadLetter {
  const { bodyEncoding, body, ...rest } = stored;
  return { ...rest, body: bodyEncoding === "base64" ? Buffer.from(String(body), "base64") : body };
}
