/**
 * The risk page's pure parts: SVG plots from hand-built explain data (the scenario heatmap for the
 * portfolio method, grouped bars), the diverging colour scale, input recognition, sorting and errors.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import type { AccountMargin } from '../src/margin/report.js';
import type { ScenarioGrid } from '../src/methods/portfolio/types.js';
import type { MethodMargin } from '../src/report/explain.js';
import { explainHtml } from '../web/explain-view.js';
import { classifyInput, errorLines, filterAccounts, parseJsonFile, rejectedHeading, sortAccounts } from '../web/model.js';
import { barScale, barsSvg, esc, heatmapSvg, pnlColour } from '../web/plots.js';
import { liquidationPlanHtml, waterfallBars, waterfallSvg } from '../web/liquidation-view.js';
import type { AccountLiquidation } from '../src/liquidation/report.js';

/** 3 spot moves × 2 vol shocks; worst −12,000 at (vol up, −10%), best +6,000. */
const GRID: ScenarioGrid = {
  spotMoves: [-0.1, 0, 0.1],
  volShocks: ['up', 'down'],
  pnl: [[-12_000, -3_000, 6_000], [-9_000, 0, 4_000]],
  tails: [],
};

const attr = (svg: string, tag: string, name: string) => [...svg.matchAll(new RegExp(`<${tag}[^>]*?\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

describe('scenario heatmap', () => {
  it('has one cell per scenario, in row-major vol × spot order, carrying its P&L', () => {
    const svg = heatmapSvg(GRID, 'BTC');
    expect(attr(svg, 'rect', 'data-pnl').map(Number)).toEqual([-12_000, -3_000, 6_000, -9_000, 0, 4_000]);
    expect(svg).toMatch(/>-10%<.*>0%<.*>\+10%</);
    expect(svg).toMatch(/>vol up<.*>vol down</);
  });
  it('colours by P&L on one scale: the largest |P&L| at full strength, zero near white', () => {
    const svg = heatmapSvg(GRID, 'BTC');
    const fills = attr(svg, 'rect', 'fill').filter((f) => f !== 'none');
    expect(fills[0]).toBe('rgb(220,38,38)'); // −12,000 is the largest |P&L|: full red
    expect(fills[4]).toBe('rgb(248,250,252)'); // 0
    expect(fills[2]).toBe(pnlColour(6_000, 12_000)); // +6,000: half-way to green
  });
  it('outlines the worst cell', () => {
    const svg = heatmapSvg(GRID, 'BTC');
    // LEFT 64 + column 0 × 34 − 1 = 63; TOP 34 + row 0 × 30 − 1 = 33.
    expect(svg).toMatch(/<rect class="worst" x="63" y="33"/);
    const gains: ScenarioGrid = { ...GRID, pnl: [[1, 2, 3], [4, 5, 6]] };
    expect(heatmapSvg(gains, 'no losses')).not.toMatch(/class="worst"/);
  });
  it('escapes labels', () => {
    expect(heatmapSvg({ ...GRID, volShocks: ['<up>', 'down'] }, 'A&B')).toMatch(/vol &lt;up&gt;.*/);
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('diverging colour scale', () => {
  it('interpolates linearly from near white to red or green, clamped', () => {
    // Half-way from (248,250,252) to (220,38,38): (234,144,145).
    expect(pnlColour(-50, 100)).toBe('rgb(234,144,145)');
    // Half-way to (22,163,74): (135,206.5→207,163).
    expect(pnlColour(50, 100)).toBe('rgb(135,207,163)');
    expect(pnlColour(-500, 100)).toBe('rgb(220,38,38)');
    expect(pnlColour(5, 0)).toBe('rgb(248,250,252)');
    expect(pnlColour(Number.NaN, 10)).toBe('rgb(248,250,252)');
  });
});

describe('grouped bars', () => {
  const groups = [
    { label: 'isolated', values: [{ name: 'IM', value: 1000, cls: 'im' }, { name: 'MM', value: 500, cls: 'mm' }] },
    { label: 'portfolio', values: [{ name: 'IM', value: 250, cls: 'im' }, { name: 'MM', value: 200, cls: 'mm' }] },
  ];
  it('draws bar lengths proportional to values on a shared scale from zero', () => {
    const svg = barsSvg(groups, 'Margin by method');
    const widths = attr(svg, 'rect', 'width').slice(0, 4).map(Number);
    // PLOT_W 300 spans 0…1000: 1000 → 300, 500 → 150, 250 → 75, 200 → 60.
    expect(widths).toEqual([300, 150, 75, 60]);
    expect(attr(svg, 'rect', 'data-value').map(Number)).toEqual([1000, 500, 250, 200]);
  });
  it('puts zero inside the plot when a value is negative (a borrowing) and draws the reference line', () => {
    const scale = barScale([{ label: 'USDC', values: [{ name: 'value', value: -500, cls: 'value' }, { name: 'IM value', value: 1500, cls: 'im' }] }]);
    expect(scale.x(0)).toBe(96 + 75); // LABEL_W 96 + 500/2000 of PLOT_W 300
    const svg = barsSvg(groups, 'with equity', { label: 'equity for IM', value: 1200 });
    expect(svg).toMatch(/<line x1="396.0"[^>]*class="reference"/); // 96 + 1200/1200 × 300
    expect(svg).toMatch(/>equity for IM</);
  });
  it('has one legend entry per series', () => {
    const legend = barsSvg(groups, 't').match(/class="bar [a-z]+ legend"/g);
    expect(legend).toEqual(['class="bar im legend"', 'class="bar mm legend"']);
  });
});

describe('page inputs', () => {
  it('recognises books, markets and parameters by their fields', () => {
    expect(classifyInput({ instruments: [], accounts: [] })).toBe('book');
    expect(classifyInput({ valuationTime: 'x', assets: {} })).toBe('market');
    expect(classifyInput({ linear: {} })).toBe('params');
    expect(classifyInput([1, 2])).toBe('params');
  });
  it('reports malformed JSON at the file’s name', () => {
    expect(() => parseJsonFile('book.json', '{ nope')).toThrow(InputError);
    // a dropped file's bytes: one that is not UTF-8 is refused at its byte, not read with U+FFFD in its place
    const bytes = new TextEncoder().encode('{"accounts": [{"id": "aX"}]}');
    bytes[bytes.indexOf(0x58)] = 0xff;
    expect(() => parseJsonFile('book.json', bytes)).toThrow('book.json: not valid UTF-8 at byte 23: JSON text must be UTF-8');
    expect(parseJsonFile('book.json', new TextEncoder().encode('{"id": "é"}'))).toEqual({ id: 'é' });
    try {
      parseJsonFile('book.json', '{ nope');
    } catch (error) {
      // the message starts with the file's name: not given it twice (`book.json book.json:1:3: …`)
      expect(errorLines(error)[0]).toEqual({ path: '', message: expect.stringMatching(/^book\.json:1:3: not valid JSON/) });
    }
    expect(errorLines(new Error('boom'))).toEqual([{ path: '', message: 'Error: boom' }]); // not `error: Error: boom`
    expect(errorLines(new InputError([{ path: 'market.assets.BTC.vol', message: '-0.5 is negative' }]))[0].path).toBe('market.assets.BTC.vol');
    expect(errorLines(new InputError([{ path: 'a', message: 'b' }], true)).at(-1)!.path).toBe('…');
    // the heading counts problems, not the line saying more were found (a list cut at 100 had read "101 problems")
    const hundred = Array.from({ length: 100 }, (_, k) => ({ path: `accounts[${k}].marginCurrency`, message: 'x' }));
    expect(rejectedHeading(errorLines(new InputError(hundred, true)))).toBe('Input rejected (100+ problems)');
    expect(rejectedHeading(errorLines(new InputError(hundred.slice(0, 1))))).toBe('Input rejected (1 problem)');
    expect(rejectedHeading(errorLines(new InputError(hundred.slice(0, 2))))).toBe('Input rejected (2 problems)');
  });
});

describe('accounts table order', () => {
  const row = (id: string, status: AccountMargin['status'], health: number, im: number) =>
    ({ id, status, health, im, mm: 0, equity: 0, equityIm: 0, equityMm: 0, excessOverMm: 0, grossNotional: 0, efficiency: 0, collateralValue: 0 }) as AccountMargin;
  const rows = [row('c', 'healthy', 2, 10), row('a', 'bankrupt', -1, 30), row('b', 'error', Number.NaN, 30), row('d', 'healthy', Infinity, 0)];
  it('sorts numbers with NaN last in both directions and ties by id', () => {
    expect(sortAccounts(rows, 'health', false).map((r) => r.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(sortAccounts(rows, 'health', true).map((r) => r.id)).toEqual(['d', 'c', 'a', 'b']);
    expect(sortAccounts(rows, 'im', true).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('sorts statuses by severity', () => {
    expect(sortAccounts(rows, 'status', true).map((r) => r.id)).toEqual(['b', 'a', 'c', 'd']);
  });
  it('searches ids (any case, part of the id) and filters by status, keeping the order', () => {
    const named = [row('MM-001', 'healthy', 2, 1), row('distressed-7', 'bankrupt', -1, 1), row('mm-002', 'bankrupt', -1, 1)];
    expect(filterAccounts(named, '', '')).toBe(named);
    expect(filterAccounts(named, ' mm-0 ', '').map((r) => r.id)).toEqual(['MM-001', 'mm-002']);
    expect(filterAccounts(named, '', 'bankrupt').map((r) => r.id)).toEqual(['distressed-7', 'mm-002']);
    expect(filterAccounts(named, 'MM', 'bankrupt').map((r) => r.id)).toEqual(['mm-002']);
    expect(filterAccounts(named, 'nobody', '')).toEqual([]);
  });
});

describe('explain view', () => {
  const base: AccountMargin = {
    id: 'acct<1>', status: 'margin_call', statusReason: 'equity for IM 8800 < IM 10000 (equity for MM 8900 ≥ MM 7000)', equity: 9_000, equityIm: 8_800, equityMm: 8_900, im: 10_000, mm: 7_000, health: 8_900 / 7_000,
    excessOverMm: 1_900, grossNotional: 50_000, efficiency: 5, collateralValue: 9_000,
    positions: [{ instrument: 'BTC-90000-P', quantity: -1, notional: 90_000, markToMarket: -800, im: 9_000, mm: 6_000 }],
    collateral: [{ asset: 'BTC', amount: 0.1, value: 9_000, imValue: 8_800, mmValue: 8_900 }],
  };
  const byMethod: MethodMargin[] = [
    { method: 'isolated', status: 'margin_call', im: 10_000, mm: 7_000, equityIm: 8_800, equityMm: 8_900 },
    { method: 'portfolio', status: 'healthy', im: 4_000, mm: 3_200, equityIm: 8_800, equityMm: 8_900 },
  ];
  const portfolio = {
    underlyings: [
      { underlying: 'BTC', worstLoss: 12_000, worstScenario: { spotMove: -0.1, volShock: 'up', tail: false, weight: 1, label: '' },
        contributions: [{ source: 'position' as const, id: 'BTC-90000-P', pnl: -15_000 }, { source: 'collateral' as const, id: 'BTC', pnl: 3_000 }], grid: GRID },
      { underlying: 'ETH', worstLoss: 500, worstScenario: { spotMove: 0.1, volShock: 'down', tail: false, weight: 1, label: '' }, contributions: [], grid: GRID },
    ],
    aggregation: 'sum' as const,
    scenarioLoss: 12_500,
    addOns: [{ kind: 'shortOption' as const, underlying: 'BTC', strike: 90_000, net: -1, amount: 300 }],
  };

  it('shows the headline, margin by method and collateral bars, positions and haircuts for any method', () => {
    const html = explainHtml(base, 'isolated', byMethod);
    expect(html).toMatch(/<h2>acct&lt;1&gt; <span class="status status-margin_call">margin call<\/span><\/h2>/);
    expect(html.match(/<svg class="plot bars"/g)).toHaveLength(2);
    expect(html).toMatch(/>isolated<.*>portfolio</); // one bar group per method
    expect(html).not.toMatch(/heatmap/);
    expect(html).toMatch(/<td>BTC<\/td><td class="num">0\.1<\/td><td class="num">9,000\.00<\/td><td class="num">2\.2%<\/td>/); // 1 − 8,800/9,000
  });
  it('says a liquidation price as the CLI does: for an account below MM, where it is back at MM', () => {
    const liquidationPrice = { underlying: 'BTC', below: 87_560.339, above: null };
    expect(explainHtml({ ...base, liquidationPrice }, 'isolated', byMethod)).toContain('<p class="headline">liquidation price of BTC (moving it alone): below 87,560.34 USD, above none</p>');
    // below MM (a short): the price it reads is where it stops being liquidatable, not a fall that liquidates it
    const below = explainHtml({ ...base, status: 'liquidatable', equityMm: 6_000, liquidationPrice }, 'isolated', byMethod);
    expect(below).toContain('<p class="headline">below MM at this price; back at MM with BTC (moving it alone) below 87,560.34 USD, above none</p>');
  });

  it('adds a heatmap per underlying, the worst scenario, add-ons and contributions for the portfolio method', () => {
    const html = explainHtml({ ...base, portfolio }, 'portfolio', byMethod);
    expect(html.match(/<svg class="plot heatmap"/g)).toHaveLength(2);
    expect(html).toMatch(/worst scenario: BTC -10% vol up: -12\.0k/);
    expect(html).toMatch(/Scenario loss 12,500\.00 \(sum over underlyings\)/);
    expect(html).toMatch(/<td>shortOption<\/td><td>BTC<\/td><td>90000<\/td><td>-1<\/td><td class="num">300\.00<\/td>/);
    expect(html).toMatch(/BTC worst scenario \(spot -10%, vol up\): contributions/);
    expect(html).not.toMatch(/ETH worst scenario/); // no contributions to list
  });
  it('adds the VaR components as bars for the var method', () => {
    const html = explainHtml({ ...base, var: { model: 'monte-carlo', measure: 'var', confidence: 0.99, horizonDays: 1, var: 3_000, es: 3_600, floor: 0, exposures: [],
      components: [{ underlying: 'BTC', contribution: 2_400 }, { underlying: 'ETH', contribution: 600 }] } }, 'var', byMethod);
    expect(html.match(/<svg class="plot bars"/g)).toHaveLength(3);
    expect(html).toMatch(/monte-carlo VaR 99\.0% 1d: 3000, ES 3600; components/);
    expect(html).toMatch(/data-value="2400".*data-value="600"/);
  });
});

describe('liquidation views', () => {
  // The bankrupt long of the hand-computed cases: equity 100, the fill costs 500 against the mark, the fund pays 100 and
  // ADL 300 of the loss beyond the bankruptcy price: 100 − 500 + 100 + 300 = 0.
  const waterfall = { equityBefore: 100, slippage: 500, fees: 0, insuranceFund: 100, adl: 300, writtenOff: 0, equityAfter: 0 };

  it('the waterfall runs from equity before through each change to equity after', () => {
    expect(waterfallBars(waterfall)).toEqual([
      { label: 'equity before', from: 0, to: 100, cls: 'level' },
      { label: 'slippage', from: 100, to: -400, cls: 'down' },
      { label: 'fees', from: -400, to: -400, cls: 'up' },
      { label: 'insurance fund', from: -400, to: -300, cls: 'up' },
      { label: 'ADL', from: -300, to: 0, cls: 'up' },
      { label: 'equity after', from: 0, to: 0, cls: 'level' },
    ]);
    const svg = waterfallSvg(waterfall);
    expect(attr(svg, 'rect', 'data-to').map(Number)).toEqual([100, -400, -400, -300, 0, 0]);
    // one vertical scale from −400 to 100 over 150 px: the slippage column spans it all, the fund's a fifth of it
    const heights = attr(svg, 'rect', 'height').map(Number);
    expect(heights[1]).toBeCloseTo(150, 6);
    expect(heights[3]).toBeCloseTo(30, 6);
    expect(heights[2]).toBe(1); // no fees: a hairline
  });

  it('an isolated position\'s written-off deficit is a column of its own, shown only when there is one', () => {
    // the isolated gap of test/liquidation/cases.test.ts: 10,100 − 500 slippage + 400 written off = 10,000
    const isolated = { equityBefore: 10_100, slippage: 500, fees: 0, insuranceFund: 0, adl: 0, writtenOff: 400, equityAfter: 10_000 };
    const bars = waterfallBars(isolated);
    expect(bars.map((b) => b.label)).toEqual(['equity before', 'slippage', 'fees', 'insurance fund', 'ADL', 'written off', 'equity after']);
    expect(bars[5]).toEqual({ label: 'written off', from: 9_600, to: 10_000, cls: 'up' });
    expect(waterfallBars(waterfall).map((b) => b.label)).not.toContain('written off');
  });

  it('a plan lists its steps with their routes, and escapes ids', () => {
    const step = {
      kind: 'position' as const, id: 'BTC-<PERP>', quantity: 1, markPrice: 99_800, fillPrice: 99_300, bankruptcyPrice: 99_700, notional: 99_800,
      routes: { market: 0, insuranceFund: 0.25, adl: 0.75, uncovered: 0 }, feeToLiquidator: 0, feeToFund: 0, fundChange: -100, healthBefore: 0.1, healthAfter: Infinity,
      mmBefore: 450, mmAfter: 0,
    };
    const snapshot = { status: 'liquidatable' as const, equity: 100, equityMm: 100, mm: 450, equityIm: 100, im: 900, health: 100 / 450 };
    const account: AccountLiquidation = { id: 'gap', state: 'resolved', before: snapshot, after: { ...snapshot, equity: 0, equityMm: 0, mm: 0, im: 0, health: Infinity }, steps: [step], waterfall };
    const html = liquidationPlanHtml(account);
    expect(html).toMatch(/Liquidation plan: resolved, 1 step, health 0.222 → ∞/);
    expect(html).toContain('BTC-&lt;PERP&gt;');
    expect(html).toMatch(/<td>fund 0.25 · ADL 0.75<\/td>/);
    expect(html).toMatch(/<td class="num">99,300.00<\/td><td class="num">99,700.00<\/td>/);
    expect(html).toContain('svg class="plot waterfall"');
  });
});
