import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SimState } from "./state.js";

/** One notification the receiver took in. */
export interface WebhookDelivery {
  /** ms since epoch when it arrived. */
  at: number;
  /** The last path segment the controller posted to (the target's name in the generated config). */
  target: string;
  event: string | null;
  pair: string | null;
  /** generic targets sign the body: valid, invalid or missing (teams and slack send none). */
  signature: "valid" | "invalid" | "missing";
  /** How the receiver answered: ok (200), failed (500, webhook-failure fault) or stalled (no answer, webhook-stall fault). */
  answer: "ok" | "failed" | "stalled";
  title: string | null;
}

/** What the receiver saw, for `sim stats` and drill expectations. */
export class WebhookLog {
  readonly deliveries: WebhookDelivery[] = [];
  /** The HMAC key the generated controller config signs generic messages with. */
  readonly secret = randomBytes(16).toString("hex");

  stats() {
    const count = (answer: WebhookDelivery["answer"]) => this.deliveries.filter((d) => d.answer === answer).length;
    return { received: this.deliveries.length, ok: count("ok"), failed: count("failed"), stalled: count("stalled"), deliveries: this.deliveries.map((d) => ({ ...d })) };
  }
}

function signatureOf(req: IncomingMessage, body: string, secret: string): WebhookDelivery["signature"] {
  const presented = req.headers["x-apim-dr-signature"];
  if (typeof presented !== "string") return "missing";
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`);
  const got = Buffer.from(presented);
  return got.length === expected.length && timingSafeEqual(got, expected) ? "valid" : "invalid";
}

/**
 * A webhook receiver on 127.0.0.1, as Teams, Slack or an on-call tool would be: POST /hooks/{target}
 * records the delivery and answers 200, or 500 under the `webhook-failure` fault, or never under `webhook-stall`.
 */
export async function startWebhookReceiver(state: SimState, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://hooks").pathname.split("/").filter(Boolean);
      if (req.method !== "POST" || path[0] !== "hooks" || path.length !== 2) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "post notifications to /hooks/{target}" }));
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      let title: string | null = null;
      try {
        // generic: title; slack: text; teams: the card's first text block.
        const parsed = JSON.parse(body) as { title?: unknown; text?: unknown; attachments?: Array<{ content?: { body?: Array<{ text?: unknown }> } }> };
        const card = parsed.attachments?.[0]?.content?.body?.[0]?.text;
        title = [parsed.title, parsed.text, card].find((t): t is string => typeof t === "string") ?? null;
      } catch {
        // Recorded all the same: a receiver does not choose what it is sent.
      }
      const header = (name: string) => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : null);
      const answer = state.faults.find("webhook-stall", null, Date.now()) ? "stalled" : state.faults.find("webhook-failure", null, Date.now()) ? "failed" : "ok";
      state.webhooks.deliveries.push({ at: Date.now(), target: path[1]!, event: header("x-apim-dr-event"), pair: header("x-apim-dr-pair"), signature: signatureOf(req, body, state.webhooks.secret), answer, title });
      if (answer === "stalled") stalled.add(res);
      else if (answer === "failed") res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "webhook-failure fault" }));
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        stalled.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
