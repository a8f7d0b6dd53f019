/** Bad usage or invalid input: printed without a stack trace, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An operation that failed or an expectation that did not hold: printed without a stack trace, exit status 1. */
export class OperationError extends Error {
  override name = "OperationError";
}
