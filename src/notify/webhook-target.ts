import type { Clock } from "../ports/clock.js";
import type { Logger } from "../runtime/logger.js";
import type { Notification } from "./events.js";
import type { WebhookMessage } from "./formats/message.js";

export interface DeliverySettings {
  /** An answer slower than this counts as a failed attempt (a stalled receiver never holds the queue for long). */
  timeoutMs: number;
  /** Attempts per message before it is dropped. */
  maxAttempts: number;
  /** Wait before the first retry; doubled after each failed attempt, up to 16 ×. */
  retryMs: number;
  /** Messages waiting beyond this many: the oldest is dropped. */
  maxQueue: number;
}

export interface TargetCounts {
  sent: number;
  retried: number;
  dropped: number;
  /** Messages waiting now. */
  queued: number;
}

/** Posts one message; resolves on a 2xx answer. */
export type Post = (url: string, message: WebhookMessage, signal: AbortSignal) => Promise<void>;

/** Why a delivery failed, without the URL (it is a secret: Slack and Teams put the credential in it). */
export class DeliveryError extends Error {}

export const httpPost: Post = async (url, message, signal) => {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...message.headers }, body: message.body, signal });
  } catch (error) {
    if (signal.aborted) throw new DeliveryError("no answer in time");
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new DeliveryError(`connection failed${cause?.code ? ` (${cause.code})` : ""}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new DeliveryError(`HTTP ${res.status}`);
};

interface Queued {
  notification: Notification;
  message: WebhookMessage;
}

/**
 * One webhook: its own bounded queue, delivered one message at a time in order, retried with
 * exponential backoff up to a limit, then dropped with a counted, logged reason. `enqueue` returns
 * at once: nothing the controller does waits for a webhook.
 */
export class WebhookTarget {
  readonly counts: TargetCounts = { sent: 0, retried: 0, dropped: 0, queued: 0 };
  private readonly waiting: Queued[] = [];
  private draining: Promise<void> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly settings: DeliverySettings,
    private readonly deps: { clock: Clock; log: Logger; post?: Post },
  ) {}

  enqueue(notification: Notification, message: WebhookMessage): void {
    if (this.stopping.signal.aborted) return;
    this.waiting.push({ notification, message });
    while (this.waiting.length > this.settings.maxQueue) this.drop(this.waiting.shift()!, `more than ${this.settings.maxQueue} messages waiting`);
    this.counts.queued = this.waiting.length;
    this.draining ??= this.drain().finally(() => (this.draining = null));
  }

  /** Resolves once the queue is empty (or the target stopped). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  stop(): void {
    this.stopping.abort();
  }

  private drop(item: Queued, why: string): void {
    this.counts.dropped++;
    const n = item.notification;
    this.deps.log.warn({ target: this.name, event: n.event, pair: n.pair, seq: n.seq }, `notification ${n.event} for pair ${n.pair} to target ${this.name} dropped: ${why}`);
  }

  private async drain(): Promise<void> {
    const { clock } = this.deps;
    const post = this.deps.post ?? httpPost;
    while (this.waiting.length > 0 && !this.stopping.signal.aborted) {
      // Out of the queue while in flight: an overflow drops the oldest message still waiting, never this one.
      const item = this.waiting.shift()!;
      this.counts.queued = this.waiting.length;
      for (let attempt = 1; ; attempt++) {
        const timeout = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.settings.timeoutMs)]);
        try {
          await post(this.url, item.message, timeout);
          this.counts.sent++;
          break;
        } catch (error) {
          if (this.stopping.signal.aborted) return;
          const why = error instanceof DeliveryError ? error.message : "delivery failed";
          if (attempt >= this.settings.maxAttempts) {
            this.drop(item, `${attempt} attempts failed, the last: ${why}`);
            break;
          }
          this.counts.retried++;
          const wait = this.settings.retryMs * 2 ** Math.min(attempt - 1, 4);
          this.deps.log.info({ target: this.name, attempt }, `notification to target ${this.name} failed (${why}); retry in ${wait / 1000} s`);
          await clock.sleep(wait, this.stopping.signal).catch(() => undefined);
          if (this.stopping.signal.aborted) return;
        }
      }
    }
  }
}
