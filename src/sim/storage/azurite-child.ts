// Runs Azurite's blob service in this child process and exits when the parent goes away
// (its stdin pipe closes), so a killed simulator never leaves Azurite behind.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

process.stdin.on("close", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();

const require = createRequire(import.meta.url);
const azuriteDir = dirname(require.resolve("azurite/package.json"));
await import(pathToFileURL(join(azuriteDir, "dist", "src", "blob", "main.js")).href);
