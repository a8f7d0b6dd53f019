import { loadEffectiveConfig, OperationError, parseCommandArgs, UsageError, type CliCommand } from "../command.js";
import { SecretReferenceError } from "../../config/index.js";
import { Controller } from "../../runtime/controller.js";
import { createLogger } from "../../runtime/logger.js";
import { wireLeadership, wirePorts } from "../../runtime/wiring.js";
import { keepRunningOnUnexpectedErrors } from "../../runtime/unexpected-errors.js";
import { ADMIN_TOKEN_ENV, startAdminServer } from "../../server/admin-server.js";
import { startReadiness } from "../../readiness/daemon.js";
import { readinessPorts } from "../../readiness/wiring.js";
import type { ReadinessApi } from "../../server/controller-api.js";

const usage = "apim-dr run --config FILE [--listen HOST:PORT]";

function parseListen(value: string): { host: string; port: number } {
  const match = /^(\[[0-9a-f:]+\]|[^:]+):(\d{1,5})$/i.exec(value);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new UsageError(`--listen '${value}' is not HOST:PORT; use e.g. 127.0.0.1:7070 (port 0 picks a free port)`);
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port };
}

export const command: CliCommand = {
  name: "run",
  summary: "run the controller daemon: signals, health, backups, failover machines, admin API",
  usage,
  help: {
    usage,
    options: [
      ["--config FILE, -c FILE", "the YAML config (see config/production.example.yaml; check it with 'apim-dr config validate')"],
      ["--listen HOST:PORT", "where the admin API listens (default: server.listen in the config, else 127.0.0.1:7070; port 0 picks a free one)"],
    ],
    notes: [
      "Secrets come from the environment variables the config names; operator commands need $APIM_DR_ADMIN_TOKEN.",
      "Logs JSON on stdout; prints 'admin api listening on URL' when ready. SIGTERM persists the current step and exits.",
    ],
    examples: ["APIM_DR_ADMIN_TOKEN=$(cat token) apim-dr run --config /config/config.yaml", "apim-dr run --config .sim/config.yaml --listen 127.0.0.1:0"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { config: { type: "string", short: "c" }, listen: { type: "string" } }, usage);
    if (!values.config) throw new UsageError(`--config is required\nusage: ${usage}`);
    const config = await loadEffectiveConfig(ctx.cwd, values.config);
    const listen = parseListen(values.listen ?? config.server.listen);
    const log = createLogger();
    const unexpected = keepRunningOnUnexpectedErrors(log);
    let ports;
    try {
      ports = wirePorts(config, ctx.env, log);
    } catch (error) {
      if (error instanceof SecretReferenceError) throw new UsageError(error.message);
      throw error;
    }
    const token = ctx.env[ADMIN_TOKEN_ENV];
    // The admin port is bound before anything starts: when it is taken, nothing has touched Azure yet.
    let controller: Controller | null = null;
    let readiness: ReadinessApi | null = null;
    let startupProblem: string | null = null;
    let admin;
    try {
      admin = await startAdminServer(() => controller, { ...listen, token, startupProblem: () => startupProblem, readiness: () => readiness });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "EADDRINUSE" ? "the address is already in use" : code === "EADDRNOTAVAIL" ? "the address is not on this machine" : (error as Error).message;
      throw new OperationError(`cannot listen on ${listen.host}:${listen.port} (${why}); stop what listens there or pass another --listen (port 0 picks a free port)`);
    }
    try {
      const onStoreError = (pair: string, what: string, error: unknown) => {
        if (what === "load") startupProblem = `cannot read the state of pair ${pair} (${(error as Error).message}): retrying with backoff`;
      };
      // issue 14: with coordination, a lease manager decides which pairs this replica acts on.
      const leadership = wireLeadership(config, ctx.env, log, admin.url);
      controller = await Controller.start(config, { ...ports, onStoreError, ...(leadership ? { leadership } : {}) }, { signal: ctx.signal, unexpectedErrors: unexpected.count });
    } catch (error) {
      await admin.close();
      if (ctx.signal.aborted) {
        log.warn({}, `stopped while starting: ${startupProblem ?? "nothing was started"}`);
        return 1;
      }
      throw error;
    }
    const readinessLoop = startReadiness(config, readinessPorts(config, ctx.env), controller, log);
    readiness = readinessLoop.api;
    if (!token) log.warn({}, `${ADMIN_TOKEN_ENV} is not set: operator commands are refused until the controller is restarted with it`);
    log.info({ url: admin.url, pairs: config.pairs.map((p) => p.name) }, `admin api listening on ${admin.url}`);

    await new Promise<void>((resolveStop) => {
      if (ctx.signal.aborted) return resolveStop();
      ctx.signal.addEventListener("abort", () => resolveStop(), { once: true });
    });
    log.info({}, "shutting down: finishing the current step's persistence");
    await admin.close();
    await readinessLoop.stop();
    const unsaved = await controller.stop();
    if (unsaved.length) {
      log.error({ pairs: unsaved }, `stopped; state NOT persisted for pair(s) ${unsaved.join(", ")}: the state store did not take the last snapshot`);
      return 1;
    }
    log.info({}, "stopped; state persisted");
    return 0;
  },
};
