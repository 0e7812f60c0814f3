/** The JSON report streamed from columns is byte for byte `JSON.stringify(report, null, 2)` plus a newline. */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { marginReportJson, marginReportJsonBytes, rowText } from '../../src/io/report-json.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import type { MarginReport } from '../../src/margin/report.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';

const engine = await createEngine({ backend: 'js' });
// pieces of ~16 KB: a sample report is written in several
const streamed = (report: MarginReport) => [...marginReportJson(columnarReport(report), 16_384)].join('');
const bytes = (report: MarginReport) => Buffer.concat([...marginReportJsonBytes(columnarReport(report), 16_384)]);
const whole = (report: MarginReport) => `${JSON.stringify(report, null, 2)}\n`;

describe('marginReportJson', () => {
  const { book, market } = generateSample({ accounts: 1100, seed: 4 });

  it.each(['cross', 'isolated', 'portfolio', 'var'])('%s: the same bytes as the whole report, rows streamed in pieces', (method) => {
    const text = streamed(engine.margin(book, market, { method }));
    expect(text).toBe(whole(engine.margin(book, market, { method })));
    expect([...marginReportJson(columnarReport(engine.margin(book, market, { method })), 16_384)].length).toBeGreaterThan(2);
    expect(bytes(engine.margin(book, market, { method })).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('rows with cash, masters, backstop moves, the domain\'s largest figures and warnings; a breakdown; an empty report', () => {
    const grouped = generateSample({ accounts: 40, seed: 9, accountsPerMaster: 4 });
    const perpetual = grouped.book.instruments.find((i) => i.kind === 'perpetual')!.id;
    // near the book domain's edges (docs/domain.md): a notional just under 1e15 USD, the smallest entry price; every
    // figure stays finite, so no row is in error
    const extreme = { id: 'extreme', positions: [{ instrument: perpetual, quantity: 1e10, entryPrice: 1e-12 }], collateral: [{ asset: 'USDC', amount: 1 }] };
    const accounts = [...grouped.book.accounts.map((a, i) => (i === 3 ? { ...a, cashUsd: -1250.5 } : a)), extreme];
    const bookWithErrors = { ...grouped.book, accounts, note: 'x' };
    for (const options of [{ method: 'cross', lenient: true }, { method: 'cross', lenient: true, params: { subaccounts: { policy: 'backstop' } } }, { method: 'portfolio', breakdown: true, lenient: true }]) {
      const report = engine.margin(bookWithErrors, grouped.market, options);
      expect(report.totals.byStatus.error).toBe(0);
      expect(report.warnings).toBeDefined();
      expect(streamed(report)).toBe(whole(engine.margin(bookWithErrors, grouped.market, options)));
    }
    const single = generateSample({ accounts: 1, seed: 2 });
    expect(streamed(engine.margin(single.book, single.market))).toBe(whole(engine.margin(single.book, single.market)));
  });

  it('a venue book of every account kind (USD, USDC-linear, coin-margined, masters, accounts in error) by every method: rows from the columns, a coin row built', () => {
    const book = venueBook(mulberry32(5), 60, true);
    book.accounts.push({ id: 'odd "id" ≥ \\ é', positions: [], collateral: [{ asset: 'USDC', amount: 10 }] } as never);
    for (const method of engine.methods) {
      const report = engine.margin(book, venueMarket(), { method, lenient: true });
      const c = columnarReport(report);
      let built = 0;
      const row = c.row;
      (c as { row: typeof row }).row = (k) => (built++, row(k));
      expect([...marginReportJson(c, 16_384)].join(''), method).toBe(whole(engine.margin(book, venueMarket(), { method, lenient: true })));
      // only a coin-margined row (its USD view) is built as an object; the others are written from the columns
      const coin = report.accounts.filter((a) => a.marginCurrency !== undefined).length;
      expect(built, method).toBe(coin);
    }
  });

  it('strings JSON must escape (quotes, backslashes, control characters, lone surrogates) and non-ASCII text, as JSON.stringify writes them', () => {
    const id = 'a"b\\c\u0001d\ud800e ≥ é 😀';
    const row = { id, status: 'healthy', statusReason: 'equity ≥ IM', equity: 1.5, health: Infinity, excessOverMm: -0, efficiency: NaN } as never;
    expect(rowText(row)).toBe(`    ${JSON.stringify(row, null, 2).replace(/\n/g, '\n    ')}`);
  });
});
