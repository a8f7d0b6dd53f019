import { createActor, type Actor, type Snapshot } from "xstate";
import { initialContext } from "../machine/context.js";
import type { FailoverMachine } from "../machine/failover-machine.js";
import type { PairContext, PairEvent, PairSettings, UnstampedEvent } from "../machine/types.js";
import { settlesWithin, type Clock } from "../ports/clock.js";
import type { AuditEntry, StateStore } from "../ports/state.js";
import { stateName } from "./state-name.js";
import { machineRecords } from "./records/machine-records.js";
import { outboxFrom, RecordStream, type Outbox, type SinkFactory } from "./records/record-stream.js";
import { UNLIMITED_WRITES, type WriteSlots } from "./write-slots.js";

export interface PairActorOptions {
  /** The failover machine with its step actors provided (see createFailoverMachine). */
  machine: FailoverMachine;
  input: PairSettings;
  stateStore: StateStore;
  /** Subscribers of the pair's record stream (audit trail, log, metrics, …), each with its own delivery policy. */
  sinks?: SinkFactory[];
  clock: Clock;
  /**
   * Records are numbered from at least this (issue 14: a new leader numbers after everything its audit trail holds,
   * including what a deposed leader appended after the snapshot it resumes from).
   */
  firstSeq?: number;
  /** Shared by every pair: its snapshot saves and audit appends wait for a slot, and take what is newest when they get it. */
  writes?: WriteSlots;
  /** Called when a load, a save or a sink's delivery fails; the actor keeps running and retries. */
  onError?: (error: unknown, what: "load" | "save" | "machine" | `sink ${string}`) => void;
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
  /** Sends an event, stamping `at` from the clock unless the event carries one; an operator event is recorded first. */
  send(event: UnstampedEvent): void;
  /** Records what the pair did outside the machine (backups, warm-standby restores): on the same stream as the machine's records. */
  record(entries: AuditEntry[]): void;
  /** Set while the newest snapshot could not be stored. */
  unsaved(): UnsavedState | null;
  /** Resolves when every snapshot produced so far is stored and the audit trail has every record. */
  flush(): Promise<void>;
  /** Stops the actor after trying to store its last snapshot (for at most `timeoutMs`); false when it is NOT stored. */
  stop(timeoutMs?: number): Promise<boolean>;
}

/** The stored form: xstate's persisted snapshot plus the record stream's outbox. */
type PersistedPair = { value: unknown; context: PairContext; status?: string; outbox?: unknown };

function isPersistedPair(value: unknown): value is PersistedPair {
  return typeof value === "object" && value !== null && "value" in value && "context" in value && typeof (value as PersistedPair).context === "object";
}

/** How long to wait before writing a snapshot again after the store failed. */
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
  const { machine, input, stateStore, clock } = options;
  const writes = options.writes ?? UNLIMITED_WRITES;
  const pair = input.name;
  const report = options.onError ?? (() => {});
  const stored = await loadWithRetry(options, signal);

  let actor: Actor<FailoverMachine>;
  let outbox: Outbox | undefined;
  if (stored === null || stored === undefined) {
    actor = createActor(machine, { input });
  } else {
    if (!isPersistedPair(stored)) {
      throw new Error(`stored state of pair '${pair}' is not a failover-machine snapshot: remove it from the state store to start the pair fresh`);
    }
    // Settings come from the configuration, not from the snapshot: a changed config applies on restart.
    const { outbox: storedOutbox, ...machineSnapshot } = stored;
    outbox = outboxFrom(storedOutbox);
    // A snapshot saved as its process stopped is resumed, not left stopped: "stopped" only says the process ended.
    const snapshot = { ...machineSnapshot, status: "active", context: { ...stored.context, pair: initialContext(input).pair } };
    try {
      actor = createActor(machine, { input, snapshot: snapshot as unknown as Snapshot<unknown> });
    } catch (error) {
      throw new Error(`stored state of pair '${pair}' does not fit the failover machine (${(error as Error).message}): remove it from the state store to start the pair fresh`);
    }
  }

  let dirty = false;
  /** The machine's newest persisted snapshot while it ran (never the one it has after stopping). */
  let latest: unknown = actor.getPersistedSnapshot();
  let saving: Promise<void> | null = null;
  let unsaved: UnsavedState | null = null;
  const stopping = new AbortController();
  if (options.firstSeq !== undefined) {
    const restored = outbox ?? { nextSeq: 1, owed: [] };
    outbox = { ...restored, nextSeq: Math.max(restored.nextSeq, options.firstSeq) };
  }
  const stream = new RecordStream(pair, clock, { failed: (sink, _records, error) => report(error, `sink ${sink}`) }, outbox, () => persist(), writes);
  for (const make of options.sinks ?? []) {
    const { sink, policy } = make(pair);
    stream.subscribe(sink, policy);
  }

  /**
   * Saves the machine's snapshot with the stream's outbox, one save at a time; changes arriving meanwhile are taken by
   * the next save, which reads both afresh, so what is stored is always one consistent moment. A failed save is retried
   * with the newest state; once stopping, one try only: the last saved snapshot is where a restart resumes.
   */
  const drain = async () => {
    // Let the machine finish its step first: its records and its snapshot are saved together.
    await Promise.resolve();
    while (dirty) {
      try {
        await writes.run("save", () => {
          // Whatever changed while this save waited for its slot goes in it.
          dirty = false;
          return stateStore.save(pair, { ...(latest as object), outbox: stream.outbox() });
        });
        unsaved = null;
      } catch (error) {
        unsaved = { since: unsaved?.since ?? clock.now(), error: (error as Error).message };
        report(error, "save");
        if (stopping.signal.aborted) break;
        dirty = true;
        // A stop cuts the wait short: it makes one last attempt.
        await clock.sleep(STORE_RETRY_MS, stopping.signal).catch(() => undefined);
      }
    }
    saving = null;
  };
  const persist = () => {
    if (actor.getSnapshot().status === "active") latest = actor.getPersistedSnapshot();
    dirty = true;
    saving ??= drain();
  };

  let previous = actor.getSnapshot();
  const subscription = actor.subscribe({
    next: (snapshot) => {
      stream.publish(machineRecords(pair, previous, snapshot, clock.now()));
      previous = snapshot;
      persist();
    },
    error: (error) => report(error, "machine"),
  });
  actor.start();
  persist();

  const flush = async () => {
    while (saving) await saving;
    await stream.flush();
  };

  return {
    actor,
    restored: stored !== null && stored !== undefined,
    record: (entries) => stream.publish(entries),
    unsaved: () => unsaved,
    send(event) {
      const stamped = { ...event, at: event.at ?? clock.now() } as PairEvent;
      if (stamped.type.startsWith("operator.")) {
        const op = stamped as PairEvent & { actor?: string; reason?: string };
        stream.publish([{ at: new Date(stamped.at).toISOString(), pair, type: "operator", state: stateName(actor.getSnapshot().value), verdict: stamped.type, actor: op.actor, reason: op.reason }]);
      }
      actor.send(stamped);
    },
    flush,
    async stop(timeoutMs = STOP_TIMEOUT_MS) {
      subscription.unsubscribe();
      actor.stop();
      // Nothing is retried from here: a save still owed is tried once more, and carries what the audit trail still owes.
      stream.stop();
      stopping.abort(new Error("pair actor stopped"));
      // A store that never answers must not hold the shutdown: give it a bounded time, then say so.
      const saved = (async () => {
        while (saving) await saving;
      })();
      return (await settlesWithin(clock, timeoutMs, saved)) && unsaved === null && !dirty;
    },
  };
}
