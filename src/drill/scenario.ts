import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { FAULT_NAMES } from "../sim/faults.js";
import { NOTIFICATION_EVENTS } from "../notify/events.js";
import { PRECONDITION_BREAK_NAMES } from "../sim/preconditions.js";
import { MAX_PAIRS } from "../sim/world.js";
import { CHECK_NAMES } from "../readiness/types.js";
import { configErrorMap, formatPath, problemsFromIssues } from "../config/problems.js";

// A scenario is data: a world, config overrides, a timeline of steps, and expectations.

const side = z.enum(["primary", "standby"]).describe("Which service of the pair: primary or standby.");
const seconds = z.number().positive();
const faultScope = z
  .enum(["region", "service"])
  .default("region")
  .describe("With `on`: the whole region of that service (every pair's service there), or that one service of the drilled pair.");

/** One schema per kind of step; a step is an object with exactly one of these keys. */
const stepKinds = {
  fault: z.strictObject({
    fault: z.strictObject({
      name: z.enum(FAULT_NAMES),
      on: side.optional(),
      scope: faultScope,
      options: z.record(z.string(), z.unknown()).optional(),
      outage: z.boolean().optional(),
    }),
  }),
  clearFault: z.strictObject({ clearFault: z.strictObject({ name: z.enum(FAULT_NAMES), on: side.optional(), scope: faultScope }) }),
  change: z.strictObject({ change: z.strictObject({ on: side.default("primary"), count: z.number().int().positive().default(1) }) }),
  operator: z.strictObject({ operator: z.strictObject({ action: z.enum(["failover", "failback", "approve", "abort", "pause", "resume"]), reason: z.string().optional(), planned: z.boolean().optional() }) }),
  waitFor: z.strictObject({
    waitFor: z.strictObject({
      state: z.string().optional().describe("State path prefix, e.g. failedOver or failingOver.restoring."),
      decision: z.string().optional().describe("Text the last decision's reason contains."),
      auditIncludes: z.string().optional().describe("Text some entry of the controller's audit trail contains (e.g. an operation the machine records no decision for)."),
      restoresStarted: z.number().int().nonnegative().optional().describe("Restores started on the standby, at least."),
      backupsSucceeded: z.number().int().nonnegative().optional().describe("Backups of the primary that succeeded, at least."),
      standbyBackupsSucceeded: z.number().int().nonnegative().optional().describe("Backups of the standby that succeeded, at least."),
      noUnbackedChanges: z.literal(true).optional().describe("The controller counts no configuration change outside a backup and runs no backup."),
      backupRecorded: z.literal(true).optional().describe("The controller has recorded its newest backup (annotated it and shows it in status): wait for it before ageing backups with clock-shift."),
      primaryVerdict: z.string().optional().describe("The primary region's health verdict, e.g. healthy."),
      standbyVerdict: z.string().optional().describe("The standby region's health verdict, e.g. unhealthy."),
      readinessNotReady: z.enum(CHECK_NAMES).optional().describe("The controller's readiness (GET /pairs/{name}/readiness) says this check is NOT READY."),
      leader: z.string().optional().describe("The replica that leads the pair, as a live replica reports it; `none`: no replica leads."),
      timeoutSeconds: seconds.default(60),
    }),
  }),
  hold: z.strictObject({ hold: z.strictObject({ seconds, notState: z.string().optional().describe("Fail if the pair enters a state with this prefix meanwhile.") }) }),
  killController: z.strictObject({ killController: z.strictObject({ replica: z.string().optional().describe("Which replica (default: the only one, or the first).") }) }),
  freezeController: z.strictObject({ freezeController: z.strictObject({ replica: z.string().describe("The replica to freeze with SIGSTOP (a long GC pause, a frozen VM).") }) }),
  leaseStore: z.strictObject({ leaseStore: z.strictObject({ reachable: z.boolean().describe("Cut (false) or restore (true) the replicas' path to their lease store; the state store stays reachable.") }) }),
  probePath: z.strictObject({
    probePath: z.strictObject({ replica: z.string(), on: side, reachable: z.boolean() }).describe("Cut (or restore) one replica's path to a gateway: its probes fail, everyone else's succeed."),
  }),
  thawController: z.strictObject({ thawController: z.strictObject({ replica: z.string().describe("The frozen replica to wake with SIGCONT.") }) }),
  stage: z.strictObject({
    stage: z.strictObject({
      name: z.string().describe("A row of the report: the data loss measured now, on the instance that serves traffic."),
      maxDataLoss: z.number().int().nonnegative().default(0).describe("Changes the active instance may miss at this stage."),
    }),
  }),
  startController: z.strictObject({ startController: z.strictObject({}) }),
  forge: z.strictObject({
    forge: z
      .strictObject({ on: side.default("primary") })
      .describe("Publish forged outage events about a healthy service to the hub (Resource Health Unavailable PlatformInitiated, metric and log alerts); the world stays healthy."),
  }),
  break: z.strictObject({
    break: z
      .strictObject({ name: z.enum(PRECONDITION_BREAK_NAMES as [string, ...string[]]), on: side.optional(), days: z.number().nonnegative().optional(), ttl: z.number().int().positive().optional() })
      .describe("Break one failover precondition in the simulator (apim-dr sim break): configuration, not availability."),
  }),
};
const STEP_KINDS = Object.keys(stepKinds) as Array<keyof typeof stepKinds>;
const step = z.union([stepKinds.fault, stepKinds.clearFault, stepKinds.change, stepKinds.operator, stepKinds.waitFor, stepKinds.hold, stepKinds.killController, stepKinds.freezeController, stepKinds.thawController, stepKinds.leaseStore, stepKinds.probePath, stepKinds.startController, stepKinds.stage, stepKinds.forge, stepKinds.break]);

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  /** Passed to the simulator: e.g. a standby with another SKU. */
  world: z
    .strictObject({
      standbySku: z.string().optional(),
      primarySku: z.string().optional(),
      pairs: z.number().int().min(1).max(MAX_PAIRS).optional().describe("How many pairs the simulator runs and the controller protects (default 1); the drill acts on and watches the first, 'contoso'."),
    })
    .optional(),
  /** Several controller replicas with coordination (a leader per pair by blob lease); the first leads at the start. */
  replicas: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/), region: side.describe("The region of the pair it runs in.") }))
    .min(2)
    .optional(),
  simulator: z.strictObject({ restoreDurationMs: z.number().int().positive().optional(), backupDurationMs: z.number().int().positive().optional() }).optional(),
  /** Merged into the drill's controller config (config/sim.yaml), pair settings under `pair`. */
  config: z
    .strictObject({
      pair: z.record(z.string(), z.unknown()).optional(),
      health: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  steps: z.array(step).min(1),
  expect: z.strictObject({
    finalState: z.string().optional(),
    activeRegion: side.optional(),
    restores: z.number().int().nonnegative().optional().describe("Restores that succeeded, on both services."),
    restoresStarted: z.number().int().nonnegative().optional().describe("Restores started, on both services (retries count)."),
    restoresAfterOutage: z.number().int().nonnegative().optional().describe("Restores started on the standby after the outage began (0: the failover needed none)."),
    cname: z.string().optional().describe("Where the CNAME points at the end."),
    backupsAtLeast: z.number().int().nonnegative().optional(),
    dnsChanges: z.number().int().nonnegative().optional(),
    dataLossChanges: z.number().int().nonnegative().optional(),
    maxRtoSeconds: seconds.optional(),
    noFailover: z.boolean().optional(),
    otherPairsUntouched: z.literal(true).optional().describe("Every pair but the drilled one never left monitoring and kept its CNAME (needs world.pairs > 1)."),
    decisionsInclude: z.array(z.string()).optional(),
    maxBackupAgeSeconds: seconds.optional(),
    notified: z
      .array(
        z.strictObject({
          event: z.enum(NOTIFICATION_EVENTS),
          target: z.string().default("oncall").describe("The simulator config's target: oncall (generic, signed), teams or slack."),
          withinSeconds: seconds.default(5).describe("The webhook received it at most this long after the controller recorded the event."),
        }),
      )
      .optional()
      .describe("Notifications the simulator's webhook receiver must have taken in, e.g. the operator paged within 5 s of awaitingOperator."),
    readinessNotReady: z.array(z.enum(CHECK_NAMES)).optional().describe("Exactly these readiness checks are NOT READY at the end."),
    readinessWithinInterval: z.boolean().optional().describe("The last precondition break was reported NOT READY within one readiness interval."),
    maxTakeoverSeconds: seconds.optional().describe("Leader death (kill or freeze) to the new leader's first action, at most."),
    refusedWritesLoggedBy: z.string().optional().describe("A replica whose log shows a refused (fenced) write, or that it stood down without writing."),
    refusedAuditLoggedBy: z.string().optional().describe("A replica whose log shows an audit append refused because it was no longer the leader (fenced audit writes)."),
    auditSeqsInOrder: z.literal(true).optional().describe("The pair's audit trail has every seq at most once, in increasing order (whichever replica wrote it)."),
  }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioStep = Scenario["steps"][number];

export class ScenarioError extends Error {
  override name = "ScenarioError";
}

export function parseScenario(text: string, source: string): Scenario {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ScenarioError(`${source}: invalid YAML: ${(error as Error).message}`);
  }
  const result = scenarioSchema.safeParse(data, { error: configErrorMap(data) });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) => explainIssue(issue, data)).map((p) => `  ${formatPath(p.path)}: ${p.message}`);
    throw new ScenarioError(`${source}: invalid scenario\n${problems.join("\n")}`);
  }
  return result.data;
}

/**
 * A step that matches no kind fails the union as a whole ("Invalid input"); say instead what is
 * wrong with it, checked against the kind its key names.
 */
function explainIssue(issue: z.core.$ZodIssue, data: unknown): Array<{ path: PropertyKey[]; message: string }> {
  const [top, index] = issue.path;
  if (issue.code !== "invalid_union" || top !== "steps" || typeof index !== "number" || issue.path.length !== 2) return problemsFromIssues([issue]);
  const value = (data as { steps: unknown[] }).steps[index];
  const keys = value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  const kind = STEP_KINDS.find((k) => keys.length === 1 && keys[0] === k);
  if (!kind) {
    const got = keys.length ? `it has ${keys.map((k) => `'${k}'`).join(", ")}` : `it is ${JSON.stringify(value) ?? "empty"}`;
    return [{ path: [...issue.path], message: `a step is an object with exactly one of ${STEP_KINDS.join(", ")}; ${got}` }];
  }
  const inner = stepKinds[kind].safeParse(value, { error: configErrorMap(value) });
  return inner.success ? problemsFromIssues([issue]) : problemsFromIssues(inner.error.issues).map((p) => ({ path: [...issue.path, ...p.path], message: p.message }));
}

export async function loadScenarios(dir: string): Promise<Scenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
  return Promise.all(files.map(async (f) => parseScenario(await readFile(join(dir, f), "utf8"), join(dir, f))));
}
