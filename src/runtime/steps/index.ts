import { failoverMachine } from "../../machine/failover-machine.js";
import { checkBackupActor } from "./check-backup.js";
import { checkPrimaryActor } from "./check-primary.js";
import { restoreBackupActor } from "./restore-backup.js";
import type { StepPorts } from "./run-step.js";
import { switchDnsActor } from "./switch-dns.js";
import { takeBackupActor } from "./take-backup.js";
import { verifyCutoverActor } from "./verify-cutover.js";
import { verifyGatewayActor } from "./verify-gateway.js";

export type { StepPorts } from "./run-step.js";

/** The real step actors, built from ports, for `failoverMachine.provide({ actors })`. */
export function createStepActors(ports: StepPorts) {
  return {
    checkBackup: checkBackupActor(ports),
    checkPrimary: checkPrimaryActor(ports),
    takeBackup: takeBackupActor(ports),
    restoreBackup: restoreBackupActor(ports),
    verifyGateway: verifyGatewayActor(ports),
    switchDns: switchDnsActor(ports),
    verifyCutover: verifyCutoverActor(ports),
  };
}

/** The failover machine wired to real step actors. */
export function createFailoverMachine(ports: StepPorts) {
  return failoverMachine.provide({ actors: createStepActors(ports) });
}
