/** Public surface of the health evaluator: signals in, per-region verdicts and machine events out. */
export { createEvaluator, type HealthEvaluator, type PairHealth, type ObserverStatus, type BothUnhealthy, type ObserveOutcome, type RejectReason } from "./evaluator.js";
export type { PairSpec, PairMember } from "./attribution.js";
export type { RegionRole } from "../ports/region.js";
export type { RegionVerdict, Verdict } from "./region-state.js";
export { verdictEvents, type HealthEvent, type HealthEventType } from "./pair-events.js";
export {
  defaultHealthSettings,
  resolveHealthSettings,
  validateHealthSettings,
  HealthSettingsError,
  type HealthSettings,
  type SourceGroup,
  type AuthoritativeRule,
} from "./config.js";
