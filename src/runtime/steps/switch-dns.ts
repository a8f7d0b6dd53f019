import { planDnsChange } from "../../machine/decide.js";
import type { SwitchDnsInput } from "../../machine/step-inputs.js";
import { AzureOperationError } from "../../ports/errors.js";
import { stepActor, type StepPorts } from "./run-step.js";

function isPreconditionFailed(error: unknown): boolean {
  return error instanceof AzureOperationError && (error.statusCode === 412 || error.code === "PreconditionFailed");
}

/**
 * Moves the CNAME. Reads the record first: already at the target → no write (a re-run after a restart);
 * anywhere but the expected value → conflict, never a blind overwrite; else writes with If-Match on the etag read.
 */
export function switchDnsActor(ports: StepPorts) {
  return stepActor<SwitchDnsInput>(ports.clock, async (input, { signal }) => {
    const record = await ports.dns.getCname(input.zoneId, input.recordName, signal);
    const plan = planDnsChange(record, input.recordName, input.expected, input.target);
    if (plan.action === "skip") return { type: "step.dnsSwitched", step: input.step, wrote: false, cname: input.target };
    if (plan.action === "conflict") return { type: "step.dnsConflict", step: input.step, reason: plan.reason };
    try {
      await ports.dns.setCname(input.zoneId, input.recordName, { cname: input.target, ttl: input.ttl }, { ifMatch: plan.etag }, signal);
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      return {
        type: "step.dnsConflict",
        step: input.step,
        reason: `CNAME ${input.recordName} changed between our read and our write (412 Precondition Failed on etag ${plan.etag}): not overwriting it`,
      };
    }
    return { type: "step.dnsSwitched", step: input.step, wrote: true, cname: input.target };
  });
}
