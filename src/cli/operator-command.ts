import { systemClock } from "../ports/clock.js";
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { parseCommandArgs, UsageError, type CliCommand, type CliContext, type CommandHelp } from "./command.js";
import { ControllerClient } from "../server/controller-client.js";
import { formatDuration } from "./format-status.js";
import type { OperatorAction, PairStatus } from "../server/controller-api.js";

const SUMMARIES: Record<OperatorAction, string> = {
  failover: "fail a pair over to its standby now (manual or planned)",
  failback: "move traffic back to the primary (operator decision only)",
  approve: "approve the step a pair is waiting on",
  abort: "abort the pending step of a pair",
  pause: "pause all failover and failback of a pair, automatic and manual (signals are still observed)",
  resume: "resume automatic action for a paused pair",
  backup: "back up the active instance of a pair now and show its progress",
};

/** What the watch waits for after an accepted command: the pair settling, or (backup) the requested backup finishing. */
interface Progress {
  busy(status: PairStatus): boolean;
  line(status: PairStatus): string;
  done(status: PairStatus): { text: string; ok: boolean };
}

const cutoverProgress: Progress = {
  busy: (status) => status.busy,
  line: (status) => {
    const op = status.operation;
    const what = op && op.kind !== "step" ? `${op.kind} ` : "";
    return `${status.state}${op ? ` — ${what}${op.status}, ${formatDuration(op.elapsedMs)}` : ""}`;
  },
  done: (status) => ({ text: status.lastDecision ? `${status.state} — ${status.lastDecision.reason}` : status.state, ok: !status.state.startsWith("awaitingOperator") }),
};

/** A backup is done when a newer backup than the one before the request is the newest. */
function backupProgress(before: PairStatus): Progress {
  return {
    busy: (status) => status.backup.latest === before.backup.latest,
    line: (status) =>
      status.backup.running
        ? `backup of ${status.backup.protects} running${status.backup.lastError ? ` (last attempt failed: ${status.backup.lastError}; retrying)` : ""}`
        : status.backup.lastError
          ? `waiting to retry: ${status.backup.lastError}`
          : `backup of ${status.backup.protects} requested`,
    done: (status) => ({ text: `backup ${status.backup.latest} of ${status.backup.protects} completed; ${status.backup.reason}`, ok: true }),
  };
}

/** A mutating operator command: preview, confirm, send, then watch progress until the pair settles. */
export function operatorCommand(action: OperatorAction): CliCommand {
  const usage = `apim-dr ${action} --pair P [--reason TEXT] [--actor NAME] [--controller URL] [--yes] [--no-wait] [--json]${action === "failover" ? " [--planned]" : ""}`;
  return {
    name: action,
    summary: SUMMARIES[action],
    usage,
    help: operatorHelp(action, usage),
    async run(args, ctx) {
      const { values } = parseCommandArgs(
        args,
        {
          pair: { type: "string" },
          reason: { type: "string" },
          controller: { type: "string" },
          yes: { type: "boolean", short: "y" },
          "no-wait": { type: "boolean" },
          json: { type: "boolean" },
          planned: { type: "boolean" },
          actor: { type: "string" },
        },
        usage,
      );
      if (!values.pair) throw new UsageError(`--pair is required\nusage: ${usage}`);
      if (values.planned && action !== "failover") throw new UsageError(`--planned only applies to failover`);
      const client = ControllerClient.from(values.controller, ctx.env);
      const pair = values.pair;

      // An action the pair would refuse needs no plan and no confirmation: sending it only fetches the reason (409).
      let before = await client.getPair(pair);
      // A follower shows the leader's last stored state: preview, send and watch where the pair is run.
      if (client.followLeaderOf(before)) before = await client.getPair(pair);
      const acceptable = before.accepts.includes(action);
      if (acceptable && !values.json) for (const line of await client.preview(pair, action, Boolean(values.planned))) ctx.out(line);
      if (acceptable && !values.yes) {
        if (!ctx.interactive) throw new UsageError(`not a terminal, so nothing was asked or sent: pass --yes to ${action} ${pair}`);
        if (!(await confirm(`${action} ${pair}? [y/N] `, ctx))) {
          ctx.out("cancelled; nothing was sent");
          return 1;
        }
      }
      const result = await client.command(pair, action, {
        reason: values.reason,
        actor: operatorName(values.actor, ctx.env),
        ...(action === "failover" ? { planned: Boolean(values.planned) } : {}),
      });
      if (values.json) ctx.out(JSON.stringify({ pair, action, accepted: true, state: result.state }));
      else ctx.out(`${action} accepted: ${pair} is now ${result.state}`);
      const progress = action === "backup" ? backupProgress(before) : cutoverProgress;
      if (values["no-wait"] || (action !== "backup" && !result.busy)) return 0;
      const final = await watch(client, pair, ctx, Boolean(values.json), progress);
      if (!final) return 0; // stopped watching; the controller carries on
      return progress.done(final).ok ? 0 : 1;
    },
  };
}

const EXAMPLES: Record<OperatorAction, string[]> = {
  failover: ['apim-dr failover --pair contoso --planned --reason "DR rehearsal"', "apim-dr failover --pair contoso --yes --no-wait --json"],
  failback: ['apim-dr failback --pair contoso --reason "primary region recovered"'],
  approve: ['apim-dr approve --pair contoso --reason "data-loss window accepted by the service owner"'],
  abort: ['apim-dr abort --pair contoso --reason "investigating first"'],
  pause: ['apim-dr pause --pair contoso --reason "change freeze"'],
  resume: ['apim-dr resume --pair contoso --reason "freeze over"'],
  backup: ["apim-dr backup --pair contoso --yes"],
};

function operatorHelp(action: OperatorAction, usage: string): CommandHelp {
  return {
    usage,
    options: [
      ["--pair P", "the pair to act on (as named in the config; 'apim-dr status' lists them)"],
      ["--reason TEXT", "why: recorded in the audit trail and the decision"],
      ["--actor NAME", `who acts, for the audit trail (default $${ACTOR_ENV}, else your login name)`],
      ["--controller URL", "the controller's admin API (default $APIM_DR_CONTROLLER, else http://127.0.0.1:7070)"],
      ["--yes, -y", "do not ask for confirmation (required when not on a terminal)"],
      ["--no-wait", "return once accepted instead of following the progress"],
      ["--json", "print the outcome and progress as JSON lines"],
      ...(action === "failover" ? ([["--planned", "a planned switch: the primary is healthy, so a fresh backup is always taken first"]] as [string, string][]) : []),
    ],
    notes: [
      "It first shows what it will do (the plan), then asks. The admin token comes from $APIM_DR_ADMIN_TOKEN.",
      ...(action === "pause"
        ? ["While paused the pair observes signals but neither fails over nor back, automatically or on request: only resume and backup are accepted. Resume first to fail over by hand."]
        : []),
      "Exit status: 0 accepted (and settled), 1 refused or failed (the message says why and what the state accepts), 2 bad usage.",
    ],
    examples: EXAMPLES[action],
  };
}

/** The environment variable that names the operator when --actor is not given (e.g. in a shared container). */
export const ACTOR_ENV = "APIM_DR_ACTOR";

/** Who is acting, for the audit trail: --actor, else APIM_DR_ACTOR, else the login name; undefined only when none is known. */
export function operatorName(flag: string | undefined, env: NodeJS.ProcessEnv, login: () => string = () => userInfo().username): string | undefined {
  const given = flag ?? env[ACTOR_ENV];
  if (given !== undefined) {
    if (!given.trim()) throw new UsageError(`${flag !== undefined ? "--actor" : ACTOR_ENV} is empty: name the operator (it goes into the audit trail)`);
    return given.trim();
  }
  try {
    // A container user without a passwd entry has no login name: os.userInfo() throws, the environment may still know.
    const name = login();
    if (name) return name;
  } catch {
    // fall through
  }
  return env.USER || env.USERNAME || env.LOGNAME || undefined;
}

async function confirm(question: string, ctx: CliContext): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question, { signal: ctx.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

/** Prints each change of state or operation status until the pair settles; Ctrl-C only stops watching. */
async function watch(client: ControllerClient, pair: string, ctx: CliContext, json: boolean, progress: Progress): Promise<PairStatus | null> {
  let last = "";
  for (;;) {
    if (ctx.signal.aborted) {
      if (!json) ctx.out("stopped watching; the controller carries on (see 'apim-dr status')");
      return null;
    }
    const status = await client.getPair(pair);
    const line = progress.line(status);
    if (line !== last) {
      ctx.out(json ? JSON.stringify({ pair, state: status.state, operation: status.operation, backup: status.backup, lastDecision: status.lastDecision }) : `  ${line}`);
      last = line;
    }
    if (!progress.busy(status)) {
      if (!json) ctx.out(`${pair}: ${progress.done(status).text}`);
      return status;
    }
    // The clock's sleep removes its abort listener when it wakes (a listener a second piled up on a long watch).
    await systemClock()
      .sleep(1_000, ctx.signal)
      .catch(() => undefined);
  }
}
