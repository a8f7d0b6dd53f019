#!/usr/bin/env bash
# The Dockerfile's runtime stage without Docker: production dependencies only, then every compiled module
# must load and the CLI must answer. Catches a devDependency imported by runtime code.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp package.json package-lock.json "$dir"/
cp -r dist config "$dir"/
(cd "$dir" && NODE_ENV=production npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
cd "$dir"
node --input-type=module -e '
  import { readdirSync } from "node:fs";
  import { join, resolve } from "node:path";
  import { pathToFileURL } from "node:url";
  // azurite-child.js is the entry of the simulator child process (Azurite is a dev dependency); main.js runs the CLI
  // only when it is the entry point, so importing it is safe.
  const files = readdirSync("dist", { recursive: true }).filter((f) => f.endsWith(".js") && !f.endsWith("azurite-child.js")).map((f) => join("dist", f));
  for (const f of files) await import(pathToFileURL(resolve(f)).href);
  console.log(`${files.length} modules load with production dependencies only`);
'
node dist/cli/main.js --help > /dev/null
node dist/cli/main.js config validate config/production.example.yaml
