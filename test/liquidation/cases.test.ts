/**
 * Liquidation cases computed by hand from the documented rules (src/liquidation/, README "Liquidation"), not from the
 * code. BTC at 100,000; the default rule-based schedule for BTC perpetuals: IM 0.8% / MM 0.4% of notional up to
 * 50,000 USD, then 1% / 0.5%; USDC counts in full.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type LiquidationReport } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';
import { bsmRef } from '../reference/decimal-bsm.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'wasm' })];
});

/** Every backend gives the same report (bits); returns it. */
function liquidate(b: unknown, m: unknown, options: Record<string, unknown>): LiquidationReport {
  const reports = engines.map((e) => e.liquidate(b, m, options));
  const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
  for (const r of reports) expect(text(r)).toBe(text(reports[0]));
  return reports[0];
}

/** No slippage, no per-step cap, no small-shortfall shortcut: the formulas alone. */
const plain = { slippage: { default: { model: 'none' } }, maxFractionPerStep: 1, smallShortfallUsd: 0 };

describe('liquidation, hand-computed', () => {
  it('a long perp is closed partially, exactly back to MM·(1 + buffer) (Drift: shortfall / (margin released − fee) per unit)', () => {
    // long 1 BTC-PERP entered at the mark, 400 USDC: MM = 50,000·0.4% + 50,000·0.5% = 450 > 400 → liquidatable.
    // Closing c BTC (notional stays above 50,000): MM = 450 − 500c; fee 0.1%: 100c. Slack = 400 − 100c − 1.02·(450 − 500c)
    // = −59 + 410c, zero at c = 59/410.
    const b = book({ id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 400 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0.001 } });
    const [acct] = r.accounts;
    expect(acct.state).toBe('resolved');
    expect(acct.steps).toHaveLength(1);
    const step = acct.steps[0];
    expect(step.quantity).toBeCloseTo(59 / 410, 12);
    expect(step.fillPrice).toBe(100_000);
    expect(step.feeToLiquidator + step.feeToFund).toBeCloseTo(100 * (59 / 410), 9);
    expect(step.feeToLiquidator).toBeCloseTo(step.feeToFund, 12); // split half and half
    expect(acct.after.equityMm).toBeCloseTo(400 - 100 * (59 / 410), 9);
    expect(acct.after.health).toBeCloseTo(1.02, 9);
    expect(r.totals.fundEnd - r.totals.fundStart).toBeCloseTo(50 * (59 / 410), 9);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-9);
  });

  it('a perp whose fee exceeds its MM rate closes in full, the fee capped at the surplus over bankruptcy', () => {
    // Same account, fee 1% > MM rate 0.5%: no partial close helps, so the position closes outright; the fee would be
    // 1,000 but the account has 400 above bankruptcy: fee 400, equity 0, no MM left: resolved.
    const b = book({ id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 400 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0.01 } });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => s.quantity)).toEqual([1]);
    expect(acct.steps[0].feeToLiquidator + acct.steps[0].feeToFund).toBe(400);
    expect([acct.state, acct.after.equity, acct.after.mm]).toEqual(['resolved', 0, 0]);
    // with the default cap (25% of the position per step) it takes four steps of 0.25
    const capped = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0.01, maxFractionPerStep: 0.25 } });
    expect(capped.accounts[0].steps.map((s) => s.quantity)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('a borrowing is repaid at the price plus the discount (collateral conversion)', () => {
    // −1 BTC borrowed (MM liability weight 1.05) against 104,000 USDC: equity for MM = 104,000 − 105,000 = −1,000 < 0 = MM.
    // Buying back s BTC at 100,000·1.02 changes equity for MM by s·100,000·(1.05 − 1.02): zero at s = 1/3.
    const b = book({ id: 'borrower', collateral: [{ asset: 'BTC', amount: -1 }, { asset: 'USDC', amount: 104_000 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, buffer: 0 } });
    const [acct] = r.accounts;
    expect(acct.steps).toHaveLength(1);
    const step = acct.steps[0];
    expect([step.kind, step.id, step.fillPrice]).toEqual(['collateral', 'BTC', 102_000]);
    expect(step.quantity).toBeCloseTo(-1 / 3, 12);
    expect(step.feeToLiquidator).toBeCloseTo(100_000 * 0.02 / 3, 9); // the discount goes to the liquidator
    expect(acct.after.equityMm).toBeCloseTo(0, 6);
    expect(acct.state).toBe('resolved');
  });

  it('an account that only borrows leaves liquidation with the buffer on its haircuts (equity ≥ 1.02·(MM + haircuts))', () => {
    // 1 BTC (MM haircut 2.5%: counts 97,500) against a 97,800 USDC borrowing, no position (MM 0): equity 2,200, equity
    // for MM −300. Selling s BTC at 100,000·0.98 adds 98,000s − 97,500s = 500s to equity for MM, and leaves haircuts
    // of 2,500·(1 − s). Slack = −300 + 500s − 0.02·2,500·(1 − s) = −350 + 550s: s = 7/11 (a buffer on MM alone, which
    // is 0, would stop at s = 0.6 with no cushion against the next tick).
    const b = book({ id: 'borrower', collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: -97_800 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: plain });
    const [acct] = r.accounts;
    expect(acct.steps).toHaveLength(1);
    const step = acct.steps[0];
    expect([step.kind, step.id, step.fillPrice]).toEqual(['collateral', 'BTC', 98_000]);
    expect(step.quantity).toBeCloseTo(7 / 11, 12);
    expect(acct.after.equity).toBeCloseTo(2_200 - 2_000 * 7 / 11, 9);
    expect(acct.after.equityMm).toBeCloseTo(-300 + 500 * 7 / 11, 9);
    expect(acct.after.equity / (acct.after.equity - acct.after.equityMm)).toBeCloseTo(1.02, 12);
    expect(acct.state).toBe('resolved');
  });

  it('a conversion discount is capped, like a fee, by the surplus over bankruptcy', () => {
    // 1 BTC (MM haircut 2.5%: counts 97,500) against a 99,900 USDC borrowing: equity 100, equity for MM −2,400 < 0 = MM.
    // Selling the BTC at a 2% discount would cost 2,000 and leave −1,900; capped at the 100 above
    // bankruptcy, the BTC sells at 99,900 and the account ends at exactly 0 with nothing left to cover.
    const b = book({ id: 'thin', collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: -99_900 }] });
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, buffer: 0 } });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => [s.kind, s.id, s.quantity, s.fillPrice, s.feeToLiquidator])).toEqual([['collateral', 'BTC', 1, 99_900, 100]]);
    expect([acct.state, acct.after.equity, r.totals.fundPaid, r.totals.collateralDiscounts]).toEqual(['resolved', 0, 0, 100]);
    expect(r.totals.conservationResidual).toBe(0);
  });

  it('a bankrupt close is taken at the bankruptcy price, the insurance fund paying the loss beyond it', () => {
    // long 1 at entry 100,000 marked 99,800 (P&L −200), 300 USDC: equity 100. Linear depth 1,000 USD per BTC: closing 1
    // fills at 99,800 − 500 = 99,300, which would leave −400. Bankruptcy price 99,800 − 100/1 = 99,700: the account
    // closes there (equity 0); the fund takes it at 99,700 and sells at 99,300: it pays 400.
    const b = book({ id: 'gap', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] });
    const m = market({ marks: { 'BTC-PERP': 99_800 } });
    const r = liquidate(b, m, { method: 'cross', liquidation: { ...plain, feeRate: 0, slippage: { default: { model: 'linear', pricePerUnit: 1_000 } }, insuranceFund: { balanceUsd: 1_000 } } });
    const [acct] = r.accounts;
    const step = acct.steps[0];
    expect([step.quantity, step.fillPrice, step.bankruptcyPrice]).toEqual([1, 99_300, 99_700]);
    expect(step.routes).toEqual({ market: 0, insuranceFund: 1, adl: 0, uncovered: 0 });
    expect([acct.state, acct.after.equity]).toEqual(['resolved', 0]);
    expect([r.totals.fundPaid, r.totals.fundEnd, r.totals.badDebt, r.totals.marketSlippage]).toEqual([400, 600, 400, 500]);
    expect(r.totals.conservationResidual).toBe(0); // −100 (account) − 400 (fund) + 500 (market)
    // the account's waterfall: 100 − 500 slippage at the fill + 400 from the fund = 0
    expect(acct.waterfall).toEqual({ equityBefore: 100, slippage: 500, fees: 0, insuranceFund: 400, adl: 0, writtenOff: 0, equityAfter: 0 });
  });

  it('an isolated position\'s deficit is written off as bad debt, never charged to the rest of its account', () => {
    // The same gap, held isolated: 300 USDC of the account's 10,300 allocated to the long, whose equity is 300 − 200 = 100
    // against its MM of 50,000·0.4% + 49,800·0.5% = 449. No partial close restores it (the fill costs 500·q² for q
    // closed), so it closes in full: the fill at 99,300 would leave the position at −400, so the account closes at the
    // bankruptcy price 99,700 and loses exactly the position's 100. The fund is empty and nobody is short: the 400 is
    // written off. The rest of the account keeps its 10,000: equity 10,100 − 500 slippage + 400 written off = 10,000.
    // A deficit nobody covered was written off: the account ends `bankrupt` (docs/liquidation.md, its states), though
    // the rest of it is healthy (its after-status).
    const b = book({ id: 'iso', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000, isolatedMargin: 300 }], collateral: [{ asset: 'USDC', amount: 10_300 }] });
    const m = market({ marks: { 'BTC-PERP': 99_800 } });
    const r = liquidate(b, m, { method: 'isolated', liquidation: { ...plain, feeRate: 0, slippage: { default: { model: 'linear', pricePerUnit: 1_000 } }, insuranceFund: { balanceUsd: 0 } } });
    const [acct] = r.accounts;
    const step = acct.steps[0];
    expect([step.quantity, step.fillPrice, step.bankruptcyPrice]).toEqual([1, 99_300, 99_700]);
    expect(step.routes).toEqual({ market: 0, insuranceFund: 0, adl: 0, uncovered: 1 });
    expect([acct.state, acct.before.equity, acct.after.equity, acct.after.status]).toEqual(['bankrupt', 10_100, 10_000, 'healthy']);
    expect(acct.note).toBe('a deficit of 400.00 USD was left uncovered (insurance fund and ADL exhausted) and written off');
    expect(acct.waterfall).toEqual({ equityBefore: 10_100, slippage: 500, fees: 0, insuranceFund: 0, adl: 0, writtenOff: 400, equityAfter: 10_000 });
    expect([r.totals.fundPaid, r.totals.uncovered, r.totals.badDebt, r.totals.marketSlippage]).toEqual([0, 400, 400, 500]);
    expect(r.totals.conservationResidual).toBe(0); // −100 (account) + 500 (market) − 400 (uncovered, written off)
    // under cross margin the same account is healthy: its 10,100 covers MM 449
    expect(liquidate(b, m, { method: 'cross', liquidation: plain }).accounts).toEqual([]);
  });

  it('explicit allocations above what the account holds are scaled down to it: the fund pays the real deficit only', () => {
    // 1,000 USDC; long 1 BTC-PERP entered at 120,000 (P&L −20,000 at 100,000), isolatedMargin 1,000,000 asked: the
    // allocation is at most the account's 1,000, so the position's equity is 1,000 − 20,000 = −19,000 and the rest of
    // the account 0 (it owes nothing: the 999,000 it never had is no debt). The close at the bankruptcy price
    // 100,000 + 19,000 = 119,000 takes the fund's 19,000 and leaves the account at 0.
    const b = book({ id: 'over', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 120_000, isolatedMargin: 1_000_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] });
    const m = market();
    const rows = engines.map((e) => e.margin(b, m, { method: 'isolated', breakdown: true }).accounts[0]);
    for (const row of rows) expect([row.status, row.equity, row.positions![0].allocated]).toEqual(['bankrupt', -19_000, 1_000]);
    const r = liquidate(b, m, { method: 'isolated', liquidation: plain });
    const [acct] = r.accounts;
    expect([acct.state, acct.after.equity, acct.steps[0].bankruptcyPrice]).toEqual(['resolved', 0, 119_000]);
    expect([r.totals.fundPaid, r.totals.badDebt]).toEqual([19_000, 19_000]);
    // two allocations of 1,000 on the same 1,000: 500 each (pro rata to what was asked)
    const two = book({ id: 'two', positions: [{ instrument: 'BTC-PERP', quantity: 0.01, entryPrice: 100_000, isolatedMargin: 1_000 }, { instrument: 'ETH-PERP', quantity: 1, entryPrice: 3_000, isolatedMargin: 1_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] });
    for (const e of engines) {
      const row = e.margin(two, m, { method: 'isolated', breakdown: true }).accounts[0];
      expect([row.status, row.positions!.map((p) => p.allocated)]).toEqual(['healthy', [500, 500]]);
    }
  });

  it('an allocation comes out of what the account has net of what it owes: a solvent borrower is not paid by the fund', () => {
    // 10,000 USDC and cash −3,000 (equity 7,000), 0.1 BTC-PERP entered at the mark with 10,000 asked: the IM-weighted
    // collateral and cash is 7,000, so the allocation is 7,000 and the rest 10,000 − 3,000 − 7,000 = 0 (it owes nothing).
    // ETH 3 (9,000; IM haircut 7%: 8,370) with 9,000 asked: 8,370, the rest's IM-weighted equity 0, not −630.
    const m = market();
    const b = {
      instruments: book().instruments,
      accounts: [
        { id: 'cash', cashUsd: -3_000, collateral: [{ asset: 'USDC', amount: 10_000 }], positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000, isolatedMargin: 10_000 }] },
        { id: 'eth', collateral: [{ asset: 'ETH', amount: 3 }], positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000, isolatedMargin: 9_000 }] },
      ],
    };
    for (const e of engines) {
      const rows = e.margin(b, m, { method: 'isolated', breakdown: true }).accounts;
      expect(rows.map((r) => [r.id, r.status, r.positions![0].allocated])).toEqual([['cash', 'healthy', 7_000], ['eth', 'healthy', 8_370]]);
    }
    expect(liquidate(b, m, { method: 'isolated', liquidation: plain }).totals.fundPaid).toBe(0);
  });

  it('what the fund cannot cover goes to ADL: queue by PnL% × leverage, or pro rata', () => {
    // The same bankrupt long, fund 100: it covers 100 / 400 = 0.25 BTC; 0.75 BTC goes to profitable shorts at 99,700.
    //   s1: short 0.5 entered at 101,000, 10,000 USDC: PnL 600, PnL% 600/50,500, leverage 49,900/10,600 → score 0.0559
    //   s2: short 2 entered at 100,500, 50,000 USDC: PnL 1,400, PnL% 1,400/201,000, leverage 199,600/51,400 → 0.0270
    //   loser: short 1 entered at 99,000 (a loss): not eligible.
    const accounts = [
      { id: 'gap', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] },
      { id: 's1', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 101_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
      { id: 's2', positions: [{ instrument: 'BTC-PERP', quantity: -2, entryPrice: 100_500 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 'loser', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 99_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
    ];
    const m = market({ marks: { 'BTC-PERP': 99_800 } });
    const params = { ...plain, feeRate: 0, slippage: { default: { model: 'linear', pricePerUnit: 1_000 } }, insuranceFund: { balanceUsd: 100 } };
    const queue = liquidate(book(...accounts), m, { method: 'cross', liquidation: { ...params, adl: 'queue' } });
    expect(queue.accounts[0].steps[0].routes).toEqual({ market: 0, insuranceFund: 0.25, adl: 0.75, uncovered: 0 });
    expect(queue.adl.map((f) => [f.account, f.quantity, f.price, f.rank])).toEqual([['s1', -0.5, 99_700, 1], ['s2', -0.25, 99_700, 2]]);
    expect(queue.adl.map((f) => f.haircut)).toEqual([-50, -25]); // they buy back 100 below the mark
    expect([queue.totals.fundPaid, queue.totals.adlAbsorbed, queue.totals.badDebt]).toEqual([100, 300, 400]);
    expect(Math.abs(queue.totals.conservationResidual)).toBeLessThan(1e-9);
    // 100 − 500 slippage + 100 (fund: 0.25 × 400) + 300 (ADL: 0.75 × 400) = 0
    expect(queue.accounts[0].waterfall).toEqual({ equityBefore: 100, slippage: 500, fees: 0, insuranceFund: 100, adl: 300, writtenOff: 0, equityAfter: 0 });
    // pro rata: 0.75 of the eligible 2.5 BTC, 30% of each position
    const pro = liquidate(book(...accounts), m, { method: 'cross', liquidation: { ...params, adl: 'pro-rata' } });
    expect(pro.adl.map((f) => [f.account, f.quantity])).toEqual([['s1', -0.5 * 0.3], ['s2', -2 * 0.3]]);
  });

  it('a short call under the portfolio method is bought back to the target: requirements scale with the position', () => {
    // Under portfolio margin one short call's worst loss and its add-on scale with its size, so buying back x of it
    // leaves MM·(1 − x). The buy-back fills at the mark plus BSM(σ + 2 points) − BSM(σ) (50-digit reference), the fee is
    // an option's fee: 0.1% of the underlying notional, at most 7% of the option's value (OKX), min(100, 0.07 × 1,234)
    // = 86.38 per contract (its cap by the surplus of the part closed, 0.6·MM·x − spread·x, is far above it).
    // Slack(x) = E − x·(spread + fee) − (1 − x)·MM·1.02 = 0 gives x = (1.02·MM − E) / (1.02·MM − spread − fee).
    const call = 'BTC-110000-C';
    const m = market();
    const mm0 = engines[0].margin(book({ positions: [{ instrument: call, quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 1e6 }] }), m, { method: 'portfolio' }).accounts[0].mm;
    const equity = 0.6 * mm0;
    const b = book({ id: 'writer', positions: [{ instrument: call, quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: equity + 1_234 }] });
    const years = (Date.parse('2026-12-25T08:00:00Z') - Date.parse('2026-11-20T08:00:00Z')) / (365 * 86_400_000);
    const price = (vol: number) => bsmRef({ isCall: true, spot: 100_000, strike: 110_000, expiryYears: years, vol, rate: 0.04, carry: 0.04 }).price;
    const spread = price(0.52) - price(0.5);
    const fee = Math.min(0.001 * 100_000, 0.07 * 1_234);
    const r = liquidate(b, m, { method: 'portfolio', liquidation: { ...plain, feeRate: 0.001 } });
    const [acct] = r.accounts;
    expect(acct.steps).toHaveLength(1);
    const x = (1.02 * mm0 - equity) / (1.02 * mm0 - spread - fee);
    // sized to the documented tolerance: S within 1e-9 × (gross notional + |equity| + 1) ≈ 1e-4 USD of 0, x within ~1e-7
    expect(-acct.steps[0].quantity).toBeCloseTo(x, 7);
    expect(acct.steps[0].fillPrice - 1_234).toBeCloseTo(spread, 9);
    expect(acct.after.mm / (mm0 * (1 - x))).toBeCloseTo(1, 7);
    // the slack it leaves is in [0, tolerance]: 1e-9 × (the underlying notional 100,000 + |equity| + 1)
    const slack = acct.after.equityMm - 1.02 * acct.after.mm;
    expect(slack).toBeGreaterThanOrEqual(-1e-9 * (100_000 + equity + 1));
    expect(slack).toBeLessThanOrEqual(1e-9 * (100_000 + equity + 1) + 1e-9);
    expect(acct.state).toBe('resolved');
    // the price at which buying back x takes all of the equity E to 0: 1,234 + E/x (18,947)
    expect(acct.steps[0].bankruptcyPrice).toBeCloseTo(1_234 + equity / x, 3);
    // at 0.99·MM of equity the buy-back is small and 1,234 + E/x lies above what a call can be worth (its underlying,
    // 100,000): no fill can reach it, and the step shows none
    const near = 0.99 * mm0;
    const small = liquidate(book({ id: 'writer', positions: [{ instrument: call, quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: near + 1_234 }] }), m, { method: 'portfolio', liquidation: { ...plain, feeRate: 0.001 } }).accounts[0];
    const xs = (1.02 * mm0 - near) / (1.02 * mm0 - spread - fee);
    expect(-small.steps[0].quantity).toBeCloseTo(xs, 7);
    expect(1_234 + near / xs).toBeGreaterThan(100_000);
    expect(small.steps[0].bankruptcyPrice).toBeNull();
  });

  it('a deficit nobody covers is written off as uncovered bad debt: the account ends at zero', () => {
    // the gap above with no fund and nobody short: the close fills at 99,300 and leaves −400, which nobody pays; it is
    // written off the account (credited to it) and reported as uncovered: 100 − 500 slippage + 400 written off = 0
    const b = book({ id: 'gap', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] });
    const m = market({ marks: { 'BTC-PERP': 99_800 } });
    const r = liquidate(b, m, { method: 'cross', liquidation: { ...plain, feeRate: 0, slippage: { default: { model: 'linear', pricePerUnit: 1_000 } }, insuranceFund: { balanceUsd: 0 } } });
    const [acct] = r.accounts;
    expect(acct.steps[0].routes).toEqual({ market: 0, insuranceFund: 0, adl: 0, uncovered: 1 });
    expect([acct.state, acct.after.equity, r.totals.uncovered, r.totals.badDebt]).toEqual(['bankrupt', 0, 400, 400]);
    expect(acct.waterfall).toEqual({ equityBefore: 100, slippage: 500, fees: 0, insuranceFund: 0, adl: 0, writtenOff: 400, equityAfter: 0 });
    expect(acct.note).toMatch(/deficit of 400\.00 USD was left uncovered .* written off/);
    expect(r.totals.conservationResidual).toBe(0); // −100 (account) + 500 (market) − 400 (uncovered)
  });

  it('a write-off of 9.5e11 leaves the account at 0, not at the −4e-5 its credit rounds to', () => {
    // X at 0.163184, a perpetual of 1,000 X a contract. Short 12,345 entered at 0.15905 on 21,585.92 USDC: equity
    // 21,585.92 − 12,345,000·0.004134 = −29,448.31. No fund, nobody long, linear depth 0.05 USD per X: each step (a
    // quarter, 3,086.25 contracts) buys 3,086,250 X back at 0.163184 + 0.05·3,086,250/2 = 77,156.413184, its slippage
    // 0.025·3,086,250² = 238,123,476,562.5; four steps 952,493,906,250. Written off: 29,448.31 + that. A credit of
    // 9.5e11 to cash of −9.5e11 is exact to an ulp of it (1.2e-4): the account had ended at −4.4e-5, bankrupt below zero.
    const b = {
      instruments: [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X', multiplier: 1_000 }],
      accounts: [{ id: 'a', positions: [{ instrument: 'X-PERP', quantity: -12_345, entryPrice: 0.15905 }], collateral: [{ asset: 'USDC', amount: 21_585.92 }] }],
    };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { X: { price: 0.163184, vol: 1 }, USDC: { price: 1, vol: 0 } } };
    const r = liquidate(b, m, { method: 'cross', liquidation: { insuranceFund: { balanceUsd: 0 }, target: 'im', slippage: { default: { model: 'linear', pricePerUnit: 0.05 } } } });
    const [acct] = r.accounts;
    expect(acct.steps.map((s) => [s.quantity, s.fillPrice])).toEqual(Array(4).fill([-3_086.25, expect.closeTo(77_156.413184, 9)]));
    expect(acct.waterfall.slippage).toBeCloseTo(952_493_906_250, 3);
    expect(acct.waterfall.writtenOff / (29_448.31 + 952_493_906_250) - 1).toBeCloseTo(0, 12);
    expect(acct.state).toBe('bankrupt');
    expect(acct.after.equity).toBeGreaterThanOrEqual(0);
    expect(acct.after.equity).toBeLessThan(1e-9);
    expect(acct.after.status).not.toBe('bankrupt');
  });
});

describe('liquidation, a deficit larger than the position', () => {
  it('a short whose account owes more than its notional closes at a bankruptcy price of 0, never below; the fund covers the rest', () => {
    // Short 1 BTC-PERP at the mark 100,000 and a USDC borrowing of 150,000: equity −150,000. The bankruptcy price
    // 100,000 + (−150,000)/1 = −50,000 is floored at 0: the fund takes the close at 0 and buys it back at the market
    // (100,000), paying 100,000; the account realizes +100,000 and is left with −50,000 and nothing to close, which the
    // fund pays too: 150,000 in all, the whole deficit, and no ADL fill at a negative price.
    const b = book(
      { id: 'short', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: -150_000 }] },
      { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
    );
    const r = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0, insuranceFund: { balanceUsd: 1e6 } } });
    const acct = r.accounts.find((a) => a.id === 'short')!;
    expect(acct.steps).toHaveLength(1);
    expect(acct.steps[0].bankruptcyPrice).toBe(0);
    expect(acct.steps[0].routes.insuranceFund).toBe(-1);
    expect(acct.after.equity).toBe(0);
    expect(acct.state).toBe('resolved');
    expect(r.totals.fundPaid).toBe(150_000);
    expect(r.totals.badDebt).toBe(150_000);
    expect(r.adl).toEqual([]);
    // With no fund, ADL takes from the long at 0, not at −50,000, and no more than its profit: long 1 entered at 90,000
    // and marked 100,000 has 10,000 of profit (equity 60,000), and each contract sold at 0 costs it 100,000 against the
    // mark: 0.1 contract. The short realizes 0.1·100,000 = 10,000 on it and the other 0.9 at the market (the mark): it
    // ends at −140,000, written off as uncovered; bad debt 10,000 (ADL) + 140,000 = 150,000.
    const dry = liquidate(b, market(), { method: 'cross', liquidation: { ...plain, feeRate: 0, insuranceFund: { balanceUsd: 0 } } });
    expect(dry.adl.map((f) => [f.account, f.quantity, f.price])).toEqual([['long', 0.1, 0]]);
    expect([dry.totals.adlAbsorbed, dry.totals.uncovered, dry.totals.badDebt]).toEqual([10_000, 140_000, 150_000]);
    const long = dry.accounts.find((a) => a.id === 'long')!;
    expect([long.state, long.before.equity, long.after.equity, long.waterfall.adl]).toEqual(['deleveraged', 60_000, 50_000, -10_000]);
    expect(Math.abs(dry.totals.conservationResidual)).toBeLessThan(1e-9);
  });
});
