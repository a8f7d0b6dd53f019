import { DecodeError } from "./errors.js";

// Azure writes times as ISO-8601 with 0–7 fractional digits and `Z` or `+00:00`, and older
// log-alert payloads use US-locale text (`3/22/2019 1:36:31 PM`). A time without a zone is
// UTC: every Azure Monitor field read here is documented as UTC.
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:\s*([AP]M))?(?:\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?$/i;

const EXPECTED = "expected ISO-8601 (2026-12-01T08:45:00Z) or US format (12/1/2026 8:45:00 AM)";

/** Parses an Azure time into ISO-8601 UTC with milliseconds, or throws DecodeError naming the field. */
export function parseAzureTime(raw: unknown, fieldName: string): string {
  if (raw === undefined || raw === null || raw === "") throw new DecodeError(`${fieldName} is missing; ${EXPECTED}`);
  if (typeof raw !== "string") throw new DecodeError(`${fieldName} ${JSON.stringify(raw)} is not a date-time; ${EXPECTED}`);
  const value = raw.trim();
  const ms = parseIso(value) ?? parseUs(value);
  if (ms === null) throw new DecodeError(`${fieldName} ${JSON.stringify(raw)} is not a date-time; ${EXPECTED}`);
  return new Date(ms).toISOString();
}

function parseIso(value: string): number | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  return utcMillis(+y!, +mo!, +d!, +h!, +mi!, +(s ?? 0), frac, zone);
}

function parseUs(value: string): number | null {
  const m = US.exec(value);
  if (!m) return null;
  const [, mo, d, y, h, mi, s, frac, ampm, zone] = m;
  let hour = +h!;
  if (ampm) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (ampm.toUpperCase() === "PM" ? 12 : 0);
  }
  return utcMillis(+y!, +mo!, +d!, hour, +mi!, +(s ?? 0), frac, zone);
}

function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  zone: string | undefined,
): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // Truncate to milliseconds: 7-digit fractions must not round into the next millisecond.
  const millis = fraction ? +fraction.slice(0, 3).padEnd(3, "0") : 0;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (new Date(local).getUTCDate() !== day) return null; // 2/30 and friends
  const offset = zoneOffsetMinutes(zone);
  return offset === null ? null : local - offset * 60_000;
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return null;
  const hours = +m[2]!;
  const minutes = +m[3]!;
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}
