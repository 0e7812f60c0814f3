/**
 * Efficiency at equal coverage and the efficiency–resilience conclusion as plain text (the demo, `margin-core
 * compare`): each table with one line per figure saying what it is. Pure functions.
 */
import type { MarginReport } from '../margin/report.js';
import type { StressReport } from '../stress/report.js';
import { calibrationOf } from './calibration.js';
import { COVERAGE, type EqualCoverage } from './coverage.js';
import { count, efficiency, money, percent, ratio, table, wrap } from './format.js';

/** One line per method: what its defaults are calibrated to, and the source. */
export function calibrationLines(methods: readonly string[]): string[] {
  const width = Math.max(...methods.map((m) => m.length));
  const pad = ' '.repeat(width + 4);
  return methods.flatMap((m) => {
    const c = calibrationOf(m);
    return [wrap(`  ${m.padEnd(width)}  ${c.target}`, 120, pad), wrap(`${pad}(${c.source})`, 120, pad)];
  });
}

/** The yardstick in words (the first line of the coverage section). */
export function coverageHeadline(c: EqualCoverage): string {
  return wrap(`Against one yardstick, each account's ${percent(COVERAGE.confidence, 0)} ${COVERAGE.horizonDays}-day loss (full revaluation Monte Carlo: ` +
    `${COVERAGE.scenarios.toLocaleString('en-US')} correlated 1-day moves from the market's vols and correlation, seed ${COVERAGE.seed}), ` +
    `over the ${count(c.accounts)} accounts that can lose (${count(c.excluded)} left out: nothing at risk, or in error); total loss ${money(c.loss, 0)} USD.`);
}

export function coverageTable(c: EqualCoverage): string {
  const againstIsolated = comparedWithIsolated(c);
  const rows = c.rows.map((r) => [
    r.method, money(r.requirement, 0), ratio(r.multiple), percent(r.covered), r.scale === null ? 'none' : ratio(r.scale),
    r.requirementAtCoverage === null ? 'n/a' : money(r.requirementAtCoverage, 0), r.efficiencyAtCoverage === null ? 'n/a' : efficiency(r.efficiencyAtCoverage, '×'),
    ...(againstIsolated ? [r.method === 'isolated' ? 'reference' : r.freedVsIsolated === undefined ? 'n/a' : percent(r.freedVsIsolated)] : []),
  ]);
  return table(['method', 'requirement', '÷ loss', 'covered', 'scale', 'at equal coverage', 'notional/requirement', ...(againstIsolated ? ['freed vs isolated'] : [])], rows);
}

/** What each column of {@link coverageTable} means, one line each. */
export function coverageNotes(c: EqualCoverage): string[] {
  const share = percent(c.share, 0);
  return [
    'requirement: IM + what the IM haircuts take off collateral, the equity an account must hold to be healthy (USD, defaults)',
    `÷ loss: total requirement / total ${percent(COVERAGE.confidence, 0)} 1-day loss (1.00: exactly the loss); covered: accounts whose requirement ≥ their loss`,
    `scale: the one factor on the method's requirements that covers the loss in ${share} of accounts; at equal coverage: requirement × scale`,
    `notional/requirement${comparedWithIsolated(c) ? ' and freed vs isolated' : ''}: each method's efficiency once all cover the same ${share} of accounts`,
  ].map((l) => wrap(l, 120, '  '));
}

export interface ConclusionRow {
  method: string;
  /** Gross notional / IM at the defaults. */
  efficiency: number;
  /** Notional / requirement at equal coverage (null when no scale reaches it). */
  efficiencyAtCoverage: number | null;
  badDebt: number;
  liquidatedNotional: number;
  fundAfter: number;
}

/** The efficiency–resilience rows: each method's reports lined up by name (methods missing from one are left out). */
export function conclusionRows(reports: readonly MarginReport[], coverage: EqualCoverage | null, stress: StressReport): ConclusionRow[] {
  return reports.flatMap((r) => {
    const cascade = stress.cascades.find((c) => c.method === r.method);
    if (!cascade) return [];
    const cov = coverage?.rows.find((x) => x.method === r.method);
    return [{
      method: r.method, efficiency: r.totals.efficiency, efficiencyAtCoverage: cov?.efficiencyAtCoverage ?? null,
      badDebt: cascade.metrics.badDebt, liquidatedNotional: cascade.metrics.liquidatedNotional, fundAfter: cascade.metrics.fundEnd,
    }];
  });
}

export function conclusionTable(rows: readonly ConclusionRow[]): string {
  return table(
    ['method', 'notional/IM at defaults', 'at equal coverage', 'bad debt', 'liquidated notional', 'fund after'],
    rows.map((r) => [
      r.method, efficiency(r.efficiency, '×'), r.efficiencyAtCoverage === null ? 'n/a' : efficiency(r.efficiencyAtCoverage, '×'),
      money(r.badDebt, 0), money(r.liquidatedNotional, 0), money(r.fundAfter, 0),
    ]),
  );
}

/** What the conclusion's columns mean, and what to read from them. */
export function conclusionNotes(stress: StressReport): string[] {
  return [
    'notional/IM at defaults: what each calibration asks (not comparable across methods); at equal coverage: what each method asks when all cover the same 1-day loss',
    `bad debt, liquidated notional, fund after: the cascade of ${stress.shock.name} (${stress.shock.steps.length} step${stress.shock.steps.length === 1 ? '' : 's'}), ` +
      'each method on its own copy of the book with an insurance fund of its own',
    'a method is better when it carries more notional per dollar at equal coverage without leaving more bad debt on the path',
  ].map((l) => wrap(l, 120, '  '));
}

/** Capital freed is measured against isolated margin: a comparison without it has no such column. */
function comparedWithIsolated(c: EqualCoverage): boolean {
  return c.rows.some((r) => r.method === 'isolated');
}
