/**
 * The capital efficiency report on a book mixing USD and coin-margined accounts (docs/coin-margined.md): one hedge
 * list, and each account below its target restored with the candidates it can hold (settled in its margin currency);
 * one that can hold none is `infeasible`, saying so. `optimize` for one named account still refuses a candidate it
 * cannot hold. By hand, BTC at 100,000, portfolio margin:
 * - u (USD): long 1 BTC-PERP on 2,000 USDC, IM 16,500 per net BTC (test/optimize/master-efficiency.test.ts); a
 *   BTC-25DEC26 future sold at value − 10 with a fee of 1 costs 11 USD: 16,500(1 − x) = 2,000 − 11x, x = 14,500/16,489;
 * - sat (BTC): long 10,000 BTC-PERPETUAL (inverse, 10 USD of face) on 0.1 BTC, IM LONG_RATE = 0.16/0.84 + 0.005 BTC
 *   per BTC of face (test/optimize/coin-margined.test.ts); a contract sold at F − 50 with a fee of 0.1 USD costs
 *   c = 10·50/(F(F − 50)) + 0.1/F BTC: x = (LONG_RATE − 0.1 + δ)/(LONG_RATE/10,000 − c), δ = 1e-7 BTC.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import type { EfficiencyRow } from '../../src/optimize/efficiency.js';
import type { MasterEfficiencyRow } from '../../src/optimize/master-efficiency.js';
import { EXPIRY, INSTRUMENTS, market as baseMarket } from '../support/margin-books.js';

const F = 100_000;
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const INVERSE = { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' };
const USD_HEDGE = { instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity: 2 };
const COIN_HEDGE = { instrument: 'BTC-PERPETUAL', spread: 50, fee: 0.1, maxQuantity: 20_000 };
const LONG_RATE = 0.16 / 0.84 + 0.005, DELTA = 1e-7;
const C = (10 * 50) / (F * (F - 50)) + 0.1 / F;
const X_USD = 14_500 / 16_489, X_COIN = (LONG_RATE - 0.1 + DELTA) / (LONG_RATE / 10_000 - C);

type Account = Record<string, unknown>;
const u = (extra: Partial<Account> = {}): Account => ({ id: 'u', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: F }], collateral: [{ asset: 'USDC', amount: 2_000 }], ...extra });
const sat = (contracts = 10_000, btc = 0.1, extra: Partial<Account> = {}): Account => ({
  id: 'sat', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: contracts, entryPrice: F }], collateral: [{ asset: 'BTC', amount: btc }], ...extra,
});
const mixed = (...accounts: Account[]) => ({ instruments: [...INSTRUMENTS, FUTURE, INVERSE], accounts });
const market = () => baseMarket({ marks: { 'BTC-PERPETUAL': F } });
const options = (hedges: unknown) => ({ methods: ['cross', 'portfolio'] as const, method: 'portfolio', hedges });

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

function row(rows: { level: string; id: string }[], id: string): EfficiencyRow {
  return rows.find((r) => r.level === 'account' && r.id === id) as EfficiencyRow;
}

async function problems(run: () => Promise<unknown>): Promise<{ path: string; message: string }[]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  throw new Error('expected an InputError');
}

describe('capital efficiency on USD and coin-margined accounts: each restored with what it can hold', () => {
  test('one USD-settled future and one inverse perpetual: u sells futures, sat sells inverse contracts', async () => {
    const book = mixed(u(), sat());
    const r = await engine.capitalEfficiency(book, market(), options([USD_HEDGE, COIN_HEDGE]));
    const [hu, hs] = [row(r.rows, 'u').hedge!, row(r.rows, 'sat').hedge!];
    expect(hu).toMatchObject({ outcome: 'restored', trades: 1, imBefore: 16_500, confirmed: true });
    expect(hu.cost).toBeCloseTo(11 * X_USD, 5); // the future's cost: the inverse contract is not the USD account's
    expect(hu.imAfter).toBeCloseTo(16_500 * (1 - X_USD), 2);
    expect(hu.reason).toBeUndefined();
    expect(hs).toMatchObject({ outcome: 'restored', trades: 1, confirmed: true });
    expect(hs.imBefore).toBeCloseTo(LONG_RATE, 12); // BTC
    expect(hs.cost).toBeCloseTo(C * X_COIN, 12);
    expect(hs.imAfter).toBeCloseTo(LONG_RATE * (1 - X_COIN / 10_000), 8);
    expect(r.totals).toMatchObject({ hedged: 2, infeasible: 0 });
    expect(r.totals.hedgeCost).toBeCloseTo(hu.cost + hs.cost * F, 9);

    // each is what optimize finds for that account alone with the candidates it holds, and its IM after is a fresh
    // margin run's on the traded book
    const ou = await engine.optimize(book, market(), { method: 'portfolio', account: 'u', hedges: [USD_HEDGE] });
    const os = await engine.optimize(book, market(), { method: 'portfolio', account: 'sat', hedges: [COIN_HEDGE] });
    expect(ou.trades.map((t) => t.instrument)).toEqual(['BTC-25DEC26']);
    expect(os.trades.map((t) => t.instrument)).toEqual(['BTC-PERPETUAL']);
    expect([hu.cost, hu.imAfter, hu.slackAfter]).toEqual([ou.cost, ou.after.im, ou.slackAfter]);
    expect([hs.cost, hs.imAfter, hs.slackAfter]).toEqual([os.cost, os.after.im, os.slackAfter]);
    const [tu] = ou.trades, [ts] = os.trades;
    expect(tu.quantity).toBeCloseTo(-X_USD, 6);
    expect(ts.quantity).toBeCloseTo(-X_COIN, 6);
    const tradedU = u({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: F }, { instrument: 'BTC-25DEC26', quantity: tu.quantity, entryPrice: tu.price }], cashUsd: -USD_HEDGE.fee * -tu.quantity });
    const tradedSat = sat(10_000 + ts.quantity, 0.1 - ts.cost); // the sold part's realized loss and the fees out of the balance
    const fresh = engine.margin(mixed(tradedU, tradedSat), market(), { method: 'portfolio' }).accounts;
    expect(fresh[0].im).toBeCloseTo(hu.imAfter, 9);
    expect(fresh[0].equityIm - fresh[0].im).toBeCloseTo(hu.slackAfter, 6);
    expect(fresh[1].im).toBeCloseTo(hs.imAfter, 15);
    expect(fresh[1].equityIm - fresh[1].im).toBeCloseTo(hs.slackAfter, 12);
  });

  test('a USD-only list: the BTC account has no candidate, and says so; the USD account is restored as before', async () => {
    const book = mixed(u(), sat());
    const r = await engine.capitalEfficiency(book, market(), options([USD_HEDGE]));
    const both = await engine.capitalEfficiency(book, market(), options([USD_HEDGE, COIN_HEDGE]));
    expect(row(r.rows, 'u').hedge).toEqual(row(both.rows, 'u').hedge);
    const hs = row(r.rows, 'sat').hedge!;
    expect(hs).toMatchObject({ outcome: 'infeasible', trades: 0, cost: 0, imReleased: 0, confirmed: false });
    expect(hs.imBefore).toBeCloseTo(LONG_RATE, 12);
    expect(hs.imAfter).toBe(hs.imBefore);
    expect(hs.slackBefore).toBeCloseTo(0.1 - LONG_RATE, 12);
    expect(hs.slackAfter).toBe(hs.slackBefore);
    expect(hs.reason).toBe('account "sat" is margined in "BTC" and can hold none of the candidate hedges: each is settled in another currency');
    expect(r.totals).toMatchObject({ hedged: 1, infeasible: 1 });
    expect(r.totals.hedgeCost).toBeCloseTo(row(r.rows, 'u').hedge!.cost, 12);
  });

  test('an inverse-only list: the USD account has no candidate', async () => {
    const r = await engine.capitalEfficiency(mixed(u(), sat()), market(), options([COIN_HEDGE]));
    expect(row(r.rows, 'u').hedge).toMatchObject({ outcome: 'infeasible', trades: 0, imBefore: 16_500, imAfter: 16_500, reason: expect.stringMatching(/^account "u" is margined in "USD" and can hold none/) });
    expect(row(r.rows, 'sat').hedge).toMatchObject({ outcome: 'restored', trades: 1 });
  });

  test('a malformed list is still refused with its paths; optimize still refuses what its one account cannot hold', async () => {
    const book = mixed(u(), sat());
    expect(await problems(() => engine.capitalEfficiency(book, market(), options([USD_HEDGE, { instrument: 'BTC-NOPE', maxQuantity: 1 }])))).toEqual([
      { path: 'hedges[1].instrument', message: 'unknown instrument "BTC-NOPE"' },
    ]);
    expect((await problems(() => engine.capitalEfficiency(book, market(), options([{ ...USD_HEDGE, fee: -1 }, COIN_HEDGE])))).map((p) => p.path)).toEqual(['hedges[0].fee']);
    // a problem with a held candidate is named at its place in the whole list (sat holds hedges[1] only)
    const wide = await problems(() => engine.capitalEfficiency(book, market(), options([USD_HEDGE, { ...COIN_HEDGE, spread: 200_000 }])));
    expect(wide.map((p) => p.path)).toEqual(['hedges[1].spread']);
    const named = await problems(() => engine.optimize(book, market(), { method: 'portfolio', account: 'sat', hedges: [USD_HEDGE, COIN_HEDGE] }));
    expect(named).toEqual([{ path: 'hedges[0].instrument', message: 'instrument "BTC-25DEC26" is settled in "USD": account "sat" is margined in "BTC" and cannot hold it' }]);
  });

  test('master pools under cross: a USD pool and a BTC pool, each restored with what it can hold', async () => {
    // USD group m: pool +0.5 BTC-PERP on 1,000 + 2,000 + 150 USDC, sells 5,100/16,489 futures (master-efficiency.test.ts);
    // BTC group bm: pool long 10,000 inverse on 0.05 + 0.05 BTC, sat's figures above
    const book = mixed(
      { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }] },
      u({ id: 's1', master: 'm' }),
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: F }], collateral: [{ asset: 'USDC', amount: 150 }] },
      { id: 'bm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.05 }] },
      sat(10_000, 0.05, { id: 'bs', master: 'bm' }),
    );
    const params = { subaccounts: { policy: 'cross' } };
    const r = await engine.capitalEfficiency(book, market(), { ...options([USD_HEDGE, COIN_HEDGE]), params });
    const masters = r.rows.filter((x): x is MasterEfficiencyRow => x.level === 'master');
    expect(masters.map((x) => x.id)).toEqual(['m', 'bm']);
    const [hm, hb] = masters.map((x) => x.hedge!);
    const x = 5_100 / 16_489;
    expect(hm).toMatchObject({ outcome: 'restored', trades: 1, imBefore: 8_250, confirmed: true });
    expect(hm.cost).toBeCloseTo(11 * x, 5);
    expect(hb).toMatchObject({ outcome: 'restored', trades: 1, confirmed: true });
    expect(hb.imBefore).toBeCloseTo(LONG_RATE * F, 7); // USD at the index
    expect(hb.cost).toBeCloseTo(C * X_COIN * F, 6);
    expect(hb.imAfter).toBeCloseTo(LONG_RATE * (1 - X_COIN / 10_000) * F, 3);
    // a USD-only list: the BTC pool has no candidate
    const usdOnly = await engine.capitalEfficiency(book, market(), { ...options([USD_HEDGE]), params });
    const bm = usdOnly.rows.find((y) => y.level === 'master' && y.id === 'bm') as MasterEfficiencyRow;
    expect(bm.hedge).toMatchObject({ outcome: 'infeasible', trades: 0, reason: expect.stringMatching(/^account "bm" is margined in "BTC" and can hold none/) });
    expect((usdOnly.rows.find((y) => y.level === 'master' && y.id === 'm') as MasterEfficiencyRow).hedge).toEqual(hm);
  });
});
