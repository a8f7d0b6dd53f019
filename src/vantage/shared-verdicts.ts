import type { Clock } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import type { Signal } from "../ports/signal.js";
import type { VantageStorePort } from "../ports/vantage.js";

/**
 * Several vantage points (issue 14, item 6). Each replica publishes what its own probes see of every
 * gateway, and reads what the other replicas published; their verdicts become `probe` signals on the
 * `replicas` channel, which the health evaluator counts as independent sources when they come from
 * another region (src/health/vantage.ts).
 */

/** One gateway as this replica's probes see it. */
export interface PublishedVerdict {
  /** The pair and side the gateway serves, for people reading the blob (readers go by serviceId). */
  pair?: string;
  side?: "primary" | "standby";
  /** ARM id of the service behind the gateway (each service belongs to one pair). */
  serviceId: string;
  /** The gateway's region. */
  region: string;
  status: "healthy" | "degraded" | "unhealthy";
  /** When the probe round that gave this status ran (ISO-8601). */
  measuredAt: string;
  /** When the gateway began to look healthy, or to fail (degraded or unhealthy): another replica's opposite view counts only if measured since then. */
  since: string;
  /** Failed attempts of `attempts` (the reason reads "probes@ctl-neu 2/2 failed"). */
  failed: number;
  attempts: number;
}

/** One replica's document in the coordination store. */
export interface VantageDocument {
  version: 1;
  replicaId: string;
  region: string;
  /** When the replica last wrote it: a heartbeat even when no verdict changed. */
  publishedAt: string;
  verdicts: PublishedVerdict[];
}

export interface SharedVerdictsDeps {
  store: VantageStorePort;
  clock: Clock;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  /** A verdict measured longer ago than this is not passed on (the evaluator would ignore it anyway). */
  maxAgeMs: number;
  /** Counts a failed publish or read (for /metrics). */
  onError(op: "publish" | "read"): void;
  /** The pair and side of a service (lower-cased ARM id), when configured. */
  pairOf?(serviceId: string): { pair: string; side: "primary" | "standby" } | undefined;
}

const STATUSES = new Set(["healthy", "degraded", "unhealthy"]);

/** A document read from the store, checked; a string says what is wrong with it. */
export function parseVantageDocument(body: string): VantageDocument | string {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const d = doc as Partial<VantageDocument> | null;
  if (!d || typeof d !== "object" || d.version !== 1) return "not a version 1 probe-verdict document";
  if (typeof d.replicaId !== "string" || typeof d.region !== "string" || !Array.isArray(d.verdicts)) return "replicaId, region or verdicts missing";
  for (const v of d.verdicts as unknown[]) {
    const p = v as Partial<PublishedVerdict> | null;
    const times = [p?.measuredAt, p?.since].every((t) => typeof t === "string" && !Number.isNaN(Date.parse(t)));
    if (!p || typeof p.serviceId !== "string" || typeof p.region !== "string" || !STATUSES.has(p.status as string) || !times) {
      return "a verdict lacks serviceId, region, a known status, or ISO-8601 measuredAt/since";
    }
  }
  return d as VantageDocument;
}

/** Another replica's verdict as the signal the evaluator counts. */
export function verdictSignal(doc: VantageDocument, v: PublishedVerdict): Signal {
  return {
    // The same measurement read again is the same signal (the evaluator drops it as a duplicate).
    id: `vantage:${doc.replicaId}:${v.serviceId.toLowerCase()}:${v.measuredAt}`,
    kind: "health",
    channel: "replicas",
    source: "probe",
    resourceId: v.serviceId,
    region: v.region,
    status: v.status,
    observedAt: v.measuredAt,
    summary: `replica ${doc.replicaId} (${doc.region}) probes the ${v.region} gateway: ${v.status} since ${v.since}`,
    attributes: { replicaId: doc.replicaId, replicaRegion: doc.region, since: v.since, failed: v.failed, attempts: v.attempts },
  };
}

export class SharedVerdicts {
  private readonly own = new Map<string, PublishedVerdict>();
  /** Failing operations, so an outage of the store is logged once, not every round. */
  private readonly failing = new Set<"publish" | "read">();
  private readonly badDocuments = new Set<string>();
  /** The newest measurement passed on per replica and service: a document read again passes nothing twice. */
  private readonly passed = new Map<string, string>();

  constructor(
    private readonly self: { replicaId: string; region: string },
    private readonly deps: SharedVerdictsDeps,
  ) {}

  /** Notes one of this replica's own probe signals (other signals are ignored). */
  noteOwn(signal: Signal): void {
    if (signal.channel !== "probe" || signal.kind !== "health" || !signal.resourceId || signal.status === "unknown") return;
    const previous = this.own.get(signal.resourceId.toLowerCase());
    const failed = signal.attributes?.["failed"];
    const attempts = signal.attributes?.["attempts"];
    this.own.set(signal.resourceId.toLowerCase(), {
      ...this.deps.pairOf?.(signal.resourceId.toLowerCase()),
      serviceId: signal.resourceId,
      region: signal.region ?? "",
      status: signal.status,
      measuredAt: signal.observedAt,
      since: previous && (previous.status === "healthy") === (signal.status === "healthy") ? previous.since : signal.observedAt,
      failed: typeof failed === "number" ? failed : signal.status === "healthy" ? 0 : 1,
      attempts: typeof attempts === "number" ? attempts : 1,
    });
  }

  /** This replica's document as it would be published now. */
  document(): VantageDocument {
    return { version: 1, replicaId: this.self.replicaId, region: this.self.region, publishedAt: new Date(this.deps.clock.now()).toISOString(), verdicts: [...this.own.values()] };
  }

  /**
   * One round: publish this replica's verdicts, read the others'. Never throws: a store that fails is
   * logged once and counted, and the round returns what it could read (the evaluation goes on without).
   */
  async round(signal?: AbortSignal): Promise<Signal[]> {
    if (this.own.size) await this.attempt("publish", () => this.deps.store.publish(this.self.replicaId, JSON.stringify(this.document()), signal), signal);
    const documents = await this.attempt("read", () => this.deps.store.readAll(signal), signal);
    if (!documents) return [];
    const now = this.deps.clock.now();
    const signals: Signal[] = [];
    for (const { replicaId, body } of documents) {
      if (replicaId === this.self.replicaId) continue;
      const doc = parseVantageDocument(body);
      if (typeof doc === "string") {
        if (!this.badDocuments.has(replicaId)) this.deps.log.warn({ replica: replicaId }, `replica ${replicaId}'s probe verdicts in the coordination store are unreadable (${doc}); they are ignored`);
        this.badDocuments.add(replicaId);
        continue;
      }
      this.badDocuments.delete(replicaId);
      for (const v of doc.verdicts) {
        const key = `${doc.replicaId}|${v.serviceId.toLowerCase()}`;
        if (now - Date.parse(v.measuredAt) > this.deps.maxAgeMs || this.passed.get(key) === v.measuredAt) continue;
        this.passed.set(key, v.measuredAt);
        signals.push(verdictSignal(doc, v));
      }
    }
    return signals;
  }

  private async attempt<T>(op: "publish" | "read", fn: () => Promise<T>, signal?: AbortSignal): Promise<T | null> {
    try {
      const result = await fn();
      if (this.failing.delete(op)) this.deps.log.info({ op }, `coordination store: ${op === "publish" ? "publishing" : "reading"} probe verdicts works again`);
      return result;
    } catch (error) {
      if (signal?.aborted) return null; // stopping, not failing
      this.deps.onError(op);
      if (!this.failing.has(op)) {
        this.failing.add(op);
        const what = op === "publish" ? "cannot publish this replica's probe verdicts" : "cannot read the other replicas' probe verdicts";
        this.deps.log.warn({ err: describeError(error), op }, `coordination store: ${what}; health is judged without them until it answers (retried every probe round)`);
      }
      return null;
    }
  }
}
