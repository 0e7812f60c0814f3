/**
 * The risk page's backtest view: the book's total margin through time under static parameters, the volatility
 * forecast, and the forecast with the anti-procyclicality tool (`engine.backtest`), with the days the dynamic margin
 * was breached marked and the days the velocity circuit breaker was tripped shaded; beside it the coverage and
 * procyclicality table. Pure functions from a BacktestReport to SVG and HTML.
 */
import type { BacktestReport, BacktestSeriesName } from '../src/backtest/backtest.js';
import { SERIES_LABELS } from '../src/report/backtest-text.js';
import { compactMoney, money, percent, sig } from '../src/report/format.js';
import { esc } from './plots.js';

const W = 760, H = 260, LEFT = 64, RIGHT = 12, TOP = 28, BOTTOM = 30;
const SERIES: readonly BacktestSeriesName[] = ['static', 'dynamic', 'apc'];

/** Day intervals [from, to) during which any asset's circuit breaker was tripped, merged; one still tripped runs to the last day. */
export function breakerIntervals(report: BacktestReport): Array<[number, number]> {
  const days = report.dates.length;
  const spans: Array<[number, number]> = [];
  const open = new Map<string, number>();
  for (const e of report.circuitBreaker.events) {
    if (e.kind === 'trip') open.set(e.asset, e.day);
    else if (open.has(e.asset)) {
      spans.push([open.get(e.asset)!, e.day]);
      open.delete(e.asset);
    }
  }
  for (const from of open.values()) spans.push([from, Math.max(from, days - 1)]);
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/** Total margin by day: a polyline per series on shared axes, breach days of the dynamic series as ticks, breaker days shaded. */
export function marginChartSvg(report: BacktestReport): string {
  const days = report.dates.length;
  const values = SERIES.flatMap((s) => Array.from(report.series[s].totalMargin));
  const yMax = Math.max(...values) || 1;
  const px = (d: number) => LEFT + (days <= 1 ? 0 : (d / (days - 1)) * (W - LEFT - RIGHT));
  const py = (y: number) => TOP + (1 - y / yMax) * (H - TOP - BOTTOM);
  const parts = [
    `<svg class="plot backtest" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="total margin through time">`,
    `<text x="0" y="14" class="plot-title">${esc(`Total IM by day, ${report.method} margin: static, dynamic, dynamic + APC (ticks: dynamic breached; shaded: circuit breaker tripped)`)}</text>`,
  ];
  for (const [from, to] of breakerIntervals(report)) {
    parts.push(`<rect class="breaker" x="${px(from).toFixed(1)}" y="${TOP}" width="${Math.max(1, px(to) - px(from)).toFixed(1)}" height="${H - TOP - BOTTOM}"><title>${esc(`circuit breaker tripped ${report.dates[from]} to ${report.dates[Math.min(to, days - 1)]}`)}</title></rect>`);
  }
  parts.push(
    `<text x="${LEFT - 4}" y="${py(yMax) + 4}" text-anchor="end" class="axis">${esc(compactMoney(yMax))}</text>`,
    `<text x="${LEFT - 4}" y="${py(0) + 4}" text-anchor="end" class="axis">0</text>`,
    `<line class="zero" x1="${LEFT}" x2="${W - RIGHT}" y1="${py(0)}" y2="${py(0)}"/>`,
    `<text x="${LEFT}" y="${H - BOTTOM + 14}" class="axis">${esc(report.dates[0])}</text>`,
    `<text x="${W - RIGHT}" y="${H - BOTTOM + 14}" text-anchor="end" class="axis">${esc(report.dates[days - 1])}</text>`,
  );
  SERIES.forEach((name, k) => {
    const m = report.series[name].totalMargin;
    const points = Array.from(m, (y, d) => `${px(d).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="series series-${k}" fill="none" points="${points}" data-series="${name}"><title>${esc(SERIES_LABELS[name])}</title></polyline>`);
    parts.push(`<text x="${W - RIGHT}" y="${TOP + 12 * k}" text-anchor="end" class="axis series-label series-${k}">${esc(SERIES_LABELS[name])}</text>`);
  });
  const breaches = report.series.dynamic.breaches;
  for (let d = 0; d < days; d++) {
    if (breaches[d] > 0) parts.push(`<line class="breach" x1="${px(d).toFixed(1)}" x2="${px(d).toFixed(1)}" y1="${H - BOTTOM}" y2="${H - BOTTOM - 8}"><title>${esc(`${report.dates[d]}: ${breaches[d]} account${breaches[d] === 1 ? '' : 's'} breached`)}</title></line>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export function backtestHtml(report: BacktestReport, source: string): string {
  const rows = SERIES.map((name) => {
    const s = report.series[name], c = s.coverage, p = s.procyclicality;
    const mean = s.totalMargin.reduce((a, x) => a + x, 0) / s.totalMargin.length;
    return `<tr><td>${esc(SERIES_LABELS[name])}</td><td class="num">${c.breaches}</td><td class="num">${esc(sig(c.days * c.expectedRate, 4))}</td>` +
      `<td class="num">${esc(c.kupiec.pValue.toPrecision(3))}</td><td class="num">${esc(c.christoffersen.pValue.toPrecision(3))}</td><td class="num">${esc(money(mean, 0))}</td>` +
      `<td class="num">${esc(sig(p.peakToTrough, 3))}</td><td class="num">${esc(percent(p.largest1Day.ratio))}</td><td class="num">${esc(percent(p.largestNDay.ratio))}</td></tr>`;
  }).join('');
  return `<h2>Backtest: ${esc(report.method)} margin, ${report.accounts} accounts × ${report.dates.length} days</h2>` +
    `<p class="hint">${esc(source)}; forecast ${esc(report.forecast.model.toUpperCase())}; a breach is a next-day loss above the margin (expected ${esc(percent(1 - report.confidence, 2))} of account-days).</p>` +
    `<p class="hint">${esc(breakerNote(report))}</p>` +
    marginChartSvg(report) +
    `<table id="backtest-series"><thead><tr><th>margin</th><th>breaches</th><th>expected</th><th>Kupiec p</th><th>Christoffersen p</th><th>mean total IM</th><th>peak/trough</th><th>max 1-day rise</th><th>max 30-day rise</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** What the shading means for this run: the MM rates the breaker measures against, and how long it was tripped. */
export function breakerNote(report: BacktestReport): string {
  const cb = report.circuitBreaker;
  if (!cb.enabled) return 'Circuit breaker off.';
  const rates = Object.entries(cb.mmRate).map(([a, r]) => `${a} ${percent(r, 2)}`).join(', ');
  const days = Math.max(0, ...Object.values(cb.activeDays));
  return `Circuit breaker: trips when a day's move exceeds the MM rate (${rates}); tripped on up to ${days} of ${report.dates.length} days` +
    (days > report.dates.length / 2 ? ' (daily moves exceed these MM rates most days: liquidation has to act within the day; raise params.dynamic.circuitBreaker.trip to see only the fast markets)' : '') + '.';
}
