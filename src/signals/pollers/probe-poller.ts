import type { Clock } from "../../ports/clock.js";
import type { GatewayProbePort } from "../../ports/probe.js";
import type { Signal } from "../../ports/signal.js";
import type { Poller } from "./poll-loop.js";

export interface ProbeTarget {
  region: string;
  /** ARM id of the service behind this gateway. */
  serviceId: string;
  gatewayUrl: string;
}

export interface ProbeSettings {
  hostname: string;
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failures before a region's probe says unhealthy; fewer say degraded. */
  failuresBeforeUnhealthy: number;
}

/**
 * Probes every region's gateway on an interval and turns each round into one probe signal per
 * region. Consecutive failures are counted per region so one lost packet is not an outage.
 */
export class ProbePoller implements Poller {
  readonly name = "probe";
  private failures = new Map<string, number>();

  constructor(
    private readonly targets: ProbeTarget[],
    private readonly settings: ProbeSettings,
    private readonly deps: { probe: GatewayProbePort; clock: Clock },
  ) {}

  /** One round: all regions probed in parallel. */
  async pollOnce(signal?: AbortSignal): Promise<Signal[]> {
    const observedAt = new Date(this.deps.clock.now()).toISOString();
    const signals = await Promise.all(
      this.targets.map(async (target) => {
        const url = new URL(this.settings.path, target.gatewayUrl).toString();
        const result = await this.deps.probe.probe(url, this.settings.hostname, this.settings.timeoutMs, signal);
        const failures = result.ok ? 0 : (this.failures.get(target.region) ?? 0) + 1;
        this.failures.set(target.region, failures);
        const status = failures === 0 ? "healthy" : failures >= this.settings.failuresBeforeUnhealthy ? "unhealthy" : "degraded";
        const outcome = result.ok ? `HTTP ${result.statusCode} in ${result.latencyMs} ms` : `failed (${result.error}), ${failures} in a row`;
        const probeSignal: Signal = {
          id: `probe:${target.region}:${observedAt}`,
          kind: "health",
        channel: "probe",
          source: "probe",
          resourceId: target.serviceId,
          region: target.region,
          status,
          observedAt,
          summary: `probe ${this.settings.hostname}${this.settings.path} via ${target.region} gateway: ${outcome}`,
          attributes: {
            // `failed`/`attempts` read as "probe 3/3 failed" in health reasons.
            failed: Math.min(failures, this.settings.failuresBeforeUnhealthy),
            attempts: this.settings.failuresBeforeUnhealthy,
            consecutiveFailures: failures,
            latencyMs: result.latencyMs,
            ...(result.statusCode ? { statusCode: result.statusCode } : {}),
          },
        };
        return probeSignal;
      }),
    );
    return signals;
  }
}
