import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { didYouMean, parseCommandArgs, UsageError, type CliCommand, type CliContext } from "../command.js";
import { ConfigError, parseConfig } from "../../config/load.js";
import { secretProblem, secretReferences } from "../../config/secret-references.js";

const usage = "apim-dr config validate FILE [--env]";

const validateHelp = {
  usage,
  options: [["--env", "also check the environment variables the config names for secrets: set, not empty, and in the right format"]] as [string, string][],
  notes: ["FILE: the YAML config. Problems are printed one per line with the path and line, exit status 2."],
  examples: ["apim-dr config validate config/production.example.yaml", "apim-dr config validate /config/config.yaml --env"],
};

async function validate(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { env: { type: "boolean" } }, usage, true);
  if (positionals.length !== 1) {
    throw new UsageError(`${positionals.length === 0 ? "missing" : "only one"} config FILE expected\nusage: ${usage}`);
  }
  const file = positionals[0]!;
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new UsageError(`cannot read config file ${file}: ${why}; pass the path of a YAML config file (see config/production.example.yaml)`);
  }
  let problems: string[];
  try {
    const config = parseConfig(text, file);
    problems = values.env
      ? secretReferences(config).flatMap((ref) => secretProblem(ref, ctx.env[ref.envVar]) ?? [])
      : [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  if (problems.length === 0) {
    ctx.out("ok");
    return 0;
  }
  for (const problem of problems) ctx.out(problem);
  return 2;
}

export const command: CliCommand = {
  name: "config",
  summary: "check a configuration file (config validate FILE)",
  usage,
  help: validateHelp,
  subcommands: { validate: { summary: "check a config file: schema, references, and with --env the secrets it names", help: validateHelp } },
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === "validate") return validate(rest, ctx);
    throw new UsageError(`${sub ? `unknown subcommand '${sub}'${didYouMean(sub, ["validate"])}` : "missing subcommand"}; the only one is 'validate'\nusage: ${usage}`);
  },
};
