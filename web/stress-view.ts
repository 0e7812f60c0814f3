/**
 * The risk page's stress view: a cascade under every method as Node computes it (`engine.stress`), drawn as the
 * shocked asset's price path by round, the accounts liquidated per round, and bad debt beside capital efficiency per
 * method. Pure functions from a StressReport to SVG and HTML.
 */
import { compactMoney, efficiency, money, price, ratio } from '../src/report/format.js';
import { methodComparisonNotes } from '../src/report/stress-text.js';
import type { CascadeResult, StressReport } from '../src/stress/report.js';
import { barsSvg, esc } from './plots.js';

const W = 420, H = 200, LEFT = 64, RIGHT = 12, TOP = 24, BOTTOM = 28;

/** A point of a price path: round 0 is the market before the shock, round k the market round k liquidated on, then the end. */
export interface PathPoint {
  x: number;
  price: number;
}

/** The asset whose path the view draws: the one the shock moved most (the first cascade's amplification asset). */
export function pathAsset(report: StressReport): string | null {
  return report.cascades[0]?.metrics.amplification?.asset ?? null;
}

/** Before the shock, each round's market, and the end: x = 0, 1, …, rounds + 1. */
export function pricePath(c: CascadeResult, asset: string): PathPoint[] {
  return [
    { x: 0, price: c.pricesBefore[asset] },
    ...c.rounds.map((r, k) => ({ x: k + 1, price: r.prices[asset] })),
    { x: c.rounds.length + 1, price: c.finalPrices[asset] },
  ];
}

/** One polyline per method on shared axes: the price of `asset` by round. */
export function pricePathSvg(report: StressReport, asset: string): string {
  const paths = report.cascades.map((c) => ({ method: c.method, points: pricePath(c, asset) }));
  const xs = paths.flatMap((p) => p.points.map((q) => q.x)), ys = paths.flatMap((p) => p.points.map((q) => q.price));
  const xMax = Math.max(1, ...xs);
  let yMin = Math.min(...ys), yMax = Math.max(...ys);
  if (yMax === yMin) [yMin, yMax] = [yMin * 0.99, yMax * 1.01 || 1];
  const px = (x: number) => LEFT + (x / xMax) * (W - LEFT - RIGHT);
  const py = (y: number) => TOP + (1 - (y - yMin) / (yMax - yMin)) * (H - TOP - BOTTOM);
  const parts = [
    `<svg class="plot path" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${asset} price by round`)}">`,
    `<text x="0" y="14" class="plot-title">${esc(`${asset} price by round (0: before the shock)`)}</text>`,
    `<text x="${LEFT - 4}" y="${py(yMax) + 4}" text-anchor="end" class="axis">${esc(price(yMax))}</text>`,
    `<text x="${LEFT - 4}" y="${py(yMin) + 4}" text-anchor="end" class="axis">${esc(price(yMin))}</text>`,
    `<line class="zero" x1="${LEFT}" x2="${W - RIGHT}" y1="${H - BOTTOM}" y2="${H - BOTTOM}"/>`,
  ];
  for (let x = 0; x <= xMax; x++) parts.push(`<text x="${px(x).toFixed(1)}" y="${H - BOTTOM + 14}" text-anchor="middle" class="axis">${x}</text>`);
  paths.forEach((p, k) => {
    const d = p.points.map((q) => `${px(q.x).toFixed(1)},${py(q.price).toFixed(1)}`).join(' ');
    parts.push(`<polyline class="series series-${k}" fill="none" points="${d}" data-method="${esc(p.method)}"><title>${esc(p.method)}: ${esc(price(p.points[p.points.length - 1].price))} at the end</title></polyline>`);
    parts.push(`<text x="${W - RIGHT}" y="${TOP + 12 * k}" text-anchor="end" class="axis series-label series-${k}">${esc(p.method)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Accounts liquidated per round as a table, a row per method and a column per round (with the shock step each round
 * followed): a path of several steps runs a dozen rounds under six methods, too many bars to read.
 */
export function liquidationsPerRoundHtml(report: StressReport): string {
  const rounds = Math.max(0, ...report.cascades.map((c) => c.rounds.length));
  const head = Array.from({ length: rounds }, (_, k) => {
    const step = report.cascades.find((c) => c.rounds[k])?.rounds[k].step;
    return `<th class="num" title="round ${k + 1}${step === undefined ? '' : `, after shock step ${step}`}">${k + 1}</th>`;
  }).join('');
  const rows = report.cascades.map((c, m) => `<tr><td><span class="swatch series-${m}"></span>${esc(c.method)}</td>` +
    Array.from({ length: rounds }, (_, k) => `<td class="num">${c.rounds[k] ? c.rounds[k].accountsLiquidated : ''}</td>`).join('') + '</tr>');
  return '<div class="per-round"><h3>Accounts liquidated per round</h3><div class="table-wrap"><table id="stress-rounds" class="small">' +
    `<thead><tr><th>method \\ round</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div></div>`;
}

/** Bad debt and the fund's drawdown per method (USD). */
export function badDebtSvg(report: StressReport): string {
  return barsSvg(report.cascades.map((c) => ({
    label: c.method,
    values: [{ name: 'bad debt', value: c.metrics.badDebt, cls: 'debt' }, { name: 'fund drawdown', value: c.metrics.fundDrawdown, cls: 'fund' }],
  })), 'Bad debt per method (USD)');
}

export function stressHtml(report: StressReport): string {
  const asset = pathAsset(report);
  const rows = report.cascades.map((c) => `<tr><td>${esc(c.method)}</td><td class="num">${esc(efficiency(c.efficiency))}</td><td class="num">${esc(money(c.im, 0))}</td>` +
    `<td class="num">${c.metrics.rounds}</td><td class="num">${c.metrics.accountsLiquidated}</td><td class="num">${c.metrics.accountsBankrupt}</td>` +
    `<td class="num">${esc(money(c.metrics.liquidatedNotional, 0))}</td>` +
    `<td class="num">${esc(money(c.metrics.badDebt, 0))}</td><td class="num">${c.metrics.amplification ? esc(ratio(c.metrics.amplification.ratio, 4)) : '—'}</td>` +
    `<td class="num">${esc(compactMoney(c.metrics.fundEnd))}</td></tr>`);
  return `<h2>Stress: ${esc(report.shock.name)}</h2>` +
    `<p class="hint">${esc(report.shock.steps.join('; '))}. Each method on its own copy of the book; the cascade runs until a round liquidates nothing.</p>` +
    '<div class="table-wrap"><table id="stress-methods"><thead><tr><th>method</th><th class="num">notional/IM</th><th class="num">IM before</th><th class="num">rounds</th>' +
    '<th class="num">liquidated</th><th class="num">left in deficit</th><th class="num">notional</th><th class="num">bad debt</th><th class="num">amplification</th><th class="num">fund after</th></tr></thead>' +
    `<tbody>${rows.join('')}</tbody></table></div>` +
    `<ul class="notes">${[...methodComparisonNotes(report)].map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` +
    `<div class="plots">${asset ? pricePathSvg(report, asset) : ''}${badDebtSvg(report)}${liquidationsPerRoundHtml(report)}</div>`;
}
