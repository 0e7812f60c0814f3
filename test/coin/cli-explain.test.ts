/**
 * `margin-core explain` on a coin-margined account of the sample: its figures are in its coin, the USD view on the line
 * after them, and the closing line says so (it said "money in USD" for every account). A USD-only method sets the
 * sample's two BTC-margined accounts aside: `margin` shows them in status error, and every command that margins by
 * such a method names them in a note on stderr, exit 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSample, validateBook } from '../../src/index.js';
import { setAsideAccounts, setAsideKind } from '../../src/cli/io.js';
import { readArrowBook } from '../../src/io/arrow/read-book.js';
import { writeArrowBook } from '../../src/io/arrow/write-book.js';
import { objectViewBuilt } from '../../src/model/book-columns.js';
import { marginCore, SAMPLE } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

describe('explain CLI on a coin-margined account', () => {
  it('states its unit: the coin for a BTC-margined account, USD for a USD one', async () => {
    const args = ['--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json')];
    const coin = await marginCore('explain', 'btc-margined-000300', ...args);
    expect(coin.code).toBe(0);
    expect(coin.stdout).toMatch(/^money in BTC; in USD at 88,034\.50 per BTC: /m);
    expect(coin.stdout.trimEnd()).toMatch(/; money in BTC\)$/);
    const usd = await marginCore('explain', 'market-maker-000000', ...args);
    expect(usd.code).toBe(0);
    expect(usd.stdout.trimEnd()).toMatch(/; money in USD\)$/);
  });
});

describe('margin CLI on coin-margined accounts a USD-only method sets aside', () => {
  it('writes their figures n/a and their reason in the table, never NaN; a note on stderr, exit 0 (a documented limit)', async () => {
    const run = await marginCore('margin', '--sample', '--method', 'var', '--status', 'error');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/NaN/);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('btc-margined-'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split(/\s{2,}/).slice(1)).toEqual(['error', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'margined in BTC: the var method margins accounts in USD only (docs/coin-margined.md); BTC-margined accounts are margined by isolated, cross, portfolio, deribit']);
    expect(run.stderr).toMatch(/note: 2 BTC-margined accounts not margined by a method that margins accounts in USD only/);
  });
});

describe('the note on an account margined in a stablecoin', () => {
  const dir = scratchDir('margin-core-usdc-note-');
  it('names its currency: a USDC-margined account is no coin-margined one', async () => {
    const book = {
      instruments: [{ id: 'BTC_USDC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 1, settlement: 'USDC' }],
      accounts: [{ id: 'usdc-1', marginCurrency: 'USDC', collateral: [{ asset: 'USDC', amount: 50_000 }], positions: [{ instrument: 'BTC_USDC-PERPETUAL', quantity: 1, entryPrice: 100_000 }] }],
    };
    const market = {
      valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0.01 } },
      marks: { 'BTC_USDC-PERPETUAL': 100_000 }, correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
    };
    writeFileSync(join(dir, 'book.json'), JSON.stringify(book));
    writeFileSync(join(dir, 'market.json'), JSON.stringify(market));
    const run = await marginCore('margin', '--book', join(dir, 'book.json'), '--market', join(dir, 'market.json'), '--method', 'var');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('margin-core: note: 1 USDC-margined account not margined by a method that margins accounts in USD only (status error): usdc-1\n');
    // explain says the rate it converts at to the digits that show a depeg (1.00 hid 0.999)
    writeFileSync(join(dir, 'depeg.json'), JSON.stringify({ ...market, assets: { ...market.assets, USDC: { price: 0.999, vol: 0.01 } } }));
    const explained = await marginCore('explain', 'usdc-1', '--book', join(dir, 'book.json'), '--market', join(dir, 'depeg.json'));
    expect(explained.stdout).toMatch(/^money in USDC; in USD at 0\.999000 per USDC: equity 49,950\.00,/m);
    // its row's error names its currency too
    expect(run.stdout).toContain('margined in USDC: the var method margins accounts in USD only (docs/coin-margined.md); USDC-margined accounts are margined by');
    expect(run.stdout).not.toContain('coin-margined accounts are');
  });

  it('says what accounts of several currencies, or of one not known, have in common: not USD', () => {
    expect(setAsideKind(2, ['BTC', 'BTC'])).toBe('BTC-margined accounts');
    expect(setAsideKind(3, ['BTC', 'USDC', 'BTC'])).toBe('accounts margined in currencies other than USD (BTC, USDC)');
    expect(setAsideKind(1, [undefined])).toBe('account margined in a currency other than USD');
  });
});

describe('liquidate and stress CLI on coin-margined accounts a USD-only method sets aside', () => {
  const ids = 'btc-margined-000300, btc-margined-000301';
  const runs: [string[], string][] = [
    [['liquidate', '--sample', '--method', 'var', '--format', 'json'], `not margined by var, which margins accounts in USD only (left out of the liquidation): ${ids}`],
    [['stress', '--sample', '--method', 'span', '--format', 'json'], `not margined by span, which margins accounts in USD only (left out of its stress cascade): ${ids}`],
    [['stress', '--sample', '--method', 'all', '--format', 'csv'], `not margined by var, span, derive, which margin accounts in USD only (left out of their stress cascades): ${ids}`],
  ];
  for (const [args, note] of runs) {
    it(`${args.join(' ')}: a note on stderr names them, exit 0 (a documented limit)`, async () => {
      const run = await marginCore(...args);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(`margin-core: note: 2 BTC-margined accounts ${note}\n`);
      // the report has no row for an account it never margined: the note is where they are named
      expect(run.stdout).not.toMatch(/btc-margined/);
    });
  }

  it('a method that margins them says nothing', async () => {
    for (const command of ['liquidate', 'stress']) {
      const run = await marginCore(command, '--sample', '--method', 'cross', '--format', 'json');
      expect([run.code, run.stderr]).toEqual([0, '']);
    }
  });
});

describe('setAsideAccounts (the accounts the note names)', () => {
  it('finds the coin-margined accounts for a USD-only method only, by a columnar book\'s columns (its object view never built)', async () => {
    const sample = generateSample({ accounts: 40, seed: 3, coinAccounts: 3 });
    const coin = sample.book.accounts.filter((a) => a.marginCurrency !== undefined).map((a) => a.id);
    expect(coin).toHaveLength(3);
    const columnar = await readArrowBook(await writeArrowBook(sample.book));
    // liquidate lets a columnar book's positions go after laying it out, which an object view would prevent (~2.2 GB at 1M × 20)
    expect(setAsideAccounts(columnar, ['var'])).toEqual({ ids: coin, currencies: ['BTC', 'BTC', 'BTC'], usdOnly: ['var'] });
    expect(objectViewBuilt(columnar)).toBe(false);
    expect(setAsideAccounts(validateBook(sample.book), ['cross', 'span', 'derive'])).toEqual({ ids: coin, currencies: ['BTC', 'BTC', 'BTC'], usdOnly: ['span', 'derive'] });
    expect(setAsideAccounts(columnar, ['cross', 'portfolio', 'deribit'])).toEqual({ ids: [], currencies: [], usdOnly: [] });
  });
});
