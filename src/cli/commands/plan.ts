import { parseCommandArgs, UsageError, type CliCommand } from "../command.js";
import { ControllerClient } from "../../server/controller-client.js";

const usage = "apim-dr plan --pair P [--controller URL] [--json]";

export const command: CliCommand = {
  name: "plan",
  summary: "ask the running controller what a failover would do now (changes nothing): backup, restore, DNS, NOT READY checks",
  usage,
  help: {
    usage,
    options: [
      ["--pair P", "the pair whose failover to plan (required)"],
      ["--controller URL", "the controller's admin API (default $APIM_DR_CONTROLLER, else http://127.0.0.1:7070)"],
      ["--json", "the typed plan as JSON (what GET /pairs/{name}/plan returns as `plan`)"],
    ],
    notes: ["The plan is the one the failover preview shows: the machine's own backup decision, the restore, the verification, the CNAME change, the expected restore time and every check that is not READY."],
    examples: ["apim-dr plan --pair contoso", "apim-dr plan --pair contoso --json"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { pair: { type: "string" }, controller: { type: "string" }, json: { type: "boolean" } }, usage);
    if (!values.pair) throw new UsageError(`--pair is required: name the pair to plan a failover of\nusage: ${usage}`);
    const client = ControllerClient.from(values.controller, ctx.env);
    const { plan, lines } = await client.plan(values.pair);
    if (values.json) ctx.out(JSON.stringify(plan, null, 2));
    else lines.forEach((l) => ctx.out(l));
    return 0;
  },
};
