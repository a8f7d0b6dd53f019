import type { GatewayProbePort, ProbeResult } from "../../../src/ports/probe.js";

/** Gateway probes answered from a table: every URL answers 200 unless its gateway is marked failing. */
export class FakeProbe implements GatewayProbePort {
  readonly calls: { url: string; hostHeader: string }[] = [];
  private readonly failing = new Map<string, { status: number; remaining: number; skip: number }>();

  /** Probes of URLs starting with `prefix` answer `status`, `times` times (default: until cleared), after `skip` good answers. */
  fail(prefix: string, status: number, times = Infinity, skip = 0): void {
    this.failing.set(prefix, { status, remaining: times, skip });
  }

  clear(prefix: string): void {
    this.failing.delete(prefix);
  }

  async probe(url: string, hostHeader: string): Promise<ProbeResult> {
    this.calls.push({ url, hostHeader });
    const rule = [...this.failing].find(([prefix, r]) => url.startsWith(prefix) && r.remaining > 0)?.[1];
    if (!rule || rule.skip-- > 0) return { ok: true, statusCode: 200, latencyMs: 12 };
    rule.remaining--;
    return { ok: false, statusCode: rule.status, latencyMs: 12, error: `HTTP ${rule.status}` };
  }
}
