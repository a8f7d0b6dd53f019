import type { BlobServiceClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import { LeaseLostError, type LeaseState, type LeaseStorePort, type ReplicaInfo } from "../ports/leadership.js";
import { checkPairName } from "./blob-state-store.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";

// Metadata keys: C# identifiers, stored lower-case by Azure.
const EPOCH = "epoch";
const HOLDER = "holder";
const REGION = "region";
const ADMIN_URL = "adminurl";
const RENEWED_AT = "renewedat";

/** Codes that mean "the lease is someone else's (or gone)", not "the store is unreachable". */
const LOST_CODES = new Set(["LeaseIdMismatchWithLeaseOperation", "LeaseNotPresentWithLeaseOperation", "LeaseIdMismatchWithBlobOperation", "LeaseNotPresentWithBlobOperation", "LeaseLost", "PreconditionFailed"]);

/**
 * LeaseStorePort on Azure Blob Storage leases: one empty block blob `<pair>.lease` per pair. Its metadata
 * carries the pair's epoch and the holder; it is written with the lease id, so only the holder can bump the epoch
 * (a write without the lease id on a leased blob answers 412).
 */
export class BlobLeaseStore implements LeaseStorePort {
  private readonly container: ContainerClient;
  private readonly ensureContainer: () => Promise<void>;

  constructor(service: BlobServiceClient, containerName: string) {
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
  }

  private blob(pair: string): BlockBlobClient {
    return this.container.getBlockBlobClient(`${checkPairName(pair)}.lease`);
  }

  async acquire(pair: string, leaseId: string, durationSeconds: number, holder: ReplicaInfo, signal?: AbortSignal): Promise<{ epoch: number } | null> {
    const blob = this.blob(pair);
    const lease = blob.getBlobLeaseClient(leaseId);
    // One call per attempt in the common case; the container and blob are created on the first attempt only.
    for (let attempt = 1; ; attempt++) {
      try {
        await lease.acquireLease(durationSeconds, { abortSignal: signal });
        break;
      } catch (error) {
        if (isAbortError(error)) throw error;
        const failure = toAzureOperationError(error, `acquiring the lease of pair ${pair}`);
        if (failure.statusCode === 409) return null; // LeaseAlreadyPresent: another replica leads
        if (failure.statusCode !== 404 || attempt > 1) throw failure;
        await this.create(pair, blob, signal);
      }
    }
    try {
      const props = await blob.getProperties({ conditions: { leaseId }, abortSignal: signal });
      const epoch = epochOf(props.metadata) + 1;
      await blob.setMetadata(
        { [EPOCH]: String(epoch), [HOLDER]: holder.replicaId, [REGION]: holder.region, [ADMIN_URL]: holder.adminUrl, [RENEWED_AT]: String(Date.now()) },
        { conditions: { leaseId }, abortSignal: signal },
      );
      return { epoch };
    } catch (error) {
      // Holding a lease without a new epoch would let us act with the previous leader's fencing token.
      await lease.releaseLease().catch(() => undefined);
      if (isAbortError(error)) throw error;
      throw toAzureOperationError(error, `recording the new epoch of pair ${pair}`);
    }
  }

  /** The blob is created once, by whoever comes first; If-None-Match keeps a racing creator from wiping the epoch. */
  private async create(pair: string, blob: BlockBlobClient, signal?: AbortSignal): Promise<void> {
    await this.ensureContainer();
    try {
      await blob.upload("", 0, { conditions: { ifNoneMatch: "*" }, abortSignal: signal });
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `creating the lease blob of pair ${pair}`);
      if (failure.statusCode !== 409 && failure.statusCode !== 412) throw failure;
    }
  }

  async renew(pair: string, leaseId: string, signal?: AbortSignal): Promise<void> {
    const blob = this.blob(pair);
    try {
      await blob.getBlobLeaseClient(leaseId).renewLease({ abortSignal: signal });
      // Followers read the renewal time to show when the lease lapses; it changes nothing else.
      const props = await blob.getProperties({ conditions: { leaseId }, abortSignal: signal });
      await blob.setMetadata({ ...props.metadata, [RENEWED_AT]: String(Date.now()) }, { conditions: { leaseId }, abortSignal: signal });
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `renewing the lease of pair ${pair}`);
      if (failure.statusCode === 409 || LOST_CODES.has(failure.code)) throw new LeaseLostError(`the lease of pair ${pair} is no longer ours (${failure.code})`);
      throw failure;
    }
  }

  async release(pair: string, leaseId: string, signal?: AbortSignal): Promise<void> {
    await azureCall(`releasing the lease of pair ${pair}`, () => this.blob(pair).getBlobLeaseClient(leaseId).releaseLease({ abortSignal: signal }));
  }

  async read(pair: string, signal?: AbortSignal): Promise<LeaseState> {
    try {
      const props = await this.blob(pair).getProperties({ abortSignal: signal });
      const m = props.metadata ?? {};
      const holder = m[HOLDER] ? { replicaId: m[HOLDER], region: m[REGION] ?? "", adminUrl: m[ADMIN_URL] ?? "" } : null;
      const renewedAt = Number(m[RENEWED_AT]);
      return { leased: props.leaseState === "leased", epoch: epochOf(m), holder, renewedAt: Number.isFinite(renewedAt) ? renewedAt : null };
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `reading the lease of pair ${pair}`);
      if (failure.code === "BlobNotFound" || failure.code === "ContainerNotFound") return { leased: false, epoch: 0, holder: null, renewedAt: null };
      throw failure;
    }
  }
}

function epochOf(metadata: Record<string, string> | undefined): number {
  const n = Number(metadata?.[EPOCH]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}
