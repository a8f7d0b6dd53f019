import type { Notification } from "../events.js";
import type { WebhookMessage } from "./message.js";

const ICON = { critical: ":rotating_light:", warning: ":warning:", info: ":white_check_mark:" } as const;

/** Slack mrkdwn treats these three as markup: escaped as Slack documents. */
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An incoming-webhook message with Block Kit blocks; `text` is the fallback shown in notifications. */
export function slackMessage(n: Notification): WebhookMessage {
  const body = JSON.stringify({
    text: `${ICON[n.severity]} ${escape(n.title)}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: n.title.slice(0, 150) } },
      { type: "section", fields: [{ type: "mrkdwn", text: `*Pair:* ${escape(n.pair)}` }, { type: "mrkdwn", text: `*State:* ${escape(n.state)}` }, { type: "mrkdwn", text: `*Event:* ${n.event}` }, { type: "mrkdwn", text: `*At:* ${n.at}` }] },
      { type: "section", text: { type: "mrkdwn", text: `*Why:* ${escape(n.reason)}` } },
      { type: "section", text: { type: "mrkdwn", text: `*What to do:*\n${n.actions.map((a) => `• ${escape(a).replace(/(apim-dr [^:]+)$/, "`$1`")}`).join("\n")}` } },
    ],
  });
  return { body, headers: {} };
}
