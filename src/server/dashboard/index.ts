import type { IncomingMessage, ServerResponse } from "node:http";
import { DASHBOARD_JS } from "./client.js";
import { DASHBOARD_CSS, DASHBOARD_HTML } from "./page.js";

export { streamStatus } from "./live.js";

/** Scripts, styles and data from this origin only; no inline code, no framing, no form posts elsewhere. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const ASSETS: Record<string, { type: string; body: string }> = {
  "/": { type: "text/html", body: DASHBOARD_HTML },
  "/dashboard.js": { type: "text/javascript", body: DASHBOARD_JS },
  "/dashboard.css": { type: "text/css", body: DASHBOARD_CSS },
};

/** Serves the page and its assets (they hold no data: the data comes from /events and the API); false for any other path. */
export function serveDashboardAsset(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  if (req.method === "GET" && pathname === "/favicon.ico") {
    res.writeHead(204).end();
    return true;
  }
  const asset = req.method === "GET" ? ASSETS[pathname] : undefined;
  if (!asset) return false;
  res.writeHead(200, {
    "content-type": `${asset.type}; charset=utf-8`,
    "content-security-policy": DASHBOARD_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cache-control": "no-store",
  });
  res.end(asset.body);
  return true;
}

/** Loopback only: elsewhere anyone on the network could read the pairs, so reading needs the token too. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}
