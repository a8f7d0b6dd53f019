import { z } from "zod";
import { configSchema } from "./schema.js";

/** JSON Schema of what may be written in a config file (the input side: fields with defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
    title: "apim-dr configuration",
  };
}
