/** The status endpoint every APIM gateway serves: probes and verification use it unless the configuration names another path. */
export const APIM_STATUS_PATH = "/status-0123456789abcdef";

/** User-Agent of the controller's own gateway probes (the simulator's probe-partition fault cuts exactly these). */
export const PROBE_USER_AGENT = "apim-dr-probe";

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
