import { describeError } from "../ports/errors.js";
import type { Logger } from "./logger.js";

/**
 * A promise rejection nobody handled is a bug, but Node 20 ends the process on one by default: a DR controller
 * must not die of it in the middle of an incident. Each is logged with its stack and counted (/metrics) instead.
 */
export function keepRunningOnUnexpectedErrors(log: Logger): { count(): number; dispose(): void } {
  let count = 0;
  const onRejection = (error: unknown) => {
    count++;
    log.error({ err: describeError(error), stack: error instanceof Error ? error.stack : undefined }, "unexpected unhandled rejection (a bug; please report it): logged and counted, the controller keeps running");
  };
  process.on("unhandledRejection", onRejection);
  return { count: () => count, dispose: () => process.off("unhandledRejection", onRejection) };
}
