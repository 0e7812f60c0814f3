/**
 * A run's report keeps the exact sums its totals were rounded from (build-report.ts), so whoever merges reports (the
 * CLI's chunks of a big book, src/cli/margin-chunks.ts) reads them instead of summing the rows again: they must be
 * the rows' own sums. On a venue's book with USD, USDC-linear and BTC- and ETH-margined accounts, on every backend: the kept
 * sums round to the report's totals and to the rows summed again, and two halves of the book merged give the whole
 * book's totals. A report whose rows were written into after the run (the backstop policy's covers) gets new totals,
 * and its rows are summed again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/index.js';
import { mergeTotalSums, newTotalSums, totalsOfSums } from '../../src/margin/exact-totals.js';
import { reportSums, summaryRowsOfReport, summarySums } from '../../src/margin/summary-rows.js';
import { generateSample } from '../../src/sample/generate.js';
import { COIN_METHODS } from '../support/coin-books.js';
import { allEngines } from '../support/engines.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

describe('the exact sums a report keeps', () => {
  const book = venueBook(mulberry32(41), 400, false), market = venueMarket();

  it('are the rows\' own sums, kept rather than summed again', () => {
    expect(new Set(book.accounts.map((a: { marginCurrency?: string }) => a.marginCurrency ?? 'USD'))).toEqual(new Set(['USD', 'USDC', 'BTC', 'ETH']));
    for (const engine of engines) {
      for (const method of COIN_METHODS) {
        const report = engine.margin(book, market, { method });
        const rows = summaryRowsOfReport(report)!;
        const kept = reportSums(report, rows);
        expect(reportSums(report, rows), `${engine.backend} ${method}: the kept object`).toBe(kept);
        expect(totalsOfSums(kept)).toEqual(report.totals);
        expect(totalsOfSums(summarySums(rows))).toEqual(report.totals);
      }
    }
  });

  it('of two halves of the book, merged, give the whole book\'s totals', () => {
    const half = book.accounts.length >> 1;
    const halves = [book.accounts.slice(0, half), book.accounts.slice(half)];
    for (const engine of engines) {
      const whole = engine.margin(book, market, { method: 'cross' });
      const merged = newTotalSums();
      for (const accounts of halves) {
        const report = engine.margin({ ...book, accounts }, market, { method: 'cross' });
        mergeTotalSums(merged, reportSums(report, summaryRowsOfReport(report)!));
      }
      expect(totalsOfSums(merged), engine.backend).toEqual(whole.totals);
    }
  });

  it('are not used once the rows were written into after the run (a backstop\'s covers): the rows are summed again', () => {
    const sample = generateSample({ accounts: 2_000, seed: 20, accountsPerMaster: 10 });
    for (const engine of engines) {
      const report = engine.margin(sample.book, sample.market, { method: 'cross', params: { subaccounts: { policy: 'backstop' } } });
      const rows = summaryRowsOfReport(report)!;
      expect(rows.backstops?.size, engine.backend).toBeGreaterThan(20); // covers were paid into the rows
      const sums = reportSums(report, rows);
      expect(totalsOfSums(sums)).toEqual(report.totals);
      // the covers move cash, not money: the same equity, accounts moved between statuses
      const before = engine.margin(sample.book, sample.market, { method: 'cross' }).totals;
      expect(totalsOfSums(sums).equity).toBe(before.equity);
      expect(totalsOfSums(sums).byStatus).not.toEqual(before.byStatus);
    }
  });
});
