/** A failed Azure call, normalized by the adapters so the core can decide on code, not on SDK types. */
export class AzureOperationError extends Error {
  override name = "AzureOperationError";
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode: number | undefined,
    /** Throttling (429) or a transient 5xx: worth retrying with backoff. */
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
