import type { VerifyCutoverInput } from "../../machine/step-inputs.js";
import { stepActor, type StepPorts } from "./run-step.js";
import { probeGateway } from "./verify-gateway.js";

/** Confirms the CNAME points at the new side and that side's gateway answers for the custom hostname. Read-only. */
export function verifyCutoverActor(ports: StepPorts) {
  return stepActor<VerifyCutoverInput>(ports.clock, async (input, { signal }) => {
    const record = await ports.dns.getCname(input.zoneId, input.recordName, signal);
    const cname = record?.cname?.replace(/\.$/, "").toLowerCase() ?? null;
    if (cname !== input.expected.replace(/\.$/, "").toLowerCase()) {
      throw new Error(`CNAME ${input.recordName} points at ${record?.cname ?? "nothing"}, expected ${input.expected} after the switch`);
    }
    const detail = await probeGateway(ports, input, signal);
    return { type: "step.verified", step: input.step, detail: `CNAME ${input.recordName} → ${input.expected}; ${detail}` };
  });
}
