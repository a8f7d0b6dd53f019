import type { TokenCredential } from "@azure/core-auth";
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from "@azure/storage-blob";
import { USER_AGENT_PREFIX } from "./client-options.js";
import { azureCall } from "./errors.js";

/** How the controller reaches its storage account. The key is resolved (e.g. from an env var) by the caller. */
export type BlobStorageAuth =
  | { type: "accountKey"; accountName: string; accountKey: string }
  | { type: "tokenCredential"; credential: TokenCredential };

export interface BlobStorageSettings {
  /** e.g. `https://myaccount.blob.core.windows.net` or Azurite's `http://127.0.0.1:PORT/devstoreaccount1`. */
  blobEndpoint: string;
  auth: BlobStorageAuth;
}

export function createBlobServiceClient(settings: BlobStorageSettings): BlobServiceClient {
  try {
    new URL(settings.blobEndpoint);
  } catch {
    throw new Error(`Blob endpoint '${settings.blobEndpoint}' is not a URL: give e.g. https://ACCOUNT.blob.core.windows.net.`);
  }
  const credential =
    settings.auth.type === "accountKey"
      ? new StorageSharedKeyCredential(settings.auth.accountName, settings.auth.accountKey)
      : settings.auth.credential;
  return new BlobServiceClient(settings.blobEndpoint.replace(/\/+$/, ""), credential, {
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    // Bounded so a storage outage surfaces within seconds; callers retry on their own schedule.
    retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 5_000, tryTimeoutInMs: 30_000 },
  });
}

/** Container names: 3-63 lower-case letters, digits and single hyphens (Azure's rule). */
export function containerClient(service: BlobServiceClient, name: string): ContainerClient {
  if (!/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
    throw new Error(`'${name}' is not a valid blob container name: use 3-63 lower-case letters, digits and single hyphens.`);
  }
  return service.getContainerClient(name);
}

/** Creates the container on first use; a failed attempt is retried by the next call. */
export function containerCreator(container: ContainerClient): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= azureCall(`creating container ${container.containerName}`, async () => {
      await container.createIfNotExists();
    }).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}
