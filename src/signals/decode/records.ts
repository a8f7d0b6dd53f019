import type { Signal } from "../../ports/signal.js";
import { looksLikeActivityEvent, toActivityEvent } from "./activity-event.js";
import { activitySignals } from "./activity-log.js";
import { DecodeError } from "./errors.js";
import { gatewaySignals, readGatewayRequest, type GatewayRequest } from "./gateway-logs.js";
import { isObject, key, stringOnly } from "./json-fields.js";
import type { DecodeContext } from "./options.js";

/**
 * Records as diagnostic settings stream them (`{"records":[…]}`), or a single bare record or
 * activity-log event. GatewayLogs records are judged together per region; activity-log records
 * by category; records of other resource-log categories carry no health and give no signal.
 * One bad record fails the whole payload, with the record's index, so the event is dead-lettered whole.
 */
export function decodeRecords(records: unknown[], ctx: DecodeContext, label: (index: number) => string): Signal[] {
  const signals: Signal[] = [];
  const requests: GatewayRequest[] = [];
  records.forEach((record, index) => {
    try {
      if (!isObject(record)) throw new DecodeError("is not a JSON object");
      if (key(stringOnly(record, "category")) === "gatewaylogs") requests.push(readGatewayRequest(record));
      else if (looksLikeActivityEvent(record)) signals.push(...activitySignals(toActivityEvent(record)));
      else {
        throw new DecodeError(
          'has no "category"; expected a resource-log record (GatewayLogs, Administrative, ResourceHealth, ServiceHealth, …) or an activity-log event',
        );
      }
    } catch (error) {
      if (error instanceof DecodeError) throw new DecodeError(`${label(index)}${error.message}`);
      throw error;
    }
  });
  return [...signals, ...gatewaySignals(requests, ctx)];
}
