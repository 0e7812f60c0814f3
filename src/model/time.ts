/**
 * Timestamps and year fractions. Convention (DESIGN.md §3): ACT/365, i.e. a year is exactly
 * 365 days of 86,400,000 ms, measured from the market's valuation time.
 */

export const MS_PER_DAY = 86_400_000;
/** ACT/365: leap days count as days, but a year is always 365 of them. */
export const MS_PER_YEAR = 365 * MS_PER_DAY;

// Date and time are both required, and so is the zone: a bare local time is ambiguous.
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds of an ISO-8601 timestamp with a zone (`Z` or `±HH:MM`); NaN when it is not one or names no real instant. */
export function parseIsoTimestamp(text: string): number {
  let ms = PARSED.get(text);
  if (ms === undefined) {
    // a book names few expiries many times over (every option of a chain, every partition of a live shard)
    if (PARSED.size >= PARSED_KEPT) PARSED.clear();
    PARSED.set(text, (ms = parseIso(text)));
  }
  return ms;
}

/** Timestamps parsed lately (text → ms), at most PARSED_KEPT. */
const PARSED = new Map<string, number>();
const PARSED_KEPT = 4_096;

function parseIso(text: string): number {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return NaN;
  // setUTCFullYear takes the year as written (Date.UTC reads 0050 as 1950); it rolls 2026-02-30 over to March: a day
  // that changed was not a calendar day.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const local = date.getTime();
  if (date.getUTCDate() !== day) return NaN;
  if (m[8] === 'Z') return local;
  const offsetHours = Number(m[10]);
  const offsetMinutes = Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return NaN;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return m[9] === '+' ? local - offsetMs : local + offsetMs;
}

/** Canonical UTC form: `2026-11-27T08:00:00Z`, with `.sss` only when the milliseconds are not zero. */
export function formatIsoTimestamp(ms: number): string {
  let text = FORMATTED.get(ms);
  if (text === undefined) {
    if (FORMATTED.size >= PARSED_KEPT) FORMATTED.clear();
    const iso = new Date(ms).toISOString();
    FORMATTED.set(ms, (text = iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso));
  }
  return text;
}

/** Timestamps formatted lately (ms → text), at most PARSED_KEPT. */
const FORMATTED = new Map<number, string>();

/**
 * The canonical text of epoch milliseconds `ms` when it is a time a book or market can state: a whole number of ms
 * whose text {@link parseIsoTimestamp} reads back (years 0000 to 9999, as a `valuationTime` is written); else
 * undefined. A venue's timestamp is read through this before it becomes a market's valuation time.
 */
export function timestampOfMs(ms: number): string | undefined {
  // toISOString throws past ±8.64e15 ms (±275,760 years); a year past 9999 or before 0000 is printed with a sign and
  // six digits, which parseIsoTimestamp refuses
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return undefined;
  const text = formatIsoTimestamp(ms);
  return parseIsoTimestamp(text) === ms ? text : undefined;
}

/** The largest |ms| a Date holds (ECMA-262, "Time Values and Time Range"). */
const MAX_DATE_MS = 8.64e15;

/** Years (ACT/365) from `fromMs` to `toMs`; negative when `toMs` is earlier. */
export function yearsBetween(fromMs: number, toMs: number): number {
  return (toMs - fromMs) / MS_PER_YEAR;
}
