import { createActor, type Actor, type Snapshot } from "xstate";
import { initialContext } from "../machine/context.js";
import type { FailoverMachine } from "../machine/failover-machine.js";
import type { PairContext, PairEvent, PairSettings, RecordedDecision, UnstampedEvent } from "../machine/types.js";
import { settlesWithin, type Clock } from "../ports/clock.js";
import type { AuditEntry, AuditLog, StateStore } from "../ports/state.js";
import { stateName } from "./state-name.js";

export interface PairActorOptions {
  /** The failover machine with its step actors provided (see createFailoverMachine). */
  machine: FailoverMachine;
  input: PairSettings;
  stateStore: StateStore;
  audit?: AuditLog;
  clock: Clock;
  /** Called when a load, save or audit append fails; the actor keeps running and the next save retries with the newest snapshot. */
  onError?: (error: unknown, what: "load" | "save" | "audit" | "machine") => void;
}

/** A snapshot the store has not taken yet. */
export interface UnsavedState {
  since: number;
  error: string;
}

export interface PairActor {
  actor: Actor<FailoverMachine>;
  /** Whether the actor resumed from a stored snapshot. */
  restored: boolean;
  /** Sends an event, stamping `at` from the clock unless the event carries one. */
  send(event: UnstampedEvent): void;
  /** Appends audit entries in order, after those already queued, retrying until the store answers. */
  audit(entries: AuditEntry[]): void;
  /** Set while the newest snapshot could not be stored. */
  unsaved(): UnsavedState | null;
  /** Resolves when every snapshot and audit entry produced so far is stored. */
  flush(): Promise<void>;
  /** Stops the actor after trying to store its last snapshot (for at most `timeoutMs`); false when it is NOT stored. */
  stop(timeoutMs?: number): Promise<boolean>;
}

type PersistedPair = { value: unknown; context: PairContext; status?: string };

function isPersistedPair(value: unknown): value is PersistedPair {
  return typeof value === "object" && value !== null && "value" in value && "context" in value && typeof (value as PersistedPair).context === "object";
}

/** The ARM operation URL inside a serialized poller state (the adapter's resume token), when it has one. */
function operationIdOf(resumeToken: string): string | undefined {
  try {
    const location = (JSON.parse(resumeToken) as { state?: { config?: { operationLocation?: unknown } } }).state?.config?.operationLocation;
    return typeof location === "string" ? location : undefined;
  } catch {
    return undefined;
  }
}

/** How long to wait before writing a snapshot or audit entry again after the store failed. */
const STORE_RETRY_MS = 5_000;
/** Start-up reads of the state store back off up to this. */
const LOAD_RETRY_MAX_MS = 60_000;
/** How long stopping waits for the last snapshot by default. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * Reads the stored snapshot, retrying with backoff while the store cannot be reached: a controller whose
 * state account is briefly unreachable must still come up, and must never start fresh over a snapshot it could not read.
 */
async function loadWithRetry(options: PairActorOptions, signal?: AbortSignal): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.stateStore.load(options.input.name);
    } catch (error) {
      options.onError?.(error, "load");
      if (signal?.aborted) throw error;
      await options.clock.sleep(Math.min(STORE_RETRY_MS * 2 ** (attempt - 1), LOAD_RETRY_MAX_MS), signal);
    }
  }
}

/** Starts one pair's actor: restored from the state store when a snapshot exists, else fresh; every transition is saved. */
export async function startPairActor(options: PairActorOptions, signal?: AbortSignal): Promise<PairActor> {
  const { machine, input, stateStore, audit, clock } = options;
  const pair = input.name;
  const report = options.onError ?? (() => {});
  const stored = await loadWithRetry(options, signal);

  let actor: Actor<FailoverMachine>;
  if (stored === null || stored === undefined) {
    actor = createActor(machine, { input });
  } else {
    if (!isPersistedPair(stored)) {
      throw new Error(`stored state of pair '${pair}' is not a failover-machine snapshot: remove it from the state store to start the pair fresh`);
    }
    // Settings come from the configuration, not from the snapshot: a changed config applies on restart.
    const snapshot = { ...stored, context: { ...stored.context, pair: initialContext(input).pair } };
    try {
      actor = createActor(machine, { input, snapshot: snapshot as unknown as Snapshot<unknown> });
    } catch (error) {
      throw new Error(`stored state of pair '${pair}' does not fit the failover machine (${(error as Error).message}): remove it from the state store to start the pair fresh`);
    }
  }

  let pending: unknown;
  let saving: Promise<void> | null = null;
  let unsaved: UnsavedState | null = null;
  let auditChain: Promise<void> = Promise.resolve();
  const stopping = new AbortController();

  /**
   * Runs one store write until it succeeds, reporting each failure: the newest state and every audit entry must
   * survive a store blip (a duplicate entry beats a gap). Once stopping, one try only: the last saved snapshot is
   * where a restart resumes.
   */
  const untilStored = async (what: "save" | "audit", write: () => Promise<void>) => {
    for (;;) {
      try {
        return await write();
      } catch (error) {
        report(error, what);
        if (stopping.signal.aborted) return;
        await clock.sleep(STORE_RETRY_MS, stopping.signal).catch(() => undefined);
      }
    }
  };

  const drain = async () => {
    // One save at a time; snapshots arriving meanwhile collapse into the newest one, which is saved next
    // (a retry too saves the newest).
    while (pending !== undefined) {
      let snapshot = pending;
      await untilStored("save", async () => {
        snapshot = pending ?? snapshot;
        pending = undefined;
        try {
          await stateStore.save(pair, snapshot);
          unsaved = null;
        } catch (error) {
          unsaved = { since: unsaved?.since ?? clock.now(), error: (error as Error).message };
          // Not saved: the newest snapshot is still owed (unless a newer one is already waiting).
          pending ??= snapshot;
          if (stopping.signal.aborted) pending = undefined;
          throw error;
        }
      });
    }
    saving = null;
  };
  const persist = () => {
    pending = actor.getPersistedSnapshot();
    saving ??= drain();
  };
  const appendAudit = (entries: AuditEntry[]) => {
    if (!audit || entries.length === 0) return;
    auditChain = auditChain.then(async () => {
      for (const entry of entries) await untilStored("audit", () => audit.append(entry));
    });
  };

  let previous = actor.getSnapshot();
  const auditEntries = (next: typeof previous): AuditEntry[] => {
    const entries: AuditEntry[] = [];
    const last = previous.context.lastDecision;
    const { decisions, lastDecision } = next.context;
    const seen = last ? decisions.lastIndexOf(last) : -1;
    // Decisions are appended; one transition can add several (e.g. backup chosen, restore needed).
    const fresh: RecordedDecision[] = !last ? decisions : seen >= 0 ? decisions.slice(seen + 1) : lastDecision ? [lastDecision] : [];
    for (const d of fresh) {
      entries.push({ at: new Date(d.at).toISOString(), pair, type: d.verdict === "alert" ? "alert" : "decision", state: d.state, verdict: d.verdict, reason: d.reason });
    }
    const was = stateName(previous.value);
    const now = stateName(next.value);
    if (was !== now) {
      const at = next.context.lastDecision?.at ?? clock.now();
      entries.push({ at: new Date(at).toISOString(), pair, type: "transition", state: now, reason: next.context.lastDecision?.reason, detail: { from: was } });
    }
    const op = next.context.operation;
    if (op && op.resumeToken !== previous.context.operation?.resumeToken) {
      entries.push({
        at: new Date(op.startedAt).toISOString(),
        pair,
        type: "operation",
        state: now,
        verdict: `${op.kind}Started`,
        reason: `${op.kind} ${op.backupName} on ${op.serviceId}`,
        operationId: operationIdOf(op.resumeToken) ?? op.backupName,
      });
    }
    return entries;
  };

  const subscription = actor.subscribe({
    next: (snapshot) => {
      if (
        snapshot.context.lastDecision !== previous.context.lastDecision ||
        stateName(snapshot.value) !== stateName(previous.value) ||
        snapshot.context.operation !== previous.context.operation
      ) {
        appendAudit(auditEntries(snapshot));
      }
      previous = snapshot;
      persist();
    },
    error: (error) => report(error, "machine"),
  });
  actor.start();
  persist();

  const flush = async () => {
    while (saving) await saving;
    await auditChain;
  };

  return {
    actor,
    restored: stored !== null && stored !== undefined,
    audit: appendAudit,
    unsaved: () => unsaved,
    send(event) {
      const stamped = { ...event, at: event.at ?? clock.now() } as PairEvent;
      if (stamped.type.startsWith("operator.")) {
        const op = stamped as PairEvent & { actor?: string; reason?: string };
        appendAudit([{ at: new Date(stamped.at).toISOString(), pair, type: "operator", state: stateName(actor.getSnapshot().value), verdict: stamped.type, actor: op.actor, reason: op.reason }]);
      }
      actor.send(stamped);
    },
    flush,
    async stop(timeoutMs = STOP_TIMEOUT_MS) {
      stopping.abort(new Error("pair actor stopped"));
      subscription.unsubscribe();
      actor.stop();
      // A store that never answers must not hold the shutdown: give it a bounded time, then say so.
      const settled = await settlesWithin(clock, timeoutMs, flush());
      return settled && unsaved === null && pending === undefined;
    },
  };
}
