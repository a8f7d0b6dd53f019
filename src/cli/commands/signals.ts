import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { didYouMean, parseCommandArgs, UsageError, type CliCommand, type CliContext } from "../command.js";
import { decodePayload, DecodeError, parseSeverityMapArgument, type SeverityMapping } from "../../signals/decode/index.js";

const DECODE_USAGE = "apim-dr signals decode FILE... [--severity-map Sev2=unhealthy,Sev3=degraded]";
const USAGE = `apim-dr signals <subcommand>\n  ${DECODE_USAGE}\n    prints the normalized signals of each payload file as JSON lines`;

export const command: CliCommand = {
  name: "signals",
  summary: "decode health signals: Azure alert, activity-log and GatewayLogs payloads",
  usage: USAGE,
  help: decodeHelp(),
  subcommands: { decode: { summary: "print the normalized signals of Azure payload files as JSON lines", help: decodeHelp() } },
  async run(args, ctx) {
    const [subcommand, ...rest] = args;
    if (subcommand === "decode") return decodeFiles(rest, ctx);
    throw new UsageError(
      subcommand ? `unknown subcommand '${subcommand}'${didYouMean(subcommand, ["decode"])}; the only one is 'decode'\nusage: ${USAGE}` : `missing subcommand\nusage: ${USAGE}`,
    );
  },
};

function decodeHelp() {
  return {
    usage: DECODE_USAGE,
    options: [["--severity-map MAP", "how alert severities map to health, e.g. Sev0=unhealthy,Sev1=unhealthy,Sev2=degraded (default Sev0, Sev1 unhealthy; Sev2-Sev4 degraded)"]] as [string, string][],
    notes: ["FILE: a common-alert-schema alert, activity-log or Resource Health records, or APIM GatewayLogs records (JSON)."],
    examples: ["apim-dr signals decode test/fixtures/azure-samples/*.json", "apim-dr signals decode alert.json --severity-map Sev2=unhealthy"],
  };
}

/** One JSON line per signal on stdout; one `FILE: problem` line on stderr per file that does not decode. */
async function decodeFiles(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals: files } = parseCommandArgs(args, { "severity-map": { type: "string" } }, DECODE_USAGE, true);
  if (files.length === 0) throw new UsageError(`no payload files given\nusage: ${DECODE_USAGE}`);
  const severityMapping = parseSeverityMap(values["severity-map"]);

  let failed = 0;
  for (const file of files) {
    let body: Buffer;
    try {
      body = await readFile(resolve(ctx.cwd, file));
    } catch (error) {
      ctx.err(`${file}: cannot read the file: ${readProblem(error)}`);
      failed++;
      continue;
    }
    const result = decodePayload(body, { severityMapping });
    if (!result.ok) {
      ctx.err(`${file}: ${result.error}`);
      failed++;
      continue;
    }
    for (const signal of result.signals) ctx.out(JSON.stringify(signal));
  }
  return failed ? 1 : 0;
}

function parseSeverityMap(value: string | undefined): SeverityMapping | undefined {
  if (value === undefined) return undefined;
  try {
    return parseSeverityMapArgument(value);
  } catch (error) {
    if (error instanceof DecodeError) throw new UsageError(`--severity-map: ${error.message}`);
    throw error;
  }
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory; name a payload file";
  if (code === "EACCES") return "permission denied";
  return (error as Error)?.message ?? String(error);
}
