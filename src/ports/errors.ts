/** How an error reads in decisions, events, status and logs: `message (Code, HTTP n)` for Azure errors. */
export function describeError(error: unknown): string {
  if (error instanceof AzureOperationError) return `${error.message} (${error.code}${error.statusCode ? `, HTTP ${error.statusCode}` : ""})`;
  return error instanceof Error ? error.message : String(error);
}

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
