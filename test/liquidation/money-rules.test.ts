/**
 * The money rules of a liquidation, each on a case worked by hand from the rule (docs/liquidation.md), on js,
 * wasm-scalar and wasm-simd: ADL never takes a counterparty below zero, isolated positions and the rest of an account
 * are liquidated apart, the smallest close is found where the slack is not monotone, small shortfalls are closed at
 * once but only to the shortfall, fees are capped by the part closed and a bankrupt close takes back its close-out's
 * earlier fees, options pay on their value, collateral
 * whose partial sale does not help is sold whole, and uncovered bad debt is its own line of the conservation identity.
 * BTC at 100,000 and ETH at 3,000 unless a case says otherwise; the default rule-based schedules (BTC perpetual: IM
 * 0.8% / MM 0.4% of notional up to 50,000 USD, then 1% / 0.5%; ETH: 1% / 0.5% up to 50,000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type LiquidationReport } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { liquidationPlanText } from '../../src/report/liquidation-text.js';
import { book, market } from '../support/margin-books.js';
import { SAMPLE } from '../support/cli.js';

const EXAMPLES = join(SAMPLE, '..', 'examples');

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/** Every backend gives the same report (bits); returns it. */
function liquidate(b: unknown, m: unknown, options: Record<string, unknown>): LiquidationReport {
  const reports = engines.map((e) => e.liquidate(b, m, options));
  const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
  for (const r of reports) expect(text(r)).toBe(text(reports[0]));
  return reports[0];
}

/** No slippage, no fee, no per-step cap, no small-shortfall rule: the rule under test alone. */
const plain = { slippage: { default: { model: 'none' } }, feeRate: 0, maxFractionPerStep: 1, smallShortfallUsd: 0 };

/** The conservation identity recomputed from the report: Σ (max(equity after, 0) − equity before) + fees + fund change + slippage − uncovered. */
function identity(r: LiquidationReport): number {
  const t = r.totals;
  const equity = r.accounts.reduce((n, a) => n + Math.max(0, a.after.equity) - a.before.equity, 0);
  return equity + t.feesToLiquidators + (t.fundEnd - t.fundStart) + t.marketSlippage - t.uncovered;
}

/** One-asset books: X and Y perpetuals, MM 5% (IM 10%) of notional at every size, USDC collateral. */
function xyMarket(x: number, y = 20) {
  return {
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { X: { price: x, vol: 0.5 }, Y: { price: y, vol: 0.8 }, USDC: { price: 1, vol: 0 } },
    correlation: { assets: ['X', 'Y'], matrix: [[1, 0.5], [0.5, 1]] },
  };
}
const XY = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }, { id: 'Y-PERP', kind: 'perpetual', underlying: 'Y' }];
const FIVE_PERCENT = { X: [{ imRate: 0.1, mmRate: 0.05 }], Y: [{ imRate: 0.1, mmRate: 0.05 }] };

describe('ADL takes at most a counterparty\'s profit and never more than its equity', () => {
  // BTC at 21,000. S: short 1 entered at 1,000 with nothing else: equity 1,000 − 21,000 = −20,000, bankruptcy price
  // 21,000 − (−20,000)/(−1) = 1,000. L: long 1 entered at 20,700, no collateral: profit 300 = equity 300 (MM 84,
  // healthy). L2: long 1 entered at 20,000 with 5,000 USDC: profit 1,000, equity 6,000. No fund.
  // Selling a long at 1,000 against its mark of 21,000 costs the seller 20,000 a contract, so L gives
  // min(profit 300, equity 300) / 20,000 = 0.015 and L2 min(1,000, 6,000) / 20,000 = 0.05 (queue: L ranks first, PnL% ×
  // leverage = 300/20,700 × 21,000/300 = 1.01 against 1,000/20,000 × 21,000/6,000 = 0.175). The other 0.935 fills at the
  // mark: S realizes 0.065·(1,000 − 1,000) + 0.935·(1,000 − 21,000) = −18,700, which nobody pays: written off.
  const accounts = [
    { id: 'S', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 1_000 }] },
    { id: 'L', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 20_700 }] },
    { id: 'L2', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 20_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] },
  ];
  const params = { ...plain, insuranceFund: { balanceUsd: 0 } };

  it('queue: each counterparty gives up to its cap, the next one the rest, then it is uncovered', () => {
    const r = liquidate(book(...accounts), market({ btc: 21_000 }), { method: 'cross', liquidation: { ...params, adl: 'queue' } });
    expect(r.adl.map((f) => [f.account, f.quantity, f.price, f.rank])).toEqual([['L', 300 / 20_000, 1_000, 1], ['L2', 1_000 / 20_000, 1_000, 2]]);
    expect(r.adl.map((f) => f.haircut)).toEqual([expect.closeTo(300, 9), expect.closeTo(1_000, 9)]);
    const s = r.accounts[0];
    expect(s.steps[0].routes).toEqual({ market: 0, insuranceFund: -0, adl: expect.closeTo(-0.065, 15), uncovered: expect.closeTo(-0.935, 15) });
    expect([s.steps[0].mmAfter, s.steps[0].healthAfter]).toEqual([0, -Infinity]);
    expect([s.id, s.state, s.before.equity, s.after.equity, s.waterfall.writtenOff]).toEqual(['S', 'bankrupt', -20_000, 0, expect.closeTo(18_700, 9)]);
    // every account ADL touched is in the report, with its equity before and after: never below zero
    const deleveraged = r.accounts.slice(1);
    expect(deleveraged.map((a) => [a.id, a.state, a.before.equity])).toEqual([['L', 'deleveraged', 300], ['L2', 'deleveraged', 6_000]]);
    expect(deleveraged[0].after.equity).toBeCloseTo(0, 9);
    expect(deleveraged[0].after.equity).toBeGreaterThanOrEqual(-1e-9);
    expect(deleveraged[1].after.equity).toBeCloseTo(5_000, 9);
    expect(deleveraged.map((a) => a.waterfall.adl)).toEqual([expect.closeTo(-300, 9), expect.closeTo(-1_000, 9)]);
    // L keeps 0.985 long at equity 0: below its MM 0.985·21,000·0.4% = 82.74, left for the next run to liquidate
    expect(deleveraged[0].after.status).toBe('liquidatable');
    const t = r.totals;
    expect([t.accountsDeleveraged, t.bankrupt, t.fundPaid]).toEqual([2, 1, 0]);
    expect([t.adlAbsorbed, t.uncovered, t.badDebt]).toEqual([expect.closeTo(1_300, 9), expect.closeTo(18_700, 9), expect.closeTo(20_000, 9)]);
    expect(Math.abs(t.conservationResidual)).toBeLessThan(1e-9 * 21_000);
  });

  it('pro-rata: the same fraction of every position, each up to its cap (the others give more), the rest uncovered', () => {
    // S's close of 1 is shared by L and L2 (1 contract each): half each, but their caps are 0.015 and 0.05 at 1,000;
    // nobody else can take more, so 0.935 × 20,000 = 18,700 is uncovered, as under the queue.
    const r = liquidate(book(...accounts), market({ btc: 21_000 }), { method: 'cross', liquidation: { ...params, adl: 'pro-rata' } });
    expect(r.adl.map((f) => [f.account, f.quantity, f.price])).toEqual([['L', 0.015, 1_000], ['L2', 0.05, 1_000]]);
    expect(r.adl.map((f) => f.rank)).toEqual([0.015, 0.05]); // the fraction of its position each gave
    expect(r.accounts.slice(1).map((a) => a.after.equity)).toEqual([expect.closeTo(0, 9), expect.closeTo(5_000, 9)]);
    expect([r.totals.adlAbsorbed, r.totals.uncovered, r.totals.badDebt]).toEqual([expect.closeTo(1_300, 9), expect.closeTo(18_700, 9), expect.closeTo(20_000, 9)]);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-9 * 21_000);
    // the part no cap allows is written off S, as under the queue: S ends bankrupt and is counted so
    const s = r.accounts[0];
    expect([s.id, s.state, s.after.equity, s.waterfall.adl, s.waterfall.writtenOff]).toEqual(['S', 'bankrupt', 0, expect.closeTo(1_300, 9), expect.closeTo(18_700, 9)]);
    expect(s.steps[0].routes).toEqual({ market: 0, insuranceFund: -0, adl: expect.closeTo(-0.065, 12), uncovered: expect.closeTo(-0.935, 12) });
    // the close left S's equity below zero, a deficit written off: −∞, as the queue's step reads (docs/liquidation.md)
    expect([s.steps[0].mmAfter, s.steps[0].healthAfter]).toEqual([0, -Infinity]);
    expect([r.totals.bankrupt, r.totals.resolved]).toEqual([1, 0]);
  });

  it('pro-rata: what the caps leave is written off each bankrupt account in proportion to the contracts it routed', () => {
    // BTC at 21,000, no fund. Two bankrupt shorts with bankruptcy price 1,000: S1 (above) short 1, equity −20,000;
    // S2 short 2 entered at 1,000, nothing else: equity 2·(1,000 − 21,000) = −40,000, bankruptcy price
    // 21,000 − 40,000/2 = 1,000. Longs: L and L2 (above, 1 each) and L3 long 2 entered at 11,000 with nothing else
    // (profit = equity = 2·10,000 = 20,000). Each contract taken at 1,000 costs a long 20,000 against the mark, so the
    // caps are L 300/20,000 = 0.015, L2 1,000/20,000 = 0.05, L3 20,000/20,000 = 1 contract.
    // Pro rata: 3 contracts routed to 4 held, 3/4 of each: L 0.75, L2 0.75, L3 1.5, every cap binds; nobody can give
    // more, so 0.015 + 0.05 + 1 = 1.065 are placed and 1.935 are not: 1.935 · 20,000 = 38,700 uncovered,
    // 1.065 · 20,000 = 21,300 absorbed. Written off in proportion to the contracts routed: S1 1/3 · 1.935 = 0.645
    // contracts = 12,900 (ADL 20,000 − 12,900 = 7,100), S2 2/3 · 1.935 = 1.29 contracts = 25,800 (ADL 14,200).
    // Conservation: +20,000 + 40,000 − 300 − 1,000 − 20,000 − 38,700 = 0.
    const two = [
      ...accounts.slice(0, 1), { id: 'S2', positions: [{ instrument: 'BTC-PERP', quantity: -2, entryPrice: 1_000 }] },
      ...accounts.slice(1), { id: 'L3', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 11_000 }] },
    ];
    const r = liquidate(book(...two), market({ btc: 21_000 }), { method: 'cross', liquidation: { ...params, adl: 'pro-rata' } });
    expect(r.adl.map((f) => [f.account, f.quantity, f.price])).toEqual([['L', expect.closeTo(0.015, 12), 1_000], ['L2', expect.closeTo(0.05, 12), 1_000], ['L3', expect.closeTo(1, 12), 1_000]]);
    const [s1, s2] = r.accounts;
    expect([s1.id, s1.state, s1.after.equity, s1.waterfall.adl, s1.waterfall.writtenOff]).toEqual(['S', 'bankrupt', 0, expect.closeTo(7_100, 8), expect.closeTo(12_900, 8)]);
    expect([s2.id, s2.state, s2.after.equity, s2.waterfall.adl, s2.waterfall.writtenOff]).toEqual(['S2', 'bankrupt', 0, expect.closeTo(14_200, 8), expect.closeTo(25_800, 8)]);
    expect(s1.steps.map((st) => [st.routes.adl, st.routes.uncovered])).toEqual([[expect.closeTo(-0.355, 12), expect.closeTo(-0.645, 12)]]);
    expect(s2.steps.map((st) => [st.routes.adl, st.routes.uncovered])).toEqual([[expect.closeTo(-0.71, 12), expect.closeTo(-1.29, 12)]]);
    for (const a of [s1, s2]) expect(a.note).toBe(`a deficit of ${a.waterfall.writtenOff.toFixed(2)} USD was left uncovered (insurance fund and ADL exhausted) and written off`);
    expect(r.accounts.slice(2).map((a) => [a.id, a.state])).toEqual([['L', 'deleveraged'], ['L2', 'deleveraged'], ['L3', 'deleveraged']]);
    expect(r.accounts.slice(2).map((a) => a.after.equity)).toEqual([expect.closeTo(0, 8), expect.closeTo(5_000, 8), expect.closeTo(0, 8)]);
    const t = r.totals;
    expect([t.bankrupt, t.resolved, t.accountsDeleveraged]).toEqual([2, 0, 3]);
    expect([t.adlAbsorbed, t.uncovered, t.badDebt]).toEqual([expect.closeTo(21_300, 8), expect.closeTo(38_700, 8), expect.closeTo(60_000, 8)]);
    expect(Math.abs(t.conservationResidual)).toBeLessThan(1e-9 * 63_000);
    expect(identity(r)).toBeCloseTo(0, 7);
  });

  it('pro-rata: each bankrupt account\'s write-off is valued at its own bankruptcy price, not the book\'s average', () => {
    // X at 100, no fund, no slippage or fee. deep: long 10 @200 on 0.01 USDC, equity −999.99, bankruptcy price 199.999;
    // shallow: long 10 @101 on 0.01, equity −9.99, bankruptcy price 100.999; winner: short 20 @105 on 1,000 (profit
    // 100, its cap). The book takes 20 contracts at the average 3,009.98/20 = 150.499: 50.499 a contract against the
    // winner's mark, so it gives 100/50.499 = 1.98024 contracts and f = 1 − 1.98024/20 of each account's ten find no
    // taker. Each writes off f·10 contracts at its own gap: shallow f·9.99 (ADL keeps 9.99·(1 − f) ≈ 0.989), deep
    // f·999.99 (ADL 999.99·(1 − f) ≈ 99.01): 100 covered in all, the winner's profit, and nobody's ADL below 0.
    const x = {
      valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } }, correlation: { assets: ['X'], matrix: [[1]] },
    };
    const b = {
      instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }],
      accounts: [
        { id: 'deep', positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 200 }], collateral: [{ asset: 'USDC', amount: 0.01 }] },
        { id: 'shallow', positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 101 }], collateral: [{ asset: 'USDC', amount: 0.01 }] },
        { id: 'winner', positions: [{ instrument: 'X-PERP', quantity: -20, entryPrice: 105 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
      ],
    };
    const r = liquidate(b, x, { method: 'cross', params: { linear: { X: [{ imRate: 0.1, mmRate: 0.05 }] } }, liquidation: { ...params, adl: 'pro-rata' } });
    const f = 1 - 100 / 50.499 / 20;
    const byId = Object.fromEntries(r.accounts.map((a) => [a.id, a]));
    expect(byId.shallow.waterfall.writtenOff).toBeCloseTo(f * 9.99, 8);
    expect(byId.shallow.waterfall.adl).toBeCloseTo((1 - f) * 9.99, 8);
    expect(byId.deep.waterfall.writtenOff).toBeCloseTo(f * 999.99, 8);
    expect(byId.deep.waterfall.adl).toBeCloseTo((1 - f) * 999.99, 8);
    for (const id of ['deep', 'shallow']) expect(byId[id].waterfall.adl).toBeGreaterThan(0);
    // the accounts' write-offs sum to the book's uncovered line (at the average price)
    expect(byId.shallow.waterfall.writtenOff + byId.deep.waterfall.writtenOff).toBeCloseTo(r.totals.uncovered, 8);
    expect(r.totals.adlAbsorbed).toBeCloseTo(100, 8);
    expect(identity(r)).toBeCloseTo(0, 7);
  });

  it('pro-rata with slippage: what no cap takes is uncovered at the fill, as the queue books it (the same totals)', () => {
    // The docs' ADL example (data/examples/adl-*.json) with a linear fill of 100 USD per unit: S's close fills at 21,050
    // against a mark of 21,000 and a bankruptcy price of 1,000; 0.065 of its contract is placed and 0.935 is not, under
    // either policy. The queue books ADL 0.065 × 20,050 = 1,303.25, uncovered 0.935 × 20,050 = 18,746.75, and the
    // market's slippage 0.935 × 50 = 46.75; pro-rata, settled at the end, must give the same.
    const read = (name: string) => JSON.parse(readFileSync(join(EXAMPLES, `adl-${name}.json`), 'utf8'));
    const liquidation = { ...read('params').liquidation, slippage: { default: { model: 'linear', pricePerUnit: 100 } } };
    const [queue, proRata] = (['queue', 'pro-rata'] as const).map((adl) => liquidate(read('book'), read('market'), { method: 'cross', liquidation: { ...liquidation, adl } }));
    const s = (r: LiquidationReport) => r.accounts.find((a) => a.id === 'S')!;
    expect(s(queue).steps[0].fillPrice).toBe(21_050);
    expect(s(proRata).steps.map((st) => [st.routes.adl, st.routes.uncovered])).toEqual(s(queue).steps.map((st) => [expect.closeTo(st.routes.adl, 12), expect.closeTo(st.routes.uncovered, 12)]));
    for (const r of [queue, proRata]) {
      expect([s(r).waterfall.adl, s(r).waterfall.writtenOff]).toEqual([expect.closeTo(0.065 * 20_050, 8), expect.closeTo(0.935 * 20_050, 8)]);
      expect([r.totals.adlAbsorbed, r.totals.uncovered, r.totals.marketSlippage]).toEqual([expect.closeTo(1_303.25, 8), expect.closeTo(18_746.75, 8), expect.closeTo(46.75, 8)]);
      expect(identity(r)).toBeCloseTo(0, 7);
    }
  });

  it('uncovered bad debt is its own line of the identity: Σ equity changes + fees + fund change + slippage − uncovered = 0', () => {
    // S: 0 − (−20,000) = +20,000; L: 0 − 300; L2: 5,000 − 6,000; no fees, fund or slippage; uncovered 18,700:
    // 20,000 − 300 − 1,000 − 18,700 = 0
    const r = liquidate(book(...accounts), market({ btc: 21_000 }), { method: 'cross', liquidation: { ...params, adl: 'queue' } });
    expect(identity(r)).toBeCloseTo(0, 8);
    expect(r.totals.conservationResidual).toBeCloseTo(identity(r), 8);
    expect(r.totals.badDebt).toBeCloseTo(r.totals.fundPaid + r.totals.adlAbsorbed + r.totals.uncovered, 9);
  });
});

describe('a bankrupt account\'s deficit is shared out over its closes by the MM each releases (dYdX v4)', () => {
  // Long 100 X entered at 120, X at 100, 1,000 USDC: equity 1,000 − 2,000 = −1,000, MM 5% = 500. 25% steps, no
  // slippage, no fee. Each quarter releases a quarter of the MM still held, so it takes that share of the deficit left:
  // 250 each, at 100 + 250/25 = 110, the whole position's bankruptcy price (100 − (−1,000)/100). Putting the whole
  // deficit on the first quarter would close it at 100 + 1,000/25 = 140 and the other three at the mark.
  const b = (fundUsd: number) => ({
    book: { instruments: XY, accounts: [
      { id: 'bankrupt', positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 120 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
      { id: 'short', positions: [{ instrument: 'X-PERP', quantity: -100, entryPrice: 130 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
    ] },
    liquidation: { ...plain, maxFractionPerStep: 0.25, insuranceFund: { balanceUsd: fundUsd } },
  });

  for (const method of ['cross', 'isolated']) {
    it(`${method}: the fund pays 250 a quarter, each at the position's bankruptcy price`, () => {
      const { book: bk, liquidation } = b(1_000_000);
      const r = liquidate(bk, xyMarket(100), { method, params: { linear: FIVE_PERCENT }, liquidation });
      const [acct] = r.accounts;
      expect(acct.steps.map((s) => [s.quantity, s.bankruptcyPrice])).toEqual([25, 25, 25, 25].map((q) => [q, expect.closeTo(110, 9)]));
      expect(acct.steps.map((s) => s.fundChange)).toEqual([-250, -250, -250, -250].map((f) => expect.closeTo(f, 9)));
      expect([acct.state, r.totals.fundPaid]).toEqual(['resolved', expect.closeTo(1_000, 9)]);
      expect(Math.abs(identity(r))).toBeLessThan(1e-9);
    });
  }

  it('with no fund, ADL fills each quarter at 110: the counterparty gives 10 a contract on all 100, not 40 on 25', () => {
    const { book: bk, liquidation } = b(0);
    const r = liquidate(bk, xyMarket(100), { method: 'cross', params: { linear: FIVE_PERCENT }, liquidation });
    expect(r.adl.map((f) => [f.account, f.quantity, f.price, f.haircut])).toEqual([1, 2, 3, 4].map(() => ['short', -25, expect.closeTo(110, 9), expect.closeTo(250, 9)]));
    expect(r.totals.adlHaircuts).toBeCloseTo(1_000, 9);
  });

  it('two positions: each full close takes its share of the MM, whichever closes first', () => {
    // Long 100 X entered at 120 (MM 500) and long 100 Y entered at 20 (MM 100), 1,000 USDC: equity −1,000. X's close
    // releases 500 of the 600: it takes 833.33, at 100 + 833.33/100 = 108.33; Y's takes the 166.67 left, at 20 +
    // 166.67/100 = 21.67 (Y first: 166.67 of the 1,000, then X the 833.33 left: the same prices)
    const bk = { instruments: XY, accounts: [{ id: 'two', positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 120 }, { instrument: 'Y-PERP', quantity: 100, entryPrice: 20 }], collateral: [{ asset: 'USDC', amount: 1_000 }] }] };
    for (const order of ['efficiency', 'largest-notional']) {
      const r = liquidate(bk, xyMarket(100, 20), { method: 'cross', params: { linear: FIVE_PERCENT }, liquidation: { ...plain, order } });
      const prices = Object.fromEntries(r.accounts[0].steps.map((s) => [s.id, s.bankruptcyPrice]));
      expect(prices).toEqual({ 'X-PERP': expect.closeTo(100 + 2_500 / 3 / 100, 9), 'Y-PERP': expect.closeTo(20 + 500 / 3 / 100, 9) });
      expect(r.totals.fundPaid).toBeCloseTo(1_000, 9);
    }
  });
});

describe('isolated margin', () => {
  it('a borrowing is the account\'s liability: an account whose unallocated collateral owes is bankrupt, and liquidated', () => {
    // USDC 1,000 and ETH −100 (−300,000 at 3,000), and a BTC long entered at 98,500 with 1,000 asked for it: the
    // account's IM-weighted collateral is 1,000 − 300,000·1.1 < 0, so the allocation is scaled to 0 (an allocation
    // comes out of what the account has net of what it owes). The position has 0 + 1,500 against its MM 450 (healthy);
    // the rest of the account holds 1,000 − 300,000 = −299,000: it owes. Account equity −299,000 + 1,500 = −297,500.
    const b = book({
      id: 'borrower', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 98_500, isolatedMargin: 1_000 }],
      collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'ETH', amount: -100 }],
    });
    for (const engine of engines) {
      const m = engine.margin(b, market(), { method: 'isolated' });
      expect([m.accounts[0].status, m.accounts[0].equity]).toEqual(['bankrupt', -297_500]);
    }
    // The rest of the account is liquidated on its own: the ETH borrowing is bought back (its discount capped at the
    // surplus, 0 here) and the fund pays the 299,000 it still owes; the isolated BTC position is not touched.
    const r = liquidate(b, market(), { method: 'isolated', liquidation: plain });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => [s.kind, s.id, s.quantity, s.fillPrice, s.feeToLiquidator])).toEqual([['collateral', 'ETH', -100, 3_000, 0]]);
    expect([acct.state, acct.after.equity, r.totals.fundPaid]).toEqual(['resolved', 1_500, 299_000]);
    expect(identity(r)).toBeCloseTo(0, 6);
  });

  it('only the position below its target is closed, sized on its own allocation, fixed when liquidation begins', () => {
    // Pro-rata allocation of 5,800 USDC by IM: BTC long (notional 100,000, IM 900, MM 450) gets 5,800·900/1,200 =
    // 4,350, the ETH long (10 at 3,000: IM 300, MM 150) 1,450. The BTC long entered at 104,000 has 4,350 − 4,000 = 350
    // < MM 450; ETH is healthy. Closing ETH would hand its share of the pool to BTC; instead BTC alone is closed, on its
    // own 4,350: slack(q) = 350 − 1.02·(450 − 500q) = −109 + 510q (notional above 50,000), q = 109/510.
    const b = book({
      id: 'pair', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 104_000 }, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }],
      collateral: [{ asset: 'USDC', amount: 5_800 }],
    });
    const r = liquidate(b, market(), { method: 'isolated', liquidation: plain });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => s.id)).toEqual(['BTC-PERP']);
    expect(acct.steps[0].quantity).toBeCloseTo(109 / 510, 9);
    expect(acct.state).toBe('resolved');
  });

  it('two positions below their targets are each sized on their own allocation', () => {
    // MM 5%. X long 10 entered at 100, marked 96, 60 allocated: equity 20, MM 48, slack 20 − 1.02·4.8·(10 − q) → closing
    // q = 10 − 20/4.896 = 5.91503…; Y short 50 entered at 20, marked 20.5, 60 allocated: equity 35, MM 51.25, slack
    // 35 − 1.02·1.025·(50 − q) → q = 50 − 35/1.0455 = 16.52319…. X first (slack −28.96 against −17.275). Sizing X on the
    // account's worst slack (Y's) would close all of X.
    const b = {
      instruments: XY,
      accounts: [{
        id: 'two', collateral: [{ asset: 'USDC', amount: 220 }],
        positions: [{ instrument: 'X-PERP', quantity: 10, entryPrice: 100, isolatedMargin: 60 }, { instrument: 'Y-PERP', quantity: -50, entryPrice: 20, isolatedMargin: 60 }],
      }],
    };
    const r = liquidate(b, xyMarket(96, 20.5), { method: 'isolated', params: { linear: FIVE_PERCENT }, liquidation: plain });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => s.id)).toEqual(['X-PERP', 'Y-PERP']);
    expect(acct.steps[0].quantity).toBeCloseTo(10 - 20 / 4.896, 9);
    expect(acct.steps[1].quantity).toBeCloseTo(-(50 - 35 / 1.0455), 9);
    expect(acct.state).toBe('resolved');
  });
});

describe('sizing', () => {
  it('finds the smallest close where the slack rises to 0 and falls again before the cap (linear depth)', () => {
    // long 20 X at 100 with 78 USDC, MM 4% (80), fee 0.5%, linear depth 0.35 per unit (a close of q fills at
    // 100 − 0.175q: slippage 0.175q²): slack(q) = 78 − 0.175q² − 0.5q − 1.02·4·(20 − q) = −3.6 + 3.58q − 0.175q², roots
    // (3.58 ∓ √(3.58² − 4·0.175·3.6)) / 0.35 = 1.0606… and 19.39…; at the cap (20) it is −2 again. The fee's cap,
    // 78·(4q/80) − 0.175q², is above 0.5q there. Closing all 20 would cost 70 of slippage and 8 of fee: equity 78 → 0.
    const b = { instruments: XY, accounts: [{ id: 'long', positions: [{ instrument: 'X-PERP', quantity: 20, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: 78 }] }] };
    const liquidation = { feeRate: 0.005, maxFractionPerStep: 1, smallShortfallUsd: 0, slippage: { X: { model: 'linear', pricePerUnit: 0.35 } } };
    const r = liquidate(b, xyMarket(100), { method: 'cross', params: { linear: { X: [{ imRate: 0.08, mmRate: 0.04 }] } }, liquidation });
    const [acct] = r.accounts;
    const root = (3.58 - Math.sqrt(3.58 ** 2 - 4 * 0.175 * 3.6)) / 0.35;
    expect(acct.steps).toHaveLength(1);
    // hit to the tolerance: the slack left is within 1e-9 × (gross notional 2,000 + equity 78 + 1) ≈ 2.1e-6 of 0, so
    // the quantity within 2.1e-6 / S′(root) ≈ 2.1e-6 / 3.21 ≈ 6.5e-7 of the root
    expect(acct.steps[0].quantity).toBeCloseTo(root, 6);
    const tolerance = 1e-9 * (2_000 + 78 + 1);
    const slack = acct.after.equityMm - 1.02 * acct.after.mm;
    expect(slack).toBeGreaterThanOrEqual(-tolerance);
    expect(slack).toBeLessThanOrEqual(tolerance);
    expect(acct.after.equity).toBeCloseTo(78 - 0.175 * root * root - 0.5 * root, 6);
  });

  it('a small shortfall is closed at once, sized to the shortfall, never the holding (Drift: 100% of the shortfall)', () => {
    // long 1 BTC, 443 USDC: MM 450, slack 443 − 459 = −16, under the 50 USD threshold. Fee 0.1%: slack(q) = 443 − 100q
    // − 1.02·(450 − 500q) = −16 + 410q, q = 16/410 = 0.039024…: one step, past the per-step cap of 0.02 (lifted for a
    // small shortfall); without the rule the same close takes two capped steps, 0.02 and 0.019024…
    const b = book({ id: 'small', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 443 }] });
    const liquidation = { slippage: { default: { model: 'none' } }, feeRate: 0.001, maxFractionPerStep: 0.02 };
    const r = liquidate(b, market(), { method: 'cross', liquidation });
    expect(r.accounts[0].steps.map((s) => s.quantity)).toEqual([expect.closeTo(16 / 410, 9)]);
    const capped = liquidate(b, market(), { method: 'cross', liquidation: { ...liquidation, smallShortfallUsd: 0 } });
    expect(capped.accounts[0].steps.map((s) => s.quantity)).toEqual([0.02, expect.closeTo(16 / 410 - 0.02, 9)]);
  });

  it('a small shortfall lifts the fraction cap, not maxNotionalPerStep (dYdX v4: a venue\'s hard limit per step)', () => {
    // the same account, maxNotionalPerStep 1,500 USD (0.015 BTC at 100,000): the 0.039024 the shortfall needs is
    // 3,902.44 USD, so it takes three steps of at most 0.015 — 0.015, 0.015 and 16/410 − 0.03 — each sized as any step
    // (slack −16 + 410q: −9.85, −3.7, then 0), with the rule on as with it off; the rule lifted this cap too (one step of
    // 3,902.44 USD)
    const b = book({ id: 'small', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 443 }] });
    const liquidation = { slippage: { default: { model: 'none' } }, feeRate: 0.001, maxFractionPerStep: 0.02, maxNotionalPerStep: 1_500 };
    for (const smallShortfallUsd of [50, 0]) {
      const r = liquidate(b, market(), { method: 'cross', liquidation: { ...liquidation, smallShortfallUsd } });
      expect(r.accounts[0].steps.map((s) => s.quantity), `smallShortfallUsd ${smallShortfallUsd}`).toEqual([0.015, 0.015, expect.closeTo(16 / 410 - 0.03, 9)]);
      expect(r.accounts[0].steps.every((s) => s.notional <= 1_500)).toBe(true);
      expect(r.accounts[0].state).toBe('resolved');
    }
  });

  it('collateral whose partial sales cost more than they release is sold whole when that restores the account', () => {
    // 0.1 BTC (10,000; MM haircut 2.5%: counts 9,750) against a 9,790 USDC borrowing: equity 210, equity for MM −40 < 0.
    // Selling q BTC at a 3% discount changes equity for MM by q·100,000·(2.5% − 3%) < 0: no partial sale helps. Sold
    // whole, the discount (300) is capped at the surplus over bankruptcy, 210: equity 0, equity for MM 0 ≥ MM 0.
    const b = book({ id: 'stuck', collateral: [{ asset: 'BTC', amount: 0.1 }, { asset: 'USDC', amount: -9_790 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { collateralDiscount: 0.03 } });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => [s.kind, s.id, s.quantity, s.feeToLiquidator])).toEqual([['collateral', 'BTC', 0.1, expect.closeTo(210, 9)]]);
    expect(acct.steps[0].fillPrice).toBeCloseTo(100_000 - 210 / 0.1, 6);
    expect(acct.state).toBe('resolved');
    expect(acct.after.equity).toBeCloseTo(0, 9);
  });
});

describe('fees', () => {
  it('a partial close pays at most its share of the surplus (dYdX v4): health never falls', () => {
    // long 1 BTC, 300 USDC: MM 450, health 300/450 = 2/3. Default fee 0.5% (above the MM rates), cap 25% a step. The fee
    // of closing 0.25 would be 125; the part's surplus is 300 × (MM released 125 / 450) = 83.33. No partial close
    // reaches the target (the capped fee keeps health at 2/3), so four full steps: MM 450 → 325 → 200 → 100 → 0, fees
    // 300·125/450, 216.67·125/325, 133.33·100/200, 66.67 = 83.33, 83.33, 66.67, 66.67: 300 in all, health 2/3 after
    // each. (Capped by the whole surplus, the first step paid 125 and left health 175/325 = 0.54.)
    const b = book({ id: 'thin', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { slippage: { default: { model: 'none' } } } });
    const steps = r.accounts[0].steps;
    expect(steps.map((s) => s.quantity)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(steps.map((s) => s.feeToLiquidator + s.feeToFund)).toEqual([250 / 3, 250 / 3, 200 / 3, 200 / 3].map((f) => expect.closeTo(f, 9)));
    for (const s of steps.slice(0, 3)) expect(s.healthAfter).toBeCloseTo(2 / 3, 12);
    for (const s of steps) expect(s.healthAfter).toBeGreaterThanOrEqual(s.healthBefore - 1e-12);
  });

  describe('fees come out of the close-out\'s surplus: a bankrupt close takes back the earlier ones', () => {
    // Long 100 X at 100 on 90 USDC, MM 2% of notional up to 5,000 and 10% above (MM 100 + 500 = 600), fee 0.5%, 25%
    // steps, linear depth 0.1 a unit: a 25-unit step fills 1.25 below the mark (slippage 31.25). Step 1 releases 250 of
    // the 600 MM: its fee cap is 90 × 250/600 − 31.25 = 6.25 (nominal 12.5), equity 52.5. Step 2: 52.5 × 250/350 −
    // 31.25 = 6.25, equity 15. Step 3 would leave 15 − 31.25 = −16.25: it takes back 12.5 (6.25 from the liquidator,
    // 6.25 from the fund) and the fund pays the 3.75 left. Step 4: the fund pays 31.25. The fund pays 35 = 125 of
    // slippage − 90 of equity, as without fees; the fees were 12.5 and the fund paid 47.5 before the rule.
    const b = { instruments: XY, accounts: [{ id: 'tiered', positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 100 }], collateral: [{ asset: 'USDC', amount: 90 }] }] };
    const params = { linear: { X: [{ upTo: 5_000, imRate: 0.04, mmRate: 0.02 }, { imRate: 0.2, mmRate: 0.1 }] } };
    const slippage = { X: { model: 'linear', pricePerUnit: 0.1 } };

    for (const method of ['cross', 'isolated']) {
      it(`${method}: the fund pays the deficit of the closes alone`, () => {
        const r = liquidate(b, xyMarket(100), { method, params, liquidation: { slippage } });
        const [acct] = r.accounts;
        expect(acct.steps.map((s) => [s.quantity, s.fillPrice])).toEqual([25, 25, 25, 25].map((q) => [q, 98.75]));
        expect(acct.steps.map((s) => s.feeToLiquidator)).toEqual([3.125, 3.125, -6.25, 0].map((f) => expect.closeTo(f, 12)));
        expect(acct.steps.map((s) => s.feeToFund)).toEqual([3.125, 3.125, -6.25, 0].map((f) => expect.closeTo(f, 12)));
        expect(acct.steps.map((s) => s.fundChange)).toEqual([3.125, 3.125, -10, -31.25].map((f) => expect.closeTo(f, 9)));
        expect(acct.steps[2].routes).toEqual({ market: 0, insuranceFund: 25, adl: 0, uncovered: 0 });
        expect(acct.state).toBe('resolved');
        expect(acct.waterfall).toEqual({ equityBefore: 90, slippage: 125, fees: 0, insuranceFund: expect.closeTo(35, 9), adl: 0, writtenOff: 0, equityAfter: expect.closeTo(0, 9) });
        const t = r.totals;
        expect([t.feesToLiquidators, t.feesToFund, t.fundPaid, t.fundStart - t.fundEnd]).toEqual([0, 0, 35, 35].map((f) => expect.closeTo(f, 9)));
        expect(Math.abs(identity(r))).toBeLessThan(1e-9);
        expect(liquidationPlanText(acct)).toContain('-6.25 taken back');
      });
    }

    it('with an empty fund, the fees it was paid go back too and the rest is written off', () => {
      // the fund holds only the 6.25 of steps 1 and 2: it gives them back at step 3, then pays nothing; 3.75 + 31.25
      // = 35 are written off (47.5 before the rule, the fees included)
      const r = liquidate(b, xyMarket(100), { method: 'cross', params, liquidation: { slippage, insuranceFund: { balanceUsd: 0 } } });
      const [acct] = r.accounts;
      expect(acct.steps.map((s) => s.feeToLiquidator + s.feeToFund)).toEqual([6.25, 6.25, -12.5, 0].map((f) => expect.closeTo(f, 12)));
      expect(acct.state).toBe('bankrupt');
      expect(acct.waterfall.fees).toBeCloseTo(0, 12);
      expect(acct.waterfall.writtenOff).toBeCloseTo(35, 9);
      expect([r.totals.feesToLiquidators, r.totals.fundEnd, r.totals.uncovered]).toEqual([0, 0, 35].map((f) => expect.closeTo(f, 9)));
      expect(Math.abs(identity(r))).toBeLessThan(1e-9);
    });

    it('a collateral discount is taken back as a fee is', () => {
      // 100 Y at 10 (MM haircut 10%), −960 USDC, long 100 X at 100 (MM 4%): equity 40, equity for MM −60, MM 400. Y is
      // sold whole at 9.8 (discount 2%: 20 to the liquidator), equity 20; X closes whole at 95 (depth 0.1: 500 of
      // slippage), 480 below zero: the 20 come back, and the fund pays 460 = 500 − 40.
      const book2 = { instruments: [XY[0]], accounts: [{ id: 'y', collateral: [{ asset: 'Y', amount: 100 }, { asset: 'USDC', amount: -960 }], positions: [{ instrument: 'X-PERP', quantity: 100, entryPrice: 100 }] }] };
      const params2 = { linear: { X: [{ imRate: 0.08, mmRate: 0.04 }] }, collateral: { Y: { brackets: [{ imHaircut: 0.2, mmHaircut: 0.1 }], liabilityWeightIm: 1, liabilityWeightMm: 1 } } };
      const r = liquidate(book2, xyMarket(100, 10), { method: 'cross', params: params2, liquidation: { feeRate: 0, collateralDiscount: 0.02, maxFractionPerStep: 1, smallShortfallUsd: 0, slippage } });
      const [acct] = r.accounts;
      expect(acct.steps.map((s) => [s.kind, s.id, s.quantity, s.fillPrice, s.feeToLiquidator, s.feeToFund])).toEqual([
        ['collateral', 'Y', 100, 9.8, expect.closeTo(20, 12), 0], ['position', 'X-PERP', 100, 95, expect.closeTo(-20, 12), 0]]);
      expect(Object.is(acct.steps[1].feeToFund, -0)).toBe(false);
      expect(r.totals.fundPaid).toBeCloseTo(460, 9);
      expect(r.totals.feesToLiquidators).toBeCloseTo(0, 12);
      expect(r.totals.collateralDiscounts).toBeCloseTo(20, 12); // as given
      expect(Math.abs(identity(r))).toBeLessThan(1e-9);
    });
  });

  it('an option pays the fee on its value, at most 7% of it (OKX), not on the underlying\'s notional', () => {
    // short 1 BTC-90000-P marked 800: fee per contract min(0.5% × 100,000 = 500, 7% × 800 = 56) = 56. MM of the short
    // put is linear in its size (MM₁ per contract, from the margin run), so with equity E = MM₁ − 25 (25 USD below MM)
    // slack(q) = E − 56q − 1.02·MM₁·(1 − q) = −(25 + 0.02·MM₁) + (1.02·MM₁ − 56)·q (its fee cap E·q is above 56q).
    // At 500 a contract the fee alone would have cost more than the whole shortfall.
    const probe = book({ id: 'put', positions: [{ instrument: 'BTC-90000-P', quantity: -1, entryPrice: 800 }], collateral: [{ asset: 'USDC', amount: 20_000 }] });
    const [row] = engines[0].margin(probe, market(), { method: 'cross' }).accounts;
    const mm1 = row.mm;
    const usdc = 20_000 + (mm1 - 25 - row.equity);
    const b = book({ id: 'put', positions: [{ instrument: 'BTC-90000-P', quantity: -1, entryPrice: 800 }], collateral: [{ asset: 'USDC', amount: usdc }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0.005, optionSpreadVol: 0 } });
    const [step] = r.accounts[0].steps;
    const q = (25 + 0.02 * mm1) / (1.02 * mm1 - 56);
    expect(step.quantity).toBeCloseTo(-q, 8);
    expect(step.fillPrice).toBe(800);
    expect(step.feeToLiquidator + step.feeToFund).toBeCloseTo(56 * q, 6);
  });
});

describe('an account with no surplus is closed out in the book\'s instrument order, not the order it lists its positions', () => {
  it('a short perpetual and a short put listed either way close alike, and ADL takes the same from the counterparty', () => {
    // x owes 1,800 of cash against short 1.6 BTC-PERP (entered 95,000, marked 100,551) and a short 90,000 put: equity
    // about −13,614, below zero, so it is closed out a full step at a time with no fund; cp holds the long put ADL takes
    // from. Its close-out steps take the perpetual (row 0) before the put, whichever position x lists first.
    const instruments = [
      { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
      { id: 'BTC-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: '2026-12-25T08:00:00Z' },
    ];
    const at = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_551, vol: 0.5, rate: 0.04, carry: 0.02 }, USDC: { price: 1, vol: 0 } }, impliedVols: { 'BTC-90000-P': 0.6 }, correlation: { assets: ['BTC'], matrix: [[1]] } };
    const perp = { instrument: 'BTC-PERP', quantity: -1.6, entryPrice: 95_000 }, put = { instrument: 'BTC-90000-P', quantity: -1, entryPrice: 1_700 };
    const cp = { id: 'cp', cashUsd: 1_500, positions: [{ instrument: 'BTC-90000-P', quantity: 0.8, entryPrice: 2_200 }] };
    for (const engine of engines) {
      for (const method of ['span', 'cross']) {
        const [first, second] = [[perp, put], [put, perp]].map((positions) => engine.liquidate({ instruments, accounts: [{ id: 'x', cashUsd: -1_800, positions }, cp] }, at, { method, liquidation: { insuranceFund: { balanceUsd: 0 } } }));
        expect(JSON.stringify(second), method).toBe(JSON.stringify(first));
        const x = first.accounts.find((a) => a.id === 'x')!;
        expect(x.state).toBe('bankrupt');
      }
    }
  });
});
