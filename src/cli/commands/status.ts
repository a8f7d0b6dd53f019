import { parseCommandArgs, type CliCommand } from "../command.js";
import { ControllerClient } from "../../server/controller-client.js";
import { formatPair } from "../format-status.js";

const usage = "apim-dr status [--pair P] [--controller URL] [--json]";

export const command: CliCommand = {
  name: "status",
  summary: "show each pair's state, health verdicts, backup age against the RPO and last decision",
  usage,
  help: {
    usage,
    options: [
      ["--pair P", "only this pair (default: every pair)"],
      ["--controller URL", "the controller's admin API (default $APIM_DR_CONTROLLER, else http://127.0.0.1:7070)"],
      ["--json", "the full status as JSON (what GET /pairs returns)"],
    ],
    examples: ["apim-dr status", "apim-dr status --pair contoso --json"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { pair: { type: "string" }, controller: { type: "string" }, json: { type: "boolean" } }, usage);
    const client = ControllerClient.from(values.controller, ctx.env);
    const pairs = values.pair ? [await client.getPair(values.pair)] : await client.listPairs();
    if (values.json) {
      ctx.out(JSON.stringify(values.pair ? pairs[0] : { pairs }, null, 2));
      return 0;
    }
    if (!pairs.length) ctx.out("no pairs configured");
    pairs.forEach((p, i) => {
      if (i) ctx.out("");
      formatPair(p).forEach((l) => ctx.out(l));
    });
    return 0;
  },
};
