import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp, MS_PER_YEAR, parseIsoTimestamp, yearsBetween } from '../../src/model/time.js';

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
