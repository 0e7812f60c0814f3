/**
 * Issue 13 item 1: positions are netted per (account, instrument) before margining, under every
 * method and on every backend; realized P&L is settled cash (`cashUsd`) in every equity.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { type Engine, generateSample } from '../src/index.js';
import { MARGIN_METHODS } from '../src/methods/registry.js';
import type { MarginReport } from '../src/margin/report.js';
import { allEngines } from './support/engines.js';
import { book, market } from './support/margin-books.js';
import { mulberry32 } from './support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const BTC = 91_500; // the README's market: brackets make the per-row error of an un-netted book large
const collateral = [{ asset: 'USDC', amount: 100_000 }];
const perp = (quantity: number, entryPrice = 90_000) => ({ instrument: 'BTC-PERP', quantity, entryPrice });

function run(engine: Engine, b: unknown, method: (typeof MARGIN_METHODS)[number]): MarginReport {
  return engine.margin(b, market({ btc: BTC }), { method, breakdown: true });
}

describe('positions are netted under every method', () => {
  test('twenty rows of 1 BTC-PERP margin exactly as one row of 20 (every method, every backend)', () => {
    // One row of 20 at 91,500: notional 1,830,000 in BTC's brackets (0.8% to 50k, 1% to 600k, 2% to 3M):
    // IM = 50,000·0.008 + 550,000·0.01 + 1,230,000·0.02 = 400 + 5,500 + 24,600 = 30,500, MM = 15,250.
    // Margined per row, twenty rows of 1 paid 20·(400 + 41,500·0.01) = 16,300.
    const one = book({ positions: [perp(20)], collateral });
    const twenty = book({ positions: Array.from({ length: 20 }, () => perp(1)), collateral });
    for (const e of engines) {
      for (const method of MARGIN_METHODS) {
        const a = run(e, one, method), b = run(e, twenty, method);
        expect({ ...b, backend: 'x' }, `${e.backend} ${method}`).toEqual({ ...a, backend: 'x' });
        for (const k of ['im', 'mm', 'equity', 'equityIm', 'equityMm', 'health'] as const) {
          expect(Object.is(b.accounts[0][k], a.accounts[0][k]), `${e.backend} ${method} ${k}`).toBe(true);
        }
        if (method === 'cross' || method === 'isolated') {
          expect(a.accounts[0].im).toBeCloseTo(30_500, 8);
          expect(a.accounts[0].mm).toBeCloseTo(15_250, 8);
        }
      }
    }
  });

  test('rows of +20 and −20 pay nothing, and their realized P&L shows in equity', () => {
    // +20 from 90,000 and −20 from 95,000: flat, realized 20·(95,000 − 90,000) = 100,000 USD in cash.
    // Equity = 100,000 USDC + 100,000 cash, all at full weight; no requirement under any method.
    const b = book({ positions: [perp(20, 90_000), perp(-20, 95_000)], collateral });
    for (const e of engines) {
      for (const method of MARGIN_METHODS) {
        const a = run(e, b, method).accounts[0];
        expect([a.im, a.mm, a.grossNotional], `${e.backend} ${method}`).toEqual([0, 0, 0]);
        expect(a.cashUsd).toBe(100_000);
        expect(a.collateralValue).toBe(100_000);
        expect([a.equity, a.equityIm, a.equityMm]).toEqual([200_000, 200_000, 200_000]);
        expect(a.positions).toEqual([expect.objectContaining({ instrument: 'BTC-PERP', quantity: 0, markToMarket: 0, im: 0, mm: 0 })]);
        expect(a.status).toBe('healthy');
      }
    }
  });

  test('equity of a netted position equals the rows’ summed P&L plus the book’s cash (hand-computed)', () => {
    // Rows +3 @ 90,000, −1 @ 93,000, +1 @ 92,000 at mark 91,500; book cashUsd −500.
    // Per row: 3·1,500 − 1·(−1,500) + 1·(−500) = 4,500 + 1,500 − 500 = 5,500.
    // Netted: eL = (270,000 + 92,000)/4 = 90,500, eS = 93,000; net +3 at 90,500, realized 1·(93,000 −
    // 90,500) = 2,500; 3·(91,500 − 90,500) = 3,000; 2,500 + 3,000 = 5,500. Equity = 100,000 − 500 + 5,500.
    const b = book({ positions: [perp(3, 90_000), perp(-1, 93_000), perp(1, 92_000)], collateral });
    (b.accounts[0] as Record<string, unknown>).cashUsd = -500;
    for (const e of engines) {
      const a = run(e, b, 'cross').accounts[0];
      expect(a.cashUsd).toBe(-500 + 2_500);
      expect(a.positions![0]).toMatchObject({ quantity: 3, markToMarket: 3_000 });
      expect(a.equity).toBe(105_000);
    }
  });

  test('reports of books without cash do not mention it', () => {
    const a = run(engines[0], book({ positions: [perp(1)], collateral }), 'cross').accounts[0];
    expect('cashUsd' in a).toBe(false);
  });
});

describe('cashUsd in the kernels', () => {
  test('WASM and JS give the same bits with cashUsd ≠ 0, every method; it moves each equity by the cash', () => {
    const { book: generated, market: m } = generateSample({ accounts: 150, seed: 21 });
    const rnd = mulberry32(1301);
    const withCash = { ...generated, accounts: generated.accounts.map((a) => ({ ...a, cashUsd: Math.round((rnd() - 0.4) * 2e6) / 100 })) };
    for (const method of MARGIN_METHODS) {
      const reports = engines.map((e) => e.margin(withCash, m, { method, breakdown: true }));
      const [js, ...wasm] = reports;
      for (const r of wasm) expect({ ...r, backend: 'x' }, `${r.backend} ${method}`).toEqual({ ...js, backend: 'x' });
      const plain = engines[0].margin(generated, m, { method });
      js.accounts.forEach((a, i) => {
        const cash = withCash.accounts[i].cashUsd;
        expect(a.cashUsd).toBe(cash === 0 ? undefined : cash);
        expect(a.im).toBe(plain.accounts[i].im); // cash is not a requirement
        for (const k of ['equity', 'equityIm', 'equityMm'] as const) {
          // (collateral + cash) + P&L against collateral + P&L: equal up to rounding of the magnitudes
          const scale = Math.abs(a.collateralValue) + Math.abs(plain.accounts[i][k]) + Math.abs(cash);
          expect(Math.abs(a[k] - plain.accounts[i][k] - cash), `${method} ${a.id} ${k}`).toBeLessThanOrEqual(1e-15 * scale);
        }
      });
    }
  });

  test('isolated mode: cash joins the pool shared by positions without an explicit allocation', () => {
    // 1 BTC-PERP at 91,500 (IM 400 + 41,500·0.01 = 815) with 100 USDC: pool 100 → liquidatable
    // (MM 200 + 41,500·0.005 = 407.5). With 900 of cash the pool is 1,000 ≥ 815: healthy.
    const b = book({ positions: [perp(1, BTC)], collateral: [{ asset: 'USDC', amount: 100 }] });
    const rich = { ...b, accounts: [{ ...b.accounts[0], cashUsd: 900 }] };
    for (const e of engines) {
      expect(run(e, b, 'isolated').accounts[0].status).toBe('liquidatable');
      const a = run(e, rich, 'isolated').accounts[0];
      expect(a.positions![0].allocated).toBe(1_000);
      expect(a.status).toBe('healthy');
    }
  });
});
