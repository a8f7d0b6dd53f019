import type { AuditEntry } from "../ports/state.js";
import type { RefusedRequest } from "./controller-api.js";

/**
 * The audit entry of a refused operator request: who (a 401's actor is only what the unauthenticated body
 * claimed, and says so), what (action and HTTP status), why (the answer), in which state, from where.
 */
export function refusalAuditEntry(refusal: RefusedRequest, state: string | undefined, now: number): AuditEntry {
  const unauthenticated = refusal.status === 401;
  return {
    at: new Date(now).toISOString(),
    pair: refusal.pair,
    type: "operator",
    ...(state !== undefined ? { state } : {}),
    verdict: `refused ${refusal.action} (${refusal.status})`,
    ...(refusal.actor !== undefined ? { actor: unauthenticated ? `${refusal.actor} (claimed, no valid token)` : refusal.actor } : {}),
    reason: refusal.why,
    detail: {
      action: refusal.action,
      status: refusal.status,
      ...(refusal.reason !== undefined ? { requestReason: refusal.reason } : {}),
      ...(refusal.from !== undefined ? { from: refusal.from } : {}),
    },
  };
}
