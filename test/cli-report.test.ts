/**
 * The report helpers shared by the CLI and the page, on hand-built reports and explain objects:
 * summaries per method, the riskiest-account ranking, worst scenarios, the explain renderers for
 * methods that explain themselves (portfolio grids, VaR components), and the progress bar.
 */
import { describe, expect, it } from 'vitest';
import type { AccountMargin, MarginMethod, MarginReport } from '../src/margin/report.js';
import type { PortfolioExplain } from '../src/methods/portfolio/types.js';
import type { VarExplain } from '../src/methods/var/types.js';
import { compactMoney, efficiency, moveLabel, percent, ratio } from '../src/report/format.js';
import { explainText, gridText, haircutShare, portfolioText, varText } from '../src/report/explain-text.js';
import { capitalFreed, riskier, riskiestAccounts, summarizeMethods, worstScenario } from '../src/report/summary.js';
import { Progress, renderBar } from '../src/cli/progress.js';
import { marginSummary } from '../src/cli/commands/margin.js';

function account(id: string, over: Partial<AccountMargin> = {}): AccountMargin {
  return {
    id, status: 'healthy', statusReason: 'equity for IM 1000 ≥ IM 100', equity: 1000, equityIm: 1000, equityMm: 1000, im: 100, mm: 50, health: 20, excessOverMm: 950,
    grossNotional: 1000, efficiency: 10, collateralValue: 1000, ...over,
  };
}

function report(method: MarginMethod, accounts: AccountMargin[], im: number): MarginReport {
  const byStatus = { healthy: 0, margin_call: 0, liquidatable: 0, bankrupt: 0, error: 0 };
  for (const a of accounts) byStatus[a.status]++;
  return {
    method, valuationTime: '2026-11-20T08:00:00Z', backend: 'js', accounts,
    totals: { accounts: accounts.length, byStatus, complete: byStatus.error === 0, covered: accounts.length - byStatus.error, equity: 0, im, mm: im / 2, grossNotional: 4 * im, efficiency: 4 },
  };
}

/** A one-underlying portfolio explain: 3 spot moves × 2 vol shocks, the worst cell at −10% vol up. */
const PORTFOLIO: PortfolioExplain = {
  underlyings: [{
    underlying: 'BTC',
    worstLoss: 12_345,
    worstScenario: { spotMove: -0.1, volShock: 'up', tail: false, weight: 1, label: 'BTC -10% vol up' },
    contributions: [
      { source: 'position', id: 'BTC-90000-P', pnl: -20_000 },
      { source: 'collateral', id: 'BTC', pnl: 7_655 }, // −20,000 + 7,655 = −12,345 = −worstLoss
    ],
    grid: {
      spotMoves: [-0.1, 0, 0.1],
      volShocks: ['up', 'down'],
      pnl: [[-12_345, -500, 2_000], [-9_000, 300, 2_500]],
      tails: [{ spotMove: -0.33, volShock: 'up', weight: 0.3, pnl: -8_000 }],
    },
  }],
  aggregation: 'sum',
  scenarioLoss: 12_345,
  addOns: [{ kind: 'shortOption', underlying: 'BTC', strike: 90_000, net: -1, amount: 150 }],
};

const VAR: VarExplain = {
  model: 'delta-normal', measure: 'var', confidence: 0.99, horizonDays: 1, var: 3_000, es: 3_437, floor: 0,
  exposures: [{ underlying: 'BTC', dollarDelta: 100_000, dollarGamma: 0, vega: 0 }, { underlying: 'ETH', dollarDelta: 40_000, dollarGamma: 0, vega: 0 }],
  components: [{ underlying: 'BTC', contribution: 2_250 }, { underlying: 'ETH', contribution: 750 }], // 2,250 + 750 = 3,000
};

describe('number formats', () => {
  it('compacts money to three significant digits and promotes units on rounding', () => {
    expect(compactMoney(812.4)).toBe('812');
    expect(compactMoney(-0.3)).toBe('0');
    expect(compactMoney(9_999)).toBe('9999');
    expect(compactMoney(-45_678)).toBe('-45.7k');
    expect(compactMoney(1_234_567)).toBe('1.23M');
    expect(compactMoney(999_999)).toBe('1.00M'); // 999.999k rounds to 1000k: shown in the next unit
    expect(compactMoney(2.5e12)).toBe('2500B');
  });
  it('labels spot moves with a sign and percentages with one decimal', () => {
    expect(moveLabel(-0.16)).toBe('-16%');
    expect(moveLabel(0)).toBe('0%');
    expect(moveLabel(0.025)).toBe('+2.5%');
    expect(percent(0.4213)).toBe('42.1%');
    expect(ratio(Infinity)).toBe('∞');
    expect(ratio(Number.NaN)).toBe('n/a');
  });
  it('shows margin efficiency as n/a where it is not applicable (IM = 0: Infinity in the library, README)', () => {
    expect(efficiency(20.934)).toBe('20.9');
    expect(efficiency(20.934, '×')).toBe('20.9×');
    expect(efficiency(Infinity)).toBe('n/a');
    expect(efficiency(Infinity, '×')).toBe('n/a');
    expect(efficiency(Number.NaN)).toBe('n/a');
    const r = report('cross', [account('a')], 100);
    expect(marginSummary(r)).toMatch(/; margin efficiency 4\.00× \(gross notional \/ IM\)$/);
    const none = { ...r, totals: { ...r.totals, im: 0, mm: 0, efficiency: Infinity } };
    expect(marginSummary(none)).toMatch(/; margin efficiency n\/a \(no account requires IM\) \(gross notional \/ IM\)$/);
  });
});

describe('method summaries', () => {
  it('measures capital freed against isolated margin: (IM_isolated − IM) / IM_isolated', () => {
    expect(capitalFreed(1000, 600)).toBe(0.4); // (1000 − 600) / 1000
    expect(capitalFreed(0, 0)).toBeUndefined();
    const rows = summarizeMethods([report('isolated', [account('a')], 1000), report('portfolio', [account('a')], 250)]);
    expect(rows.map((r) => [r.method, r.im, r.capitalFreed])).toEqual([['isolated', 1000, 0], ['portfolio', 250, 0.75]]);
  });
  it('leaves capital freed out when there is no isolated report', () => {
    expect(summarizeMethods([report('cross', [account('a')], 10)])[0].capitalFreed).toBeUndefined();
  });
  it('counts accounts by status per method', () => {
    const rows = summarizeMethods([report('cross', [account('a'), account('b', { status: 'bankrupt' })], 10)]);
    expect(rows[0].byStatus).toEqual({ healthy: 1, margin_call: 0, liquidatable: 0, bankrupt: 1, error: 0 });
  });
});

describe('riskiest accounts', () => {
  it('ranks by status severity first, then by lower health; errors first', () => {
    const err = account('e', { status: 'error', health: Number.NaN });
    const bankrupt = account('b', { status: 'bankrupt', health: 0.5 });
    const liq = account('l', { status: 'liquidatable', health: -1 });
    const low = account('h1', { health: 1.2 });
    const high = account('h2', { health: 3 });
    expect([high, liq, low, err, bankrupt].sort(riskier).map((a) => a.id)).toEqual(['e', 'b', 'l', 'h1', 'h2']);
  });
  it('takes each account at its worst method and keeps every method’s row', () => {
    const isolated = report('isolated', [account('a', { health: 2 }), account('b', { health: 1.5 })], 1);
    const cross = report('cross', [account('a', { health: 1.1, status: 'margin_call' }), account('b', { health: 4 })], 1);
    const top = riskiestAccounts([isolated, cross], 10);
    expect(top.map((r) => [r.id, r.worstMethod, r.health, r.status])).toEqual([['a', 'cross', 1.1, 'margin_call'], ['b', 'isolated', 1.5, 'healthy']]);
    expect(top[0].byMethod.isolated?.health).toBe(2);
    expect(riskiestAccounts([isolated, cross], 1)).toHaveLength(1);
  });
});

describe('worst scenario', () => {
  it('names the portfolio method’s worst underlying, its scenario and the loss', () => {
    expect(worstScenario(account('a', { portfolio: PORTFOLIO }))).toBe('BTC -10% vol up: -12.3k');
  });
  it('states the VaR measure for the var method', () => {
    expect(worstScenario(account('a', { var: VAR }))).toBe('delta-normal VaR 99.0% 1d 3000, ES 3437');
  });
  it('is undefined for methods without scenarios', () => {
    expect(worstScenario(account('a'))).toBeUndefined();
  });
});

describe('explain renderers', () => {
  it('draws the scenario grid with vol shocks as rows and spot moves as columns, marking the worst cell', () => {
    const text = gridText(PORTFOLIO.underlyings[0].grid);
    const lines = text.split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['P&L', '-10%', '0%', '+10%']);
    expect(lines[2].split(/\s+/)).toEqual(['vol', 'up', '-12.3k*', '-500', '2000']);
    expect(lines[3].split(/\s+/)).toEqual(['vol', 'down', '-9000', '300', '2500']);
    expect(lines[4]).toBe('tail scenarios (P&L × weight): -33% vol up ×0.3: -8000');
  });
  it('lists contributions worst first, the aggregation, and the add-ons with their total', () => {
    const text = portfolioText(PORTFOLIO);
    expect(text).toMatch(/BTC: worst loss 12,345\.00 at spot -10%, vol up/);
    expect(text.indexOf('BTC-90000-P')).toBeLessThan(text.lastIndexOf('collateral'));
    expect(text).toMatch(/scenario loss \(sum over underlyings\): 12,345\.00/);
    expect(text).toMatch(/add-ons \(total 150\.00\)/);
    expect(text).toMatch(/shortOption\s+BTC\s+90000\s+-1\s+150\.00/);
  });
  it('shows VaR, ES and Euler components with their shares', () => {
    const text = varText(VAR);
    expect(text).toMatch(/^delta-normal VaR at 99\.0% over 1 day: VaR 3,000\.00, ES 3,437\.00/);
    expect(text).toMatch(/BTC\s+2,250\.00\s+75\.0%/); // 2,250 / 3,000
    expect(text).toMatch(/ETH\s+750\.00\s+25\.0%/);
  });
  it('includes each section only when the account carries it', () => {
    const plain = explainText(account('a'), 'cross');
    expect(plain).not.toMatch(/positions|collateral|portfolio|VaR/);
    const full = explainText(account('a', { portfolio: PORTFOLIO, var: VAR, positions: [], collateral: [] }), 'portfolio');
    expect(full).toMatch(/positions: none/);
    expect(full).toMatch(/portfolio margin/);
    expect(full).toMatch(/delta-normal VaR/);
    // the positions' IM and MM are cross margin's standalone figures: said under any other method, not under cross
    const row = { instrument: 'BTC-PERP', quantity: 1, notional: 100_000, markToMarket: 0, im: 900, mm: 450 };
    expect(explainText(account('a', { positions: [row] }), 'span')).toMatch(/\nIM and MM per position are cross margin's standalone figures; span margin charges the account as a whole/);
    expect(explainText(account('a', { positions: [row] }), 'cross')).not.toMatch(/standalone figures/);
  });
  it('calls the crossing prices a liquidation price above MM, and where MM is met again below it', () => {
    const liquidationPrice = { underlying: 'BTC', below: 87_560.34, above: null };
    expect(explainText(account('long', { liquidationPrice }), 'cross')).toMatch(/\nliquidation price of BTC \(moving it alone\): below 87,560\.34, above none within 1000×$/);
    // a short below MM whose crossing is below the price: the account is healed there, not liquidated
    const below = account('short', { status: 'bankrupt', equity: -78.27, equityIm: -78.27, equityMm: -78.27, im: 584.41, mm: 292.21, liquidationPrice });
    const text = explainText(below, 'cross');
    expect(text).not.toMatch(/liquidation price/);
    expect(text).toMatch(/\nbelow MM at this price; back at MM with BTC \(moving it alone\) below 87,560\.34, above none within 1000×$/);
    // a sub-dollar price keeps its digits: DOGE at 0.157466 is back at MM below 0.155660, not "below 0.16"
    const doge = account('doge', { status: 'liquidatable', equityMm: 491.03, mm: 1_070.36, liquidationPrice: { underlying: 'DOGE', below: 0.15565957267499786, above: null } });
    expect(explainText(doge, 'cross')).toMatch(/\nbelow MM at this price; back at MM with DOGE \(moving it alone\) below 0\.155660, above none within 1000×$/);
  });
  it('writes an account in error as n/a, never NaN', () => {
    const nan = Number.NaN;
    const text = explainText(account('coin', { status: 'error', statusReason: 'margin could not be computed (see error)', equity: nan, equityIm: nan, equityMm: nan, im: nan, mm: nan, health: nan, excessOverMm: nan, grossNotional: nan, efficiency: nan, collateralValue: nan }), 'var');
    expect(text).not.toMatch(/NaN/);
    expect(text).toMatch(/n\/a/);
  });
  it('expresses haircuts as the share of value not counted', () => {
    expect(haircutShare(1000, 950)).toBeCloseTo(0.05, 15); // 1 − 950/1000
    expect(haircutShare(-1000, -1100)).toBeCloseTo(-0.1, 15); // a borrowing weighted ×1.1
    expect(haircutShare(0, 0)).toBe(0);
  });
});

describe('progress bar', () => {
  it('renders a clamped bar', () => {
    expect(renderBar(0.5, 10)).toBe('[#####.....]');
    expect(renderBar(2, 4)).toBe('[####]');
    expect(renderBar(Number.NaN, 4)).toBe('[....]');
  });
  it('draws on a terminal and clears its line at the end', () => {
    const written: string[] = [];
    let t = 0;
    const bar = new Progress('margin', 4, { isTTY: true, columns: 80, write: (s) => written.push(s) }, () => t);
    t = 1500;
    bar.advance(2, 'validating');
    expect(written.at(-1)).toBe(`\r\x1b[K${bar.line('validating')}`);
    expect(bar.line('validating')).toMatch(/^margin \[#+\.+\]  50% 1\.5s validating$/);
    bar.finish();
    expect(written.at(-1)).toBe('\r\x1b[K');
  });
  it('writes nothing when the stream is not a terminal', () => {
    const written: string[] = [];
    const bar = new Progress('margin', 2, { isTTY: false, write: (s) => written.push(s) });
    bar.advance(1, 'x');
    bar.note('y');
    bar.finish();
    expect(written).toEqual([]);
  });
});
