import type { Clock } from "../ports/clock.js";
import { describeError } from "../ports/errors.js";
import { NotLeaderError, type Leadership } from "../ports/leadership.js";
import { AuditTrailMovedError, isFencedAuditLog, type AuditLog, type FencedAuditLog } from "../ports/state.js";
import type { DeliveryPolicy, PairRecord, RecordSink, SinkFactory } from "../runtime/records/record-stream.js";
import { AUDIT_RETRY_MS } from "../runtime/records/audit-sink.js";

/**
 * Fenced audit writes (issue 14). A pair's trail belongs to its leader: on take-over the leader claims it (writes its
 * epoch into the trail, conditional on where the trail ended when read), and from then on every append is conditional
 * on the position the leader last read or wrote. A deposed leader that wakes up holds a stale position: its append is
 * refused, it reads the trail's end, finds a newer epoch there and drops its entry (logged), never retried. A position
 * moved by an unconditional writer (an operator request refused by some replica, which carries no seq) is read again
 * and the append retried. As with the DNS record: read, refuse a newer epoch, write conditionally.
 */

/** What the leader knows of the trail once it has claimed it. */
export interface ClaimedTrail {
  /** Everything up to this seq is in the trail (written by this or an earlier leader): the stream numbers after it. */
  lastSeq: number;
  position: string;
  epoch: number;
}

/** Waits between attempts while the trail's account does not answer (the snapshot load waits the same way). */
const CLAIM_RETRY_MS = 5_000;

export interface ClaimOptions {
  clock: Clock;
  /** False once this replica lost the lease meanwhile: stop trying. */
  stillLeader: () => boolean;
  signal?: AbortSignal;
  onError?: (error: unknown) => void;
}

/**
 * Claims the pair's trail for `epoch`: read its end, refuse when a newer epoch owns it, else write our epoch on the
 * condition that nobody wrote since the read (else read again). After this, no writer of an older epoch can append.
 */
export async function claimAuditTrail(audit: FencedAuditLog, pair: string, epoch: number, options: ClaimOptions): Promise<ClaimedTrail> {
  for (;;) {
    if (!options.stillLeader()) throw new NotLeaderError(pair, null, "the lease was lost while claiming the audit trail");
    try {
      const tail = await audit.tail(pair);
      if (tail.epoch !== null && tail.epoch > epoch) {
        throw new NotLeaderError(pair, null, `its audit trail belongs to epoch ${tail.epoch}, newer than this replica's ${epoch}`);
      }
      const position = await audit.claim(pair, epoch, tail.position);
      return { lastSeq: tail.lastSeq, position, epoch };
    } catch (error) {
      if (error instanceof NotLeaderError) throw error;
      if (error instanceof AuditTrailMovedError) continue; // written in between: read its end again
      options.onError?.(error);
      await options.clock.sleep(CLAIM_RETRY_MS, options.signal);
    }
  }
}

/** How often one record is re-tried at once when unconditional writers keep moving the trail (then the stream's retry). */
const MOVED_ATTEMPTS = 3;

export interface FencedAuditLogger {
  warn(obj: object, msg?: string): void;
}

/**
 * The leader's audit sink: appends what is waiting in one conditional write from the claimed position. Records owed
 * from before the take-over that the trail already has (seq at most the claimed lastSeq) are skipped, as a restarted
 * controller does.
 */
export function fencedAuditSink(audit: FencedAuditLog, pair: string, trail: ClaimedTrail, replicaId: string, log: FencedAuditLogger): { sink: RecordSink; policy: DeliveryPolicy } {
  let position = trail.position;
  let appendedUpTo = trail.lastSeq;
  let ownedBy: number | null = null;
  const refuse = (records: readonly PairRecord[]) => {
    for (const record of records) {
      log.warn(
        { pair, seq: record.seq, verdict: record.verdict, replica: replicaId, epoch: trail.epoch, trailEpoch: ownedBy },
        `pair ${pair}: audit append refused: replica ${replicaId} (epoch ${trail.epoch}) is no longer the leader of pair ${pair}; the trail belongs to epoch ${ownedBy}; entry ${record.seq} (${record.verdict ?? record.type}) is not written`,
      );
    }
  };
  const deliverAll = async (records: readonly PairRecord[]) => {
    let owed = records.filter((r) => r.seq > appendedUpTo);
    if (owed.length === 0) return;
    if (ownedBy !== null) return refuse(owed);
    for (let attempt = 1; ; attempt++) {
      try {
        position = await audit.appendAt(owed, position);
        appendedUpTo = owed[owed.length - 1]!.seq;
        return;
      } catch (error) {
        if (!(error instanceof AuditTrailMovedError)) throw error; // unreachable store: the stream retries later
        const tail = await audit.tail(pair);
        if (tail.epoch !== null && tail.epoch > trail.epoch) {
          ownedBy = tail.epoch;
          return refuse(owed); // dropped, not retried: the trail is the new leader's
        }
        position = tail.position;
        // Only this leader writes seq'd entries since its claim: a seq already there is our own append whose answer was lost.
        appendedUpTo = Math.max(appendedUpTo, tail.lastSeq);
        owed = owed.filter((r) => r.seq > appendedUpTo);
        if (owed.length === 0) return;
        if (attempt >= MOVED_ATTEMPTS) throw new Error(`the audit trail of pair ${pair} keeps moving under unconditional writes (${describeError(error)}); retried later`);
      }
    }
  };
  return {
    sink: { name: "audit", deliver: (record) => deliverAll([record]), deliverAll },
    policy: { retryMs: AUDIT_RETRY_MS, durable: true },
  };
}

/**
 * For the leader gate's take-over: claims the pair's trail with this replica's epoch and gives the audit sink to run
 * the pair with and the seq its records start from. Null when the trail cannot be written conditionally (no lease, or
 * an audit log without conditions): then the plain audit sink is used.
 */
export async function takeOverAuditTrail(
  audit: AuditLog,
  leadership: Leadership,
  pair: string,
  options: { clock: Clock; signal?: AbortSignal; log: FencedAuditLogger },
): Promise<{ sink: SinkFactory; firstSeq: number } | null> {
  const epoch = leadership.view(pair).epoch;
  if (epoch === null || !leadership.self || !isFencedAuditLog(audit)) return null;
  const replicaId = leadership.self.replicaId;
  const trail = await claimAuditTrail(audit, pair, epoch, {
    clock: options.clock,
    stillLeader: () => leadership.canMutate(pair),
    ...(options.signal ? { signal: options.signal } : {}),
    onError: (error) => options.log.warn({ pair, err: describeError(error) }, `pair ${pair}: cannot claim the audit trail yet (${describeError(error)}); retrying`),
  });
  return { sink: () => fencedAuditSink(audit, pair, trail, replicaId, options.log), firstSeq: trail.lastSeq + 1 };
}
