import { APIM_SERVICE, DNS_ZONE, parseArmId } from "./arm-id.js";
import { normalizeRegion } from "../ports/signal.js";
import { formatPath } from "./problems.js";
import type { LocatedProblem } from "./secrets.js";

// Rules that relate several fields. They read the raw document defensively, so they are
// reported together with the field-level problems rather than only after those are fixed.

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const record = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function crossCheck(raw: unknown): LocatedProblem[] {
  const root = record(raw);
  const pairs = Array.isArray(root.pairs) ? root.pairs.map(record) : [];
  return [...pairNames(pairs), ...servicesUsedOnce(pairs), ...trafficUsedOnce(pairs), ...pairs.flatMap(pairRules), ...eventHubsRules(root), ...coordinationRules(root)];
}

/** Two pairs moving the same hostname or the same DNS record would each overwrite the other's cutover. */
function trafficUsedOnce(pairs: Record<string, unknown>[]): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const check = (what: string, keyOf: (pair: Record<string, unknown>) => string | undefined, field: Array<string>) => {
    const seen = new Map<string, number>();
    pairs.forEach((pair, i) => {
      const key = keyOf(pair)?.toLowerCase().replace(/\.$/, "");
      if (!key) return;
      const first = seen.get(key);
      if (first === undefined) return void seen.set(key, i);
      const names = [pairs[first]!.name, pair.name].map((n) => `'${text(n) ?? "?"}'`).join(" and ");
      problems.push({ path: ["pairs", i, ...field], message: `pairs ${names} use the same ${what} "${key}" (also ${formatPath(["pairs", first, ...field])}); each pair needs its own` });
    });
  };
  check("custom hostname", (pair) => text(pair.customHostname), ["customHostname"]);
  check("DNS record", (pair) => {
    const dns = record(pair.dns);
    const zone = text(dns.zoneId);
    const name = text(dns.recordName);
    return zone && name ? `${name} in ${zone}` : undefined;
  }, ["dns", "recordName"]);
  return problems;
}

function pairNames(pairs: Record<string, unknown>[]): LocatedProblem[] {
  const seen = new Map<string, number>();
  const problems: LocatedProblem[] = [];
  pairs.forEach((pair, i) => {
    const name = text(pair.name);
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else problems.push({ path: ["pairs", i, "name"], message: `duplicate pair name "${name}" (also ${formatPath(["pairs", first, "name"])}); pair names must be unique` });
  });
  return problems;
}

function servicesUsedOnce(pairs: Record<string, unknown>[]): LocatedProblem[] {
  const seen = new Map<string, Array<string | number>>();
  const problems: LocatedProblem[] = [];
  pairs.forEach((pair, i) => {
    for (const role of ["primary", "standby"] as const) {
      const id = text(record(pair[role]).serviceId)?.toLowerCase();
      if (!id || !parseArmId(id, APIM_SERVICE)) continue;
      const path = ["pairs", i, role, "serviceId"];
      const first = seen.get(id);
      if (!first) seen.set(id, path);
      else problems.push({ path, message: `the same APIM service is already ${formatPath(first)}; each service may appear once, as one pair's primary or standby` });
    }
  });
  return problems;
}

function pairRules(pair: Record<string, unknown>, i: number): LocatedProblem[] {
  const problems: LocatedProblem[] = [];
  const primaryRegion = normalizeRegion(text(record(pair.primary).region));
  const standbyRegion = normalizeRegion(text(record(pair.standby).region));
  if (primaryRegion && primaryRegion === standbyRegion) {
    problems.push({
      path: ["pairs", i, "standby", "region"],
      message: `same region as the primary ("${primaryRegion}"); the standby must be in another region to survive a regional outage`,
    });
  }
  const dns = record(pair.dns);
  const zone = parseArmId(text(dns.zoneId) ?? "", DNS_ZONE);
  const recordName = text(dns.recordName);
  const customHostname = text(pair.customHostname);
  if (zone && recordName && customHostname) {
    const fqdn = recordName === "@" ? zone.name : `${recordName}.${zone.name}`;
    if (fqdn.toLowerCase() !== customHostname.toLowerCase()) {
      problems.push({
        path: ["pairs", i, "dns", "recordName"],
        message: `record "${recordName}" in zone "${zone.name}" is ${fqdn}, not the customHostname "${customHostname}"; the CNAME that moves must be the custom hostname`,
      });
    }
  }
  return problems;
}

function eventHubsRules(root: Record<string, unknown>): LocatedProblem[] {
  const hubs = record(record(root.signals).eventHubs);
  if (!("eventHubs" in record(root.signals))) return [];
  const problems: LocatedProblem[] = [];
  const path = ["signals", "eventHubs"];
  const byConnectionString = "connectionStringEnv" in hubs;
  const byNamespace = "fullyQualifiedNamespace" in hubs;
  if (byConnectionString === byNamespace) {
    problems.push({
      path,
      message: byConnectionString
        ? "both connectionStringEnv and fullyQualifiedNamespace are set; keep one"
        : "set connectionStringEnv (name of a variable holding the connection string) or fullyQualifiedNamespace (with azure.credential)",
    });
  }
  if ("checkpoint" in hubs && text(record(root.stateStore).type) !== "blob") {
    problems.push({
      path: [...path, "checkpoint"],
      message: "checkpoints are kept in the state storage account; use stateStore.type: blob, or remove checkpoint (reading then starts at the newest events)",
    });
  }
  return problems;
}

/** Default renew deadline: two thirds of the lease, as client-go's leader election (15 s lease, 10 s deadline). */
export function defaultRenewDeadlineSeconds(leaseDurationSeconds: number): number {
  return Math.round((leaseDurationSeconds * 2) / 3);
}

/**
 * Lease duration > renew deadline > renew interval: a leader must get at least one renewal attempt before its deadline,
 * and must stop acting (deadline) before the lease can expire and another replica take over.
 */
function coordinationRules(root: Record<string, unknown>): LocatedProblem[] {
  if (!("coordination" in root)) return [];
  const c = record(root.coordination);
  const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  const lease = num(c.leaseDurationSeconds, 15);
  const deadline = num(c.renewDeadlineSeconds, defaultRenewDeadlineSeconds(lease));
  const interval = num(c.renewIntervalSeconds, 3);
  const problems: LocatedProblem[] = [];
  if (deadline >= lease) {
    problems.push({
      path: ["coordination", "renewDeadlineSeconds"],
      message: `${deadline} s is not below leaseDurationSeconds (${lease} s): a leader must stop acting before its lease can expire and another replica takes over; use at most ${lease - 1}`,
    });
  }
  if (interval >= deadline) {
    problems.push({
      path: ["coordination", "renewIntervalSeconds"],
      message: `${interval} s cannot renew before the renew deadline (${deadline} s) and the lease (${lease} s) expire; use at most ${Math.max(1, Math.floor(deadline / 2))} so a failed renewal is retried in time`,
    });
  }
  const probes = record(record(root.signals).probes);
  const probeInterval = num(probes.intervalSeconds, 10);
  if ("probes" in record(root.signals) && typeof c.verdictMaxAgeSeconds === "number" && c.verdictMaxAgeSeconds <= probeInterval) {
    problems.push({
      path: ["coordination", "verdictMaxAgeSeconds"],
      message: `${c.verdictMaxAgeSeconds} s is not above signals.probes.intervalSeconds (${probeInterval} s): replicas publish their verdicts every probe round, so each would be ignored before the next arrives; use at least ${2 * probeInterval}`,
    });
  }
  const hubs = record(record(root.signals).eventHubs);
  if ("eventHubs" in record(root.signals) && (text(hubs.consumerGroup) ?? "$Default").toLowerCase() === "$default") {
    problems.push({
      path: ["signals", "eventHubs", "consumerGroup"],
      message: `each replica reads every partition through its own consumer group; replicas sharing one split the partitions and each sees part of the signals: set e.g. consumerGroup: apim-dr-${text(c.replicaId) ?? "<replica id>"}`,
    });
  }
  if (text(record(root.stateStore).type) !== "blob") {
    problems.push({
      path: ["stateStore", "type"],
      message: "replicas hand a pair over through its stored state: with coordination, use stateStore.type: blob in an account every replica reaches",
    });
  }
  return problems;
}
