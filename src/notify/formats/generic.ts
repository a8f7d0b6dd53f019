import { createHmac } from "node:crypto";
import type { Notification } from "../events.js";
import type { WebhookMessage } from "./message.js";

export const SIGNATURE_HEADER = "x-apim-dr-signature";

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as a receiver recomputes it to trust the message. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** A JSON body with every field, signed over the body with the target's secret. */
export function genericMessage(n: Notification, secret: string): WebhookMessage {
  const body = JSON.stringify({
    event: n.event,
    alsoMatches: n.alsoMatches,
    severity: n.severity,
    pair: n.pair,
    state: n.state,
    at: n.at,
    seq: n.seq,
    title: n.title,
    reason: n.reason,
    actions: n.actions,
  });
  return { body, headers: { [SIGNATURE_HEADER]: signature(body, secret) } };
}
