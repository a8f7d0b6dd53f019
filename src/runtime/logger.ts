import { pino, type Logger as PinoLogger } from "pino";

/** The logging surface the runtime uses; pino's Logger satisfies it. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Field names whose values never reach a log line, wherever they appear. */
const REDACT = [
  "accessKey",
  "accountKey",
  "connectionString",
  "token",
  "authorization",
  "password",
  "secret",
  "*.accessKey",
  "*.accountKey",
  "*.connectionString",
  "*.token",
  "*.authorization",
  "*.password",
  "*.secret",
  "req.headers.authorization",
];

/** Structured JSON logs on stdout (one object per line), secrets redacted. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): PinoLogger {
  return pino(
    { name: "apim-dr", level: options.level ?? process.env.APIM_DR_LOG_LEVEL ?? "info", redact: { paths: REDACT, censor: "[redacted]" }, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? process.stdout,
  );
}

/** A logger that drops everything, for tests and library use. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, child: () => silentLogger };
