import { DecodeError } from "./errors.js";
import { resolveSeverityMapping, type AlertHealth, type Severity, type SeverityMapping } from "./severity.js";

export interface DecodeOptions {
  /** How a fired alert's severity maps to health. Default: Sev0–Sev1 unhealthy, Sev2–Sev4 degraded. */
  severityMapping?: SeverityMapping;
  /**
   * Share of failed requests (5xx, or a backend 5xx) in one GatewayLogs batch at which a region is
   * degraded or unhealthy. Default: degraded from 0.1, unhealthy from 0.5.
   */
  gatewayFailureRatio?: { degraded?: number; unhealthy?: number };
}

/** Options checked and completed once per payload. */
export interface DecodeContext {
  severity: Record<Severity, AlertHealth>;
  gatewayFailureRatio: { degraded: number; unhealthy: number };
}

export function resolveOptions(options: DecodeOptions | undefined): DecodeContext {
  const degraded = options?.gatewayFailureRatio?.degraded ?? 0.1;
  const unhealthy = options?.gatewayFailureRatio?.unhealthy ?? 0.5;
  const isRatio = (r: number) => Number.isFinite(r) && r > 0 && r <= 1;
  if (!isRatio(degraded) || !isRatio(unhealthy) || degraded > unhealthy) {
    throw new DecodeError(
      `invalid gatewayFailureRatio {degraded: ${degraded}, unhealthy: ${unhealthy}}: use ratios in (0, 1] with degraded <= unhealthy`,
    );
  }
  return { severity: resolveSeverityMapping(options?.severityMapping), gatewayFailureRatio: { degraded, unhealthy } };
}
