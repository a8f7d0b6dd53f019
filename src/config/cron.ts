import { CronExpressionParser } from "cron-parser";

export const CRON_EXPECTATION =
  'a 5-field cron expression "minute hour day-of-month month day-of-week" (UTC) such as "0 * * * *", or @hourly/@daily';

/** Why `expression` is not a usable backup schedule, or null when it is. */
export function cronProblem(expression: string): string | null {
  const trimmed = expression.trim();
  // cron-parser also takes 6 fields (seconds first) and fills in missing ones; a backup
  // schedule has minute resolution, so anything but exactly 5 fields is a mistake.
  if (!trimmed.startsWith("@") && trimmed.split(/\s+/).length !== 5) {
    return `has ${trimmed.split(/\s+/).filter(Boolean).length} fields, needs 5`;
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: "UTC" });
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function isCronExpression(expression: string): boolean {
  return cronProblem(expression) === null;
}
