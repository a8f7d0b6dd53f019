import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createSecureContext } from "node:tls";
import { PROBE_USER_AGENT, type GatewayProbePort, type ProbeResult } from "../../ports/probe.js";

/**
 * Probes a gateway over HTTP(S) with the custom hostname as Host header (and TLS server name), as a
 * client of the custom domain would reach it. `ca` is the CA to trust (the simulator's); its TLS
 * context is built once, not per probe.
 */
export function httpGatewayProbe(options: { ca?: string; now?: () => number } = {}): GatewayProbePort {
  const now = options.now ?? (() => performance.now());
  const secureContext = options.ca ? createSecureContext({ ca: options.ca }) : undefined;
  return {
    probe(url, hostHeader, timeoutMs, signal) {
      const started = now();
      const target = new URL(url);
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      return new Promise<ProbeResult>((resolve) => {
        const finish = (result: Omit<ProbeResult, "latencyMs">) => resolve({ ...result, latencyMs: Math.round(now() - started) });
        const req = send(
          target,
          {
            method: "GET",
            headers: { host: hostHeader, "user-agent": PROBE_USER_AGENT },
            timeout: timeoutMs,
            signal,
            ...(target.protocol === "https:" ? { servername: hostHeader, ...(secureContext ? { secureContext } : {}) } : {}),
          },
          (res) => {
            res.resume();
            const statusCode = res.statusCode ?? 0;
            res.on("end", () =>
              finish(statusCode >= 200 && statusCode < 300 ? { ok: true, statusCode } : { ok: false, statusCode, error: `HTTP ${statusCode}` }),
            );
            res.on("error", (error) => finish({ ok: false, statusCode, error: error.message }));
          },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", (error) => finish({ ok: false, statusCode: null, error: error.message }));
        req.end();
      });
    },
  };
}
