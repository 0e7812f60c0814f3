/**
 * The page's liquidation views as HTML (pure: unit-tested in test/web-plots.test.ts): the run's totals with the
 * accounts it liquidated, and one account's plan (steps table and equity waterfall: equity → slippage → fees →
 * insurance fund → ADL → written off (an isolated position's deficit, when there is one) → equity after). A
 * coin-margined account's own figures (equity, fees, waterfall) are in its coin (`marginCurrency`); the fund's and the
 * run's figures in USD.
 */
import type { AccountLiquidation, LiquidationReport, LiquidationWaterfall } from '../src/liquidation/report.js';
import { compactMoneyIn, money, moneyIn, price, ratio, sig } from '../src/report/format.js';
import { fundChangeText, routeLabel } from '../src/report/liquidation-text.js';
import { liquidationStateLabel, liquidatorTakeLabel } from '../src/report/words.js';
import { esc } from './plots.js';

/** One column of the waterfall: a level (start, end) or a change floating between two running totals. */
export interface WaterfallBar {
  label: string;
  /** The running total before and after this column (a level column goes from 0 to its value). */
  from: number;
  to: number;
  cls: 'level' | 'down' | 'up';
}

/** The waterfall's columns, in order, from the account's figures: each change starts where the previous ended. */
export function waterfallBars(w: LiquidationWaterfall): WaterfallBar[] {
  const bars: WaterfallBar[] = [{ label: 'equity before', from: 0, to: w.equityBefore, cls: 'level' }];
  let level = w.equityBefore;
  const changes: [string, number][] = [['slippage', -w.slippage], ['fees', -w.fees], ['insurance fund', w.insuranceFund], ['ADL', w.adl]];
  if (w.writtenOff !== 0) changes.push(['written off', w.writtenOff]); // isolated margin only: shown when it happened
  for (const [label, change] of changes) {
    bars.push({ label, from: level, to: level + change, cls: change < 0 ? 'down' : 'up' });
    level += change;
  }
  bars.push({ label: 'equity after', from: 0, to: w.equityAfter, cls: 'level' });
  return bars;
}

const COL_W = 78;
const PLOT_H = 150;
const TOP = 24;
const LEFT = 8;

/**
 * The equity waterfall as SVG columns on one vertical scale (zero line drawn; negative equity below it). `currency`:
 * what the waterfall is in (the account's `marginCurrency`; absent: USD), also the default title's.
 */
export function waterfallSvg(w: LiquidationWaterfall, title?: string, currency = 'USD'): string {
  const label = title ?? `Equity waterfall (${currency})`;
  const short = compactMoneyIn(currency);
  const full = currency === 'USD' ? (x: number) => `${money(x)} USD` : moneyIn(currency);
  const bars = waterfallBars(w);
  let min = 0, max = 0;
  for (const b of bars) [min, max] = [Math.min(min, b.from, b.to), Math.max(max, b.from, b.to)];
  if (max === min) max = min + 1;
  const y = (v: number) => TOP + ((max - v) / (max - min)) * PLOT_H;
  const width = LEFT + bars.length * COL_W;
  const height = TOP + PLOT_H + 46; // room for a label under the lowest column and the axis labels
  const parts = [
    `<svg class="plot waterfall" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">`,
    `<text x="0" y="14" class="plot-title">${esc(label)}</text>`,
  ];
  bars.forEach((b, k) => {
    const x = LEFT + k * COL_W + 8;
    const top = Math.min(y(b.from), y(b.to));
    const h = Math.max(Math.abs(y(b.from) - y(b.to)), 1); // a zero change still shows as a hairline
    const change = b.cls === 'level' ? b.to : b.to - b.from;
    parts.push(
      `<rect class="bar ${b.cls}" x="${x}" y="${top.toFixed(1)}" width="${COL_W - 16}" height="${h.toFixed(1)}" data-from="${b.from}" data-to="${b.to}"><title>${esc(b.label)}: ${esc(full(change))}</title></rect>`,
      // the amount above a rising column, below a falling one (a negative level falls from the zero line)
      `<text x="${x + (COL_W - 16) / 2}" y="${(change < 0 ? top + h + 11 : top - 3).toFixed(1)}" text-anchor="middle" class="value">${esc(short(change))}</text>`,
      `<text x="${x + (COL_W - 16) / 2}" y="${TOP + PLOT_H + 28}" text-anchor="middle" class="axis">${esc(b.label)}</text>`,
    );
    if (k < bars.length - 1) {
      const next = bars[k + 1];
      const level = next.cls === 'level' ? next.to : next.from; // the running total carried to the next column
      parts.push(`<line class="connector" x1="${x + COL_W - 16}" x2="${x + COL_W}" y1="${y(level).toFixed(1)}" y2="${y(level).toFixed(1)}"/>`);
    }
  });
  parts.push(`<line class="zero" x1="${LEFT}" x2="${width}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}"/>`, '</svg>');
  return parts.join('');
}

/**
 * One account's liquidation: state, steps (close, fill against mark and bankruptcy price, route, fees), waterfall. Fees
 * and the waterfall in the account's currency; prices and the fund's change in USD.
 */
export function liquidationPlanHtml(a: AccountLiquidation): string {
  const m = moneyIn(a.marginCurrency);
  const head = `<h3>Liquidation plan: ${esc(liquidationStateLabel(a.state))}, ${a.steps.length} step${a.steps.length === 1 ? '' : 's'}, ` +
    `health ${esc(ratio(a.before.health))} → ${esc(ratio(a.after.health))}${a.note ? ` (${esc(a.note)})` : ''}</h3>`;
  const rows = a.steps.map((s, k) => `<tr><td class="num">${k + 1}</td><td>${esc(`${s.kind === 'collateral' ? 'sell ' : ''}${s.id}`)}</td>` +
    `<td class="num">${esc(sig(s.quantity, 6))}</td><td class="num">${esc(price(s.markPrice))}</td><td class="num">${esc(price(s.fillPrice))}</td>` +
    `<td class="num">${s.bankruptcyPrice === null ? '—' : esc(price(s.bankruptcyPrice))}</td><td>${esc(routeLabel(s))}</td>` +
    `<td class="num">${esc(`${m(s.feeToLiquidator)} ${liquidatorTakeLabel(s)}`)}</td><td class="num">${esc(m(s.feeToFund))}</td><td class="num">${esc(fundChangeText(a.marginCurrency)(s.fundChange))}</td>` +
    `<td class="num">${esc(ratio(s.healthAfter))}</td></tr>`);
  const table = a.steps.length === 0 ? '' : '<table class="small steps"><tr><th class="num">step</th><th>close</th><th class="num">quantity</th><th class="num">mark</th>' +
    '<th class="num">fill</th><th class="num">bankruptcy</th><th>route</th><th class="num">to liquidator</th><th class="num">fund fee</th>' +
    `<th class="num">fund change</th><th class="num">health after</th></tr>${rows.join('')}</table>`;
  return `<div class="liquidation-plan">${head}${table}<div class="plots">${waterfallSvg(a.waterfall, undefined, a.marginCurrency)}</div></div>`;
}

/**
 * The run's totals (USD) and the accounts it liquidated, each account's equity and fees in its own currency (rows
 * carry data-id: selecting one opens its explain view).
 */
export function liquidationSummaryHtml(r: LiquidationReport): string {
  const t = r.totals;
  const facts: [string, string][] = [
    ['below MM', String(t.accountsBreaching)], ['resolved', String(t.resolved)], ['left in deficit', String(t.bankrupt)],
    ['closed notional', money(t.closedNotional, 0)], ['fees to liquidators', money(t.feesToLiquidators, 0)], ['fees to fund', money(t.feesToFund, 0)],
    ['insurance fund', `${money(t.fundStart, 0)} → ${money(t.fundEnd, 0)}`], ['bad debt', money(t.badDebt, 0)], ['ADL fills', String(r.adl.length)],
    ['money conserved to', `${sig(Math.abs(t.conservationResidual), 2)} USD`],
  ];
  const rows = r.accounts.map((a) => {
    const m = moneyIn(a.marginCurrency);
    return `<tr data-id="${esc(a.id)}" tabindex="0"><td>${esc(a.id)}</td><td>${esc(liquidationStateLabel(a.state))}</td>` +
      `<td class="num">${a.steps.length}</td><td class="num">${esc(ratio(a.before.health))}</td><td class="num">${esc(ratio(a.after.health))}</td>` +
      `<td class="num">${esc(m(a.waterfall.equityBefore))}</td><td class="num">${esc(m(a.waterfall.equityAfter))}</td>` +
      `<td class="num">${esc(m(a.waterfall.fees))}</td></tr>`;
  });
  return `<h2>Liquidation under ${esc(r.method)} margin</h2>` +
    `<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>` +
    (rows.length === 0 ? '<p class="hint">No account is below maintenance margin.</p>'
      : '<div class="table-wrap"><table id="liquidated"><thead><tr><th>account</th><th>state</th><th class="num">steps</th><th class="num">health before</th>' +
        '<th class="num">after</th><th class="num">equity before</th><th class="num">after</th><th class="num">fees</th></tr></thead>' +
        `<tbody>${rows.join('')}</tbody></table></div>`);
}
