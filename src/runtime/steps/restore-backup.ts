import type { OperationInput } from "../../machine/step-inputs.js";
import { startRestore } from "../../backup/operations.js";
import { handleOf, idleWaitForStep, operationOf, resolveLocation, stepActor, type StepPorts } from "./run-step.js";

/**
 * Restores a backup into a service. Without an operation in the input it starts the restore and reports the
 * resume token (the machine re-invokes the step with it); with one it resumes polling, so a restart never
 * starts a second restore.
 */
export function restoreBackupActor(ports: StepPorts) {
  return stepActor<OperationInput>(ports.clock, async (input, tools) => {
    const { report, signal } = tools;
    if (!input.location.backupName) throw new Error(`${input.step} has no backup to restore: the machine chose none`);
    if (!input.operation) {
      const handle = await startRestore(ports.apim, ports.clock, input.serviceId, resolveLocation(ports, input.location), idleWaitForStep(input, tools, `restore of ${input.location.backupName}`));
      report({ type: "step.operationStarted", step: input.step, operation: operationOf(input.step, handle) });
      return null;
    }
    await ports.apim.waitForOperation(handleOf(input.operation), { signal });
    return { type: "step.restored", step: input.step, backupName: input.operation.backupName };
  });
}
