import type { EffectiveConfig } from "../config/index.js";
import { systemClock, type Clock } from "../ports/clock.js";
import type { Signal } from "../ports/signal.js";
import type { AuditEntry } from "../ports/state.js";
import type { Logger } from "../runtime/logger.js";
import type { CutoverPlan } from "../runtime/plan.js";
import type { RegionRole } from "../ports/region.js";
import type { ReadinessApi } from "../server/controller-api.js";
import { ReadinessMonitor } from "./monitor.js";
import type { ReadinessPorts } from "./reader.js";
import { configuredSources, SignalsHeard } from "./signals-heard.js";

/** The few things the daemon's readiness needs from the controller (src/runtime/controller.ts has them). */
export interface ReadinessController {
  onSignal: ((signal: Signal) => void) | null;
  onOperationStart: ((pair: string) => void) | null;
  activeSide(name: string): RegionRole;
  busy(name: string): boolean;
  audit(pair?: string): Promise<AuditEntry[]>;
  appendAudit(pair: string, entries: AuditEntry[]): void;
  failoverPlan(pair: string): CutoverPlan;
}

/** Starts continuous readiness next to a running controller; `stop` ends its loop. */
export function startReadiness(
  config: EffectiveConfig,
  ports: ReadinessPorts,
  controller: ReadinessController,
  log: Logger,
  clock: Clock = systemClock(),
): { api: ReadinessApi; monitor: ReadinessMonitor; stop(): Promise<void> } {
  const heard = new SignalsHeard(configuredSources(config.signals), clock.now());
  controller.onSignal = (signal) => heard.note(signal, clock.now());
  const monitor = new ReadinessMonitor(
    config,
    ports,
    {
      activeSide: (name) => controller.activeSide(name),
      busy: (name) => controller.busy(name),
      signalsHeard: () => heard.snapshot(),
      audit: (name) => controller.audit(name),
      appendAudit: (name, entries) => controller.appendAudit(name, entries),
    },
    clock,
    log,
  );
  controller.onOperationStart = (pair) => monitor.yieldToOperation(pair);
  const abort = new AbortController();
  const loop = monitor.run(abort.signal);
  return {
    monitor,
    api: { readiness: (pair) => monitor.get(pair), plan: (pair) => monitor.plan(pair, controller.failoverPlan(pair)), metrics: () => monitor.metrics() },
    stop: async () => {
      abort.abort();
      await loop;
    },
  };
}
