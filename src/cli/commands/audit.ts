import { parseCommandArgs, type CliCommand } from "../command.js";
import { ControllerClient } from "../../server/controller-client.js";

const usage = "apim-dr audit [--pair P] [--controller URL] [--json]";

export const command: CliCommand = {
  name: "audit",
  summary: "print the audit trail: transitions, decisions, operator commands and Azure operations",
  usage,
  help: {
    usage,
    options: [
      ["--pair P", "only this pair's entries"],
      ["--controller URL", "the controller's admin API (default $APIM_DR_CONTROLLER, else http://127.0.0.1:7070)"],
      ["--json", "one JSON object per entry (every field, e.g. detail of refused requests)"],
    ],
    notes: ["Each line: time, pair, type (transition, decision, operator, operation, alert), who for operator actions, state — verdict — reason."],
    examples: ["apim-dr audit --pair contoso", "apim-dr audit --json | jq 'select(.type == \"operator\")'"],
  },
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { pair: { type: "string" }, controller: { type: "string" }, json: { type: "boolean" } }, usage);
    const entries = await ControllerClient.from(values.controller, ctx.env).audit(values.pair);
    for (const e of entries) {
      if (values.json) ctx.out(JSON.stringify(e));
      else {
        const what = [e.state, e.verdict, e.reason].filter(Boolean).join(" — ");
        const who = e.actor ? ` by ${e.actor}` : "";
        const op = e.operationId ? ` [${e.operationId}]` : "";
        ctx.out(`${e.at}  ${e.pair}  ${e.type}${who}: ${what}${op}`);
      }
    }
    if (!entries.length && !values.json) ctx.out("no audit entries");
    return 0;
  },
};
