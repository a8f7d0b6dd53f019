import type { CheckPrimaryInput } from "../../machine/step-inputs.js";
import { stepActor, type StepPorts } from "./run-step.js";

/** Observes both services before a failback: SKUs and whether the primary is idle. Read-only. */
export function checkPrimaryActor(ports: StepPorts) {
  return stepActor<CheckPrimaryInput>(ports.clock, async (input, { signal }) => {
    const [primary, standby] = await Promise.all([ports.apim.getService(input.primaryServiceId, signal), ports.apim.getService(input.standbyServiceId, signal)]);
    return {
      type: "step.primaryChecked",
      step: input.step,
      facts: { primarySku: primary.skuName, standbySku: standby.skuName, primaryProvisioningState: primary.provisioningState },
    };
  });
}
