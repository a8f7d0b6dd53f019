import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Signal } from "../../../src/ports/signal.js";
import { decodePayload, type DecodeOptions } from "../../../src/signals/decode/index.js";

export const SAMPLES_DIR = fileURLToPath(new URL("../../fixtures/azure-samples/", import.meta.url));

/** Published sample files (the folder's own README.md excluded). */
export function sampleFiles(): string[] {
  return readdirSync(SAMPLES_DIR).filter((f) => f !== "README.md").sort();
}

export function sampleText(name: string): string {
  return readFileSync(SAMPLES_DIR + name, "utf8");
}

export function sampleJson(name: string): Record<string, unknown> {
  return JSON.parse(sampleText(name)) as Record<string, unknown>;
}

/** Decodes and asserts success, returning the signals. */
export function signalsOf(body: unknown, options?: DecodeOptions): Signal[] {
  const result = decodePayload(body, options);
  if (!result.ok) expect.fail(`expected signals, got error: ${result.error}`);
  return result.signals;
}

/** Decodes and asserts failure, returning the error message. */
export function errorOf(body: unknown, options?: DecodeOptions): string {
  const result = decodePayload(body, options);
  if (result.ok) expect.fail(`expected an error, got ${JSON.stringify(result.signals)}`);
  return result.error;
}

/** A common-alert-schema envelope around an alertContext (the published per-service samples are only the alertContext). */
export function commonAlert(essentials: Record<string, unknown>, alertContext: unknown): Record<string, unknown> {
  return {
    schemaId: "azureMonitorCommonAlertSchema",
    data: {
      essentials: {
        alertId: "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/00000000-aaaa-bbbb-cccc-000000000001",
        alertRule: "apim-dr-test-rule",
        severity: "Sev1",
        signalType: "Metric",
        monitorCondition: "Fired",
        monitoringService: "Platform",
        alertTargetIDs: [APIM_WEU],
        firedDateTime: "2026-12-01T08:45:00.1234567Z",
        essentialsVersion: "1.0",
        alertContextVersion: "1.0",
        ...essentials,
      },
      alertContext,
    },
  };
}

export const APIM_WEU = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-dr/providers/Microsoft.ApiManagement/service/apim-weu";
export const APIM_WEU_ALERT_ID = "/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/00000000-aaaa-bbbb-cccc-000000000001";

export const SIGNAL_KEYS = ["id", "kind", "source", "resourceId", "region", "status", "observedAt", "summary", "attributes"];
