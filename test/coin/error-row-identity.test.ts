/**
 * An error row keeps the account's identity (docs/domain.md: an account that could not be computed has status
 * `error` and why, and no figures): its `master` and, for a coin-margined account, its `marginCurrency`, so a reader
 * can tell why a USD-only method (var, span, derive) set it aside (docs/coin-margined.md). As any coin-margined row, it
 * carries its USD view (`usd`: the coin's index price, its figures none). Before the fix the set-aside row lost
 * `marginCurrency` (and `usd`), which the same account's row under cross has.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountMargin } from '../../src/index.js';
import { writeArrowReport } from '../../src/io/arrow/write-report.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import { validateInputs } from '../../src/model/validate.js';
import { LocalTransport } from '../../src/scale/local-transport.js';
import { withoutWorkers, firstDifference } from '../support/bits.js';
import { SAMPLE } from '../support/cli.js';
import { coinBook, coinMarket, USD_ONLY_METHODS } from '../support/coin-books.js';
import { allEngines } from '../support/engines.js';
import { expectValidReport } from '../support/schemas.js';

const engines = await allEngines();
// BTC at 100,000 (coinMarket): a BTC master with a BTC subaccount, and a USD account the USD-only methods margin
const book = coinBook(
  { id: 'bm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }] },
  { id: 'bs', master: 'bm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 100, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.1 }] },
  { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
);
const MONEY = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'excessOverMm', 'grossNotional', 'collateralValue'] as const;

function expectSetAsideIdentity(row: AccountMargin, master: string | undefined, where: string): void {
  expect(row.status, where).toBe('error');
  expect(row.error, where).toMatch(/margins accounts in USD only/);
  expect(row.master, where).toBe(master);
  expect(row.marginCurrency, where).toBe('BTC');
  expect(row.usd?.price, where).toBe(100_000);
  for (const k of MONEY) expect(row.usd![k], `${where} usd.${k}`).toBeNaN();
  expect(row.im, where).toBeNaN();
}

describe.each(engines.map((e) => [e.backend, e] as const))('a set-aside row keeps its margin currency (%s)', (_name, engine) => {
  it.each(USD_ONLY_METHODS)('%s: summary rows, breakdown rows and a live session\'s row', (method) => {
    for (const breakdown of [false, true]) {
      const r = engine.margin(book, coinMarket(), { method, breakdown });
      expectValidReport(r);
      expectSetAsideIdentity(r.accounts[0], undefined, `${method} bm breakdown ${breakdown}`);
      expectSetAsideIdentity(r.accounts[1], 'bm', `${method} bs breakdown ${breakdown}`);
      expect(r.accounts[2].marginCurrency).toBeUndefined();
      expect(r.totals).toMatchObject({ covered: 1, complete: false, im: r.accounts[2].im }); // the totals still leave them out
      const json = JSON.parse(JSON.stringify(r.accounts[1])) as Record<string, unknown>;
      expect(json).toMatchObject({ marginCurrency: 'BTC', master: 'bm', im: null, usd: { price: 100_000, im: null } });
    }
    const live = engine.live(book, coinMarket(), { method });
    try {
      expectSetAsideIdentity(live.account('bs'), 'bm', `${method} live`);
    } finally {
      live.release();
    }
  });
});

describe('the set-aside row in every output', () => {
  const engine = engines[0];

  it('the bundled sample under var: btc-margined-000300 keeps marginCurrency, as under cross', () => {
    const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));
    const sample = read('book.json'), market = read('market.json');
    const row = engine.margin(sample, market, { method: 'var' }).accounts.find((a) => a.id === 'btc-margined-000300')!;
    expect(row).toMatchObject({ status: 'error', marginCurrency: 'BTC' });
    expect(engine.margin(sample, market, { method: 'cross' }).accounts.find((a) => a.id === 'btc-margined-000300')!.marginCurrency).toBe('BTC');
  });

  it('the columns the Arrow and CSV writers read, and the Arrow report', async () => {
    const report = engine.margin(book, coinMarket(), { method: 'var' });
    const columns = columnarReport(report);
    expect(columns.optionalKeys).toEqual(expect.arrayContaining(['master', 'error', 'marginCurrency', 'usdPrice']));
    expect([0, 1, 2].map((k) => columns.value(k, 'marginCurrency'))).toEqual(['BTC', 'BTC', undefined]);
    expect([0, 1, 2].map((k) => columns.value(k, 'usdPrice'))).toEqual([100_000, 100_000, undefined]);
    const { tableFromIPC } = await import('apache-arrow');
    const table = tableFromIPC(await writeArrowReport(columns));
    expect(table.getChild('marginCurrency')!.toArray()).toEqual(['BTC', 'BTC', null]);
  });

  it('a sharded book gives the single-process rows', async () => {
    const { book: valid, market } = validateInputs(book, coinMarket());
    const reference = engine.margin(valid, market, { method: 'var' });
    for (const shards of [1, 2]) {
      const sharded = await engine.openShardedBook(valid, new LocalTransport(engine, shards));
      try {
        const report = withoutWorkers(await sharded.margin(market, { method: 'var' }));
        expect(report.accounts[1].marginCurrency).toBe('BTC');
        expect(firstDifference(report, reference)).toBeNull();
      } finally {
        await sharded.release();
      }
    }
  });
});
