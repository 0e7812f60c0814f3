/**
 * The explain text and the worst-scenario summary of a coin-margined account (docs/coin-margined.md): its portfolio
 * breakdown (grid, worst loss, contributions, scenario loss, add-ons) is in its coin, so it is written in that coin with
 * the digits a coin needs (it was written as USD, rounded to whole units or cents: grid cells "0", "worst loss 0.14");
 * a USD account's text is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import type { AccountMargin } from '../../src/margin/report.js';
import { explainText, gridText, portfolioText, worstLossSentence } from '../../src/report/explain-text.js';
import { compactMoney, compactMoneyIn, money } from '../../src/report/format.js';
import { worstScenario } from '../../src/report/summary.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

const engine = await createEngine({ backend: 'js' });

/** A BTC-margined short put and short inverse perpetual on 0.5 BTC, and a USD long perpetual on 100,000 USDC. */
const BOOK = coinBook(
  { id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }, { instrument: 'BTC-25DEC26-90000-P', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 0.5 }] },
  { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] },
);

function rows(): { btc: AccountMargin; usd: AccountMargin } {
  const r = engine.margin(BOOK, coinMarket(), { method: 'portfolio', breakdown: true });
  const byId = new Map(r.accounts.map((a) => [a.id, a]));
  return { btc: byId.get('btc')!, usd: byId.get('usd')! };
}

/** Three significant digits, the way a coin's grid cell is written (no exponent in this range). */
const threeDigits = (x: number) => x.toPrecision(3);

describe('explain text of a BTC-margined account under portfolio margin', () => {
  const { btc, usd } = rows();
  const p = btc.portfolio!;
  const u = p.underlyings[0];

  const q = usd.portfolio!;
  const v = q.underlyings[0];

  it('says BTC in the header and writes the worst loss, scenario loss and add-ons with eight decimals and the symbol', () => {
    // a breakdown in BTC, with figures well below a dollar (the case that read as 0.14 USD)
    expect(btc.marginCurrency).toBe('BTC');
    expect(u.worstLoss).toBeGreaterThan(0.01);
    expect(u.worstLoss).toBeLessThan(1);
    const text = explainText(btc, 'portfolio');
    expect(text).toContain('portfolio margin (scenario P&L in BTC, gain > 0):');
    expect(text).not.toContain('scenario P&L in USD');
    expect(text).toContain(`BTC: worst loss ${u.worstLoss.toFixed(8)} BTC`);
    expect(text).toContain(`: ${p.scenarioLoss.toFixed(8)} BTC`);
    const total = p.addOns.reduce((s, a) => s + a.amount, 0);
    expect(text).toContain(`add-ons (total ${total.toFixed(8)} BTC)`);
    for (const a of p.addOns) expect(text).toMatch(new RegExp(`\\n${a.kind}\\s.*\\s${a.amount.toFixed(8).replace('.', '\\.')}(\\n|$)`));
    for (const c of u.contributions) expect(text).toMatch(new RegExp(`${c.id}\\s+${c.source}\\s+${c.pnl.toFixed(8).replace('.', '\\.')}`));
    // a USD account's text as it was: USD header, cents
    const plain = explainText(usd, 'portfolio');
    expect(plain).toContain('portfolio margin (scenario P&L in USD, gain > 0):');
    expect(plain).toContain(`scenario loss (sum over underlyings): ${money(q.scenarioLoss)}\n`);
    expect(plain).toContain(`BTC: worst loss ${money(v.worstLoss)} `);
    expect(plain).not.toContain(' BTC\n');
  });

  it('writes each grid cell to three significant digits, never 0 for a non-zero P&L', () => {
    const lines = gridText(u.grid, 'BTC').split('\n');
    const cells = lines[2].trim().split(/\s{2,}/).slice(1).map((c) => c.replace('*', ''));
    expect(cells).toEqual(u.grid.pnl[0].map(threeDigits));
    expect(cells.every((c) => Number(c) !== 0)).toBe(true);
    // the tails too
    const t = u.grid.tails[0];
    expect(lines.at(-1)).toContain(`×${t.weight}: ${threeDigits(t.pnl)};`);
    // a USD grid as it was: whole dollars, or three digits and a suffix from 10,000 (compactMoney)
    const usdCells = gridText(v.grid).split('\n')[2].trim().split(/\s{2,}/).slice(1).map((c) => c.replace('*', ''));
    expect(usdCells).toEqual(v.grid.pnl[0].map(compactMoney));
    expect(gridText(v.grid, 'USD')).toBe(gridText(v.grid));
  });

  it('names the worst grid cell in BTC when the worst loss is a tail scenario', () => {
    expect(u.worstScenario.tail).toBe(true);
    const worstCell = Math.min(...u.grid.pnl.flat());
    expect(worstLossSentence(u, 'BTC')).toMatch(new RegExp(`whose worst cell is ${worstCell.toFixed(8).replace('.', '\\.')} BTC at spot `));
  });

  it('summarises the worst scenario in BTC (the demo and the page)', () => {
    expect(worstScenario(btc)).toBe(`BTC -66% vol up (tail): ${threeDigits(-u.worstLoss)} BTC`);
    expect(worstScenario(usd)).toMatch(new RegExp(`: ${compactMoney(-v.worstLoss)}$`)); // no unit, as it was
    expect(portfolioText(q, 'USD')).toBe(portfolioText(q));
  });
});

describe('compactMoneyIn', () => {
  it('is compactMoney for USD; three significant digits for a coin, never in exponent form', () => {
    expect(compactMoneyIn(undefined)).toBe(compactMoney);
    expect(compactMoneyIn('USD')).toBe(compactMoney);
    const coin = compactMoneyIn('BTC');
    expect([-0.0935613726, 0.0024967, 1.1, 12.34, 99.96, 0.09996, 1234.5, 45_678].map(coin))
      .toEqual(['-0.0936', '0.00250', '1.10', '12.3', '100', '0.100', '1235', '45.7k']);
    expect([0, -0, 3e-9, -3e-9, 1.2e-8].map(coin)).toEqual(['0', '0', '0', '0', '0.00000001']);
    expect([NaN, Infinity].map(coin)).toEqual(['n/a', '∞']);
  });
});
