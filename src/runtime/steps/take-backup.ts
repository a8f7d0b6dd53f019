import type { OperationInput } from "../../machine/step-inputs.js";
import { recordBackup, startBackup } from "../../backup/operations.js";
import { handleOf, idleWaitForStep, operationOf, resolveLocation, stepActor, type StepPorts } from "./run-step.js";

/**
 * Backs a service up. Without an operation in the input it starts the backup and reports the resume token
 * (the machine re-invokes the step with it); with one it resumes polling, so a restart never starts a second backup.
 */
export function takeBackupActor(ports: StepPorts) {
  return stepActor<OperationInput>(ports.clock, async (input, tools) => {
    const { report, signal } = tools;
    if (!input.operation) {
      const handle = await startBackup(ports.apim, ports.clock, input.serviceId, resolveLocation(ports, input.location), idleWaitForStep(input, tools, `backup ${input.location.backupName}`));
      report({ type: "step.operationStarted", step: input.step, operation: operationOf(input.step, handle) });
      return null;
    }
    const handle = handleOf(input.operation);
    await ports.apim.waitForOperation(handle, { signal });
    return { type: "step.backupTaken", step: input.step, backup: await recordBackup(ports.apim, ports.backups, handle, input.location.containerName, signal) };
  });
}
