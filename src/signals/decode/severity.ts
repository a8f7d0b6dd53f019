import { DecodeError } from "./errors.js";

export const SEVERITIES = ["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertHealth = "unhealthy" | "degraded";
export type SeverityMapping = Partial<Record<Severity, AlertHealth>>;

export const DEFAULT_SEVERITY_MAPPING: Readonly<Record<Severity, AlertHealth>> = {
  Sev0: "unhealthy",
  Sev1: "unhealthy",
  Sev2: "degraded",
  Sev3: "degraded",
  Sev4: "degraded",
};

/** `"Sev3"`, `"sev3"`, `"3"` or `3` → `"Sev3"`; anything else → null. */
export function parseSeverity(raw: unknown): Severity | null {
  const m = /^(?:sev)?([0-4])$/i.exec(String(raw ?? "").trim());
  return m ? (`Sev${m[1]}` as Severity) : null;
}

/** The default mapping overlaid with `overrides`; throws DecodeError on a key or value it does not know. */
export function resolveSeverityMapping(overrides: SeverityMapping | undefined): Record<Severity, AlertHealth> {
  const mapping = { ...DEFAULT_SEVERITY_MAPPING };
  for (const [name, health] of Object.entries(overrides ?? {})) {
    if (health === undefined) continue;
    const severity = SEVERITIES.find((s) => s === name);
    if (!severity) throw new DecodeError(`invalid severity mapping: "${name}" is not a severity; use one of ${SEVERITIES.join(", ")}`);
    if (health !== "unhealthy" && health !== "degraded") {
      throw new DecodeError(`invalid severity mapping: ${name}=${String(health)}; a fired alert maps to "unhealthy" or "degraded"`);
    }
    mapping[severity] = health;
  }
  return mapping;
}

/** Parses the CLI form `Sev2=unhealthy,Sev3=degraded`; throws DecodeError naming the bad entry. */
export function parseSeverityMapArgument(textValue: string): SeverityMapping {
  const mapping: SeverityMapping = {};
  for (const entry of textValue.split(",").map((e) => e.trim()).filter(Boolean)) {
    const [name, health, ...rest] = entry.split("=").map((p) => p.trim());
    const severity = parseSeverity(name);
    if (!severity || rest.length || (health !== "unhealthy" && health !== "degraded")) {
      throw new DecodeError(`invalid severity mapping "${entry}": write SevN=unhealthy or SevN=degraded (N from 0 to 4), comma-separated`);
    }
    mapping[severity] = health;
  }
  if (Object.keys(mapping).length === 0) {
    throw new DecodeError(`invalid severity mapping "${textValue}": write SevN=unhealthy or SevN=degraded (N from 0 to 4), comma-separated`);
  }
  return mapping;
}
