/**
 * Expiry calendars like the big crypto venues': everything expires at 08:00 UTC; dailies every day,
 * weeklies on Fridays, monthlies on the last Friday of the month, quarterlies on the last Friday of
 * March, June, September and December.
 */

import { MS_PER_DAY } from '../model/time.js';

const EXPIRY_HOUR_UTC = 8;
const FRIDAY = 5;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function expiryOn(year: number, month: number, day: number): number {
  return Date.UTC(year, month, day, EXPIRY_HOUR_UTC);
}

function lastFridayOf(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const weekday = new Date(Date.UTC(year, month, lastDay)).getUTCDay();
  return expiryOn(year, month, lastDay - ((weekday - FRIDAY + 7) % 7));
}

/** The next `count` daily expiries strictly after `afterMs`. */
export function dailyExpiries(afterMs: number, count: number): number[] {
  const out: number[] = [];
  const d = new Date(afterMs);
  let t = expiryOn(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  while (out.length < count) {
    if (t > afterMs) out.push(t);
    t += MS_PER_DAY;
  }
  return out;
}

/** The next `count` Friday expiries strictly after `afterMs`. */
export function weeklyExpiries(afterMs: number, count: number): number[] {
  return dailyExpiries(afterMs, count * 7 + 7)
    .filter((t) => new Date(t).getUTCDay() === FRIDAY)
    .slice(0, count);
}

/** The next `count` month-end (last Friday) expiries strictly after `afterMs`; quarterly months only when `quarterly`. */
export function monthlyExpiries(afterMs: number, count: number, quarterly = false): number[] {
  const out: number[] = [];
  const d = new Date(afterMs);
  for (let k = 0; out.length < count; k++) {
    const month = d.getUTCMonth() + k;
    const t = lastFridayOf(d.getUTCFullYear() + Math.floor(month / 12), month % 12);
    if (t > afterMs && (!quarterly || month % 12 % 3 === 2)) out.push(t);
  }
  return out;
}

/** Venue-style date code: `27NOV26`. */
export function dateCode(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()}${MONTHS[d.getUTCMonth()]}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
}
