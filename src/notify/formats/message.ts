/** What goes on the wire to one webhook: the body and the headers of its kind. */
export interface WebhookMessage {
  body: string;
  headers: Record<string, string>;
}
