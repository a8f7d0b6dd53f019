import { createHmac, timingSafeEqual } from "node:crypto";

/** The result of a `$cbs` put-token: the entity path the token grants (lower-cased, "" = the whole namespace). */
export type ClaimResult = { ok: true; path: string; expiresAt: number } | { ok: false; status: 401; description: string };

/**
 * Checks a `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token the way the service does:
 * the key name must match, the HMAC-SHA256 of `sr\nse` under the key must match `sig`,
 * and `se` (seconds since the epoch) must be in the future.
 */
export function verifySasToken(token: unknown, keyName: string, key: string, nowMs: number): ClaimResult {
  if (typeof token !== "string" || !token.startsWith("SharedAccessSignature ")) {
    return { ok: false, status: 401, description: "InvalidSignature: the token is not a SharedAccessSignature (only SAS tokens are accepted by the emulator)." };
  }
  const fields = new Map<string, string>();
  for (const part of token.slice("SharedAccessSignature ".length).split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get("sr");
  const sig = fields.get("sig");
  const se = fields.get("se");
  const skn = fields.get("skn");
  if (!sr || !sig || !se || !skn) {
    return { ok: false, status: 401, description: "InvalidSignature: the token must carry sr, sig, se and skn." };
  }
  if (decodeURIComponent(skn) !== keyName) {
    return { ok: false, status: 401, description: `Unauthorized: unknown SharedAccessKeyName '${decodeURIComponent(skn)}'; use '${keyName}' from the emulator's connection string.` };
  }
  const expected = createHmac("sha256", key).update(`${sr}\n${se}`).digest();
  const given = Buffer.from(decodeURIComponent(sig), "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, description: "InvalidSignature: the token signature does not match the SharedAccessKey; use the key from the emulator's connection string." };
  }
  const expiresAt = Number(se) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= nowMs) {
    return { ok: false, status: 401, description: `ExpiredToken: the token expired at ${new Date(expiresAt).toISOString()}.` };
  }
  return { ok: true, path: entityPathOf(decodeURIComponent(sr)), expiresAt };
}

/** `sb://127.0.0.1:5672/hub/ConsumerGroups/x` → `hub/consumergroups/x`; entity names are case-insensitive. */
export function entityPathOf(audience: string): string {
  const withoutScheme = audience.replace(/^[a-z]+:\/\//i, "");
  const slash = withoutScheme.indexOf("/");
  const path = slash < 0 ? "" : withoutScheme.slice(slash + 1);
  return path.replace(/\/+$/, "").toLowerCase();
}

/** True when a claim for `claimPath` covers the entity at `address` (the namespace covers everything). */
export function claimCovers(claimPath: string, address: string): boolean {
  const target = address.replace(/\/+$/, "").toLowerCase();
  return claimPath === "" || target === claimPath || target.startsWith(`${claimPath}/`);
}
