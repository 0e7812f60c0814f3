/**
 * Efficiency at equal coverage (src/report/coverage.ts) and the page's comparison view (web/compare-view.ts), on
 * hand-made reports whose figures are worked out below from the documented formulas, not from the code.
 */
import { describe, expect, it } from 'vitest';
import type { MarginReport } from '../src/margin/report.js';
import { equalCoverage, requirementOf, scaleFor } from '../src/report/coverage.js';
import type { StressReport } from '../src/stress/report.js';
import { compareHtml } from '../web/compare-view.js';

type Row = { id: string; status?: string; im: number; equity?: number; equityIm?: number; grossNotional?: number };
function report(method: string, rows: Row[]): MarginReport {
  const accounts = rows.map((r) => ({ status: 'healthy', equity: 0, equityIm: 0, grossNotional: 0, ...r }));
  const im = rows.reduce((s, r) => s + r.im, 0);
  return {
    method, accounts,
    totals: { im, efficiency: 3000 / im, byStatus: { healthy: rows.length, margin_call: 0, liquidatable: 0, bankrupt: 0, error: 0 } },
  } as unknown as MarginReport;
}

// The yardstick L (the var method's IM): a 100, b 200; c has nothing to lose (L = 0) and d is in error: both left out.
const reference = report('var', [{ id: 'a', im: 100 }, { id: 'b', im: 200 }, { id: 'c', im: 0 }, { id: 'd', im: 50, status: 'error' }]);
// isolated: R(a) = 150; R(b) = IM 100 + (equity 500 - equity for IM 450) = 150. Coverages 1.5 and 0.75.
const isolated = report('isolated', [
  { id: 'a', im: 150, equity: 1000, equityIm: 1000, grossNotional: 1000 }, { id: 'b', im: 100, equity: 500, equityIm: 450, grossNotional: 2000 },
  { id: 'c', im: 10 }, { id: 'd', im: 10 },
]);
// cross, in another order: R(a) = 50, R(b) = 400. Coverages 0.5 and 2.
const cross = report('cross', [{ id: 'b', im: 400, grossNotional: 2000 }, { id: 'a', im: 50, grossNotional: 1000 }, { id: 'd', im: 1 }, { id: 'c', im: 1 }]);

describe('equal coverage', () => {
  it('requires IM plus what the IM haircuts take', () => {
    expect(requirementOf(isolated.accounts[1])).toBe(150);
  });

  it('scales by the coverage of the (⌊(1 - share)·n⌋+1)-th account', () => {
    expect(scaleFor([0.75, 1.5], 0.99)).toBe(1 / 0.75); // j = ⌊0.02⌋ = 0
    expect(scaleFor([0.75, 1.5], 0.5)).toBe(1 / 1.5); // j = 1
    expect(scaleFor([0, 2], 0.99)).toBeNull(); // no factor covers an account required nothing
    expect(scaleFor([], 0.99)).toBeNull();
  });

  it('compares methods on the same accounts at the same coverage', () => {
    const c = equalCoverage([isolated, cross], reference);
    expect([c.accounts, c.excluded, c.loss, c.notional]).toEqual([2, 2, 300, 3000]);
    // isolated: ΣR 300 = 1.00 × ΣL; half covered; k = 1/0.75 → 400; 3,000 / 400 = 7.5
    // cross: ΣR 450 = 1.5 × ΣL; half covered; k = 1/0.5 = 2 → 900; 3,000 / 900 = 3.33; freed 1 - 900/400 = -125%
    const [iso, x] = c.rows;
    expect([iso.requirement, iso.multiple, iso.covered, iso.requirementAtCoverage, iso.efficiencyAtCoverage, iso.freedVsIsolated]).toEqual([300, 1, 0.5, 400, 7.5, 0]);
    expect([x.requirement, x.multiple, x.covered, x.scale, x.requirementAtCoverage, x.freedVsIsolated]).toEqual([450, 1.5, 0.5, 2, 900, -1.25]);
    expect(x.efficiencyAtCoverage).toBeCloseTo(10 / 3, 12);
    // at 50%: isolated k = 1/1.5 → 200, cross k = 1/2 → 225: freed 1 - 225/200 = -12.5%
    const half = equalCoverage([isolated, cross], reference, 0.5);
    expect(half.rows.map((r) => r.requirementAtCoverage)).toEqual([200, 225]);
    expect(half.rows[1].freedVsIsolated).toBeCloseTo(-0.125, 12);
  });
});

describe('comparison view', () => {
  const stress = {
    shock: { name: 'Crash <path>', steps: ['BTC -10%', 'BTC -10%'] },
    cascades: [
      { method: 'isolated', metrics: { badDebt: 1234.4, liquidatedNotional: 50_000, fundEnd: 998_765.6 } },
      { method: 'cross', metrics: { badDebt: 0, liquidatedNotional: 20_000, fundEnd: 1_000_000 } },
    ],
  } as unknown as StressReport;

  it('shows calibrations with sources, the defaults, equal coverage and the resilience table, each column explained', () => {
    const html = compareHtml([isolated, cross], equalCoverage([isolated, cross], reference), stress);
    expect(html).toContain('<dt>isolated</dt><dd>leverage brackets');
    expect(html).toContain('<span class="source">(Binance USDS-M');
    const rows = (id: string) => [...html.split(`id="${id}"`)[1].split('</table>')[0].matchAll(/<tr><td>(.*?)<\/tr>/g)]
      .map((m) => [...`<td>${m[1]}`.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]));
    expect(rows('compare-defaults')).toEqual([['isolated', '4', '0', '0', '0', '270', '11.1×'], ['cross', '4', '0', '0', '0', '452', '6.64×']]);
    expect(rows('compare-coverage')).toEqual([
      ['isolated', '300', '1.00', '50.0%', '1.33', '400', '7.50×', 'reference'],
      ['cross', '450', '1.50', '50.0%', '2.00', '900', '3.33×', '-125.0%'],
    ]);
    expect(rows('compare-conclusion')).toEqual([['isolated', '11.1×', '7.50×', '1,234', '50,000', '998,766'], ['cross', '6.64×', '3.33×', '0', '20,000', '1,000,000']]);
    expect(html).toContain('on Crash &lt;path&gt;</h3>'); // escaped
    expect(html.match(/<ul class="notes">/g)).toHaveLength(3);
    expect(compareHtml([isolated], equalCoverage([isolated], reference), undefined)).not.toContain('compare-conclusion');
  });
});
