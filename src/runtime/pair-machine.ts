import { transition } from "xstate";
import type { PairTag } from "../machine/failover-machine.js";
import type { PairContext, RecordedDecision, UnstampedEvent } from "../machine/types.js";
import type { Clock } from "../ports/clock.js";
import type { AuditEntry } from "../ports/state.js";
import type { PairActor } from "./pair-actor.js";
import { stateName } from "./state-name.js";

/** What the parts of a pair (health feed, backups, operator commands, status) need of its machine. */
export interface PairMachine {
  context(): PairContext;
  hasTag(tag: PairTag): boolean;
  state(): string;
  /** Tells the machine a fact (stamped with the clock's time unless it carries one). */
  send(event: UnstampedEvent): void;
  /** Records what the pair did outside the machine, on the pair's record stream. */
  record(entries: AuditEntry[]): void;
  /** What the machine would do with `event` now, without doing it: whether the state changes, and the decision it would record. */
  tryEvent(event: UnstampedEvent): { changes: boolean; decision: RecordedDecision | null };
}

export function pairMachine(pairActor: PairActor, clock: Clock): PairMachine {
  const { actor } = pairActor;
  return {
    context: () => actor.getSnapshot().context,
    hasTag: (tag) => actor.getSnapshot().hasTag(tag),
    state: () => stateName(actor.getSnapshot().value),
    send: (event) => pairActor.send(event),
    record: (entries) => pairActor.record(entries),
    tryEvent(event) {
      const snapshot = actor.getSnapshot();
      const [next] = transition(actor.logic, snapshot, { ...event, at: event.at ?? clock.now() } as never);
      const decision = next.context.lastDecision?.n !== snapshot.context.lastDecision?.n ? next.context.lastDecision : null;
      return { changes: stateName(next.value) !== stateName(snapshot.value), decision };
    },
  };
}
