/**
 * Restore health of a coin-margined account (docs/coin-margined.md) with inverse hedges, solved by hand
 * (docs/optimisation.md, "Hedges"; src/optimize/hedge-prices.ts). BTC at 100,000 USD, BTC-PERPETUAL (inverse, 10 USD
 * of face per contract) marked 100,000; the account is margined in BTC, so equity, IM, MM, costs and slack are in BTC.
 *
 * Portfolio margin (default rule: spot ±16%, tails weighted to ≤ 16%, linear add-on 0.5% of the notional in coin,
 * MM = 0.8 × IM): an inverse position of q coins (q = face / F) loses q·m/(1 + m) coin at a move m, and a tail's loss
 * converted at the grid edge is never more than the edge's, so
 *   long q:  IM = q·(0.16/0.84 + 0.005),   short q: IM = q·(0.16/1.16 + 0.005).
 * A sell of the perpetual fills at F − spread, a buy at F + spread (USD per coin), i.e. at −1/(F ∓ spread) in the
 * layout's coordinate; a contract's spread costs 10·|1/F − 1/(F ∓ spread)| coin and its fee fee/100,000 coin.
 * The programme keeps a safety margin δ = 1e-7 × max(|equity|, IM, 1) = 1e-7 BTC off the target's equity.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { validateInputs } from '../../src/index.js';
import { defaultHedges } from '../../src/optimize/default-hedges.js';
import { engineRun } from '../../src/session/prepared-run.js';
import { requirementAt } from '../../src/margin/requirement-model.js';

const F = 100_000, FACE = 10;
const PERP = { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: FACE, settlement: 'BTC' };
const USD_PERP = { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 };
const coinBook = (contracts: number, btc: number) => ({
  instruments: [PERP, USD_PERP],
  accounts: [{
    id: 'sat', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: btc }],
    positions: [{ instrument: 'BTC-PERPETUAL', quantity: contracts, entryPrice: F }],
  }],
});
const market = () => ({
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: F, vol: 0.5 } },
  marks: { 'BTC-PERPETUAL': F, 'BTC-PERP': F },
});
const LONG_RATE = 0.16 / 0.84 + 0.005, SHORT_RATE = 0.16 / 1.16 + 0.005;
const DELTA = 1e-7;

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

/** The account's figures from scratch: the traded book (position, balance) margined by a fresh run. */
function remargined(engine: Engine, contracts: number, btc: number) {
  return engine.margin(coinBook(contracts, btc), market(), { method: 'portfolio' }).accounts[0];
}

describe('portfolio margin of a BTC account: inverse hedges costed in BTC', () => {
  test('to IM: sell part of a long perpetual at F − spread, the cost and the after figures by hand and from scratch', async () => {
    // long 10,000 contracts = 100,000 USD of face = 1 BTC, on 0.1 BTC: IM = 0.19547619 BTC, equity 0.1 BTC.
    // Selling x contracts at 99,950 with a 0.1 USD fee costs c = 10·50/(100,000·99,950) + 0.1/100,000 BTC each;
    // IM(x) = LONG_RATE·(1 − x/10,000) ≤ 0.1 − c·x − δ  ⇒  x = (LONG_RATE − 0.1 + δ) / (LONG_RATE/10,000 − c).
    const c = (FACE * 50) / (F * (F - 50)) + 0.1 / F;
    const x = (LONG_RATE - 0.1 + DELTA) / (LONG_RATE / 10_000 - c);
    const results = [];
    for (const engine of engines) {
      const r = await engine.optimize(coinBook(10_000, 0.1), market(), { method: 'portfolio', account: 'sat', hedges: [{ instrument: 'BTC-PERPETUAL', spread: 50, fee: 0.1, maxQuantity: 20_000 }] });
      expect(r.before.marginCurrency).toBe('BTC');
      expect(r.before.im).toBeCloseTo(LONG_RATE, 12);
      expect(r.slackBefore).toBeCloseTo(0.1 - LONG_RATE, 12);
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      expect(r.trades).toHaveLength(1);
      const [t] = r.trades;
      expect(t.instrument).toBe('BTC-PERPETUAL');
      expect(t.quantity).toBeCloseTo(-x, 6); // x ≈ 5,161.6 contracts
      expect(t.price).toBe(99_950); // USD per coin, as quoted: F − spread
      expect(t.cost).toBeCloseTo(-t.quantity * c, 12);
      expect(r.cost).toBe(t.cost);
      expect(r.after.equityIm).toBeCloseTo(0.1 - c * x, 9);
      expect(r.after.im).toBeCloseTo(LONG_RATE * (1 - x / 10_000), 8);
      expect(r.slackAfter).toBeGreaterThanOrEqual(0);
      expect(r.slackAfter).toBeLessThan(2 * DELTA);
      expect(r.reason).toMatch(/\(engine re-check: slack 0\.000000\d\d BTC\)$/);
      // the traded book margined from scratch: 10,000 − x contracts still entered at 100,000; the balance less the
      // realized loss of the sold part, 10·|q|·(1/100,000 − 1/99,950), and the fees
      const fresh = remargined(engine, 10_000 + t.quantity, 0.1 - t.cost);
      expect(fresh.equity).toBeCloseTo(r.after.equity, 15);
      expect(fresh.im).toBeCloseTo(r.after.im, 15);
      expect(fresh.mm).toBeCloseTo(r.after.mm, 15);
      results.push(r);
    }
    expect(results[1]).toEqual(results[0]); // the WASM kernels and the JS twin: the same bits
  });

  test('to MM with a buffer: buy back part of a short at F + spread (a buy costs less than a sell)', async () => {
    // short 10,000 contracts (1 BTC) on 0.1 BTC: MM = 0.8·SHORT_RATE = 0.11434483 BTC; target 0.1 − c·x − δ ≥ 1.02·MM(x)
    const c = (FACE * 50) / (F * (F + 50));
    const mm = 0.8 * SHORT_RATE, x = (1.02 * mm - 0.1 + DELTA) / ((1.02 * mm) / 10_000 - c);
    const results = [];
    for (const engine of engines) {
      const r = await engine.optimize(coinBook(-10_000, 0.1), market(), { method: 'portfolio', account: 'sat', target: 'mm', buffer: 0.02, hedges: [{ instrument: 'BTC-PERPETUAL', spread: 50, maxQuantity: 20_000 }] });
      expect(r.before.mm).toBeCloseTo(mm, 12);
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      const [t] = r.trades;
      expect(t.quantity).toBeCloseTo(x, 6); // ≈ 1,432.14 contracts
      expect(t.price).toBe(100_050);
      expect(t.cost).toBeCloseTo(t.quantity * c, 12);
      expect(t.cost / t.quantity).toBeLessThan((FACE * 50) / (F * (F - 50))); // a sell of the same size costs more
      expect(r.after.equityMm - 1.02 * r.after.mm).toBeGreaterThanOrEqual(0);
      const fresh = remargined(engine, -10_000 + t.quantity, 0.1 - t.cost);
      expect(fresh.equityMm).toBeCloseTo(r.after.equityMm, 15);
      expect(fresh.mm).toBeCloseTo(r.after.mm, 15);
      results.push(r);
    }
    expect(results[1]).toEqual(results[0]);
  });

  test('infeasible: the shortfall in BTC, and a spread a USD account would pay in dollars costs only coins', async () => {
    // at most 1,000 contracts sold: slack = 0.1 − 1,000·c − LONG_RATE·0.9, c = 10·10,000/(100,000·90,000) BTC
    const c = (FACE * 10_000) / (F * (F - 10_000));
    const r = await engines[0].optimize(coinBook(10_000, 0.1), market(), { method: 'portfolio', account: 'sat', hedges: [{ instrument: 'BTC-PERPETUAL', spread: 10_000, maxQuantity: 1_000 }] });
    expect(r.outcome).toBe('infeasible');
    expect(r.trades[0].quantity).toBeCloseTo(-1_000, 9);
    expect(r.trades[0].price).toBe(90_000);
    expect(r.cost).toBeCloseTo(1_000 * c, 12);
    expect(r.slackAfter).toBeCloseTo(0.1 - 1_000 * c - LONG_RATE * 0.9, 9);
    expect(r.reason).toMatch(/leave it 0\.08703968 BTC short \(was 0\.09547619\)$/);
  });
});

describe('rule-based margin of a BTC account: cross and isolated', () => {
  test.each(['cross', 'isolated'])('%s: a long perpetual sold down at F − spread, by hand, from scratch, on both backends', async (method) => {
    // Default BTC brackets on the USD notional at the index (N·S/F = N here): 0.8% to 50,000; IM in BTC ÷ S.
    // Long 5,000 contracts (N = 50,000): IM = 400/100,000 = 0.004 BTC on 0.002 BTC. Selling x: IM(x) = 0.004 − 8e-7·x;
    // each contract costs c = 10·50/(100,000·99,950) + 0.01/100,000 BTC (spread 50, fee 0.01 USD);
    // 0.002 − c·x − δ ≥ 0.004 − 8e-7·x  ⇒  x = (0.002 + δ)/(8e-7 − c).
    const c = (FACE * 50) / (F * (F - 50)) + 0.01 / F;
    const x = (0.002 + DELTA) / (8e-7 - c); // ≈ 3,077 contracts
    const results = [];
    for (const engine of engines) {
      const r = await engine.optimize(coinBook(5_000, 0.002), market(), { method, account: 'sat', hedges: [{ instrument: 'BTC-PERPETUAL', spread: 50, fee: 0.01, maxQuantity: 10_000 }] });
      expect(r.before.im).toBeCloseTo(0.004, 15);
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      expect(r.after.marginCurrency).toBe('BTC');
      const [t] = r.trades;
      expect(t.quantity).toBeCloseTo(-x, 6);
      expect(t.price).toBe(99_950);
      expect(t.cost).toBeCloseTo(-t.quantity * c, 12);
      expect(r.after.im).toBeCloseTo(0.004 - 8e-7 * x, 10);
      if (method === 'isolated') expect(r.allocations![0].usd).toBeCloseTo(0.002 - c * x, 10); // in BTC: the pool, all of it
      const fresh = engine.margin(coinBook(5_000 + t.quantity, 0.002 - t.cost), market(), { method }).accounts[0];
      expect(fresh.equity).toBeCloseTo(r.after.equity, 15);
      expect(fresh.im).toBeCloseTo(r.after.im, 15);
      results.push(r);
    }
    expect(results[1]).toEqual(results[0]);
  });
});

describe('hedges a coin account cannot trade, and default candidates', () => {
  test('a USD-settled hedge for a BTC account, and an inverse sell at F − spread ≤ 0: InputErrors with their paths', async () => {
    const run = (hedges: unknown) => engines[0].optimize(coinBook(10_000, 0.1), market(), { method: 'portfolio', account: 'sat', hedges });
    const usd = await run([{ instrument: 'BTC-PERP', maxQuantity: 1 }]).catch((e: unknown) => e);
    expect(usd).toBeInstanceOf(InputError);
    expect((usd as InputError).problems).toEqual([{ path: 'hedges[0].instrument', message: 'instrument "BTC-PERP" is settled in "USD": account "sat" is margined in "BTC" and cannot hold it' }]);
    const wide = await run([{ instrument: 'BTC-PERPETUAL', spread: F, maxQuantity: 1 }]).catch((e: unknown) => e);
    expect(wide).toBeInstanceOf(InputError);
    expect((wide as InputError).problems[0].path).toBe('hedges[0].spread');
    // buys alone are fine at any spread
    await expect(run([{ instrument: 'BTC-PERPETUAL', spread: F, maxQuantity: 1, side: 'buy' }])).resolves.toMatchObject({ outcome: 'infeasible', trades: [] });
  });

  test('the default candidates of a BTC account: its inverse contracts only, 5 bp of the USD price, twice its coins', () => {
    const { book, market: m } = validateInputs(coinBook(10_000, 0.1), market());
    // 1 BTC held: up to 2 BTC = 20,000 contracts of 10 USD at 100,000
    expect(defaultHedges(book, m, 'sat', 'portfolio')).toEqual([{ instrument: 'BTC-PERPETUAL', spread: 50, maxQuantity: 20_000 }]);
  });
});

describe('the portfolio requirement model of a BTC account holding short options', () => {
  test('charges the short-option add-on in BTC, as the engine does: the model at no trade is the engine\'s IM', async () => {
    // short 3 BTC-settled 90,000 puts and long 2,000 inverse contracts on 1 BTC: the add-on is 1% per contract unit,
    // in BTC (0.03 BTC), not 1% × 100,000 USD per contract (3,000, as the model charged, in "BTC")
    const PUT = { id: 'BTC-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' };
    const book = {
      instruments: [PERP, PUT],
      accounts: [{
        id: 'sat', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }],
        positions: [{ instrument: 'BTC-PERPETUAL', quantity: 2_000, entryPrice: F }, { instrument: 'BTC-90000-P', quantity: -3, entryPrice: 0.01 }],
      }],
    };
    const m = { ...market(), impliedVols: { 'BTC-90000-P': 0.5 } };
    for (const engine of engines) {
      const im = engine.margin(book, m, { method: 'portfolio' }).accounts[0].im;
      const session = engine.openBook(book);
      try {
        const run = engineRun(session.prepare(m, { method: 'portfolio' }));
        run.run();
        const model = run.methodRun.optimize!.requirementModel(0, Int32Array.of(1, 0), 'im');
        expect(requirementAt(model, new Float64Array(2)).value).toBeCloseTo(im, 12);
        run.release();
      } finally {
        session.release();
      }
    }
  });
});

describe('cross margin of a BTC account across a notional bracket', () => {
  test('the requirement model bends where the schedule does: the least sell of an inverse position, by hand', async () => {
    // 10,000 contracts of 10 USD long at 100,000 (100,000 USD of face at the index) on 0.0045 BTC (450 USD). The default
    // BTC schedule (0.8% up to 50,000 USD, then 1%): IM 400 + 500 = 900 USD = 0.009 BTC. IM ≤ 450 USD needs a notional
    // n with 400 + 1%·(n − 50,000) = 450: n = 55,000 USD, a sell of 4,500 contracts (no spread, no fee). A model that
    // missed the bend at 50,000 (it took the contracts' notional as −1/F per unit) prices the whole sell at one slope.
    for (const engine of engines) {
      const r = await engine.optimize(coinBook(10_000, 0.0045), market(), {
        method: 'cross', account: 'sat', hedges: [{ instrument: 'BTC-PERPETUAL', spread: 0, fee: 0, maxQuantity: 10_000, side: 'sell' }],
      });
      expect(r.before.im).toBeCloseTo(0.009, 15);
      expect(r.outcome).toBe('restored');
      expect(r.confirmed).toBe(true);
      // at 4,500 contracts, plus the safety margin δ = 1e-7 BTC at 1e-6 BTC of IM a contract: at most 0.1 more
      expect(-r.trades[0].quantity).toBeGreaterThanOrEqual(4_500 - 1e-6);
      expect(-r.trades[0].quantity).toBeLessThanOrEqual(4_500.1 + 1e-6);
    }
  });
});
