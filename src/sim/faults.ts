/** Fault names the simulator understands, with what each option means (also shown in usage errors). */
export const FAULT_NAMES = [
  "region-outage",
  "degrade",
  "flap",
  "slow-restore",
  "restore-failure",
  "storage-outage",
  "dns-tamper",
  "throttle",
  "clock-shift",
  "probe-partition",
  "webhook-failure",
  "webhook-stall",
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export type OutageMode = "503" | "reset" | "timeout";

export interface FaultOptions {
  /** region-outage, flap: how the gateway fails (default 503); probe-partition: reset (default) or timeout. */
  mode?: OutageMode;
  /** region-outage: whether ARM still answers for the region's services (default up). */
  managementPlane?: "up" | "down";
  /** degrade: share of gateway requests answered 500 (default 50). */
  errorPercent?: number;
  /** degrade: added gateway latency (default 0). */
  latencyMs?: number;
  /** flap: length of each down and each up phase (default 10 s). */
  periodMs?: number;
  /** slow-restore: restore duration multiplier (default 3). */
  factor?: number;
  /** restore-failure, throttle: how many calls fail (restore-failure default 1; throttle default 1 unless durationMs). */
  count?: number;
  /** throttle: throttle every ARM call for this long instead of counting. */
  durationMs?: number;
  /** throttle: Retry-After seconds on the 429 (default: the simulator's retryAfterSeconds). */
  retryAfterSeconds?: number;
  /** dns-tamper: the CNAME target written behind the controller's back (default tampered.azure-api.net). */
  cname?: string;
  /** clock-shift: how far back existing backups move. */
  byMs?: number;
}

export interface FaultRequest {
  name: FaultName;
  region?: string | null;
  service?: string | null;
  options?: FaultOptions;
}

export interface ActiveFault {
  name: FaultName;
  region: string | null;
  service: string | null;
  options: FaultOptions;
  /** ms since epoch when it was set. */
  since: number;
  /** restore-failure / throttle: calls still to fail. */
  remaining: number | null;
  /** throttle with durationMs: when it ends. */
  until: number | null;
}

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Checks option values so a bad fault request fails loudly instead of doing something odd. */
export function validateFaultOptions(name: FaultName, o: FaultOptions): void {
  const positive = (key: keyof FaultOptions, value: number | undefined, allowZero = false) => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new Error(`fault '${name}': option ${key} must be a ${allowZero ? "non-negative" : "positive"} number, got ${value}`);
    }
  };
  if (o.mode !== undefined && !["503", "reset", "timeout"].includes(o.mode)) {
    throw new Error(`fault '${name}': option mode must be 503, reset or timeout, got '${o.mode}'`);
  }
  if (o.managementPlane !== undefined && !["up", "down"].includes(o.managementPlane)) {
    throw new Error(`fault '${name}': option managementPlane must be up or down, got '${o.managementPlane}'`);
  }
  if (o.errorPercent !== undefined && !(o.errorPercent >= 0 && o.errorPercent <= 100)) {
    throw new Error(`fault '${name}': option errorPercent must be between 0 and 100, got ${o.errorPercent}`);
  }
  positive("latencyMs", o.latencyMs, true);
  positive("periodMs", o.periodMs);
  positive("factor", o.factor);
  positive("count", o.count);
  positive("durationMs", o.durationMs);
  positive("retryAfterSeconds", o.retryAfterSeconds, true);
  positive("byMs", o.byMs);
  if (name === "probe-partition" && o.mode === "503") {
    throw new Error("fault 'probe-partition': option mode must be reset or timeout (a partition never reaches the gateway, so nothing answers 503)");
  }
  if (name === "clock-shift" && o.byMs === undefined) {
    throw new Error("fault 'clock-shift' needs option byMs (or --by 31d on the command line): how far back to move existing backups");
  }
}

/** Parses `31d`, `12h`, `90m`, `30s`, `500ms` or a plain number of milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new Error(`'${text}' is not a duration: write e.g. 31d, 12h, 90m, 30s or 500ms`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? "ms"]!;
  return Number(match[1]) * factor;
}

/** The set of active faults with their scope rules. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];

  list(): ActiveFault[] {
    this.expire(Date.now());
    return this.faults.map((f) => ({ ...f, options: { ...f.options } }));
  }

  set(request: FaultRequest, now: number): ActiveFault {
    const options = request.options ?? {};
    const region = request.region ?? null;
    const service = request.service ?? null;
    this.clear(request.name, region, service, true);
    const counted = request.name === "restore-failure" || (request.name === "throttle" && options.durationMs === undefined);
    const fault: ActiveFault = {
      name: request.name,
      region,
      service,
      options,
      since: now,
      remaining: counted ? (options.count ?? 1) : null,
      until: request.name === "throttle" && options.durationMs !== undefined ? now + options.durationMs : null,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Clears faults of that name; with a scope only the one with exactly that scope. Returns what was cleared. */
  clear(name: FaultName, region: string | null, service: string | null, exactScope = false): ActiveFault[] {
    const matches = (f: ActiveFault) =>
      f.name === name && (exactScope || region !== null || service !== null ? f.region === region && f.service === service : true);
    const cleared = this.faults.filter(matches);
    this.faults = this.faults.filter((f) => !matches(f));
    return cleared;
  }

  clearAll(): ActiveFault[] {
    const all = this.faults;
    this.faults = [];
    return all;
  }

  /** The first active fault of that name whose scope covers the service (or, unscoped target, any global fault). */
  find(name: FaultName, target: { region: string; service: string } | null, now: number): ActiveFault | undefined {
    this.expire(now);
    return this.faults.find(
      (f) =>
        f.name === name &&
        (f.region === null || (target !== null && f.region === target.region)) &&
        (f.service === null || (target !== null && f.service.toLowerCase() === target.service.toLowerCase())),
    );
  }

  /** Uses one of a counted fault's failures; removes it when none remain. */
  consume(fault: ActiveFault): void {
    if (fault.remaining === null) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
  }

  private expire(now: number): void {
    this.faults = this.faults.filter((f) => f.until === null || f.until > now);
  }
}

/** Whether a flapping gateway is in a down phase: down first, then up, alternating every periodMs. */
export function flapIsDown(fault: ActiveFault, now: number): boolean {
  const period = fault.options.periodMs ?? 10_000;
  return Math.floor((now - fault.since) / period) % 2 === 0;
}
