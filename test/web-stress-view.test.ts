/** The risk page's stress view, from a hand-made report (the golden case's numbers under two methods). */
import { describe, expect, it } from 'vitest';
import type { CascadeResult, StressReport } from '../src/stress/report.js';
import { badDebtSvg, liquidationsPerRoundHtml, pathAsset, pricePath, pricePathSvg, stressHtml } from '../web/stress-view.js';

function cascade(method: string, prices: number[], liquidated: number[], badDebt: number): CascadeResult {
  const round = (k: number) => ({
    round: k + 1, step: 1, prices: { X: prices[k] }, vols: { X: 0.5 }, accountsLiquidated: liquidated[k], accountsBankrupt: 0, liquidatedNotional: 0,
    fees: 0, feesToFund: 0, badDebt: 0, fundPaid: 0, adlAbsorbed: 0, uncovered: 0, insuranceFund: 0, adlNotional: 0, flowUnits: {}, impactMove: {}, conservationResidual: 0,
  });
  return {
    method, backend: 'js', efficiency: 10, im: 300, rounds: prices.map((_, k) => round(k)), stops: [],
    metrics: {
      rounds: liquidated.filter((n) => n > 0).length, amplification: { asset: 'X', shockMove: -0.08, totalMove: prices[prices.length - 1] / 100 - 1, ratio: 1 },
      badDebt, fundStart: 1000, fundEnd: 1000 - badDebt, fundPaid: badDebt, fundDrawdown: badDebt, fundDepleted: false, fundDepletedInRound: null,
      accountsLiquidated: 3, accountsBankrupt: 0, liquidatedNotional: 2535, fees: 0, feesToFund: 0, adlAbsorbed: 0, uncovered: 0, adlNotional: 0,
    },
    pricesBefore: { X: 100 }, finalPrices: { X: prices[prices.length - 1] },
  };
}

const report: StressReport = {
  shock: { name: 'X to 92', steps: ['X -8.00%'] }, backend: 'js',
  params: { impact: {}, contagion: true, maxRounds: 50, priceTolerance: 1e-9 },
  cascades: [cascade('cross', [92, 87, 82, 77], [1, 1, 1, 0], 15), cascade('var', [92, 87], [1, 0], 5)],
};

describe('stress view', () => {
  it('draws the price path from before the shock through every round to the end', () => {
    expect(pathAsset(report)).toBe('X');
    expect(pricePath(report.cascades[0], 'X')).toEqual([
      { x: 0, price: 100 }, { x: 1, price: 92 }, { x: 2, price: 87 }, { x: 3, price: 82 }, { x: 4, price: 77 }, { x: 5, price: 77 },
    ]);
    const svg = pricePathSvg(report, 'X');
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]+)" data-method="(\w+)"/g)];
    expect(lines.map((m) => m[2])).toEqual(['cross', 'var']);
    // shared axes: x from 64 to 408 over rounds 0..5, y from 24 (price 100) to 172 (price 77)
    const first = lines[0][1].split(' ').map((p) => p.split(',').map(Number));
    expect(first[0]).toEqual([64, 24]);
    expect(first[5]).toEqual([408, 172]);
    expect(first[1][1]).toBeCloseTo(24 + (8 / 23) * 148, 1);
    expect(lines[1][1].split(' ')).toHaveLength(4); // before, two rounds, end
  });

  it('tabulates accounts liquidated per round per method, and draws bad debt beside the fund drawdown', () => {
    const html = liquidationsPerRoundHtml(report);
    const rows = [...html.matchAll(/<tr><td><span class="swatch series-\d"><\/span>(\w+)<\/td>(.*?)<\/tr>/g)].map((m) => [m[1], [...m[2].matchAll(/<td class="num">(\d*)<\/td>/g)].map((c) => c[1])]);
    expect(rows).toEqual([['cross', ['1', '1', '1', '0']], ['var', ['1', '0', '', '']]]); // var has two rounds: its cells 3 and 4 are empty
    expect(html).toContain('<th>method \\ round</th><th class="num" title="round 1, after shock step 1">1</th>');
    const debt = [...badDebtSvg(report).matchAll(/data-value="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(debt).toEqual([15, 15, 5, 5]);
  });

  it('lists each method with its efficiency and bad debt, escaping the shock name', () => {
    const html = stressHtml({ ...report, shock: { name: '<b>X</b>', steps: ['X -8.00%'] } });
    expect(html).toContain('Stress: &lt;b&gt;X&lt;/b&gt;');
    expect(html.match(/<tr><td>(\w+)<\/td>/g)).toEqual(['<tr><td>cross</td>', '<tr><td>var</td>']);
    expect(html).toContain('<td class="num">15</td>');
  });
});
