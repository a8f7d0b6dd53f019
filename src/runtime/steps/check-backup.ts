import { newestBackupOf } from "../../backup/latest-backup.js";
import type { CheckBackupInput } from "../../machine/step-inputs.js";
import { describeError } from "../../ports/errors.js";
import { stepActor, withTimeout, type StepPorts } from "./run-step.js";

/** Observes the newest backup of the active instance, the standby's SKU, and whether the primary's management plane answers. Read-only. */
export function checkBackupActor(ports: StepPorts) {
  return stepActor<CheckBackupInput>(ports.clock, async (input, { signal }) => {
    const [all, standby] = await Promise.all([ports.backups.list(input.containerName, signal), ports.apim.getService(input.standbyServiceId, signal)]);
    const choice = newestBackupOf(all, input.activeServiceId, input.baselineName, ports.clock.now());
    const { primaryAnswers, primaryDetail } = primaryIrrelevant(input, choice.newest?.backup.takenAt ?? null, ports.clock.now())
      ? { primaryAnswers: false, primaryDetail: "not asked: the newest backup is within the RPO and holds every change" }
      : await askPrimary(ports, input.primaryServiceId, signal);
    return { type: "step.backupChecked", step: input.step, facts: { latest: choice.newest?.backup ?? null, unverified: choice.unverified.map((b) => b.name), standbySku: standby.skuName, primaryAnswers, primaryDetail } };
  });
}

/** Whether the newest backup decides the failover on its own, so a dead primary's management plane need not be waited for. */
function primaryIrrelevant(input: CheckBackupInput, newestTakenAt: number | null, now: number): boolean {
  const within = input.primaryIrrelevantWithinMs;
  return newestTakenAt !== null && within !== null && within !== undefined && now - newestTakenAt <= within;
}

async function askPrimary(ports: StepPorts, primaryServiceId: string, signal: AbortSignal): Promise<{ primaryAnswers: boolean; primaryDetail: string }> {
  try {
    const primary = await withTimeout(ports.clock, ports.managementTimeoutMs ?? 15_000, signal, "the primary's management plane", (s) => ports.apim.getService(primaryServiceId, s));
    return { primaryAnswers: true, primaryDetail: `provisioning state ${primary.provisioningState}` };
  } catch (error) {
    if (signal.aborted) throw error;
    return { primaryAnswers: false, primaryDetail: describeError(error) };
  }
}
