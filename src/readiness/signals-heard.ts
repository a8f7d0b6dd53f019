import type { EffectiveConfig } from "../config/index.js";
import type { Signal } from "../ports/signal.js";

/** The configured signal sources, named as the signals check reports them. */
export function configuredSources(signals: EffectiveConfig["signals"]): string[] {
  return [
    ...(signals.eventHubs ? ["eventHubs"] : []),
    ...(signals.metrics ? ["metrics"] : []),
    ...(signals.logs ? ["logs"] : []),
    ...(signals.resourceHealth ? ["resourceHealth"] : []),
    ...(signals.probes ? ["probes"] : []),
  ];
}

/** Which configured source a signal came through: its channel first (Event Hubs carries many kinds), then its source. */
function sourceOf(signal: Signal): string | null {
  if (signal.channel === "probe") return "probes";
  // Another replica's probe verdicts (src/vantage) are no configured source of this one.
  if (signal.channel === "replicas") return null;
  if (signal.channel === "arm") return signal.source === "metric" ? "metrics" : signal.source === "log" ? "logs" : signal.source === "resourceHealth" ? "resourceHealth" : null;
  return "eventHubs";
}

/** When each configured signal source was last heard from (clock time of arrival). */
export class SignalsHeard {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly sources: readonly string[],
    /** When listening started: a source never heard from is silent since then. */
    private readonly since: number,
  ) {}

  note(signal: Signal, now: number): void {
    const source = sourceOf(signal);
    if (source) this.last.set(source, now);
  }

  snapshot(): { since: number; heard: Record<string, number | null> } {
    return { since: this.since, heard: Object.fromEntries(this.sources.map((s) => [s, this.last.get(s) ?? null])) };
  }
}
