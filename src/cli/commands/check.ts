import { loadEffectiveConfig, parseCommandArgs, UsageError, type CliCommand } from "../command.js";
import { pairReadiness, readFacts, renderReadiness, runChecks, sharedForOneRound, type PairReadiness } from "../../readiness/index.js";
import { readinessPorts } from "../../readiness/wiring.js";

const usage = "apim-dr check --config FILE [--pair P] [--json]";

export const command: CliCommand = {
  name: "check",
  summary: "run the readiness checks against Azure (no daemon needed); exit 1 unless every check is READY",
  usage,
  help: {
    usage,
    options: [
      ["--config FILE", "the controller's configuration file (required); the checks read Azure with the credential it names"],
      ["--pair P", "only this pair (default: every pair)"],
      ["--json", "the same results as JSON"],
    ],
    notes: ["Exit 0 when every check is READY, 1 when any is NOT READY or UNKNOWN, 2 on bad usage or configuration.", "The signals check needs the running controller (GET /pairs/{name}/readiness) and is left out here."],
    examples: ["apim-dr check --config /etc/apim-dr/config.yaml", "apim-dr check --config .sim/config.yaml --pair contoso --json"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { config: { type: "string", short: "c" }, pair: { type: "string" }, json: { type: "boolean" } }, usage);
    if (!values.config) throw new UsageError(`--config is required: the controller's configuration file\nusage: ${usage}`);
    const config = await loadEffectiveConfig(ctx.cwd, values.config);
    const pairs = values.pair ? config.pairs.filter((p) => p.name === values.pair) : config.pairs;
    if (!pairs.length) throw new UsageError(`no pair named '${values.pair}' in ${values.config}; its pairs: ${config.pairs.map((p) => p.name).join(", ")}`);
    let ports;
    try {
      ports = sharedForOneRound(readinessPorts(config, ctx.env));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const results: PairReadiness[] = [];
    for (const pair of pairs) {
      const now = Date.now();
      const facts = await readFacts(config, pair, ports, now, undefined, ctx.signal);
      // When each signal source was last heard from is known only to the running controller.
      results.push(pairReadiness(pair.name, now, runChecks(facts, ["signals"])));
    }
    if (values.json) ctx.out(JSON.stringify(values.pair ? results[0] : { pairs: results }, null, 2));
    else
      results.forEach((r, i) => {
        if (i) ctx.out("");
        renderReadiness(r).forEach((l) => ctx.out(l));
      });
    if (!values.json) ctx.out("signals: checked by the running controller only (GET /pairs/{name}/readiness, apim-dr status)");
    // UNKNOWN is not READY either: a precondition nobody could verify may fail mid-failover.
    return results.every((r) => r.status === "READY") ? 0 : 1;
  },
};
