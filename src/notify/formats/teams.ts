import type { Notification } from "../events.js";
import type { WebhookMessage } from "./message.js";

const COLOR = { critical: "attention", warning: "warning", info: "good" } as const;

/**
 * An Adaptive Card in the `message` envelope that Teams incoming webhooks and Workflows
 * ("When a Teams webhook request is received") accept.
 */
export function teamsMessage(n: Notification): WebhookMessage {
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: n.title, weight: "Bolder", size: "Medium", color: COLOR[n.severity], wrap: true },
      {
        type: "FactSet",
        facts: [
          { title: "Pair", value: n.pair },
          { title: "State", value: n.state },
          { title: "Event", value: n.event },
          { title: "At", value: n.at },
        ],
      },
      { type: "TextBlock", text: `**Why:** ${n.reason}`, wrap: true },
      { type: "TextBlock", text: "**What to do:**", wrap: true },
      ...n.actions.map((a) => ({ type: "TextBlock", text: `- ${a}`, wrap: true, fontType: "Monospace" })),
    ],
  };
  const body = JSON.stringify({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] });
  return { body, headers: {} };
}
