/**
 * Report totals that cannot be misread (issue 36 items 4 and 6): the sums leave accounts in status error out and say
 * so (`complete`, `covered`, and a label in the CLI line and the page); they are exact, so the same bits whatever
 * the order of the accounts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample } from '../../src/index.js';
import type { AccountMargin } from '../../src/margin/report.js';
import { totalsOfRows } from '../../src/margin/exact-totals.js';
import { coverageLabel, summarizeMethods } from '../../src/report/summary.js';
import { marginSummary } from '../../src/cli/commands/margin.js';

function row(id: string, status: AccountMargin['status'], im: number): AccountMargin {
  return {
    id, status, statusReason: '', equity: 1000, equityIm: 1000, equityMm: 1000, im, mm: im / 2, health: 2, excessOverMm: 1,
    grossNotional: 10 * im, efficiency: 10, collateralValue: 1000,
  };
}

describe('totals over part of the book say so', () => {
  it('complete and covered: the error accounts are counted and left out of the sums', () => {
    const t = totalsOfRows([row('a', 'healthy', 100), row('b', 'error', NaN), row('c', 'margin_call', 50)]);
    expect(t).toMatchObject({ accounts: 3, complete: false, covered: 2, im: 150, mm: 75, equity: 2000, grossNotional: 1500 });
    expect(totalsOfRows([row('a', 'healthy', 100)])).toMatchObject({ complete: true, covered: 1 });
  });

  it('a book all in error totals IM 0 over 0 of its accounts, never a bare 0', () => {
    const t = totalsOfRows([row('a', 'error', NaN), row('b', 'error', NaN)]);
    expect(t).toMatchObject({ accounts: 2, complete: false, covered: 0, im: 0 });
    expect(coverageLabel(t)).toBe('0 of 2 accounts (2 in error left out)');
  });

  it('the CLI summary line labels partial totals with the accounts they cover', () => {
    const accounts = [row('a', 'healthy', 100), row('b', 'error', NaN), row('c', 'healthy', 50)];
    const report = { method: 'cross' as const, valuationTime: '', backend: 'js' as const, accounts, totals: totalsOfRows(accounts) };
    expect(marginSummary(report)).toContain('PARTIAL totals over 2 of 3 accounts (1 in error left out): IM 150.00, MM 75.00');
    const whole = { ...report, accounts: [accounts[0]], totals: totalsOfRows([accounts[0]]) };
    expect(marginSummary(whole)).toContain('; total IM 100.00, MM 50.00');
    expect(summarizeMethods([report])[0]).toMatchObject({ complete: false, covered: 2, accounts: 3 });
  });
});

describe('exact totals: the same bits in any account order', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine();
  });

  it('a generated book and the same book reversed give the same totals, to the bit', () => {
    const { book, market } = generateSample({ accounts: 2000, seed: 36 });
    const reversed = { ...book, accounts: [...book.accounts].reverse() };
    for (const method of ['cross', 'portfolio', 'var'] as const) {
      const a = engine.margin(book, market, { method }).totals;
      const b = engine.margin(reversed, market, { method }).totals;
      expect(b, method).toEqual(a);
      for (const k of ['equity', 'im', 'mm', 'grossNotional', 'efficiency'] as const) expect(Object.is(a[k], b[k]), `${method} ${k}`).toBe(true);
    }
  });
});
