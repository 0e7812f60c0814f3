/**
 * The risk page's views of a coin-margined account (docs/coin-margined.md), from real reports: its scenario heatmap,
 * bars, worst-scenario lines, liquidation plan and waterfall, and its subaccount line are in its coin, written as the
 * coin with the digits it needs (they were written as USD: heatmap cells "0", "IM 0.01 · MM 0.00", "0.00 USD"), while a
 * USD account's markup is unchanged. The run's and the fund's figures stay in USD.
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import type { AccountMargin, MarginMethod } from '../../src/margin/report.js';
import type { MethodMargin } from '../../src/report/explain.js';
import { compactMoney, money, moveLabel } from '../../src/report/format.js';
import { explainHtml } from '../../web/explain-view.js';
import { liquidationPlanHtml, liquidationSummaryHtml, waterfallSvg } from '../../web/liquidation-view.js';
import { barsSvg, heatmapSvg } from '../../web/plots.js';
import { subaccountTreeHtml } from '../../web/subaccounts-view.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

const engine = await createEngine({ backend: 'js' });

/** Three significant digits, the way a coin's figure is written in a plot (no exponent in this range). */
const threeDigits = (x: number) => x.toPrecision(3);
/** A coin amount written in full: eight decimals and the symbol. */
const btc = (x: number) => `${x.toFixed(8)} BTC`;
const titles = (svg: string) => [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);

/** A BTC-margined short put and short inverse perpetual on 0.5 BTC, and a USD long perpetual on 100,000 USDC. */
const BOOK = coinBook(
  { id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }, { instrument: 'BTC-25DEC26-90000-P', quantity: -1, entryPrice: 0.01 }], collateral: [{ asset: 'BTC', amount: 0.5 }] },
  { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] },
);

function rowsUnder(method: MarginMethod): Map<string, AccountMargin> {
  return new Map(engine.margin(BOOK, coinMarket(), { method, breakdown: true }).accounts.map((a) => [a.id, a]));
}

describe('explain view of a BTC-margined account under portfolio margin', () => {
  const portfolio = rowsUnder('portfolio'), cross = rowsUnder('cross');
  const byMethod = (id: string): MethodMargin[] => [cross, portfolio].map((rows, k) => {
    const a = rows.get(id)!;
    return { method: k === 0 ? 'cross' : 'portfolio', status: a.status, im: a.im, mm: a.mm, equityIm: a.equityIm, equityMm: a.equityMm };
  });
  const coin = portfolio.get('btc')!, usd = portfolio.get('usd')!;
  const html = explainHtml(coin, 'portfolio', byMethod('btc'));
  const heatmap = /<svg class="plot heatmap".*?<\/svg>/.exec(html)![0];
  const u = coin.portfolio!.underlyings[0];

  it('labels the heatmap in BTC, each cell to three significant digits (none reads 0), its cells wide enough', () => {
    const pnl = u.grid.pnl.flat();
    const cell = (x: number) => (x === 0 ? '0' : threeDigits(x));
    expect(titles(heatmap)).toEqual(u.grid.volShocks.flatMap((shock, r) => u.grid.spotMoves.map((move, c) => `spot ${moveLabel(move)}, vol ${shock}: ${cell(u.grid.pnl[r][c])} BTC`)));
    const cells = [...heatmap.matchAll(/class="cell"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(cells).toEqual(pnl.map(cell));
    expect(cells.filter((c) => c === '0')).toHaveLength(pnl.filter((x) => x === 0).length); // the 0% vol none cell only
    expect(heatmap).toContain('(P&L in BTC, gain &gt; 0;');
    expect(heatmap).not.toContain('USD');
    const worst = Math.min(...pnl);
    expect(heatmap).toContain(`aria-label="BTC: scenario P&amp;L, worst grid cell ${threeDigits(worst)} BTC"`);
    // 17 columns of 6 + 5 × 8 characters ("-0.00901"): wider than USD's 34
    expect(heatmap).toMatch(/<svg class="plot heatmap"[^>]* width="854"/);
  });

  it('writes the bars (margin by method, collateral) in BTC, the worst loss and scenario in BTC', () => {
    const bars = [...html.matchAll(/<svg class="plot bars".*?<\/svg>/g)].map((m) => m[0]);
    expect(bars).toHaveLength(2);
    expect(titles(bars[0])).toContain(`portfolio IM: ${threeDigits(coin.im)} BTC`);
    expect(titles(bars[0])).toContain(`equity for IM: ${threeDigits(coin.equityIm)} BTC`);
    // a coin account's balance is valued in its coin (value = amount, 0.5 BTC), not in USD
    expect(coin.collateral![0].value).toBe(0.5);
    expect(titles(bars[1])).toEqual(['BTC value: 0.500 BTC', 'BTC IM value: 0.500 BTC', 'BTC MM value: 0.500 BTC']);
    expect(html).toContain(`worst loss ${btc(u.worstLoss)} in the tail scenario`);
    expect(html).toContain(`worst scenario: BTC -66% vol up (tail): ${threeDigits(-u.worstLoss)} BTC</p>`);
  });

  it('leaves a USD account\'s heatmap and bars as they were', () => {
    const plain = explainHtml(usd, 'portfolio', byMethod('usd'));
    const map = /<svg class="plot heatmap".*?<\/svg>/.exec(plain)![0];
    const v = usd.portfolio!.underlyings[0];
    expect(map).toMatch(/<svg class="plot heatmap"[^>]* width="650"/); // LEFT 64 + 17 × 34 + 8
    expect(titles(map)[0]).toBe(`spot -16%, vol up: ${compactMoney(v.grid.pnl[0][0])} USD`);
    expect(map).toContain('(P&L in USD, gain &gt; 0;');
    expect(plain).toContain(`worst loss ${money(v.worstLoss)} at spot`);
    expect(titles(/<svg class="plot bars".*?<\/svg>/.exec(plain)![0])).toContain(`portfolio IM: ${compactMoney(usd.im)} USD`);
    // the functions' defaults are USD
    expect(heatmapSvg(v.grid, 't', 'USD')).toBe(heatmapSvg(v.grid, 't'));
    const groups = [{ label: 'a', values: [{ name: 'IM', value: 1234.5, cls: 'im' }] }];
    expect(barsSvg(groups, 't', undefined, 'USD')).toBe(barsSvg(groups, 't'));
    expect(barsSvg(groups, 't', undefined, 'BTC')).toContain('<title>a IM: 1235 BTC</title>');
  });
});

describe('liquidation views of a BTC-margined account', () => {
  // the short inverse perpetual of test/coin/liquidation.test.ts below MM at 110,000, beside a USD short below MM
  const book = coinBook(
    { id: 'short', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.0093 }] },
    { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_300 }] },
  );
  const run = engine.liquidate(book, coinMarket({ btc: 110_000 }), { method: 'cross', params: { liquidation: { slippage: { default: { model: 'none' } } } } });
  const coin = run.accounts.find((a) => a.id === 'short')!, usd = run.accounts.find((a) => a.id === 'usd')!;

  it('writes the accounts\' equity and fees in their currency in the run\'s table, its totals in USD', () => {
    expect(coin.marginCurrency).toBe('BTC');
    const html = liquidationSummaryHtml(run);
    const row = (a: typeof coin) => new RegExp(`<tr data-id="${a.id}".*?</tr>`).exec(html)![0];
    const w = coin.waterfall;
    expect(row(coin)).toContain(`<td class="num">${btc(w.equityBefore)}</td><td class="num">${btc(w.equityAfter)}</td><td class="num">${btc(w.fees)}</td>`);
    const v = usd.waterfall;
    expect(row(usd)).toContain(`<td class="num">${money(v.equityBefore)}</td><td class="num">${money(v.equityAfter)}</td><td class="num">${money(v.fees)}</td></tr>`);
    expect(html).toContain(`<dt>fees to fund</dt><dd>${money(run.totals.feesToFund, 0)}</dd>`);
  });

  it('writes a plan\'s fees and waterfall in BTC, its prices and the fund\'s change in USD', () => {
    const html = liquidationPlanHtml(coin);
    const [s] = coin.steps;
    expect(html).toContain(`<td class="num">${btc(s.feeToLiquidator)} fee</td><td class="num">${btc(s.feeToFund)}</td><td class="num">${money(s.fundChange)} USD</td>`); // the fund's change labelled USD beside the BTC figures
    expect(html).toContain('<td class="num">110,000.00</td>');
    expect(html).toContain('aria-label="Equity waterfall (BTC)"');
    const svg = /<svg class="plot waterfall".*?<\/svg>/.exec(html)![0];
    expect(titles(svg)[0]).toBe(`equity before: ${btc(coin.waterfall.equityBefore)}`);
    expect(svg).toContain(`class="value">${threeDigits(coin.waterfall.equityBefore)}</text>`);
    expect(svg).not.toContain('USD');
    // a USD account's plan as it was
    const plain = liquidationPlanHtml(usd);
    expect(plain).toContain('aria-label="Equity waterfall (USD)"');
    expect(titles(plain)[0]).toBe(`equity before: ${money(usd.waterfall.equityBefore)} USD`);
    expect(plain).toContain(`class="value">${compactMoney(usd.waterfall.equityBefore)}</text>`);
    expect(waterfallSvg(usd.waterfall, undefined, 'USD')).toBe(waterfallSvg(usd.waterfall));
  });
});

describe('subaccount tree of BTC-margined accounts', () => {
  it('writes each account\'s IM and MM in BTC, the group\'s figures (USD at the index) as they were', () => {
    const book = coinBook(
      { id: 'm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.1 }] },
      { id: 'sb', master: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.01 }] },
      { id: 'su', master: 'm', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: 500, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 0.0003 }] },
    );
    const report = engine.margin(book, coinMarket(), { params: { subaccounts: { policy: 'cross' } } });
    const html = subaccountTreeHtml(report);
    for (const a of report.accounts.filter((x) => x.id !== 'm')) {
      expect(a.im).toBeLessThan(0.005); // read "IM 0.00" as USD
      expect(html).toContain(`<b>${a.id}</b> IM ${btc(a.im)} · MM ${btc(a.mm)} · health `);
    }
    const m = report.subaccounts!.masters[0];
    expect(html).toContain(`(2 subaccounts, cross): IM ${money(m.combined.im)} under the policy, ${money(m.standalone.im)} alone`);
  });
});
