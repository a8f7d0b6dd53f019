import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseCommandArgs, UsageError, type CliCommand, type CliContext } from "../command.js";
import { decodePayload, DecodeError, parseSeverityMapArgument, type SeverityMapping } from "../../signals/decode/index.js";

const DECODE_USAGE = "apim-dr signals decode FILE... [--severity-map Sev2=unhealthy,Sev3=degraded]";
const USAGE = `apim-dr signals <subcommand>\n  ${DECODE_USAGE}\n    prints the normalized signals of each payload file as JSON lines`;

export const command: CliCommand = {
  name: "signals",
  summary: "decode health signals: Azure alert, activity-log and GatewayLogs payloads",
  usage: USAGE,
  async run(args, ctx) {
    const [subcommand, ...rest] = args;
    if (subcommand === "decode") return decodeFiles(rest, ctx);
    throw new UsageError(
      subcommand ? `unknown subcommand '${subcommand}'; the only one is 'decode'\nusage: ${USAGE}` : `missing subcommand\nusage: ${USAGE}`,
    );
  },
};

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
