/**
 * Stress reports as plain text (`margin-core stress`, the demo): the rounds of a cascade, the efficiency–resilience
 * table across methods, the reverse stress test and the Monte Carlo percentiles. Pure functions.
 */
import type { CascadeResult, CascadeStop, MonteCarloStressResult, ReverseStressResult, StressReport } from '../stress/report.js';
import { count, efficiency, money, percent, price, ratio, table, wrap } from './format.js';
import { amplificationNote, EXPLAIN } from './words.js';

/** Assets shown as price columns: those the cascade moved, most moved first, at most `max`. */
export function movedAssets(c: CascadeResult, max = 4): string[] {
  const moved = Object.keys(c.finalPrices).map((a) => ({ a, move: Math.abs(c.finalPrices[a] / c.pricesBefore[a] - 1) }));
  const shocked = c.metrics.amplification?.asset;
  return moved
    .filter((m) => m.a === shocked || m.move > 0)
    .sort((x, y) => Number(y.a === shocked) - Number(x.a === shocked) || y.move - x.move || (x.a < y.a ? -1 : 1))
    .slice(0, max)
    .map((m) => m.a);
}

/** One line per round: prices of the moved assets, accounts liquidated, notional, fees, bad debt, fund, the notional ADL moved between accounts. */
export function cascadeTable(c: CascadeResult): string {
  const assets = movedAssets(c);
  const rows = c.rounds.map((r) => [
    String(r.round), String(r.step), ...assets.map((a) => price(r.prices[a])), count(r.accountsLiquidated), count(r.accountsBankrupt),
    money(r.liquidatedNotional, 0), money(r.fees, 0), money(r.badDebt, 0), money(r.insuranceFund, 0), money(r.adlNotional, 0),
  ]);
  rows.unshift(['before', '', ...assets.map((a) => price(c.pricesBefore[a])), '', '', '', '', '', '', '']);
  rows.push(['end', '', ...assets.map((a) => price(c.finalPrices[a])), '', '', '', '', '', '', '']);
  return table(['round', 'step', ...assets, 'liquidated', 'left in deficit', 'notional', 'fees', 'bad debt', 'fund', 'ADL notional'], rows, ['right', 'right', ...assets.map(() => 'right' as const), 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

/** The cascade's metrics in one paragraph. */
export function cascadeSummary(c: CascadeResult): string {
  const m = c.metrics, a = m.amplification;
  return `${c.method} margin on ${c.backend}: ${count(m.rounds)} round${m.rounds === 1 ? '' : 's'} of liquidations (${stopsText(c.stops)}); ` +
    `${count(m.accountsLiquidated, 'account')} liquidated, ${count(m.accountsBankrupt)} left in deficit; liquidated notional ${money(m.liquidatedNotional, 0)}; ` +
    `bad debt ${money(m.badDebt)}; insurance fund ${money(m.fundStart)} → ${money(m.fundEnd)} (drawdown ${money(m.fundDrawdown)}${m.fundDepleted ? ` at round ends; ran dry in round ${m.fundDepletedInRound}` : ''})` +
    (a ? `; ${a.asset} moved ${percent(a.totalMove, 2)} against the shock's ${percent(a.shockMove, 2)}: amplification ${ratio(a.ratio, 4)}` : '');
}

const STOP_WORDS: Record<CascadeStop, string> = { 'fixed-point': 'a fixed point', 'round-cap': 'the round cap', 'price-tolerance': 'the price tolerance' };

/**
 * Why the cascade's loop stopped: `stopped at a fixed point` when every step stopped for one reason, else each reason
 * with its steps (`step 1 stopped at the round cap; steps 2–3 at a fixed point`), so that a step the cap cut short is
 * not taken for one that settled.
 */
function stopsText(stops: CascadeResult['stops']): string {
  const byReason = new Map<CascadeStop, number[]>();
  for (const s of stops) byReason.set(s.stoppedBy, [...(byReason.get(s.stoppedBy) ?? []), s.step]);
  const reasons = [...byReason.keys()];
  if (reasons.length <= 1) return `stopped at ${reasons.map((r) => STOP_WORDS[r]).join('')}`;
  return reasons.map((r, k) => {
    const steps = byReason.get(r)!;
    return `${steps.length === 1 ? 'step' : 'steps'} ${stepRanges(steps)}${k === 0 ? ' stopped' : ''} at ${STOP_WORDS[r]}`;
  }).join('; ');
}

/** Ascending step numbers as ranges: [1, 2, 3, 5] → `1–3, 5`. */
function stepRanges(steps: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length;) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j] + 1) j++;
    parts.push(j === i ? String(steps[i]) : `${steps[i]}–${steps[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The efficiency–resilience table: per method, capital efficiency before the shock beside what the cascade cost. */
export function methodComparisonTable(report: StressReport): string {
  const rows = report.cascades.map((c) => [
    c.method, efficiency(c.efficiency), money(c.im, 0), count(c.metrics.rounds), count(c.metrics.accountsLiquidated), count(c.metrics.accountsBankrupt),
    money(c.metrics.liquidatedNotional, 0), money(c.metrics.badDebt, 0), c.metrics.amplification ? ratio(c.metrics.amplification.ratio, 4) : '—', money(c.metrics.fundEnd, 0),
  ]);
  return table(['method', 'notional/IM', 'IM before', 'rounds', 'liquidated', 'in deficit', 'notional', 'bad debt', 'amplification', 'fund after'], rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

export function reverseTable(results: readonly ReverseStressResult[]): string {
  const rows = results.map((r) => [
    r.method, money(r.thresholdUsd), r.scale === null ? 'not reached' : ratio(r.scale),
    r.moves ? Object.entries(r.moves).map(([a, m]) => `${a} ${percent(m, 2)}`).join(', ') : '—',
    r.badDebt === null ? `≤ ${money(r.badDebtBelow)}` : money(r.badDebt), String(r.evaluations),
  ]);
  return table(['method', 'bad debt above', '× shock', 'smallest shock', 'bad debt there', 'cascades'], rows, ['left', 'right', 'right', 'left', 'right', 'right']);
}

export function monteCarloTable(results: readonly MonteCarloStressResult[]): string {
  const rows = results.map((r) => [
    r.method, count(r.paths), money(r.badDebt.mean, 0), money(r.badDebt.p95, 0), money(r.badDebt.p99, 0), money(r.badDebt.max, 0),
    money(r.liquidatedNotional.mean, 0), money(r.liquidatedNotional.p95, 0), money(r.liquidatedNotional.p99, 0), count(r.pathsWithBadDebt), count(r.pathsBeyondFund),
  ]);
  return table(['method', 'paths', 'bad debt mean', 'p95', 'p99', 'max', 'liquidated mean', 'p95', 'p99', 'with bad debt', 'beyond fund'], rows,
    ['left', ...Array(10).fill('right')]);
}

/**
 * What the comparison table's figures mean, and a line on every method whose amplification is below 1 (the
 * liquidations bought the asset back: a cascade that damps the shock needs saying).
 */
export function* methodComparisonNotes(report: StressReport): Generator<string> {
  yield wrap(`notional/IM and IM before: at the defaults, before the shock; rounds: the rounds that liquidated an account (a step's cascade stops at a round that liquidates nothing, at the price tolerance or at the round cap); ${EXPLAIN.leftInDeficit}`, 120, '  ');
  yield wrap(`notional: what the cascade closed; ${EXPLAIN.badDebt}; amplification = the price's final move / the shock's own move of the asset it moved most`, 120, '  ');
  for (const c of report.cascades) {
    const note = c.metrics.amplification && c.metrics.amplification.ratio < 1 ? amplificationNote(c) : null;
    if (note) yield wrap(note, 120, '  ');
  }
}

/** The whole report as the CLI prints it. */
export function* stressTextLines(report: StressReport): Generator<string> {
  yield `Shock: ${report.shock.name}${report.shock.description ? ` (${report.shock.description})` : ''}`;
  for (const [k, s] of report.shock.steps.entries()) yield `  step ${k + 1}: ${s}`;
  for (const c of report.cascades) {
    yield '';
    yield `Cascade under ${c.method} margin:`;
    yield cascadeTable(c);
    yield cascadeSummary(c);
    if (report.cascades.length === 1) {
      const note = amplificationNote(c);
      if (note && c.metrics.amplification!.ratio < 1) yield note;
    }
  }
  if (report.cascades.length > 1) {
    yield '';
    yield 'Efficiency (gross notional / IM before the shock) against resilience (what the cascade cost):';
    yield methodComparisonTable(report);
    yield* methodComparisonNotes(report);
  }
  if (report.reverse) {
    yield '';
    yield 'Reverse stress test: the smallest multiple of the shock whose bad debt exceeds the threshold';
    yield reverseTable(report.reverse);
  }
  if (report.monteCarlo && report.monteCarlo.length > 0) {
    const r = report.monteCarlo[0];
    yield '';
    yield `Monte Carlo stress: ${count(r.paths)} correlated ${r.horizonDays}-day shocks (seed ${r.seed}), bad debt and liquidated notional (USD)`;
    yield monteCarloTable(report.monteCarlo);
  }
}
