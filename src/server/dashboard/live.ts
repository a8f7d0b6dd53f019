import type { ServerResponse } from "node:http";
import type { AuditEntry } from "../../ports/state.js";
import type { ControllerApi, PairStatus } from "../controller-api.js";

/** How often the stream looks at the pairs; an update goes out only when something changed. */
export const LIVE_INTERVAL_MS = 1_000;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** Decisions per pair on the timeline. */
const RECENT = 20;
const AUDIT_REREADS = 5;

/** What changes the timeline: a new decision or state (operations in flight only tick their elapsed time). */
const timelineKey = (pairs: PairStatus[]) => JSON.stringify(pairs.map((p) => [p.name, p.state, p.lastDecision?.at, p.lastDecision?.verdict, p.operation?.step]));
const withoutClock = (pairs: PairStatus[]) => JSON.stringify(pairs.map((p) => ({ ...p, operation: p.operation && { ...p.operation, elapsedMs: 0 }, backup: { ...p.backup, ageMs: p.backup.ageMs === null ? null : Math.round(p.backup.ageMs / 60_000) } })));

/**
 * Server-sent events for the dashboard: the same status the CLI shows (`GET /pairs`, with readiness) and the newest audit
 * entries, sent when they change. Read with fetch by the page, so the token travels in a header.
 */
export function streamStatus(res: ServerResponse, listPairs: () => PairStatus[], api: Pick<ControllerApi, "audit">): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
  let lastStatus = "";
  let lastTimeline = "";
  let recent: Record<string, AuditEntry[]> = {};
  let busy = false;
  /** Ticks left in which the audit is read again: its entries are appended just after the status changes. */
  let rereads = 0;
  let sinceWrite = 0;
  let closed = false;
  const push = async () => {
    if (busy || closed) return;
    busy = true;
    try {
      const pairs = listPairs();
      const timeline = timelineKey(pairs);
      if (timeline !== lastTimeline) rereads = AUDIT_REREADS;
      let recentChanged = false;
      if (rereads > 0) {
        rereads--;
        const before = JSON.stringify(recent);
        const entries = await Promise.all(pairs.map(async (p) => [p.name, (await api.audit(p.name).catch(() => [])).slice(-RECENT)] as const));
        recent = Object.fromEntries(entries);
        recentChanged = JSON.stringify(recent) !== before;
      }
      // The audit read may outlast the connection.
      if (closed) return;
      const status = withoutClock(pairs);
      if (status !== lastStatus || recentChanged) {
        res.write(`event: status\ndata: ${JSON.stringify({ at: new Date().toISOString(), pairs, recent })}\n\n`);
        sinceWrite = 0;
      } else if ((sinceWrite += LIVE_INTERVAL_MS) >= HEARTBEAT_MS) {
        res.write(": still here\n\n");
        sinceWrite = 0;
      }
      lastStatus = status;
      lastTimeline = timeline;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void push().catch(() => undefined), LIVE_INTERVAL_MS);
  res.on("close", () => {
    closed = true;
    clearInterval(timer);
  });
  void push().catch(() => undefined);
}
