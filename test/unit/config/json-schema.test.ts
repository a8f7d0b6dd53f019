import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../../src/config/json-schema.js";

const configDir = join(import.meta.dirname, "..", "..", "..", "config");

describe("config/schema.json", () => {
  it("is in sync with the zod schema (run `npm run schema` when this fails)", async () => {
    const committed = await readFile(join(configDir, "schema.json"), "utf8");
    expect(committed).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  it("accepts both example configs and rejects unknown keys, as editors will", async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(await readFile(join(configDir, "schema.json"), "utf8")) as object);
    for (const file of ["production.example.yaml", "sim.yaml"]) {
      const doc = parse(await readFile(join(configDir, file), "utf8")) as Record<string, unknown>;
      expect(validate(doc), `${file}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(validate({ ...doc, helth: {} })).toBe(false);
      expect(validate.errors?.some((e) => e.keyword === "additionalProperties")).toBe(true);
    }
  });
});
