import { resolveHealthSettings, type HealthSettings } from "../health/config.js";
import type { HealthConfig } from "./schema.js";

const SECOND = 1000;
const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * SECOND);

/**
 * The health evaluator's settings for a config's `health` section: its defaults overlaid with
 * what the file sets. Throws HealthSettingsError (e.g. a quorum larger than the number of groups).
 */
export function healthSettingsFrom(health: HealthConfig): HealthSettings {
  const overrides: Partial<HealthSettings> = {
    quorum: health.quorum,
    confirmationWindowMs: ms(health.confirmationWindowSeconds),
    stalenessMs: ms(health.stalenessSeconds),
    recoveryWindowMs: ms(health.recoveryWindowSeconds),
    maxClockSkewMs: ms(health.maxClockSkewSeconds),
    groups: health.groups?.map((g) => ({
      name: g.name,
      sources: g.sources,
      ...(g.stalenessSeconds !== undefined ? { stalenessMs: g.stalenessSeconds * SECOND } : {}),
      ...(g.observer !== undefined ? { observer: g.observer } : {}),
    })),
    authoritative: health.authoritative?.map((rule) => ({
      sources: rule.sources,
      status: rule.status,
      confirms: rule.confirms,
      ...(rule.attributes ? { attributes: rule.attributes } : {}),
    })),
  };
  // Unset fields must not overwrite the defaults with undefined.
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<HealthSettings>;
  return resolveHealthSettings(defined);
}
