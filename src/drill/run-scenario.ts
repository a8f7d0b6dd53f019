import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { startSimulatedAzure, type SimulatedAzure } from "../sim/index.js";
import type { SimStats } from "../sim/state.js";
import { ControllerClient } from "../server/controller-client.js";
import type { AuditEntry } from "../ports/state.js";
import type { PairStatus } from "../server/controller-api.js";
import { ADMIN_TOKEN_ENV } from "../server/admin-server.js";
import { ControllerProcess } from "./controller-process.js";
import { simControllerConfig, simEnv } from "../sim/controller-config.js";
import { checkExpectations, phasesFrom } from "./expectations.js";
import type { ScenarioResult, StageResult, TimelineEntry } from "./report-types.js";
import type { Scenario, ScenarioStep } from "./scenario.js";
import type { PairReadiness } from "../readiness/render.js";
import type { PreconditionBreak } from "../sim/preconditions.js";

const PAIR = "contoso";
const POLL_MS = 250;
const DRILL_TOKEN = "drill-admin-token";

/** What a scenario run observed, for the expectations. */
export interface Observation {
  scenario: Scenario;
  status: PairStatus | null;
  stats: SimStats;
  audit: AuditEntry[];
  t0: number;
  outageAt: number | null;
  primaryRevisionAtOutage: number | null;
  /** Restores the standby had started when the outage began. */
  standbyRestoresAtOutage: number | null;
  sim: SimulatedAzure;
  /** States seen while polling, for `hold` and `noFailover`. */
  statesSeen: string[];
  stages: StageResult[];
  /** The controller's readiness at the end (null when it had none). */
  readiness: PairReadiness | null;
  /** When the last precondition break was applied, and when readiness first reported its check NOT READY (the round's time). */
  breakAt: number | null;
  breakReportedAt: number | null;
  readinessIntervalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const AUDIT_SETTLE_MS = 10_000;
const NOTIFY_SETTLE_MS = 10_000;

/**
 * The audit trail once it has caught up with the pair's state: the controller appends entries
 * after the transition the status already shows, so an early read would miss the last steps.
 */
async function settledAudit(client: ControllerClient, refresh: () => Promise<PairStatus | null>): Promise<AuditEntry[]> {
  const deadline = Date.now() + AUDIT_SETTLE_MS;
  for (;;) {
    const status = await refresh();
    const audit = await client.audit(PAIR);
    const last = audit.filter((e) => e.type === "transition").at(-1);
    // No transition at all: the pair never left its initial state.
    if (!status || !last || last.state === status.state || Date.now() > deadline) return audit;
    await sleep(POLL_MS);
  }
}

/** Runs one scenario against a fresh simulator and a real controller process. */
export async function runScenario(scenario: Scenario, workDir: string, progress: (line: string) => void = () => {}): Promise<ScenarioResult> {
  await mkdir(workDir, { recursive: true });
  const t0 = Date.now();
  const timeline: TimelineEntry[] = [];
  let lastState = "starting";
  const note = (event: string, detail: string) => {
    const entry = { atMs: Date.now() - t0, event, state: lastState, detail };
    timeline.push(entry);
    progress(`  ${(entry.atMs / 1000).toFixed(1).padStart(6)} s  ${event}: ${detail}`);
  };
  const sim = await startSimulatedAzure({
    stateDir: join(workDir, "sim"),
    world: {
      ...(scenario.world?.standbySku ? { standby: { skuName: scenario.world.standbySku } } : {}),
      ...(scenario.world?.primarySku ? { primary: { skuName: scenario.world.primarySku } } : {}),
    },
    ...(scenario.simulator ?? {}),
  });
  const configPath = join(workDir, "config.yaml");
  const config = await simControllerConfig(sim, scenario.config ?? {});
  await writeFile(configPath, stringify(config));
  const readinessIntervalMs = (config.readiness?.intervalSeconds ?? 300) * 1000;
  let breakAt: number | null = null;
  let breakReportedAt: number | null = null;
  const readinessNow = async () => (client ? client.readiness(PAIR).catch(() => null) : null);
  const controller = new ControllerProcess(configPath, { ...simEnv(sim), [ADMIN_TOKEN_ENV]: DRILL_TOKEN, APIM_DR_LOG_LEVEL: "info" }, join(workDir, "controller.log"));
  const side = (s: "primary" | "standby" | undefined) => (s === "standby" ? sim.services.standby : sim.services.primary);
  let client: ControllerClient | null = null;
  let status: PairStatus | null = null;
  const statesSeen: string[] = [];
  let outageAt: number | null = null;
  let primaryRevisionAtOutage: number | null = null;
  let standbyRestoresAtOutage: number | null = null;
  let error: string | undefined;
  const stages: StageResult[] = [];
  // The newest configuration state: the revision reached by the last change made on the instance serving traffic.
  let newestRevision = sim.stats().services[sim.services.primary.name]!.revision;
  const activeSide = () => (status && status.activeRegion === sim.services.standby.region ? "standby" : "primary");

  const refresh = async () => {
    if (!client) return status;
    try {
      status = await client.getPair(PAIR);
    } catch {
      return status; // the controller may be down on purpose (killController)
    }
    if (status.state !== lastState) {
      lastState = status.state;
      statesSeen.push(status.state);
    }
    return status;
  };
  const auditSays = async (text: string) => {
    try {
      return !!client && (await client.audit(PAIR)).some((entry) => (entry.reason ?? "").includes(text));
    } catch {
      return false; // the controller may be down on purpose (killController)
    }
  };
  const startController = async () => {
    client = new ControllerClient(await controller.start(), DRILL_TOKEN);
    note("controller", `apim-dr run listening on ${client.baseUrl}`);
    await refresh();
  };

  const runStep = async (step: ScenarioStep) => {
    if ("fault" in step) {
      const { name, on, options, outage } = step.fault;
      if ((outage ?? ["region-outage", "flap", "degrade"].includes(name)) && outageAt === null) {
        outageAt = Date.now();
        const before = sim.stats().services;
        primaryRevisionAtOutage = before[sim.services.primary.name]!.revision;
        standbyRestoresAtOutage = before[sim.services.standby.name]!.restores.started;
      }
      await sim.fault(name, on ? { region: side(on).region } : {}, options ?? {});
      note("fault", `${name}${on ? ` on ${on} (${side(on).region})` : ""}${options ? ` ${JSON.stringify(options)}` : ""}`);
    } else if ("clearFault" in step) {
      const { name, on } = step.clearFault;
      sim.clearFault(name, on ? { region: side(on).region } : undefined);
      note("fault cleared", `${name}${on ? ` on ${on}` : ""}`);
    } else if ("change" in step) {
      await refresh();
      const revision = sim.change(side(step.change.on).name, step.change.count);
      if (step.change.on === activeSide()) newestRevision = revision;
      note("config change", `${step.change.count} change(s) on ${step.change.on}, revision ${revision}`);
    } else if ("operator" in step) {
      if (!client) throw new Error("operator step while the controller is not running");
      const { action, reason, planned } = step.operator;
      const result = await client.command(PAIR, action, { reason: reason ?? `drill ${scenario.name}`, actor: "drill", ...(planned !== undefined ? { planned } : {}) });
      note("operator", `${action} accepted (${result.state})${reason ? `: ${reason}` : ""}`);
    } else if ("waitFor" in step) {
      const w = step.waitFor;
      const deadline = Date.now() + w.timeoutSeconds * 1000;
      const describe = [w.readinessNotReady && `readiness ${w.readinessNotReady} NOT READY`, w.state && `state ${w.state}`, w.decision && `decision "${w.decision}"`, w.auditIncludes && `audit entry "${w.auditIncludes}"`, w.restoresStarted !== undefined && `${w.restoresStarted} restore(s) started`, w.backupsSucceeded !== undefined && `${w.backupsSucceeded} backup(s)`, w.standbyBackupsSucceeded !== undefined && `${w.standbyBackupsSucceeded} standby backup(s)`, w.noUnbackedChanges && "no unbacked change", w.backupRecorded && "a backup recorded by the controller", w.primaryVerdict && `primary ${w.primaryVerdict}`, w.standbyVerdict && `standby ${w.standbyVerdict}`].filter(Boolean).join(" and ");
      for (;;) {
        const s = await refresh();
        const stats = sim.stats();
        const ok =
          (!w.state || (s?.state ?? "").startsWith(w.state)) &&
          (!w.decision || (s?.lastDecision?.reason ?? "").includes(w.decision)) &&
          (w.restoresStarted === undefined || stats.services[sim.services.standby.name]!.restores.started >= w.restoresStarted) &&
          (w.backupsSucceeded === undefined || stats.services[sim.services.primary.name]!.backups.succeeded >= w.backupsSucceeded) &&
          (w.standbyBackupsSucceeded === undefined || stats.services[sim.services.standby.name]!.backups.succeeded >= w.standbyBackupsSucceeded) &&
          (!w.noUnbackedChanges || (s?.backup.unbackedChanges === 0 && s.backup.running === null)) &&
          (!w.backupRecorded || (s?.backup.latest ?? null) !== null) &&
          (!w.primaryVerdict || s?.health.primary.verdict === w.primaryVerdict) &&
          (!w.standbyVerdict || s?.health.standby.verdict === w.standbyVerdict);
        let readinessOk = true;
        if (w.readinessNotReady) {
          const r = await readinessNow();
          const hit = r?.checks.find((c) => c.check === w.readinessNotReady && c.status === "NOT READY");
          readinessOk = !!hit;
          if (hit && breakAt !== null && breakReportedAt === null) breakReportedAt = Date.parse(r!.checkedAt);
        }
        if (ok && readinessOk && (!w.auditIncludes || (await auditSays(w.auditIncludes)))) break;
        if (Date.now() > deadline) throw new Error(`waited ${w.timeoutSeconds} s for ${describe}; the pair is ${s?.state ?? "unknown"}${s?.lastDecision ? ` (last decision: ${s.lastDecision.reason})` : ""}`);
        await sleep(POLL_MS);
      }
      note("reached", describe);
    } else if ("hold" in step) {
      const end = Date.now() + step.hold.seconds * 1000;
      while (Date.now() < end) {
        const s = await refresh();
        if (step.hold.notState && s?.state.startsWith(step.hold.notState)) throw new Error(`the pair entered ${s.state} during a hold that forbids ${step.hold.notState}: ${s.lastDecision?.reason ?? ""}`);
        await sleep(POLL_MS);
      }
      note("held", `${step.hold.seconds} s${step.hold.notState ? ` without ${step.hold.notState}` : ""}`);
    } else if ("stage" in step) {
      await refresh();
      const active = activeSide();
      const activeRevision = sim.stats().services[side(active).name]!.revision;
      const dataLossChanges = Math.max(0, newestRevision - activeRevision);
      stages.push({ name: step.stage.name, atMs: Date.now() - t0, active, newestRevision, activeRevision, dataLossChanges, maxDataLoss: step.stage.maxDataLoss });
      note("stage", `${step.stage.name}: the ${active} serves traffic at revision ${activeRevision}, newest ${newestRevision}: ${dataLossChanges} change(s) lost`);
    } else if ("killController" in step) {
      await controller.kill();
      note("controller", "killed with SIGKILL");
      client = null;
    } else if ("startController" in step) {
      await startController();
    } else if ("break" in step) {
      const { name, on, days, ttl } = step.break;
      breakAt = Date.now();
      breakReportedAt = null;
      const changed = await sim.breakPrecondition(name as PreconditionBreak, { ...(on ? { service: side(on).name } : {}), ...(days !== undefined ? { days } : {}), ...(ttl !== undefined ? { ttl } : {}) });
      note("precondition broken", `${name}: ${changed}`);
    } else if ("forge" in step) {
      const published = sim.forge(side(step.forge.on).name);
      note("forged", `${published} forged outage event(s) about the ${step.forge.on} on the hub (Resource Health Unavailable PlatformInitiated, metric and log alerts); the ${step.forge.on} stays healthy`);
    }
  };

  try {
    await startController();
    for (const step of scenario.steps) await runStep(step);
  } catch (e) {
    error = (e as Error).message;
    note("error", error);
  }
  let audit: AuditEntry[] = [];
  const readiness = await readinessNow();
  try {
    if (client) audit = await settledAudit(client, refresh);
  } catch (e) {
    error ??= `could not read the controller's final state: ${(e as Error).message}`;
  }
  // Notifications leave after the records that cause them: give expected ones a moment to arrive.
  const expectedNotifications = scenario.expect.notified ?? [];
  for (let waited = 0; waited < NOTIFY_SETTLE_MS && !expectedNotifications.every((w) => sim.stats().webhooks.deliveries.some((d) => d.target === w.target && d.event === w.event)); waited += POLL_MS) await sleep(POLL_MS);
  const stats = sim.stats();
  await controller.stop();
  await sim.stop();

  const observation: Observation = { scenario, status, stats, audit, t0, outageAt, primaryRevisionAtOutage, standbyRestoresAtOutage, sim, statesSeen, stages, readiness, breakAt, breakReportedAt, readinessIntervalMs };
  const outcome = checkExpectations(observation);
  for (const entry of audit) {
    // Operator commands are already on the timeline from the drill's side.
    if (entry.type === "transition" || entry.verdict === "alert") {
      timeline.push({ atMs: Date.parse(entry.at) - t0, event: entry.type === "transition" ? `→ ${entry.state}` : entry.type, state: entry.state ?? "", detail: entry.reason ?? entry.verdict ?? "" });
    }
  }
  timeline.sort((a, b) => a.atMs - b.atMs);
  return {
    name: scenario.name,
    description: scenario.description,
    passed: !error && outcome.expectations.every((e) => e.passed),
    ...outcome,
    stages,
    readiness,
    durationMs: Date.now() - t0,
    phases: phasesFrom(audit, t0, outageAt),
    timeline,
    ...(error ? { error } : {}),
  };
}
