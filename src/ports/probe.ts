export interface ProbeResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error?: string;
}

/** Synthetic request to a gateway's status endpoint, addressed with the custom hostname. */
export interface GatewayProbePort {
  probe(url: string, hostHeader: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;
}
