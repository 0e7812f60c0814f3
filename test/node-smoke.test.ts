import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { marginCore, SAMPLE } from './support/cli.js';



test('the Node bundle loads, picks WASM SIMD and prices Haug’s example', async () => {
  const bundle = join(import.meta.dirname, '..', 'dist', 'node', 'margin-core.js');
  const { createEngine } = (await import(bundle)) as typeof import('../src/index.js');
  const engine = await createEngine();
  expect(engine.backend).toBe('wasm-simd');
  const out = engine.greeks({
    isCall: Uint8Array.of(1), spot: Float64Array.of(60), strike: Float64Array.of(65),
    expiryYears: Float64Array.of(0.25), vol: Float64Array.of(0.3), rate: Float64Array.of(0.08),
  });
  expect(out.price[0]).toBeCloseTo(2.1334, 4);
});

// `margin-core demo` and `explain` are covered in test/cli.test.ts.

test('`margin-core greeks` prices a user book as JSON, and bad input exits 1 with paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'margin-core-'));
  const book = {
    instruments: [{ id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100000, expiry: '2027-01-01T08:00:00Z' }],
    accounts: [{ id: 'a', positions: [{ instrument: 'BTC-C', quantity: 1, entryPrice: 1000 }] }],
  };
  const market = {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { BTC: { price: 90000, vol: 0.5, rate: 0.04 } },
    impliedVols: { 'BTC-C': 0.55 },
    correlation: { assets: ['BTC'], matrix: [[1]] },
  };
  await writeFile(join(dir, 'book.json'), JSON.stringify(book));
  await writeFile(join(dir, 'market.json'), JSON.stringify(market));
  const ok = await marginCore('greeks', '--book', join(dir, 'book.json'), '--market', join(dir, 'market.json'), '--format', 'json');
  expect(ok.code).toBe(0);
  const report = JSON.parse(ok.stdout);
  expect(report.options[0].instrument).toBe('BTC-C');
  expect(report.options[0].price).toBeGreaterThan(0);

  market.assets.BTC.price = -5;
  await writeFile(join(dir, 'market.json'), JSON.stringify(market));
  const bad = await marginCore('greeks', '--book', join(dir, 'book.json'), '--market', join(dir, 'market.json'));
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/market\.assets\.BTC\.price/);

  const usage = await marginCore('greeks', '--nonsense');
  expect(usage.code).toBe(2);
});

test('`margin-core margin` reports every account of the sample as a table, JSON and CSV', async () => {
  const sample = SAMPLE;
  const args = ['margin', '--book', join(sample, 'book.json'), '--market', join(sample, 'market.json')];
  const tableRun = await marginCore(...args);
  expect(tableRun.code).toBe(0);
  expect(tableRun.stdout).toMatch(/cross margin on wasm-simd.*302 accounts \(healthy \d+, margin_call \d+/);
  const json = JSON.parse((await marginCore(...args, '--method', 'isolated', '--format', 'json', '--breakdown')).stdout);
  expect(json.method).toBe('isolated');
  expect(json.accounts).toHaveLength(302);
  expect(json.accounts[0].positions.length).toBeGreaterThan(0);
  const csvRun = await marginCore(...args, '--format', 'csv');
  expect(csvRun.stdout.split('\n')[0]).toBe('id,status,equity,equityIm,equityMm,im,mm,health,excessOverMm,grossNotional,efficiency,marginCurrency'); // marginCurrency empty for USD accounts
  const portfolioRun = await marginCore(...args, '--method', 'portfolio');
  expect(portfolioRun.code).toBe(0);
  expect(portfolioRun.stdout).toMatch(/portfolio margin on wasm-simd.*302 accounts/);
  const unknown = await marginCore(...args, '--method', 'spam'); // a bad option value (usage, exit 2) naming the nearest method
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('error: option \'--method <method>\' argument \'spam\' is invalid. unknown method "spam" (did you mean "span"?)');
  expect((await marginCore(...args, '--params', join(sample, 'book.json'))).code).toBe(1); // a book is not a params file
});
