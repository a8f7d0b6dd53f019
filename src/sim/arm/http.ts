import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface ArmRequest {
  method: string;
  /** Decoded path, original casing. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, undefined when there is none. */
  body: unknown;
  /** https://127.0.0.1:PORT, for Location headers and nextLinks. */
  origin: string;
}

export interface ArmResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON; undefined sends no body (Content-Length: 0). */
  body?: unknown;
}

/** ARM's error envelope: `{"error":{"code","message"}}`. */
export function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): ArmResponse {
  return { status, headers, body: { error: { code, message } } };
}

/** A handler's way to bail out with an ARM error from deep inside. */
export class ArmFailure extends Error {
  constructor(readonly response: ArmResponse) {
    super(String((response.body as { error?: { message?: string } })?.error?.message ?? response.status));
  }
}

export function fail(status: number, code: string, message: string, headers?: Record<string, string>): never {
  throw new ArmFailure(armError(status, code, message, headers));
}

export function header(req: ArmRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function requestIds(req: ArmRequest): Record<string, string> {
  const id = randomUUID();
  return {
    "x-ms-request-id": id,
    "x-ms-correlation-request-id": header(req, "x-ms-client-request-id") ?? id,
    "x-ms-routing-request-id": `SIMULATED:${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}Z:${id}`,
  };
}

/** Requires a supported api-version, answering the way ARM does when it is missing or unknown. */
export function requireApiVersion(req: ArmRequest, supported: readonly string[], resourceType: string): string {
  const version = req.query.get("api-version");
  if (!version) {
    fail(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!supported.includes(version)) {
    fail(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location 'global' and API version '${version}' for type '${resourceType}'. The supported api-versions are '${supported.join(", ")}'.`,
    );
  }
  return version;
}

export function isoNow(): string {
  return new Date().toISOString();
}
