import type { GatewayProbePort, ProbeResult } from "../../../src/ports/probe.js";

/** Gateway probes answered from a table: every URL answers 200 unless its gateway is marked failing. */
export class FakeProbe implements GatewayProbePort {
  readonly calls: { url: string; hostHeader: string }[] = [];
  /** Gateway base URLs (prefixes) that answer with this status code. */
  readonly failing = new Map<string, number>();

  async probe(url: string, hostHeader: string): Promise<ProbeResult> {
    this.calls.push({ url, hostHeader });
    const status = [...this.failing].find(([prefix]) => url.startsWith(prefix))?.[1];
    return status === undefined ? { ok: true, statusCode: 200, latencyMs: 12 } : { ok: false, statusCode: status, latencyMs: 12, error: `HTTP ${status}` };
  }
}
