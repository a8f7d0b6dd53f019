import type { Signal } from "../../ports/signal.js";
import { looksLikeActivityEvent, toActivityEvent } from "./activity-event.js";
import { activitySignals } from "./activity-log.js";
import { decodeCommonAlert } from "./common-alert.js";
import { DecodeError } from "./errors.js";
import { get, isObject, key, object, text, type JsonObject } from "./json-fields.js";
import { nestedDeeperThan } from "./json-depth.js";
import { resolveOptions, type DecodeOptions } from "./options.js";
import { decodeRecords } from "./records.js";

export type { DecodeOptions } from "./options.js";
export type { SeverityMapping } from "./severity.js";
export { DEFAULT_SEVERITY_MAPPING, parseSeverityMapArgument } from "./severity.js";
export { DecodeError } from "./errors.js";

export type DecodeResult = { ok: true; signals: Signal[] } | { ok: false; error: string };

/** Azure's payloads nest about ten levels; anything far deeper is not one of them (and would overflow recursive code). */
export const MAX_PAYLOAD_DEPTH = 64;

const EXPECTED =
  'expected a common alert schema object (schemaId "azureMonitorCommonAlertSchema"), a {"records":[…]} wrapper, or an activity-log event';

/**
 * Decodes one Event Hubs event body (parsed JSON, text or bytes) into normalized signals.
 * Never throws: a payload that cannot be decoded gives `{ ok: false, error }` with a one-line
 * message that says what was expected. Non-health payloads (budget, autoscale, policy, …) give
 * `{ ok: true, signals: [] }`.
 */
export function decodePayload(body: unknown, options?: DecodeOptions): DecodeResult {
  try {
    const ctx = resolveOptions(options);
    const payload = parseBody(body);
    if (nestedDeeperThan(payload, MAX_PAYLOAD_DEPTH)) {
      throw new DecodeError(`payload nested more than ${MAX_PAYLOAD_DEPTH} levels deep: no Azure alert or record is; refused without decoding`);
    }
    if (!isObject(payload)) throw new DecodeError(`unrecognized payload: ${EXPECTED}; got ${describe(payload)}`);
    return { ok: true, signals: decodeObject(payload, ctx) };
  } catch (error) {
    const message = error instanceof DecodeError ? error.message : `decoder failed unexpectedly: ${(error as Error)?.message ?? String(error)}`;
    return { ok: false, error: message.replace(/\s+/g, " ").trim() };
  }
}

function decodeObject(payload: JsonObject, ctx: ReturnType<typeof resolveOptions>): Signal[] {
  const schemaId = text(payload, "schemaId");
  if (schemaId) {
    switch (key(schemaId)) {
      case "azuremonitorcommonalertschema":
        return decodeCommonAlert(payload, ctx);
      case "microsoft.insights/activitylogs":
        return decodeLegacyActivityLogWebhook(payload);
      case "aipbudgetnotification":
        return [];
      default:
        throw new DecodeError(
          `unrecognized payload: schemaId "${schemaId}" is not decoded by apim-dr; ${EXPECTED} (enable the common alert schema on the action group)`,
        );
    }
  }
  const records = get(payload, "records");
  if (records !== undefined) {
    if (!Array.isArray(records)) throw new DecodeError(`unrecognized payload: "records" is ${describe(records)}; expected {"records":[…]}`);
    return decodeRecords(records, ctx, (i) => `records[${i}]: `);
  }
  if (get(payload, "alertContext") !== undefined) {
    throw new DecodeError(
      'unrecognized payload: an "alertContext" section without the common alert schema envelope; expected {"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{…},"alertContext":{…}}}',
    );
  }
  if (looksLikeActivityEvent(payload)) return decodeRecords([payload], ctx, () => "");
  throw new DecodeError(`unrecognized payload: ${EXPECTED}; got ${describe(payload)}`);
}

/** The pre-common-schema activity-log alert webhook: `{"schemaId":"Microsoft.Insights/activityLogs","data":{"context":{"activityLog":{…}}}}`. */
function decodeLegacyActivityLogWebhook(payload: JsonObject): Signal[] {
  const activityLog = object(object(object(payload, "data"), "context"), "activityLog");
  if (!activityLog) throw new DecodeError('activity-log webhook has no data.context.activityLog; expected {"schemaId":"Microsoft.Insights/activityLogs","data":{"context":{"activityLog":{…}}}}');
  return activitySignals(toActivityEvent(activityLog));
}

function parseBody(body: unknown): unknown {
  const textBody = body instanceof Uint8Array ? Buffer.from(body).toString("utf8") : body;
  if (typeof textBody !== "string") {
    if (textBody === undefined || textBody === null) throw new DecodeError("empty payload: expected a JSON object");
    return textBody;
  }
  const source = textBody.replace(/^\uFEFF/, "");
  if (source.trim() === "") throw new DecodeError("empty payload: expected a JSON object");
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new DecodeError(`not JSON: ${(error as Error).message}`);
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a JSON array";
  if (value === null) return "null";
  if (isObject(value)) {
    const keys = Object.keys(value);
    return keys.length ? `an object with keys ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", …" : ""}` : "an empty object";
  }
  return `a JSON ${typeof value}`;
}
