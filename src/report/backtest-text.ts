/**
 * Backtest reports as plain text (`margin-core backtest`): per series (static, dynamic, dynamic + APC) the breaches
 * against the expected count, the Kupiec and Christoffersen p-values, the average margin and the procyclicality
 * measures; then the APC bindings and the circuit breaker's trips. Pure functions.
 */
import type { BacktestReport, BacktestSeriesName } from '../backtest/backtest.js';
import { money, percent, sig, table } from './format.js';

export const SERIES_LABELS: Record<BacktestSeriesName, string> = { static: 'static', dynamic: 'dynamic', apc: 'dynamic + APC' };

/** The comparison table: one row per series. */
export function backtestTable(report: BacktestReport): string {
  const rows = (Object.keys(SERIES_LABELS) as BacktestSeriesName[]).map((name) => {
    const s = report.series[name], c = s.coverage, p = s.procyclicality;
    const mean = s.totalMargin.reduce((a, x) => a + x, 0) / s.totalMargin.length;
    return [
      SERIES_LABELS[name], String(c.breaches), sig(c.days * c.expectedRate, 4), pValue(c.kupiec.pValue), pValue(c.christoffersen.pValue),
      money(mean, 0), sig(p.peakToTrough, 3), percent(p.largest1Day.ratio, 1), percent(p.largestNDay.ratio, 1),
    ];
  });
  const unit = periodWord(report.periodsPerYear);
  return table(['margin', 'breaches', 'expected', 'Kupiec p', 'Christoffersen p', 'mean total IM', 'peak/trough', `max 1-${unit} rise`, `max 30-${unit} rise`], rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

/** What a history's period is called: a day for daily closes (calendar or trading days), else a period. */
export function periodWord(periodsPerYear: number): 'day' | 'period' {
  return periodsPerYear <= 366 ? 'day' : 'period';
}

export function* backtestTextLines(report: BacktestReport, source: string): Generator<string> {
  const f = report.forecast, unit = periodWord(report.periodsPerYear);
  const model = f.model === 'ewma' ? `EWMA λ ${f.lambda}` : `GARCH(1,1), refitted every ${f.refitDays} days`;
  yield `Backtest of ${report.method} margin: ${report.accounts} account${report.accounts === 1 ? '' : 's'} × ${report.dates.length} margin ${unit}s (${report.dates[0]} to ${report.dates[report.dates.length - 1]}), ${source}`;
  const left = report.notTested ?? [];
  if (left.length > 0) yield `not tested: ${left.length} account${left.length === 1 ? '' : 's'} holding positions ${report.method} cannot margin (${left[0].id}: ${left[0].reason}${left.length > 1 ? '; …' : ''})`;
  yield `forecast ${model}; loss over ${report.horizonDays} ${unit}${report.horizonDays === 1 ? '' : 's'}; expected breach rate ${percent(1 - report.confidence, 2)} (${percent(report.confidence, 1)} confidence)`;
  yield '';
  yield backtestTable(report);
  yield '';
  const b = Object.entries(report.apc.bindings).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
  yield `APC tool ${report.apc.tool ?? 'none'}: account-${unit}s bound by ${b || 'nothing'}`;
  const cb = report.circuitBreaker;
  if (!cb.enabled) yield 'circuit breaker: off';
  else {
    const trips = cb.events.filter((e) => e.kind === 'trip').length, releases = cb.events.length - trips;
    const active = Object.entries(cb.activeDays).filter(([, n]) => n > 0).map(([a, n]) => `${a} ${n}`).join(', ');
    // an asset stepped up when the margin days began (its first event a release, or none beside days stepped up)
    // tripped in the warm-up: said, or the trips beside its days stepped up read as a contradiction
    const first = new Map<string, string>();
    for (const e of cb.events) if (!first.has(e.asset)) first.set(e.asset, e.kind);
    const carried = Object.entries(cb.activeDays).filter(([a, n]) => n > 0 && first.get(a) !== 'trip').map(([a]) => a);
    const before = carried.length === 0 ? '' : ` (${carried.join(', ')} tripped in the warm-up ${unit}s, still stepped up when the margin ${unit}s began)`;
    const counts = `${trips} trip${trips === 1 ? '' : 's'}${releases > 0 ? `, ${releases} release${releases === 1 ? '' : 's'}` : ''}`;
    yield `circuit breaker: ${counts}${active ? `; ${unit}s stepped up: ${active}` : ''}${before}`;
    const byDate = [...cb.events].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.asset < y.asset ? -1 : x.asset > y.asset ? 1 : 0));
    for (const e of byDate.slice(0, 5)) {
      yield e.kind === 'trip' ? `  ${e.date} ${e.asset} tripped: moved ${percent(e.move, 2)} (MM rate ${percent(cb.mmRate[e.asset], 2)})` : `  ${e.date} ${e.asset} released: moved ${percent(e.move, 2)}`;
    }
    if (cb.events.length > 5) yield `  … and ${cb.events.length - 5} more (--format json lists them all)`;
  }
}

function pValue(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p === 0 ? '< 1e-300' : p.toExponential(1);
}
