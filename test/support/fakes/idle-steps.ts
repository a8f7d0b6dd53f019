import { fromCallback, type EventObject } from "xstate";
import type { CheckBackupInput, CheckPrimaryInput, OperationInput, SwitchDnsInput, VerifyCutoverInput, VerifyGatewayInput } from "../../../src/machine/step-inputs.js";

const idle = <TInput>() => fromCallback<EventObject, TInput>(() => {});

/** Step actors that do nothing: a test plays their results as events to exercise the machine's decisions alone. */
export function idleStepActors() {
  return {
    checkBackup: idle<CheckBackupInput>(),
    checkPrimary: idle<CheckPrimaryInput>(),
    takeBackup: idle<OperationInput>(),
    restoreBackup: idle<OperationInput>(),
    verifyGateway: idle<VerifyGatewayInput>(),
    switchDns: idle<SwitchDnsInput>(),
    verifyCutover: idle<VerifyCutoverInput>(),
  };
}
