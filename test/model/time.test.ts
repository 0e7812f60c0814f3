import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp, MS_PER_YEAR, parseIsoTimestamp, timestampOfMs, yearsBetween } from '../../src/model/time.js';

describe('timestamps', () => {
  it('parses Z and offset forms to the same instant', () => {
    expect(parseIsoTimestamp('2026-11-27T08:00:00Z')).toBe(Date.UTC(2026, 10, 27, 8));
    expect(parseIsoTimestamp('2026-11-27T09:30:00+01:30')).toBe(Date.UTC(2026, 10, 27, 8));
    expect(parseIsoTimestamp('2026-11-27T08:00Z')).toBe(Date.UTC(2026, 10, 27, 8));
    expect(parseIsoTimestamp('2026-11-27T08:00:00.250Z')).toBe(Date.UTC(2026, 10, 27, 8, 0, 0, 250));
  });

  it('rejects dates without a zone, impossible days and other shapes', () => {
    for (const bad of ['2026-11-27T08:00:00', '2026-11-27', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-27T24:00:00Z', 'tomorrow']) {
      expect(parseIsoTimestamp(bad), bad).toBeNaN();
    }
    expect(parseIsoTimestamp('2028-02-29T00:00:00Z')).not.toBeNaN(); // leap year
  });

  it('reads a year below 100 as written (Date.UTC read 0050 as 1950)', () => {
    // 1950-01-01 is -631,152,000,000 ms; 0050-01-01 is 1,900 years of 365 days plus 460 leap days earlier (the 475
    // years 52 to 1948 divisible by 4, less the 15 centuries 100 to 1900 not divisible by 400)
    expect(parseIsoTimestamp('1950-01-01T00:00:00Z')).toBe(-631_152_000_000);
    expect(parseIsoTimestamp('0050-01-01T00:00:00Z')).toBe(-631_152_000_000 - (1900 * 365 + 460) * 86_400_000);
    expect(parseIsoTimestamp('0000-02-29T00:00:00Z')).not.toBeNaN(); // year 0 is a leap year (proleptic Gregorian)
    expect(parseIsoTimestamp('0100-02-29T00:00:00Z')).toBeNaN(); // 100 is not
  });

  it('a time in epoch ms that a valuationTime can state: whole ms in the years 0000 to 9999', () => {
    expect(timestampOfMs(Date.UTC(2026, 10, 20, 10, 15))).toBe('2026-11-20T10:15:00Z');
    expect(timestampOfMs(-5)).toBe('1969-12-31T23:59:59.995Z');
    expect(timestampOfMs(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z'); // Date.UTC(9999, 11, 31, 23, 59, 59, 999)
    expect(timestampOfMs(-62_167_219_200_000)).toBe('0000-01-01T00:00:00Z'); // 1970 years of 365 days and 478 leap days before 1970
    for (const bad of [253_402_300_800_000, -62_167_219_200_001, 1e20, 1.5, NaN, Infinity]) expect(timestampOfMs(bad), String(bad)).toBeUndefined();
  });

  it('formats canonically, with milliseconds only when present', () => {
    expect(formatIsoTimestamp(Date.UTC(2026, 10, 27, 8))).toBe('2026-11-27T08:00:00Z');
    expect(formatIsoTimestamp(Date.UTC(2026, 10, 27, 8, 0, 0, 5))).toBe('2026-11-27T08:00:00.005Z');
  });

  it('counts years ACT/365: a leap year is 366/365 years', () => {
    expect(yearsBetween(Date.UTC(2027, 11, 31), Date.UTC(2028, 11, 31))).toBeCloseTo(366 / 365, 15);
    expect(yearsBetween(0, 7 * 86_400_000)).toBe(7 / 365);
    expect(MS_PER_YEAR).toBe(31_536_000_000);
  });
});
