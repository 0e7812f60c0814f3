/**
 * Counts in the CLI's text read as the accounts line does ("1,000,000 accounts"): grouped by thousands wherever a
 * sentence or a table gives a number of accounts; and the compare table's "freed vs isolated" column is there only
 * when isolated is compared (it was an empty column otherwise).
 */
import { describe, expect, it } from 'vitest';
import { coverageHeadline, coverageNotes, coverageTable } from '../../src/report/coverage-text.js';
import type { CoverageRow, EqualCoverage } from '../../src/report/coverage.js';
import { coverageLabel } from '../../src/report/summary.js';

const row = (method: string, freedVsIsolated?: number): CoverageRow => ({ method, requirement: 1_000_000, multiple: 2, covered: 0.9, scale: 1.5, requirementAtCoverage: 1_500_000, efficiencyAtCoverage: 3, ...(freedVsIsolated === undefined ? {} : { freedVsIsolated }) });
const coverage = (rows: CoverageRow[]): EqualCoverage => ({ accounts: 980_909, excluded: 19_091, loss: 5e8, notional: 4.5e9, share: 0.99, rows });

describe('counts in the text', () => {
  it('groups the accounts a partial total covers and leaves out', () => {
    expect(coverageLabel({ accounts: 1_000_000, covered: 998_765, complete: false })).toBe('998,765 of 1,000,000 accounts (1,235 in error left out)');
  });

  it('groups the accounts equal coverage compares and leaves out', () => {
    expect(coverageHeadline(coverage([row('cross')])).replace(/\s+/g, ' ')).toContain('over the 980,909 accounts that can lose (19,091 left out');
  });
});

describe('the equal-coverage table', () => {
  it('has no "freed vs isolated" column when isolated is not compared', () => {
    const c = coverage([row('cross'), row('portfolio')]);
    const [header, , first] = coverageTable(c).split('\n');
    expect(header).not.toContain('freed vs isolated');
    expect(first).toMatch(/3\.00×$/); // notional/requirement (3) is the last column
    expect(coverageNotes(c).join(' ')).not.toContain('freed vs isolated');
  });

  it('has it, isolated the reference, when isolated is compared', () => {
    const c = coverage([row('isolated'), row('cross', 0.25)]);
    const lines = coverageTable(c).split('\n');
    expect(lines[0]).toContain('freed vs isolated');
    expect(lines[2]).toMatch(/reference$/);
    expect(lines[3]).toMatch(/25\.0%$/);
  });
});
