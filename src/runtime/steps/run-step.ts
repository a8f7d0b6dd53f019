import { fromCallback, type EventObject } from "xstate";
import type { ApimPort, BackupLocation, OperationHandle } from "../../ports/apim.js";
import type { IdleWait } from "../../backup/operations.js";
import type { BackupStorePort } from "../../ports/backups.js";
import { linkedAbort } from "../../ports/abort.js";
import type { Clock } from "../../ports/clock.js";
import type { DnsPort } from "../../ports/dns.js";
import { AzureOperationError, describeError } from "../../ports/errors.js";
import { APIM_STATUS_PATH, type GatewayProbePort } from "../../ports/probe.js";
import type { InFlightOperation, StepEvent, StepName } from "../../machine/types.js";
import type { OperationInput } from "../../machine/step-inputs.js";

/** What the step actors act through. */
export interface StepPorts {
  apim: ApimPort;
  dns: DnsPort;
  backups: BackupStorePort;
  probe: GatewayProbePort;
  clock: Clock;
  /** Resolves an access-key reference (e.g. an environment variable name) to the key, at call time only. */
  resolveAccessKey(ref: string): string;
  /** Per-probe timeout, default 10 s. */
  probeTimeoutMs?: number;
  /** The path verification probes: the configured probes' path, so a verified gateway is one the probes see healthy (default APIM_STATUS_PATH). */
  probePath?: string;
  /** How long the primary's management plane may take to answer before it counts as down, default 15 s. */
  managementTimeoutMs?: number;
}

/** A step event before the wrapper stamps `at` from the clock. */
export type StepReport = StepEvent extends infer E ? (E extends StepEvent ? Omit<E, "at"> : never) : never;

export interface StepTools {
  /** Sends an intermediate event (e.g. step.operationStarted) to the machine. */
  report(event: StepReport): void;
  signal: AbortSignal;
}

/**
 * Wraps a step body as a callback actor: waits for the persisted retry deadline, runs the body, and sends its
 * result (or `step.failed`) back with `at` from the clock. Stopping the actor aborts the body.
 */
export function stepActor<TInput extends { step: StepName; notBefore: number | null }>(
  clock: Clock,
  body: (input: TInput, tools: StepTools) => Promise<StepReport | null>,
) {
  return fromCallback<EventObject, TInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const send = (event: StepReport) => {
      if (!controller.signal.aborted) sendBack({ ...event, at: clock.now() });
    };
    const run = async () => {
      const wait = input.notBefore === null ? 0 : input.notBefore - clock.now();
      if (wait > 0) await clock.sleep(wait, controller.signal);
      const result = await body(input, { report: send, signal: controller.signal });
      if (result) send(result);
    };
    run().catch((error: unknown) => {
      if (controller.signal.aborted) return;
      // Azure errors say whether a retry can help; anything else (network, timeouts) is worth another attempt.
      const retryable = error instanceof AzureOperationError ? error.retryable : true;
      send({ type: "step.failed", step: input.step, error: describeError(error), retryable });
    });
    return () => controller.abort(new Error(`step ${input.step} stopped`));
  });
}

/** Runs `fn` with a signal that aborts after `ms` of clock time (or when `outer` aborts). */
export async function withTimeout<T>(clock: Clock, ms: number, outer: AbortSignal, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { controller, release } = linkedAbort(outer);
  const timer = clock.sleep(ms, controller.signal).then(
    () => {
      const error = new Error(`${what} did not answer within ${ms} ms`);
      controller.abort(error);
      throw error;
    },
    () => new Promise<never>(() => {}),
  );
  try {
    return await Promise.race([fn(controller.signal), timer]);
  } finally {
    release();
    if (!controller.signal.aborted) controller.abort(new Error("done"));
  }
}

/** Failover steps look again often: every second of the wait counts against the RTO, and a GET is cheap. */
const BUSY_POLL_MS = 5_000;

/**
 * How a step waits while another management operation runs on the service (a warm-standby refresh, a scheduled
 * backup, or an operation this controller started just before a crash): reported once, with no time limit; the
 * operator sees it in the status and can abort.
 */
export function idleWaitForStep(input: { step: StepName }, tools: StepTools, next: string): IdleWait {
  let reported = false;
  return {
    pollMs: BUSY_POLL_MS,
    signal: tools.signal,
    onBusy: (service) => {
      if (reported) return;
      reported = true;
      tools.report({ type: "step.waiting", step: input.step, reason: `${service.name} has a management operation in progress (provisioning state ${service.provisioningState}): the ${next} starts when it has finished` });
    },
  };
}

/** The port-level backup location, with the access key resolved now and never stored. */
export function resolveLocation(ports: StepPorts, location: OperationInput["location"]): BackupLocation {
  const { access, ...rest } = location;
  switch (access.type) {
    case "AccessKey":
      return { ...rest, access: { type: "AccessKey", accessKey: ports.resolveAccessKey(access.accessKeyRef) } };
    case "SystemAssignedManagedIdentity":
      return { ...rest, access: { type: "SystemAssignedManagedIdentity" } };
    case "UserAssignedManagedIdentity":
      return { ...rest, access: { type: "UserAssignedManagedIdentity", clientId: access.clientId } };
  }
}

export function handleOf(operation: InFlightOperation): OperationHandle {
  const { step: _step, ...handle } = operation;
  return handle;
}

export function operationOf(step: StepName, handle: OperationHandle): InFlightOperation {
  return { step, ...handle };
}

/** The gateway's status endpoint at `path`. */
export function statusUrl(gatewayUrl: string, path = APIM_STATUS_PATH): string {
  return `${gatewayUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}
