/**
 * Liquidation of coin-margined accounts (src/liquidation/currency.ts and the engine's conversions): the account's money
 * identities hold in its coin, what reaches the insurance fund and the run's totals is that coin at the index, and the
 * plan shows an inverse contract's prices in USD per coin. Worked by hand on BTC-margined short inverse perpetuals
 * (1,000 contracts of 10 USD entered at 100,000), every backend with the same bits.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Engine, LiquidationReport } from '../../src/index.js';
import { liquidationPlanText, liquidationTableLines } from '../../src/report/liquidation-text.js';
import { allEngines } from '../support/engines.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/** No slippage: fills at the mark, so what moves is fees and what the fund pays. */
const PARAMS = { liquidation: { slippage: { default: { model: 'none' } } } };

function liquidated(collateral: number, btc: number, method = 'cross'): LiquidationReport {
  const book = coinBook(
    { id: 'short', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: collateral }] },
    { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] },
  );
  const reports = engines.map((e) => e.liquidate(book, coinMarket({ btc }), { method, params: PARAMS }));
  for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
  return reports[0];
}

describe('liquidating a coin-margined account', () => {
  it('below MM: closed at the mark, fees in BTC, the waterfall identity in BTC, the fund and totals in USD at the index', () => {
    // equity 0.0093 − 10,000·(1/100,000 − 1/110,000) = 0.000209 BTC; MM 40 USD of notional at the index = 0.000364 BTC
    const r = liquidated(0.0093, 110_000);
    const [a] = r.accounts;
    expect(a.id).toBe('short');
    expect(a.before.equity).toBeCloseTo(0.0093 - 10_000 * (1 / 100_000 - 1 / 110_000), 15);
    expect(a.before.mm).toBeCloseTo(40 / 110_000, 15);
    const w = a.waterfall;
    expect(w.equityAfter).toBeCloseTo(w.equityBefore - w.slippage - w.fees + w.insuranceFund + w.adl, 14);
    expect(w.slippage).toBe(0);
    let fees = 0, toFund = 0, notional = 0;
    for (const s of a.steps) {
      expect([s.markPrice, s.fillPrice]).toEqual([110_000, 110_000]); // USD per coin, as quoted
      fees += s.feeToLiquidator + s.feeToFund;
      toFund += s.feeToFund;
      notional += s.notional;
    }
    expect(fees).toBeCloseTo(w.fees, 15);
    // coin to the fund and the totals at the index
    expect(r.totals.feesToFund).toBeCloseTo(toFund * 110_000, 8);
    expect(r.totals.fundEnd - r.totals.fundStart).toBeCloseTo(toFund * 110_000, 8);
    expect(r.totals.closedNotional).toBeCloseTo(notional * 110_000, 6);
    expect(notional).toBeLessThanOrEqual(10_000 / 110_000 + 1e-15); // the coin notional: units / F
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-6);
  });

  it('shows an inverse mark as the market quoted it: 100,000, not −1/(−1/100,000) = 99,999.99999999999', () => {
    // equity 0.0003 BTC (no P&L at the entry) against MM 40 USD / 100,000 = 0.0004 BTC: closed at the mark
    const r = liquidated(0.0003, 100_000);
    const [a] = r.accounts;
    expect(a.steps.length).toBeGreaterThan(0);
    for (const s of a.steps) expect([s.markPrice, s.fillPrice]).toEqual([100_000, 100_000]);
  });

  it('says the row is in BTC, and its text writes BTC figures as BTC (they read as 0.00 USD)', () => {
    const r = liquidated(0.0093, 110_000);
    const [a] = r.accounts;
    expect(Object.keys(a).slice(0, 3)).toEqual(['id', 'marginCurrency', 'state']);
    expect(a.marginCurrency).toBe('BTC');
    const equityBefore = 0.0093 - 10_000 * (1 / 100_000 - 1 / 110_000); // 0.00020909… BTC
    const table = [...liquidationTableLines(r)].join('\n');
    expect(table).toContain(`${equityBefore.toFixed(8)} BTC`);
    const plan = liquidationPlanText(a);
    expect(plan).toContain(`equity waterfall: ${equityBefore.toFixed(8)} BTC - slippage 0.00000000 BTC`);
    // the fund's change is USD (the fund's currency), labelled beside the BTC figures: the fund fee at the index
    const s = a.steps[0];
    expect(s.fundChange).toBeCloseTo(s.feeToFund * 110_000, 8);
    expect(plan).toContain(`${s.fundChange.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} USD`);
    // a USD account's row has no label (test/liquidation/fingerprints.test.ts holds USD reports to their bytes)
  });

  it('closed out with the fee capped at its surplus: it ends at 0 BTC, not bankrupt by a rounding', () => {
    // 0.1 BTC long 50,000 USD of face entered at 95,000, BTC at 80,000: equity 0.1 + 50,000·(1/95,000 − 1/80,000) =
    // 0.00131579 BTC against MM 0.0025: closed out, the last fee capped at what is left (the run's own sum put the
    // account at −6.9e-18 BTC: status bankrupt, health −∞)
    const book = {
      instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }],
      accounts: [{ id: 'btc-1', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 5_000, entryPrice: 95_000 }] }],
    };
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 80_000, vol: 0.5 } }, marks: { 'BTC-PERPETUAL': 80_000 } };
    for (const engine of engines) {
      const [a] = engine.liquidate(book, market, { method: 'cross' }).accounts;
      expect(a.before.equity).toBeCloseTo(0.1 + 50_000 * (1 / 95_000 - 1 / 80_000), 15);
      expect(a.steps.at(-1)!.quantity).toBeGreaterThan(0);
      expect(a.after.equity).toBeGreaterThanOrEqual(0);
      expect(a.after.equity).toBeLessThan(1e-15);
      expect([a.state, a.after.status]).toEqual(['resolved', 'healthy']);
      const w = a.waterfall;
      expect(w.equityBefore - w.slippage - w.fees).toBeCloseTo(w.equityAfter, 15);
    }
  });

  it('bankrupt: the fund covers the deficit in BTC, paid at the index: 0.005 BTC = 625 USD at 125,000', () => {
    // equity 0.015 − 10,000·(1/100,000 − 1/125,000) = −0.005 BTC
    const r = liquidated(0.015, 125_000);
    const [a] = r.accounts;
    expect(a.before.equity).toBeCloseTo(-0.005, 15);
    expect(a.waterfall.insuranceFund).toBeCloseTo(0.005, 12);
    expect(r.totals.fundPaid).toBeCloseTo(625, 6);
    expect(r.totals.fundEnd).toBeCloseTo(r.totals.fundStart - 625 + r.totals.feesToFund, 6);
    expect(a.after.equity).toBeGreaterThanOrEqual(-1e-12);
    // each close takes the share of the deficit that its share of the MM gives it (dYdX v4's bankruptcy quote): the
    // first buys back a quarter of the short and releases a quarter of its MM, so it closes at the whole position's
    // bankruptcy price, 1/(1/F + E/units) with units the position's −10,000 USD of face: 117,647.06, not the
    // 100,000 that would put the whole deficit on that quarter; so do the others
    const first = a.steps[0];
    expect(first.quantity * 10).toBeCloseTo(-2_500, 9);
    for (const s of a.steps) expect(s.bankruptcyPrice).toBeCloseTo(1 / (1 / 125_000 + -0.005 / -10_000), 6);
    expect(first.bankruptcyPrice).toBeLessThan(125_000); // the fund takes the short back below the mark
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-6);
  });

  it('a short inverse close the account survives at any price has no bankruptcy price: null, not Infinity', () => {
    // 3 BTC against 100 short 90,000 puts (equity 0.83 BTC below their MM) and 1 short inverse contract, linear first:
    // a step buys back 0.25 contract of 10 USD, which loses at most 2.5 USD / F → 0 BTC however high BTC goes, and
    // 0.83 BTC covers that: no price leaves the account at 0. The puts' closes do have one.
    const book = coinBook({
      id: 'writer', marginCurrency: 'BTC',
      positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1, entryPrice: 100_000 }, { instrument: 'BTC-25DEC26-90000-P', quantity: -100, entryPrice: 0.02 }],
      collateral: [{ asset: 'BTC', amount: 3 }],
    });
    const reports = engines.map((e) => e.liquidate(book, coinMarket(), { method: 'cross', liquidation: { slippage: { default: { model: 'none' } }, order: 'linear-first' } }));
    for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
    const steps = reports[0].accounts[0].steps;
    const perp = steps.filter((s) => s.id === 'BTC-PERPETUAL');
    expect(perp.map((s) => [s.quantity, s.bankruptcyPrice])).toEqual([[-0.25, null], [-0.25, null], [-0.25, null], [-0.25, null]]);
    for (const s of steps.filter((x) => x.id !== 'BTC-PERPETUAL')) expect(Number.isFinite(s.bankruptcyPrice)).toBe(true);
  });

  it('a long inverse deficit no price makes good: bankruptcy price and ADL fill price null, the counterparty capped at its profit', () => {
    // long 1,000 × 10 USD at 100,000 on −0.2 BTC: equity −0.2 BTC, and the most the long can gain as BTC → ∞ is
    // 10,000 / 100,000 = 0.1 BTC: no price leaves it at 0. The fund is empty; the short (entered at 120,000) has
    // 10,000·(1/100,000 − 1/120,000) = 1/60 BTC of profit, all ADL may take: at coordinate 0 (USD price ∞) each contract
    // costs it 10 / 100,000 BTC, so it takes (1/60) / 0.0001 = 166.67 contracts; the rest is uncovered.
    const book = coinBook(
      { id: 'long', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: -0.2 }] },
      { id: 'short', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 120_000 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    );
    const reports = engines.map((e) => e.liquidate(book, coinMarket(), { method: 'cross', liquidation: { insuranceFund: { balanceUsd: 0 }, slippage: { default: { model: 'none' } } } }));
    for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
    const r = reports[0];
    const long = r.accounts.find((a) => a.id === 'long')!;
    expect(long.steps.length).toBeGreaterThan(0);
    for (const s of long.steps) expect(s.bankruptcyPrice).toBeNull();
    expect(r.adl).toHaveLength(1);
    const [fill] = r.adl;
    expect([fill.account, fill.from, fill.price, fill.markPrice]).toEqual(['short', 'long', null, 100_000]); // the mark as quoted
    expect(fill.quantity).toBeCloseTo(-(1 / 60) / 0.0001, 9);
    expect(fill.haircut).toBeCloseTo(1 / 60, 12);
  });

  it('under the deribit profile too, with the USD account untouched', () => {
    const r = liquidated(0.0093, 110_000, 'deribit');
    expect(r.accounts.map((a) => a.id)).toEqual(['short']);
    expect(Math.abs(r.totals.conservationResidual)).toBeLessThan(1e-6);
  });
});

describe('an account the fund brings to zero equity, with no single close that lowers its MM', () => {
  it('is closed out (docs/liquidation.md: no surplus over bankruptcy), under every pooled method, not left below MM', () => {
    // Long 16,835 inverse contracts at 106,513.3 and 1.58 BTC-settled 90,000 puts on 0.10795 BTC, BTC at 90,000: equity
    // −0.0846 BTC. The first steps sell the perpetual at its bankruptcy price, the fund paying: equity 0. Under
    // portfolio and deribit margin the puts hedge the perpetual, so closing either alone raises MM; at zero equity the
    // rest is closed out (a bucket with no surplus over bankruptcy), as cross margin's own order closes it.
    const book = coinBook({
      id: 'c', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.10795 }],
      positions: [{ instrument: 'BTC-PERPETUAL', quantity: 16_835, entryPrice: 106_513.3 }, { instrument: 'BTC-25DEC26-90000-P', quantity: 1.58, entryPrice: 0.05 }],
    });
    for (const method of ['portfolio', 'deribit', 'cross']) {
      const reports = engines.map((e) => e.liquidate(book, coinMarket({ btc: 90_000 }), { method }));
      for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
      const a = reports[0].accounts[0];
      expect([method, a.state, a.after.mm]).toEqual([method, 'resolved', 0]);
      const closed = (id: string) => a.steps.filter((s) => s.id === id).reduce((sum, s) => sum + s.quantity, 0);
      expect(closed('BTC-PERPETUAL')).toBeCloseTo(16_835, 6);
      expect(closed('BTC-25DEC26-90000-P')).toBeCloseTo(1.58, 12);
      expect(Math.abs(a.after.equity)).toBeLessThan(1e-12);
    }
  });
});
