import { createHash } from "node:crypto";

/**
 * Stable dedup key: the source plus a hash of the payload's own identity fields, so the same
 * observation always yields the same id, whichever copy of it arrives. Callers lower-case
 * resource ids and normalize times before passing them.
 */
export function signalId(source: string, identity: ReadonlyArray<string | number | null | undefined>): string {
  const canonical = JSON.stringify(identity.map((part) => (part === undefined ? null : part)));
  return `${source}:${createHash("sha256").update(canonical).digest("hex").slice(0, 32)}`;
}
