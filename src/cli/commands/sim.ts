import { readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { didYouMean, OperationError, UsageError, parseCommandArgs, type CliCommand, type CliContext } from "../command.js";
import { FAULT_NAMES, isFaultName, parseDuration, type FaultOptions } from "../../sim/faults.js";
import { SIM_EVENTHUBS_ENV, SIM_STORAGE_KEY_ENV, simControllerConfig, simEnvFile } from "../../sim/controller-config.js";
import { startSimulatedAzure, type SimulatedAzure } from "../../sim/index.js";
import { MAX_PAIRS } from "../../sim/world.js";
import { PRECONDITION_BREAK_NAMES, PRECONDITION_BREAKS, isPreconditionBreak } from "../../sim/preconditions.js";

const USAGE = [
  "apim-dr sim start [--json] [--state-dir DIR] [--pairs N] [--arm-port N] [--admin-port N] [--blob-port N] [--eventhubs-port N] [--backup-ms N] [--restore-ms N] [--retry-after SECONDS] [--operation-retry-after SECONDS] [--resource-health-lag D] [--service-health-lag D]",
  "       apim-dr sim fault NAME [--region R] [--service S] [--clear] [--mode 503|reset|timeout] [--management-plane up|down] [--error-percent N] [--latency-ms N] [--period-ms N] [--factor N] [--count N] [--duration D] [--retry-after SECONDS] [--cname HOST] [--by D] [--json] [--state-dir DIR | --admin URL]",
  "       apim-dr sim change --service S [--count N] [--json] [--state-dir DIR | --admin URL]",
  "       apim-dr sim forge --service S [--json] [--state-dir DIR | --admin URL]     # forged outage events on the hub; the service stays healthy",
  "       apim-dr sim stats [--json] [--state-dir DIR | --admin URL]",
  "       apim-dr sim break NAME [--service S] [--days N] [--ttl SECONDS] [--state-dir DIR | --admin URL]   # break one failover precondition (apim-dr check finds it)",
  "       apim-dr sim repair [--state-dir DIR | --admin URL]                  # undo every break",
  `faults: ${FAULT_NAMES.join(", ")}`,
  `breaks: ${PRECONDITION_BREAK_NAMES.join(", ")}`,
].join("\n");

const DEFAULT_STATE_DIR = ".sim";

const LOCATE: [string, string][] = [
  ["--state-dir DIR", "the folder 'sim start' was given (default .sim): its sim.json says where the simulator listens"],
  ["--admin URL", "the simulator's admin API instead (printed by 'sim start')"],
];

type Help = NonNullable<CliCommand["subcommands"]>[string];
const SUBCOMMANDS: Record<string, Help> = {
  start: {
    summary: "start the simulated Azure on 127.0.0.1 and run until Ctrl-C or SIGTERM",
    help: {
      usage: USAGE.split("\n")[0]!.trim(),
      options: [
        ["--json", "print the endpoints as one JSON line (also written to DIR/sim.json)"],
        ["--state-dir DIR", "where sim.json, config.yaml (a controller config for it), sim.env (its secrets) and the CA go (default .sim)"],
        ["--pairs N", `a world of N pairs, each with its own services, hostname and CNAME (1 to ${MAX_PAIRS}; default 1)`],
        ["--arm-port N", "fixed port of ARM, metrics and logs (HTTPS; default: a free port)"],
        ["--admin-port N", "fixed port of the simulator's admin API (faults, changes, stats)"],
        ["--blob-port N", "fixed port of the blob storage (Azurite)"],
        ["--eventhubs-port N", "fixed port of the Event Hubs emulator (AMQP)"],
        ["--backup-ms N", "how long a backup runs (default 1000)"],
        ["--restore-ms N", "how long a restore runs (default 3000)"],
        ["--retry-after SECONDS", "Retry-After on throttling (429) and 503 answers (default 1)"],
        ["--operation-retry-after SECONDS", "Retry-After on backup/restore operation polls (default 60, as real APIM answers)"],
        ["--resource-health-lag D", "delay of Resource Health events on the hub after a fault starts or ends (default 2s; Azure's is tens of seconds)"],
        ["--service-health-lag D", "delay of the Service Health incident of a region-wide outage (default 5s)"],
      ],
      notes: ["D is a duration: 500ms, 30s, 2m. Then: set -a; . .sim/sim.env; set +a and 'apim-dr run --config .sim/config.yaml'."],
      examples: ["apim-dr sim start &", "apim-dr sim start --json --state-dir /tmp/sim --restore-ms 30000", "apim-dr sim start --pairs 50"],
    },
  },
  fault: {
    summary: "start (or with --clear end) a fault in the running simulator",
    help: {
      usage: USAGE.split("\n")[1]!.trim(),
      options: [
        ["--region R", "where: a region (westeurope, northeurope)"],
        ["--service S", "where: one service (name, region or resource id)"],
        ["--clear", "end the fault (of that name, in that scope) instead of starting it"],
        ["--mode 503|reset|timeout", "region-outage, flap: how the gateway fails (default 503); probe-partition: reset (default) or timeout"],
        ["--management-plane up|down", "region-outage: whether ARM still answers for the region's services (default up)"],
        ["--error-percent N", "degrade: share of gateway requests answered 500 (default 50)"],
        ["--latency-ms N", "degrade: added gateway latency (default 0)"],
        ["--period-ms N", "flap: length of each down and each up phase (default 10000)"],
        ["--factor N", "slow-restore: restore duration multiplier (default 3)"],
        ["--count N", "restore-failure, throttle: how many calls fail (default 1)"],
        ["--duration D", "throttle: throttle every ARM call for this long instead of counting"],
        ["--retry-after SECONDS", "throttle: Retry-After on the 429"],
        ["--cname HOST", "dns-tamper: the CNAME written behind the controller's back (default tampered.azure-api.net)"],
        ["--by D", "clock-shift (required): how far back existing backups move, e.g. 31d"],
        ["--json", "print the simulator's answer as JSON"],
        ...LOCATE,
      ],
      notes: [`NAME: ${FAULT_NAMES.join(", ")}.`],
      examples: [
        "apim-dr sim fault region-outage --region westeurope --management-plane down",
        "apim-dr sim fault region-outage --region westeurope --clear",
        "apim-dr sim fault degrade --service apim-contoso-weu --error-percent 30",
      ],
    },
  },
  change: {
    summary: "make configuration changes on a service (what triggers change backups)",
    help: {
      usage: USAGE.split("\n")[2]!.trim(),
      options: [
        ["--service S", "the service to change (name, region or resource id)"],
        ["--count N", "how many changes (default 1)"],
        ["--json", "print the new revision as JSON"],
        ...LOCATE,
      ],
      examples: ["apim-dr sim change --service westeurope", "apim-dr sim change --service apim-contoso-weu --count 3"],
    },
  },
  forge: {
    summary: "publish forged outage events about a healthy service on the Event Hub (the controller must not fail over)",
    help: {
      usage: USAGE.split("\n")[3]!.replace(/\s+#.*$/, "").trim(),
      options: [["--service S", "the service the forged events name (name, region or resource id)"], ["--json", "print the answer as JSON"], ...LOCATE],
      examples: ["apim-dr sim forge --service westeurope"],
    },
  },
  stats: {
    summary: "what the simulator counted: revisions, backups, restores, DNS writes, active faults",
    help: {
      usage: USAGE.split("\n")[4]!.trim(),
      options: [["--json", "everything as one JSON object"], ...LOCATE],
      examples: ["apim-dr sim stats", "apim-dr sim stats --json | jq .dns"],
    },
  },
};

export const command: CliCommand = {
  name: "sim",
  summary: "run the simulated Azure (ARM, gateways, storage, Event Hubs) and inject faults into it",
  usage: USAGE,
  help: { usage: "apim-dr sim start|fault|change|forge|stats [options]", options: [], examples: ["apim-dr sim start &", "apim-dr sim fault --help"] },
  subcommands: SUBCOMMANDS,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    switch (sub) {
      case "start":
        return start(rest, ctx);
      case "fault":
        return fault(rest, ctx);
      case "change":
        return change(rest, ctx);
      case "forge":
        return forge(rest, ctx);
      case "stats":
        return stats(rest, ctx);
      case "break":
        return breakPrecondition(rest, ctx);
      case "repair":
        return repair(rest, ctx);
      default:
        throw new UsageError(`${sub ? `unknown subcommand '${sub}'${didYouMean(sub, Object.keys(SUBCOMMANDS))}` : "missing subcommand"}: use start, fault, change, forge, stats, break or repair\nusage: ${USAGE}`);
    }
  },
};

/** What `sim start --json` prints and writes to sim.json. */
export function simDescriptor(sim: SimulatedAzure, configPath: string, envPath: string) {
  return {
    armEndpoint: sim.armEndpoint,
    metricsEndpoint: sim.metricsEndpoint,
    logsEndpoint: sim.logsEndpoint,
    caCertPath: sim.caCertPath,
    subscriptionId: sim.subscriptionId,
    resourceGroup: sim.resourceGroup,
    workspaceId: sim.workspaceId,
    storage: { blobEndpoint: sim.storage.blobEndpoint, accountName: sim.storage.accountName, connectionString: sim.storage.connectionString },
    gateways: sim.gateways,
    adminUrl: sim.adminUrl,
    eventHubsConnectionString: sim.eventHubsConnectionString,
    eventHubName: sim.eventHubName,
    eventHubsConsumerGroup: sim.eventHubsConsumerGroup,
    configPath,
    envPath,
    services: sim.services,
    pairs: sim.pairs,
    dns: sim.dns,
    customHostname: sim.customHostname,
    pid: process.pid,
  };
}

async function start(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    {
      json: { type: "boolean" },
      "state-dir": { type: "string" },
      pairs: { type: "string" },
      "arm-port": { type: "string" },
      "admin-port": { type: "string" },
      "blob-port": { type: "string" },
      "eventhubs-port": { type: "string" },
      "backup-ms": { type: "string" },
      "restore-ms": { type: "string" },
      "retry-after": { type: "string" },
      "operation-retry-after": { type: "string" },
      "resource-health-lag": { type: "string" },
      "service-health-lag": { type: "string" },
    },
    USAGE,
  );
  const resourceHealthLag = values["resource-health-lag"];
  const serviceHealthLag = values["service-health-lag"];
  const stateDir = resolve(ctx.cwd, values["state-dir"] ?? DEFAULT_STATE_DIR);
  const pairs = number(values.pairs, "--pairs");
  if (pairs !== undefined && (!Number.isInteger(pairs) || pairs < 1 || pairs > MAX_PAIRS)) {
    throw new UsageError(`--pairs ${values.pairs}: give a whole number of pairs from 1 to ${MAX_PAIRS}\nusage: ${USAGE}`);
  }
  const sim = await startSimulatedAzure({
    stateDir,
    ...(pairs !== undefined ? { world: { pairCount: pairs } } : {}),
    ports: {
      arm: port(values["arm-port"], "--arm-port"),
      admin: port(values["admin-port"], "--admin-port"),
      blob: port(values["blob-port"], "--blob-port"),
      eventHubs: port(values["eventhubs-port"], "--eventhubs-port"),
    },
    backupDurationMs: number(values["backup-ms"], "--backup-ms"),
    restoreDurationMs: number(values["restore-ms"], "--restore-ms"),
    retryAfterSeconds: number(values["retry-after"], "--retry-after"),
    operationRetryAfterSeconds: number(values["operation-retry-after"], "--operation-retry-after"),
    ...(resourceHealthLag !== undefined ? { resourceHealthLagMs: duration(resourceHealthLag, "--resource-health-lag") } : {}),
    ...(serviceHealthLag !== undefined ? { serviceHealthLagMs: duration(serviceHealthLag, "--service-health-lag") } : {}),
  });
  const simJsonPath = join(stateDir, "sim.json");
  const envPath = join(stateDir, "sim.env");
  try {
    const configPath = join(stateDir, "config.yaml");
    const descriptor = simDescriptor(sim, configPath, envPath);
    await writeFile(
      configPath,
      `# Written by 'apim-dr sim start' for the simulator running now; endpoints change on every start.\n` +
        `# It names its secrets by environment variable (${SIM_STORAGE_KEY_ENV}, ${SIM_EVENTHUBS_ENV}); load them with: set -a; . ${envPath}; set +a\n` +
        stringify(await simControllerConfig(sim, { listen: "127.0.0.1:7070" })),
    );
    await writeFile(envPath, simEnvFile(sim), { mode: 0o600 });
    await writeFile(simJsonPath, JSON.stringify(descriptor, null, 2) + "\n");
    if (values.json) ctx.out(JSON.stringify(descriptor));
    else {
      ctx.out("simulated Azure is running (Ctrl-C stops it)");
      ctx.out(`  ARM, metrics, logs   ${sim.armEndpoint}   (logs endpoint ${sim.logsEndpoint})`);
      ctx.out(`  trusted CA           ${sim.caCertPath}`);
      ctx.out(`  subscription         ${sim.subscriptionId}`);
      ctx.out(`  blob storage         ${sim.storage.blobEndpoint}   (account ${sim.storage.accountName})`);
      for (const [region, url] of Object.entries(sim.gateways)) ctx.out(`  gateway ${region.padEnd(12)} ${url}   (Host: ${sim.customHostname}${sim.pairs.length > 1 ? ` or another pair's hostname` : ""})`);
      if (sim.pairs.length > 1) ctx.out(`  pairs                ${sim.pairs.length}: ${sim.pairs[0]!.name} … ${sim.pairs.at(-1)!.name} (each with its own hostname and CNAME)`);
      ctx.out(`  Event Hubs           ${sim.eventHubsConnectionString}`);
      ctx.out(`                       hub ${sim.eventHubName}, consumer group ${sim.eventHubsConsumerGroup}`);
      ctx.out(`  admin API            ${sim.adminUrl}`);
      ctx.out(`  controller config    ${configPath}`);
      ctx.out(`  its secrets          ${envPath}   (set -a; . ${envPath}; set +a)`);
    }
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) return done();
      ctx.signal.addEventListener("abort", () => done(), { once: true });
    });
  } finally {
    await sim.stop();
    await rm(simJsonPath, { force: true });
    await rm(envPath, { force: true });
  }
  if (!values.json) ctx.out("simulated Azure stopped");
  return 0;
}

async function fault(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      region: { type: "string" },
      service: { type: "string" },
      clear: { type: "boolean" },
      mode: { type: "string" },
      "management-plane": { type: "string" },
      "error-percent": { type: "string" },
      "latency-ms": { type: "string" },
      "period-ms": { type: "string" },
      factor: { type: "string" },
      count: { type: "string" },
      duration: { type: "string" },
      "retry-after": { type: "string" },
      cname: { type: "string" },
      by: { type: "string" },
      json: { type: "boolean" },
      ...locateOptions,
    },
    USAGE,
    true,
  );
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError(`missing fault name: use one of ${FAULT_NAMES.join(", ")}\nusage: ${USAGE}`);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}': give one fault name\nusage: ${USAGE}`);
  if (!isFaultName(name)) throw new UsageError(`unknown fault '${name}': use one of ${FAULT_NAMES.join(", ")}`);
  const options: FaultOptions = {};
  if (values.mode !== undefined) options.mode = values.mode as FaultOptions["mode"];
  if (values["management-plane"] !== undefined) options.managementPlane = values["management-plane"] as FaultOptions["managementPlane"];
  if (values["error-percent"] !== undefined) options.errorPercent = number(values["error-percent"], "--error-percent");
  if (values["latency-ms"] !== undefined) options.latencyMs = number(values["latency-ms"], "--latency-ms");
  if (values["period-ms"] !== undefined) options.periodMs = number(values["period-ms"], "--period-ms");
  if (values.factor !== undefined) options.factor = number(values.factor, "--factor");
  if (values.count !== undefined) options.count = number(values.count, "--count");
  if (values.duration !== undefined) options.durationMs = duration(values.duration, "--duration");
  if (values["retry-after"] !== undefined) options.retryAfterSeconds = number(values["retry-after"], "--retry-after");
  if (values.cname !== undefined) options.cname = values.cname;
  if (values.by !== undefined) options.byMs = duration(values.by, "--by");
  const admin = await adminUrl(values, ctx);
  const body = { name, region: values.region ?? null, service: values.service ?? null, clear: values.clear === true, options };
  const result = await callAdmin(admin, "POST", "/faults", body);
  if (values.json) ctx.out(JSON.stringify(result));
  else if (values.clear) ctx.out(`cleared ${(result as { cleared: unknown[] }).cleared.length} '${name}' fault(s)`);
  else ctx.out((result as { applied: boolean }).applied ? `applied '${name}'` : `fault '${name}' active${values.region ? ` in ${values.region}` : ""}${values.service ? ` on ${values.service}` : ""}`);
  return 0;
}

async function change(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(args, { service: { type: "string" }, count: { type: "string" }, json: { type: "boolean" }, ...locateOptions }, USAGE);
  if (!values.service) throw new UsageError(`--service is required: name the service (or its region) to change\nusage: ${USAGE}`);
  const admin = await adminUrl(values, ctx);
  const result = (await callAdmin(admin, "POST", "/change", { service: values.service, count: number(values.count, "--count") ?? 1 })) as { service: string; revision: number };
  ctx.out(values.json ? JSON.stringify(result) : `${result.service} is now at revision ${result.revision}`);
  return 0;
}

async function forge(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(args, { service: { type: "string" }, json: { type: "boolean" }, ...locateOptions }, USAGE);
  if (!values.service) throw new UsageError(`--service is required: name the service (or its region) to forge an outage of\nusage: ${USAGE}`);
  const admin = await adminUrl(values, ctx);
  const result = (await callAdmin(admin, "POST", "/forge", { service: values.service })) as { service: string; published: number };
  ctx.out(values.json ? JSON.stringify(result) : `published ${result.published} forged outage event(s) about ${result.service}; the service itself stays healthy`);
  return 0;
}

async function breakPrecondition(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { service: { type: "string" }, days: { type: "string" }, ttl: { type: "string" }, json: { type: "boolean" }, ...locateOptions }, USAGE, true);
  const [name, ...extra] = positionals;
  const list = PRECONDITION_BREAK_NAMES.map((n) => `  ${n.padEnd(24)} ${PRECONDITION_BREAKS[n].what} (caught by: ${PRECONDITION_BREAKS[n].check})`).join("\n");
  if (!name) throw new UsageError(`missing precondition name; the breaks:\n${list}`);
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}': give one precondition name\nusage: ${USAGE}`);
  if (!isPreconditionBreak(name)) throw new UsageError(`unknown precondition '${name}'; the breaks:\n${list}`);
  const admin = await adminUrl(values, ctx);
  const body = { name, ...(values.service ? { service: values.service } : {}), ...(values.days !== undefined ? { days: number(values.days, "--days") } : {}), ...(values.ttl !== undefined ? { ttl: number(values.ttl, "--ttl") } : {}) };
  const result = (await callAdmin(admin, "POST", "/break", body)) as { broken: string; changed: string };
  ctx.out(values.json ? JSON.stringify(result) : `broke '${name}': ${result.changed} (the readiness check '${PRECONDITION_BREAKS[name].check}' should say NOT READY)`);
  return 0;
}

async function repair(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean" }, ...locateOptions }, USAGE);
  const admin = await adminUrl(values, ctx);
  const result = await callAdmin(admin, "POST", "/repair");
  ctx.out(values.json ? JSON.stringify(result) : "every precondition break is repaired");
  return 0;
}

async function stats(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean" }, ...locateOptions }, USAGE);
  const admin = await adminUrl(values, ctx);
  const result = (await callAdmin(admin, "GET", "/stats")) as {
    services: Record<string, { region: string; sku: string; revision: number; restoredFromRevision: number | null; backups: Counts; restores: Counts; gatewayRequests: number }>;
    dns: Record<string, { cname: string | null; writes: number }>;
    faults: { name: string; region: string | null; service: string | null }[];
    webhooks?: { received: number; ok: number; failed: number; stalled: number; deliveries: Array<{ at: number; target: string; event: string | null; pair: string | null; signature: string; answer: string }> };
  };
  if (values.json) {
    ctx.out(JSON.stringify(result));
    return 0;
  }
  for (const [name, s] of Object.entries(result.services)) {
    ctx.out(`${name} (${s.region}, ${s.sku}): revision ${s.revision}, restored from ${s.restoredFromRevision ?? "-"}, backups ${counts(s.backups)}, restores ${counts(s.restores)}, gateway requests ${s.gatewayRequests}`);
  }
  for (const [name, r] of Object.entries(result.dns)) ctx.out(`${name} CNAME ${r.cname ?? "(none)"}, ${r.writes} write(s)`);
  if (result.webhooks) {
    const w = result.webhooks;
    ctx.out(`webhooks: ${w.received} received (${w.ok} answered ok, ${w.failed} failed, ${w.stalled} stalled)`);
    for (const d of w.deliveries.slice(-10)) ctx.out(`  ${new Date(d.at).toISOString()} ${d.target}: ${d.event ?? "?"} for ${d.pair ?? "?"}, signature ${d.signature}, ${d.answer}`);
  }
  ctx.out(result.faults.length ? `faults: ${result.faults.map((f) => `${f.name}${f.region ? `@${f.region}` : ""}${f.service ? `@${f.service}` : ""}`).join(", ")}` : "faults: none");
  return 0;
}

interface Counts {
  started: number;
  succeeded: number;
  failed: number;
}

function counts(c: Counts): string {
  return `${c.succeeded}/${c.started} ok, ${c.failed} failed`;
}

const locateOptions = { "state-dir": { type: "string" }, admin: { type: "string" } } as const;

async function adminUrl(values: { "state-dir"?: string; admin?: string }, ctx: CliContext): Promise<string> {
  if (values.admin) return values.admin.replace(/\/$/, "");
  const dir = values["state-dir"] ?? DEFAULT_STATE_DIR;
  const path = join(resolve(ctx.cwd, dir), "sim.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new OperationError(`no simulator running: start one with 'apim-dr sim start' (looked for ${join(dir, "sim.json")}), or pass --admin URL`);
  }
  try {
    const url = (JSON.parse(text) as { adminUrl?: unknown }).adminUrl;
    if (typeof url !== "string") throw new Error("no adminUrl");
    return url;
  } catch {
    throw new OperationError(`${path} is not a simulator descriptor (no adminUrl): restart the simulator with 'apim-dr sim start'`);
  }
}

async function callAdmin(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(base + path, { method, headers: { "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new OperationError(`no simulator answering at ${base}: start one with 'apim-dr sim start' (its sim.json may be left over from a run that was killed)`);
  }
  const payload = (await res.json().catch(() => ({}))) as { error?: string };
  const message = `the simulator refused ${method} ${path}: ${payload.error ?? `HTTP ${res.status}`}`;
  if (res.status === 400) throw new UsageError(message);
  if (!res.ok) throw new OperationError(message);
  return payload;
}

function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number, got '${text}'`);
  return n;
}

function port(text: string | undefined, flag: string): number | undefined {
  const n = number(text, flag);
  if (n !== undefined && (!Number.isInteger(n) || n > 65_535)) throw new UsageError(`${flag} must be a port number 0-65535, got '${text}'`);
  return n;
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}
