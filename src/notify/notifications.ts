import type { NotificationsConfig, NotificationTargetConfig } from "../config/schema.js";
import type { Clock } from "../ports/clock.js";
import type { Logger } from "../runtime/logger.js";
import type { MetricsText } from "../runtime/metrics.js";
import type { PairRecord, SinkFactory } from "../runtime/records/record-stream.js";
import { matches, notificationOf, type Notification } from "./events.js";
import { genericMessage } from "./formats/generic.js";
import type { WebhookMessage } from "./formats/message.js";
import { slackMessage } from "./formats/slack.js";
import { teamsMessage } from "./formats/teams.js";
import { WebhookTarget, type Post } from "./webhook-target.js";

/** Headers every kind carries, so a receiver (the simulator, a proxy) can route without parsing the body. */
const EVENT_HEADER = "x-apim-dr-event";
const PAIR_HEADER = "x-apim-dr-pair";

function format(target: NotificationTargetConfig, n: Notification, secret: string | undefined): WebhookMessage {
  const message = target.kind === "teams" ? teamsMessage(n) : target.kind === "slack" ? slackMessage(n) : genericMessage(n, secret ?? "");
  return { body: message.body, headers: { ...message.headers, [EVENT_HEADER]: n.event, [PAIR_HEADER]: n.pair } };
}

/** The notification targets of a controller: one record-stream subscriber per pair, one queue per target. */
export interface Notifications {
  /** Subscribers for the controller's sink list: they only enqueue, so they never fail and never wait. */
  sinks: SinkFactory[];
  targets: WebhookTarget[];
  /** Adds the per-target counters to /metrics. */
  addMetrics(text: MetricsText): MetricsText;
  /** Resolves when every queue is empty. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Builds the targets from the config. `secret` reads an environment variable by name (the URLs and
 * HMAC keys live only there) and throws, naming the config field, when it is unset.
 */
export function createNotifications(
  config: NotificationsConfig | undefined,
  secret: (envVar: string, usedBy: string) => string,
  deps: { clock: Clock; log: Logger; post?: Post },
): Notifications {
  const configured = (config?.targets ?? []).map((t, i) => {
    const url = secret(t.urlEnv, `notifications.targets[${i}].urlEnv`);
    const key = t.secretEnv ? secret(t.secretEnv, `notifications.targets[${i}].secretEnv`) : undefined;
    const target = new WebhookTarget(t.name, url, { timeoutMs: t.timeoutSeconds * 1000, maxAttempts: t.maxAttempts, retryMs: t.retrySeconds * 1000, maxQueue: t.maxQueue }, deps);
    return { config: t, key, target };
  });
  const deliver = (record: PairRecord) => {
    const n = notificationOf(record);
    if (!n) return;
    for (const { config: t, key, target } of configured) {
      if (!matches(n, t.events) || (t.pairs && !t.pairs.includes(n.pair))) continue;
      target.enqueue(n, format(t, n, key));
    }
  };
  const targets = configured.map((c) => c.target);
  return {
    sinks: configured.length ? [() => ({ sink: { name: "notifications", deliver }, policy: { retryMs: 1_000, maxAttempts: 1 } })] : [],
    targets,
    addMetrics: (text) => {
      const per = (pick: (t: WebhookTarget) => number) => targets.map((t) => [{ target: t.name }, pick(t)] as [Record<string, string>, number]);
      return text
        .family("apim_dr_notifications_sent_total", "counter", "Notifications a webhook accepted (2xx), by target.", per((t) => t.counts.sent))
        .family("apim_dr_notifications_retried_total", "counter", "Failed notification attempts that were retried, by target.", per((t) => t.counts.retried))
        .family("apim_dr_notifications_dropped_total", "counter", "Notifications given up (retry limit reached or queue full), by target.", per((t) => t.counts.dropped))
        .family("apim_dr_notifications_queued", "gauge", "Notifications waiting for delivery, by target.", per((t) => t.counts.queued));
    },
    idle: async () => {
      await Promise.all(targets.map((t) => t.idle()));
    },
    stop: () => targets.forEach((t) => t.stop()),
  };
}
