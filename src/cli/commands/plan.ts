import { parseCommandArgs, UsageError, type CliCommand } from "../command.js";
import { ControllerClient } from "../../server/controller-client.js";

const usage = "apim-dr plan --pair P [--controller URL] [--json]";

export const command: CliCommand = {
  name: "plan",
  summary: "ask the running controller what a failover would do now (changes nothing): backup, restore, DNS, NOT READY checks",
  usage,
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
