import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import { AzureOperationError } from "../ports/errors.js";

/** Codes used when Azure gave no code of its own, by HTTP status. */
const CODE_BY_STATUS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  412: "PreconditionFailed",
  429: "TooManyRequests",
  500: "InternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

// core-lro reports a failed operation body as a plain Error with this message shape.
const LRO_FAILURE = /^The long-running operation has failed\. ([^.\s]+)\. ([\s\S]*)$/;

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/**
 * Normalizes anything an SDK call threw into AzureOperationError, keeping Azure's own error
 * code and message, the HTTP status, whether a retry may help, and the server's Retry-After.
 * `action` says what was attempted, e.g. "restore into service apim-weu".
 */
export function toAzureOperationError(error: unknown, action: string): AzureOperationError {
  if (error instanceof AzureOperationError) return error;
  if (isRestError(error)) return fromRestError(error, action);
  if (error instanceof Error) {
    const lro = LRO_FAILURE.exec(error.message);
    if (lro) return new AzureOperationError(`${action} failed: ${lro[2]}`, lro[1]!, undefined, false);
    if (error.message.startsWith("Unable to deserialize input state")) {
      return new AzureOperationError(
        `${action} failed: the saved resume token is not a poller state. Start the operation again after checking that none is running.`,
        "InvalidResumeToken",
        undefined,
        false,
      );
    }
    return new AzureOperationError(`${action} failed: ${error.message}`, error.name || "Error", undefined, false);
  }
  return new AzureOperationError(`${action} failed: ${String(error)}`, "Error", undefined, false);
}

/** Calls `fn`, rethrowing aborts unchanged and every other failure as AzureOperationError. */
export async function azureCall<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw toAzureOperationError(error, action);
  }
}

function fromRestError(error: RestError, action: string): AzureOperationError {
  const status = error.statusCode;
  const armError = armErrorBody(error);
  const storageCode = error.response?.headers.get("x-ms-error-code");
  // 412 is always surfaced as PreconditionFailed so the core can match one code across services.
  const code =
    status === 412 ? "PreconditionFailed" : (armError?.code ?? storageCode ?? error.code ?? (status ? CODE_BY_STATUS[status] : undefined) ?? `Http${status}`);
  const detail = armError?.message ?? (status === undefined ? `${error.message} (no response: ${error.code ?? "network error"})` : firstLine(error.message));
  const network = status === undefined;
  const retryable = network || status === 408 || status === 429 || status >= 500;
  return new AzureOperationError(
    `${action} failed: ${detail || `HTTP ${status}`}`,
    code,
    status,
    retryable,
    retryAfterMs(error),
  );
}

/** The ARM error envelope `{ error: { code, message } }`, when the body has one. */
function armErrorBody(error: RestError): { code?: string; message?: string } | undefined {
  // core-client attaches the parsed body to the response it puts on the error.
  const parsed = (error.response as { parsedBody?: unknown } | undefined)?.parsedBody;
  const body = (parsed ?? safeJson(error.response?.bodyAsText)) as
    | { error?: { code?: unknown; message?: unknown }; code?: unknown; message?: unknown }
    | undefined;
  const inner = body?.error ?? body;
  if (!inner || typeof inner !== "object") return undefined;
  const code = typeof inner.code === "string" && inner.code ? inner.code : undefined;
  const message = typeof inner.message === "string" && inner.message ? inner.message : undefined;
  return code || message ? { code, message } : undefined;
}

function retryAfterMs(error: RestError): number | undefined {
  const headers = error.response?.headers;
  if (!headers) return undefined;
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const ms = Number(headers.get(name));
    if (headers.get(name) && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  // HTTP-date form: relative to the response's own Date header, so no local clock is read.
  const at = Date.parse(value);
  const now = Date.parse(headers.get("date") ?? "");
  return Number.isFinite(at) && Number.isFinite(now) ? Math.max(0, at - now) : undefined;
}

function safeJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.slice(0, 500);
}
