import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { startSimulatedAzure, type SimulatedAzure } from "../sim/index.js";
import type { SimStats } from "../sim/state.js";
import { ControllerClient } from "../server/controller-client.js";
import type { AuditEntry } from "../ports/state.js";
import type { PairStatus } from "../server/controller-api.js";
import { ADMIN_TOKEN_ENV } from "../server/admin-server.js";
import { ControllerProcess } from "./controller-process.js";
import { CuttableLink } from "../sim/cuttable-link.js";
import { merge, SIM_STORAGE_KEY_ENV, simControllerConfig, simEnv } from "../sim/controller-config.js";
import { checkExpectations, phasesFrom } from "./expectations.js";
import type { ScenarioResult, StageResult, TimelineEntry } from "./report-types.js";
import type { Scenario, ScenarioStep } from "./scenario.js";
import type { PairReadiness } from "../readiness/render.js";
import type { PreconditionBreak } from "../sim/preconditions.js";
import type { RegionRole } from "../ports/region.js";

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
  /** issue 14: the leader killed or frozen, and how long until another replica acted. */
  takeover?: { at: number; replica: string; ms: number | null; by: string | null } | null;
  /** Each replica's log, by name. */
  logs?: Map<string, string>;
  /** The pairs besides the drilled one (world.pairs > 1): final state and every state their audit trail records. */
  otherPairs: OtherPair[];
}

export interface OtherPair {
  name: string;
  state: string;
  statesEntered: string[];
}

async function readOtherPairs(client: ControllerClient, names: string[]): Promise<OtherPair[]> {
  return Promise.all(
    names.map(async (name) => {
      const [status, audit] = await Promise.all([client.getPair(name), client.audit(name)]);
      const statesEntered = audit.filter((e) => e.type === "transition" && e.state).map((e) => e.state!);
      return { name, state: status.state, statesEntered };
    }),
  );
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
      ...(scenario.world?.pairs ? { pairCount: scenario.world.pairs } : {}),
    },
    ...(scenario.simulator ?? {}),
    ...(scenario.replicas ? { consumerGroups: scenario.replicas.map((r) => r.name) } : {}),
  });
  const side = (s: RegionRole | undefined) => (s === "standby" ? sim.services.standby : sim.services.primary);
  const env = { ...simEnv(sim), [ADMIN_TOKEN_ENV]: DRILL_TOKEN, APIM_DR_LOG_LEVEL: "info" };
  const baseConfig = await simControllerConfig(sim, scenario.config ?? {});
  const readinessIntervalMs = (baseConfig.readiness?.intervalSeconds ?? 300) * 1000;
  let breakAt: number | null = null;
  let breakReportedAt: number | null = null;
  const leaseLink = scenario.replicas ? await CuttableLink.start(Number(new URL(sim.storage.blobEndpoint).port)) : null;
  // One controller, or (issue 14) several replicas, each with its own consumer group, sharing the lease and state accounts.
  const replicas = new Map<string, { process: ControllerProcess; client: ControllerClient | null; frozen?: boolean }>();
  // Each replica reaches each gateway through its own relay, so one replica's probes can be cut alone (split-vantage).
  const gatewayLinks = new Map<string, CuttableLink>();
  for (const r of scenario.replicas ?? [{ name: "controller", region: "primary" as const }]) {
    const configPath = join(workDir, scenario.replicas ? `config-${r.name}.yaml` : "config.yaml");
    let config: unknown = baseConfig;
    if (scenario.replicas) {
      const gatewayUrls: Record<string, string> = {};
      for (const s of ["primary", "standby"] as const) {
        const url = new URL(side(s).gatewayUrl);
        const link = await CuttableLink.start(Number(url.port));
        gatewayLinks.set(`${r.name}/${s}`, link);
        gatewayUrls[s] = `${url.protocol}//127.0.0.1:${link.port}`;
      }
      config = replicaConfig(baseConfig as unknown as Record<string, unknown>, r.name, side(r.region).region, sim, leaseLink!.port, gatewayUrls);
    }
    await writeFile(configPath, stringify(config));
    replicas.set(r.name, { process: new ControllerProcess(configPath, env, join(workDir, scenario.replicas ? `controller-${r.name}.log` : "controller.log")), client: null });
  }
  const replicaNamed = (name: string | undefined) => {
    const replica = name ? replicas.get(name) : [...replicas.values()][0];
    if (!replica) throw new Error(`no replica named '${name}': the scenario has ${[...replicas.keys()].join(", ")}`);
    return replica;
  };
  const faultTarget = (on: RegionRole | undefined, scope: "region" | "service") =>
    !on ? {} : scope === "service" ? { service: side(on).name } : { region: side(on).region };
  let client: ControllerClient | null = null;
  const readinessNow = async () => (client ? client.readiness(PAIR).catch(() => null) : null);
  /** When the leader was killed or frozen, and which replica it was (for the takeover time). */
  let leaderLost: { at: number; replica: string } | null = null;
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
    if (scenario.replicas) {
      // Several replicas: the status of the one that leads the pair (else of any live one).
      let best: { client: ControllerClient; status: PairStatus } | null = null;
      for (const r of replicas.values()) {
        // A frozen replica would hold the poll until the request times out.
        if (!r.client || r.frozen) continue;
        try {
          const s = await r.client.getPair(PAIR);
          if (!best || s.leadership?.role === "leader") best = { client: r.client, status: s };
        } catch {
          // down or frozen on purpose
        }
      }
      if (!best) return status;
      client = best.client;
      status = best.status;
    } else {
    if (!client) return status;
    try {
      status = await client.getPair(PAIR);
    } catch {
      return status; // the controller may be down on purpose (killController)
    }
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
  const startController = async (name?: string) => {
    const replica = replicaNamed(name);
    replica.client = new ControllerClient(await replica.process.start(), DRILL_TOKEN);
    client ??= replica.client;
    if (!scenario.replicas) client = replica.client;
    note("controller", `${scenario.replicas ? `replica ${name} ` : ""}apim-dr run listening on ${replica.client.baseUrl}`);
    await refresh();
  };
  const leaderName = () => (status?.leadership?.role === "leader" ? status.leadership.leader?.replicaId : undefined);

  const runStep = async (step: ScenarioStep) => {
    if ("fault" in step) {
      const { name, on, scope, options, outage } = step.fault;
      if ((outage ?? ["region-outage", "flap", "degrade"].includes(name)) && outageAt === null) {
        outageAt = Date.now();
        const before = sim.stats().services;
        primaryRevisionAtOutage = before[sim.services.primary.name]!.revision;
        standbyRestoresAtOutage = before[sim.services.standby.name]!.restores.started;
      }
      await sim.fault(name, faultTarget(on, scope), options ?? {});
      note("fault", `${name}${on ? ` on ${on} (${scope === "service" ? side(on).name : side(on).region})` : ""}${options ? ` ${JSON.stringify(options)}` : ""}`);
    } else if ("clearFault" in step) {
      const { name, on, scope } = step.clearFault;
      sim.clearFault(name, on ? faultTarget(on, scope) : undefined);
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
      const describe = [w.readinessNotReady && `readiness ${w.readinessNotReady} NOT READY`, w.state && `state ${w.state}`, w.decision && `decision "${w.decision}"`, w.auditIncludes && `audit entry "${w.auditIncludes}"`, w.restoresStarted !== undefined && `${w.restoresStarted} restore(s) started`, w.backupsSucceeded !== undefined && `${w.backupsSucceeded} backup(s)`, w.standbyBackupsSucceeded !== undefined && `${w.standbyBackupsSucceeded} standby backup(s)`, w.noUnbackedChanges && "no unbacked change", w.backupRecorded && "a backup recorded by the controller", w.primaryVerdict && `primary ${w.primaryVerdict}`, w.standbyVerdict && `standby ${w.standbyVerdict}`, w.leader && `leader ${w.leader}`].filter(Boolean).join(" and ");
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
          (!w.standbyVerdict || s?.health.standby.verdict === w.standbyVerdict) &&
          (!w.leader || (leaderName() ?? "none") === w.leader);
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
      const name = step.killController.replica;
      const replica = replicaNamed(name);
      if (scenario.replicas && leaderName() === name) leaderLost = { at: Date.now(), replica: name! };
      await replica.process.kill();
      note("controller", `${name ? `replica ${name} ` : ""}killed with SIGKILL`);
      if (client === replica.client) client = null;
      replica.client = null;
    } else if ("freezeController" in step) {
      const name = step.freezeController.replica;
      const replica = replicaNamed(name);
      if (leaderName() === name) leaderLost = { at: Date.now(), replica: name };
      replica.process.freeze();
      replica.frozen = true;
      note("controller", `replica ${name} frozen with SIGSTOP`);
    } else if ("leaseStore" in step) {
      leaseLink!.setReachable(step.leaseStore.reachable);
      note("lease store", step.leaseStore.reachable ? "reachable again" : "unreachable: every connection of the replicas to it is reset");
    } else if ("probePath" in step) {
      const { replica, on, reachable } = step.probePath;
      const link = gatewayLinks.get(`${replica}/${on}`);
      if (!link) throw new Error(`no replica named '${replica}'`);
      link.setReachable(reachable);
      note("probe path", `${replica} → ${on} gateway ${reachable ? "reachable again" : "cut: its probes fail, every other observer's succeed"}`);
    } else if ("thawController" in step) {
      const thawed = replicaNamed(step.thawController.replica);
      thawed.process.thaw();
      thawed.frozen = false;
      note("controller", `replica ${step.thawController.replica} woken with SIGCONT`);
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
    for (const name of replicas.keys()) {
      await startController(scenario.replicas ? name : undefined);
      // The first replica takes every lease before the next starts: the scenario knows who leads.
      if (scenario.replicas && name === scenario.replicas[0]!.name) await runStep({ waitFor: { leader: name, timeoutSeconds: 30 } });
    }
    for (const step of scenario.steps) await runStep(step);
  } catch (e) {
    error = (e as Error).message;
    note("error", error);
  }
  let audit: AuditEntry[] = [];
  const readiness = await readinessNow();
  let otherPairs: OtherPair[] = [];
  try {
    if (client) audit = await settledAudit(client, refresh);
    if (client && sim.pairs.length > 1) otherPairs = await readOtherPairs(client, sim.pairs.slice(1).map((p) => p.name));
  } catch (e) {
    error ??= `could not read the controller's final state: ${(e as Error).message}`;
  }
  // Notifications leave after the records that cause them: give expected ones a moment to arrive.
  const expectedNotifications = scenario.expect.notified ?? [];
  for (let waited = 0; waited < NOTIFY_SETTLE_MS && !expectedNotifications.every((w) => sim.stats().webhooks.deliveries.some((d) => d.target === w.target && d.event === w.event)); waited += POLL_MS) await sleep(POLL_MS);
  const stats = sim.stats();
  for (const r of replicas.values()) r.process.thaw();
  await Promise.all([...replicas.values()].map((r) => r.process.stop()));
  await leaseLink?.stop();
  await Promise.all([...gatewayLinks.values()].map((l) => l.stop()));
  await sim.stop();

  // issue 14: leader death to the new leader's first action (its leadership entry in the shared audit trail).
  // (Assigned inside the step closure, which control-flow narrowing does not see.)
  const lost = leaderLost as { at: number; replica: string } | null;
  const tookOver = lost ? audit.find((e) => e.verdict === "leadership.acquired" && e.actor !== lost.replica && Date.parse(e.at) >= lost.at) : undefined;
  const takeover = lost ? { ...lost, ms: tookOver ? Date.parse(tookOver.at) - lost.at : null, by: tookOver?.actor ?? null } : null;
  const logs = new Map<string, string>();
  for (const name of scenario.replicas?.map((r) => r.name) ?? []) logs.set(name, await readFile(join(workDir, `controller-${name}.log`), "utf8").catch(() => ""));
  const observation: Observation = { scenario, status, stats, audit, t0, outageAt, primaryRevisionAtOutage, standbyRestoresAtOutage, sim, statesSeen, stages, takeover, logs, readiness, breakAt, breakReportedAt, readinessIntervalMs, otherPairs };
  const outcome = checkExpectations(observation);
  for (const entry of audit) {
    // Operator commands are already on the timeline from the drill's side; leadership changes say which replica did what.
    if (entry.type === "transition" || entry.verdict === "alert" || entry.verdict?.startsWith("leadership.")) {
      timeline.push({ atMs: Date.parse(entry.at) - t0, event: entry.type === "transition" ? `→ ${entry.state}` : entry.verdict?.startsWith("leadership.") ? entry.verdict : entry.type, state: entry.state ?? "", detail: entry.reason ?? entry.verdict ?? "" });
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
    outageAtMs: outageAt === null ? null : outageAt - t0,
    timeline,
    ...(error ? { error } : {}),
  };
}

/**
 * A replica's config (issue 14): coordination through the simulator's storage account (Azurite's leases), its own
 * consumer group, the shortest lease Azure grants and a quick renewal, so a takeover takes seconds.
 */
function replicaConfig(base: Record<string, unknown>, name: string, region: string, sim: SimulatedAzure, leasePort: number, gatewayUrls: Record<string, string>): Record<string, unknown> {
  const eventHubs = ((base.signals as Record<string, unknown> | undefined)?.eventHubs ?? {}) as Record<string, unknown>;
  const [pair] = base.pairs as Array<Record<string, Record<string, unknown>>>;
  const viaLinks = { ...pair, primary: { ...pair!.primary, gatewayUrl: gatewayUrls.primary }, standby: { ...pair!.standby, gatewayUrl: gatewayUrls.standby } };
  return merge({ ...base, pairs: [viaLinks] }, {
    signals: { eventHubs: { ...eventHubs, consumerGroup: name } },
    coordination: {
      // Through a relay the scenario can cut (lease-store-outage).
      leaseStore: { accountName: sim.storage.accountName, blobEndpoint: `http://127.0.0.1:${leasePort}${new URL(sim.storage.blobEndpoint).pathname}`, auth: { type: "accountKey", accountKeyEnv: SIM_STORAGE_KEY_ENV } },
      replicaId: name,
      region,
      leaseDurationSeconds: 15,
      renewIntervalSeconds: 2,
    },
  });
}
