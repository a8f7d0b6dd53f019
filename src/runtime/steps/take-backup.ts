import type { OperationInput } from "../../machine/step-inputs.js";
import { handleOf, operationOf, resolveLocation, stepActor, waitUntilIdleForStep, type StepPorts } from "./run-step.js";

/**
 * Backs a service up. Without an operation in the input it starts the backup and reports the resume token
 * (the machine re-invokes the step with it); with one it resumes polling, so a restart never starts a second backup.
 */
export function takeBackupActor(ports: StepPorts) {
  return stepActor<OperationInput>(ports.clock, async (input, tools) => {
    const { report, signal } = tools;
    const { containerName, backupName } = input.location;
    if (!input.operation) {
      // Changes made during another operation may be missing from a backup, and ARM refuses a second one anyway.
      await waitUntilIdleForStep(ports, input, tools, `backup ${backupName}`);
      const handle = await ports.apim.beginBackup(input.serviceId, resolveLocation(ports, input.location), signal);
      report({ type: "step.operationStarted", step: input.step, operation: operationOf(input.step, handle) });
      return null;
    }
    await ports.apim.waitForOperation(handleOf(input.operation), { signal });
    const service = await ports.apim.getService(input.serviceId, signal);
    // A backup holds the configuration as of its start; record that time, the source and its SKU on the blob.
    await ports.backups.annotate(containerName, backupName, { sourceServiceId: service.id.toLowerCase(), sku: service.skuName, takenAt: input.operation.startedAt });
    const record = (await ports.backups.list(containerName, signal)).find((b) => b.name === backupName);
    if (!record) throw new Error(`backup ${backupName} finished but its blob is not in container ${containerName}: check the storage account and the container name`);
    return { type: "step.backupTaken", step: input.step, backup: record };
  });
}
