import type { PairContext } from "../../machine/types.js";
import type { AuditEntry } from "../../ports/state.js";
import { stateName } from "../state-name.js";

interface MachineView {
  value: unknown;
  context: PairContext;
}

/**
 * What one machine step recorded, compared by value (a snapshot read back from storage shares no objects with the
 * live one): the decisions taken (one step can take several), the state entered, the Azure operation started.
 */
export function machineRecords(pair: string, previous: MachineView, next: MachineView, now: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const seen = previous.context.lastDecision?.n ?? 0;
  for (const d of next.context.decisions.filter((d) => (d.n ?? 0) > seen)) {
    entries.push({ at: new Date(d.at).toISOString(), pair, type: d.verdict === "alert" ? "alert" : "decision", state: d.state, verdict: d.verdict, reason: d.reason });
  }
  const was = stateName(previous.value);
  const state = stateName(next.value);
  if (was !== state) {
    const at = next.context.lastDecision?.at ?? now;
    entries.push({ at: new Date(at).toISOString(), pair, type: "transition", state, reason: next.context.lastDecision?.reason, detail: { from: was } });
  }
  const op = next.context.operation;
  const before = previous.context.operation;
  if (op && (op.startedAt !== before?.startedAt || op.kind !== before.kind || op.serviceId !== before.serviceId)) {
    entries.push({
      at: new Date(op.startedAt).toISOString(),
      pair,
      type: "operation",
      state,
      verdict: `${op.kind}Started`,
      reason: `${op.kind} ${op.backupName} on ${op.serviceId}`,
      operationId: op.operationId ?? op.backupName,
    });
  }
  return entries;
}
