import type { VerifyGatewayInput } from "../../machine/step-inputs.js";
import type { StepPorts } from "./run-step.js";
import { statusUrl, stepActor } from "./run-step.js";

/** Probes a gateway's status endpoint with the custom hostname: passes only on a 2xx answer. Read-only. */
export async function probeGateway(ports: StepPorts, input: VerifyGatewayInput, signal: AbortSignal): Promise<string> {
  const gatewayUrl = input.gatewayUrl ?? (await ports.apim.getService(input.serviceId, signal)).gatewayUrl;
  const url = statusUrl(gatewayUrl, ports.probePath);
  const result = await ports.probe.probe(url, input.hostname, ports.probeTimeoutMs ?? 10_000, signal);
  if (!result.ok) {
    throw new Error(`gateway ${url} did not answer for ${input.hostname}: ${result.statusCode === null ? (result.error ?? "no response") : `HTTP ${result.statusCode}`}`);
  }
  return `gateway ${url} answered HTTP ${result.statusCode ?? "?"} for ${input.hostname} in ${result.latencyMs} ms`;
}

export function verifyGatewayActor(ports: StepPorts) {
  return stepActor<VerifyGatewayInput>(ports.clock, async (input, { signal }) => ({
    type: "step.verified",
    step: input.step,
    detail: await probeGateway(ports, input, signal),
  }));
}
