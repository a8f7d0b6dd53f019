// Writes config/schema.json from the zod schema, so editors validate and complete config files.
// `--check` exits 1 when the committed file differs (CI runs `npm run schema -- --check`).
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { configJsonSchema } from "../src/config/json-schema.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, "config", "schema.json");
const expected = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
const name = relative(process.cwd(), target) || target;

if (process.argv.includes("--check")) {
  const actual = await readFile(target, "utf8").catch(() => null);
  if (actual !== expected) {
    process.stderr.write(`${name} is ${actual === null ? "missing" : "stale"}: run \`npm run schema\` and commit the result\n`);
    process.exit(1);
  }
  process.stdout.write(`${name} is up to date\n`);
} else {
  await writeFile(target, expected);
  process.stdout.write(`wrote ${name}\n`);
}
