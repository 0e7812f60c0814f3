/**
 * The page's comparison view (pure: unit-tested in test/report-coverage.test.ts): what each method's defaults are
 * calibrated to, efficiency at the defaults, efficiency at equal coverage of each account's 99% 1-day loss
 * (src/report/coverage.ts), and the efficiency–resilience table on a path shock, each figure explained in one line:
 * the same tables and words as `margin-core compare` and the demo.
 */
import type { MarginReport } from '../src/margin/report.js';
import { calibrationOf } from '../src/report/calibration.js';
import { COVERAGE, type EqualCoverage } from '../src/report/coverage.js';
import { conclusionNotes, conclusionRows, coverageNotes } from '../src/report/coverage-text.js';
import { efficiency, money, percent, ratio } from '../src/report/format.js';
import { EXPLAIN } from '../src/report/words.js';
import type { StressReport } from '../src/stress/report.js';
import { esc } from './plots.js';

function htmlTable(id: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cls = (c: number) => (c === 0 ? '' : ' class="num"');
  return `<div class="table-wrap"><table id="${esc(id)}"><thead><tr>${header.map((h, c) => `<th${cls(c)}>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((cell, c) => `<td${cls(c)}>${esc(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
}

const notes = (lines: readonly string[]) => `<ul class="notes">${lines.map((l) => `<li>${esc(l.replace(/\n\s*/g, ' '))}</li>`).join('')}</ul>`;

export function compareHtml(reports: readonly MarginReport[], coverage: EqualCoverage, stress: StressReport | undefined): string {
  const calibrations = reports.map((r) => {
    const c = calibrationOf(r.method);
    return `<dt>${esc(r.method)}</dt><dd>${esc(c.target)} <span class="source">(${esc(c.source)})</span></dd>`;
  });
  const defaults = reports.map((r) => [
    r.method, String(r.totals.byStatus.healthy), String(r.totals.byStatus.margin_call), String(r.totals.byStatus.liquidatable), String(r.totals.byStatus.bankrupt),
    money(r.totals.im, 0), efficiency(r.totals.efficiency, '×'),
  ]);
  const equal = coverage.rows.map((r) => [
    r.method, money(r.requirement, 0), ratio(r.multiple), percent(r.covered), r.scale === null ? 'none' : ratio(r.scale),
    r.requirementAtCoverage === null ? 'n/a' : money(r.requirementAtCoverage, 0), r.efficiencyAtCoverage === null ? 'n/a' : efficiency(r.efficiencyAtCoverage, '×'),
    r.method === 'isolated' ? 'reference' : r.freedVsIsolated === undefined ? '' : percent(r.freedVsIsolated),
  ]);
  const parts = [
    '<h2>Methods compared</h2>',
    '<h3>What each method\'s defaults are calibrated to</h3>', `<dl class="calibrations">${calibrations.join('')}</dl>`,
    '<h3>At the defaults</h3>',
    htmlTable('compare-defaults', ['method', 'healthy', 'margin call', 'liquidatable', 'bankrupt', 'total IM', 'notional/IM'], defaults),
    notes([EXPLAIN.bankrupt, `${EXPLAIN.notionalPerIm}: at the defaults it compares the calibrations as much as the methods`]),
    `<h3>At equal coverage of each account's ${percent(COVERAGE.confidence, 0)} 1-day loss</h3>`,
    `<p class="hint">Yardstick: full revaluation Monte Carlo, ${COVERAGE.scenarios.toLocaleString('en-US')} correlated 1-day moves (seed ${COVERAGE.seed}), ` +
      `over the ${coverage.accounts} accounts that can lose (${coverage.excluded} left out); total loss ${esc(money(coverage.loss, 0))} USD.</p>`,
    htmlTable('compare-coverage', ['method', 'requirement', '÷ loss', 'covered', 'scale', 'at equal coverage', 'notional/requirement', 'freed vs isolated'], equal),
    notes(coverageNotes(coverage)),
  ];
  if (stress) {
    const rows = conclusionRows(reports, coverage, stress).map((r) => [
      r.method, efficiency(r.efficiency, '×'), r.efficiencyAtCoverage === null ? 'n/a' : efficiency(r.efficiencyAtCoverage, '×'),
      money(r.badDebt, 0), money(r.liquidatedNotional, 0), money(r.fundAfter, 0),
    ]);
    parts.push(
      `<h3>Efficiency against resilience on ${esc(stress.shock.name)}</h3>`,
      htmlTable('compare-conclusion', ['method', 'notional/IM at defaults', 'at equal coverage', 'bad debt', 'liquidated notional', 'fund after'], rows),
      notes(conclusionNotes(stress)),
    );
  }
  return parts.join('');
}
