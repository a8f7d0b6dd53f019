import { normalizeRegion, type Signal } from "../../ports/signal.js";
import { activityCategory, toActivityEvent } from "./activity-event.js";
import { activitySignals } from "./activity-log.js";
import { parseAzureTime } from "./azure-time.js";
import { DecodeError } from "./errors.js";
import { get, isObject, key, num, object, text, type JsonObject } from "./json-fields.js";
import type { DecodeContext } from "./options.js";
import { idKey, resourceName } from "./resource-id.js";
import { parseSeverity } from "./severity.js";
import { signalId } from "./signal-id.js";

const ENVELOPE = '{"schemaId":"azureMonitorCommonAlertSchema","data":{"essentials":{…},"alertContext":{…}}}';
// Budget and cost alerts say nothing about health.
const NON_HEALTH_SERVICES = new Set(["costalerts", "budget", "budgets"]);

/**
 * A common-alert-schema alert. Resource Health and Service Health alerts are decoded from their
 * activity-log alertContext; Administrative activity-log alerts become change signals; other
 * activity-log alerts (Policy, Autoscale, Security, Recommendation) and cost alerts give none.
 * Every other alert (metric, log search, smart detector, Prometheus, …) is health by severity
 * when Fired and healthy when Resolved, one signal per alert target.
 */
export function decodeCommonAlert(payload: JsonObject, ctx: DecodeContext): Signal[] {
  const data = object(payload, "data");
  const essentials = object(data, "essentials");
  if (!essentials) throw new DecodeError(`common alert schema payload has no data.essentials; expected ${ENVELOPE}`);
  const alertContext = object(data, "alertContext") ?? {};
  const service = text(essentials, "monitoringService");
  const serviceKey = key(service);
  if (NON_HEALTH_SERVICES.has(serviceKey)) return [];

  const alertId = text(essentials, "alertId");
  if (!alertId) throw new DecodeError("alert has no essentials.alertId; expected the alert instance's resource id");
  const condition = monitorCondition(essentials);
  const targets = alertTargets(essentials);
  const firedAt = get(essentials, "firedDateTime");

  const activity = (category: "ResourceHealth" | "ServiceHealth" | "Administrative") => {
    const event = toActivityEvent(alertContext, { category, resourceId: targets[0] ?? null });
    if (event.time.raw === undefined) event.time = { raw: firedAt, field: "essentials.firedDateTime" };
    const identity = [alertId.toLowerCase(), condition, parseAzureTime(firedAt, "essentials.firedDateTime")];
    return activitySignals(event, { viaAlert: true, identity });
  };
  if (serviceKey === "resourcehealth") return activity("ResourceHealth");
  if (serviceKey === "servicehealth") return activity("ServiceHealth");
  if (serviceKey.startsWith("activitylog")) {
    return activityCategory(serviceKey.slice("activitylog".length)) === "Administrative" ? activity("Administrative") : [];
  }
  return healthAlertSignals(essentials, alertContext, alertId, condition, targets, ctx);
}

function healthAlertSignals(
  essentials: JsonObject,
  alertContext: JsonObject,
  alertId: string,
  condition: "Fired" | "Resolved",
  targets: string[],
  ctx: DecodeContext,
): Signal[] {
  const rule = text(essentials, "alertRule") ?? "(unnamed rule)";
  const rawSeverity = text(essentials, "severity");
  const severity = parseSeverity(rawSeverity);
  if (condition === "Fired" && !severity) {
    throw new DecodeError(`alert "${rule}": severity ${JSON.stringify(rawSeverity ?? null)} is not one of Sev0, Sev1, Sev2, Sev3, Sev4`);
  }
  const observedAt = condition === "Fired" ? parseAzureTime(get(essentials, "firedDateTime"), "essentials.firedDateTime") : resolvedTime(essentials, alertContext);
  const status = condition === "Resolved" ? "healthy" : ctx.severity[severity!];
  const region = alertRegion(alertContext);
  const service = text(essentials, "monitoringService");
  const signalType = text(essentials, "signalType");
  // The alert instance keeps its id from Fired to Resolved: the evaluator keeps the newest state per id.
  const attributes: Record<string, string> = { alertRule: rule, monitorCondition: condition, alertId };
  if (severity) attributes.severity = severity;
  if (service) attributes.monitoringService = service;
  if (signalType) attributes.signalType = signalType;
  const what = describeCondition(alertContext);
  const via = [service, signalType].filter(Boolean).join(" ");

  return (targets.length ? targets : [null]).map((target) => ({
    id: signalId("alert", [alertId.toLowerCase(), condition, observedAt, idKey(target)]),
    kind: "health" as const,
    source: "alert" as const,
    resourceId: target,
    region,
    status,
    observedAt,
    summary:
      `${severity ? `${severity} ` : ""}alert "${rule}" ${condition.toLowerCase()} on ${resourceName(target)}` +
      (via ? ` (${via})` : "") +
      (what ? `: ${what}` : ""),
    attributes,
  }));
}

function monitorCondition(essentials: JsonObject): "Fired" | "Resolved" {
  const raw = text(essentials, "monitorCondition");
  if (key(raw) === "fired") return "Fired";
  if (key(raw) === "resolved") return "Resolved";
  throw new DecodeError(`alert essentials.monitorCondition ${JSON.stringify(raw ?? null)} is not Fired or Resolved`);
}

/** resolvedDateTime exists only on metric alerts; other resolved alerts are dated by the evaluation (window end, analysis time) that cleared them. */
function resolvedTime(essentials: JsonObject, alertContext: JsonObject): string {
  if (get(essentials, "resolvedDateTime") !== undefined) return parseAzureTime(get(essentials, "resolvedDateTime"), "essentials.resolvedDateTime");
  const windowEnd = get(object(alertContext, "condition"), "windowEndTime");
  if (windowEnd !== undefined) return parseAzureTime(windowEnd, "alertContext.condition.windowEndTime");
  const searchEnd = get(alertContext, "SearchIntervalEndtimeUtc");
  if (searchEnd !== undefined) return parseAzureTime(searchEnd, "alertContext.SearchIntervalEndtimeUtc");
  const analysedAt = get(alertContext, "AnalysisTimestamp"); // smart detector alerts
  if (analysedAt !== undefined) return parseAzureTime(analysedAt, "alertContext.AnalysisTimestamp");
  throw new DecodeError("resolved alert has no essentials.resolvedDateTime nor an evaluation window end time to date it by");
}

/** Essentials say `alertTargetIDs` although the field table says `alertTargetIds`; both are read. */
function alertTargets(essentials: JsonObject): string[] {
  const raw = get(essentials, "alertTargetIDs");
  return Array.isArray(raw) ? raw.filter((t): t is string => typeof t === "string" && t.trim() !== "") : [];
}

/** APIM metrics split by the `Location` dimension; alerts on them name the gateway region there. */
function alertRegion(alertContext: JsonObject): string | null {
  const criteria = get(object(alertContext, "condition"), "allOf");
  const dimensionLists = [
    ...(Array.isArray(criteria) ? criteria.filter(isObject).map((c) => get(c, "dimensions")) : []),
    get(alertContext, "Dimensions"),
  ];
  for (const list of dimensionLists) {
    for (const d of Array.isArray(list) ? list.filter(isObject) : []) {
      const name = key(text(d, "name"));
      if (name === "location" || name === "region") {
        const region = normalizeRegion(text(d, "value"));
        if (region) return region;
      }
    }
  }
  return null;
}

/** `Transactions 78.09 GreaterThan 0.3` for metric-like criteria, `2 results` for log search v1. */
function describeCondition(alertContext: JsonObject): string | null {
  const criteria = get(object(alertContext, "condition"), "allOf");
  const first = Array.isArray(criteria) ? criteria.find(isObject) : undefined;
  if (first) {
    const subject = text(first, "metricName") ?? (text(first, "searchQuery") ? "log query" : null);
    const value = num(first, "metricValue");
    const operator = text(first, "operator");
    const threshold = text(first, "threshold");
    if (subject) return [subject, value, operator, threshold].filter((p) => p !== null).join(" ");
  }
  const results = num(alertContext, "ResultCount");
  return results === null ? null : `${results} result${results === 1 ? "" : "s"}`;
}
