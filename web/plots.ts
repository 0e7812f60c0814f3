/**
 * Hand-written SVG plots for the risk page, as pure functions from data to markup (unit-tested in
 * test/web-plots.test.ts): the scenario P&L heatmap (spot move × vol shock) and grouped horizontal
 * bars (margin by method, collateral value against what the haircuts leave, VaR components).
 */
import type { ScenarioGrid } from '../src/methods/portfolio/types.js';
import { compactMoneyIn, moveLabel } from '../src/report/format.js';

/** Escapes text for HTML and SVG content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const LOSS = [220, 38, 38]; // red-600
const GAIN = [22, 163, 74]; // green-600
const ZERO = [248, 250, 252]; // slate-50

/** Diverging colour for a P&L: red for losses, green for gains, near white at zero, full at ±maxAbs. */
export function pnlColour(pnl: number, maxAbs: number): string {
  const t = maxAbs > 0 && Number.isFinite(pnl) ? Math.min(1, Math.abs(pnl) / maxAbs) : 0;
  const end = pnl < 0 ? LOSS : GAIN;
  const mix = ZERO.map((z, k) => Math.round(z + (end[k] - z) * t));
  return `rgb(${mix[0]},${mix[1]},${mix[2]})`;
}

/** Text colour readable on {@link pnlColour}: white on strong colours. */
function inkOn(pnl: number, maxAbs: number): string {
  return maxAbs > 0 && Math.abs(pnl) / maxAbs > 0.55 ? '#fff' : '#0f172a';
}

const USD_CELL_W = 34;
const CELL_H = 30;
const LEFT = 64;
const TOP = 34;

/**
 * The scenario grid as a heatmap: columns are spot moves, rows vol shocks (pnl[row][column]), each
 * cell coloured by its P&L and labelled with it; the worst cell is outlined. `currency`: what the P&L is in (a
 * coin-margined account's `marginCurrency`; absent: USD), its cells to three significant digits.
 */
export function heatmapSvg(grid: ScenarioGrid, title: string, currency = 'USD'): string {
  const short = compactMoneyIn(currency);
  // a coin's labels ("-0.00901") are longer than USD's ("-12.3k"): its cells widen to fit them (9px text, ~5px a character)
  const cellW = currency === 'USD' ? USD_CELL_W : Math.max(USD_CELL_W, 6 + 5 * Math.max(...grid.pnl.flat().map((x) => short(x).length)));
  const rows = grid.volShocks.length;
  const cols = grid.spotMoves.length;
  let maxAbs = 0;
  let worst = { r: -1, c: -1, pnl: 0 };
  grid.pnl.forEach((row, r) => row.forEach((pnl, c) => {
    maxAbs = Math.max(maxAbs, Math.abs(pnl));
    if (pnl < worst.pnl) worst = { r, c, pnl };
  }));
  const width = LEFT + cols * cellW + 8;
  const height = TOP + rows * CELL_H + 26;
  const parts = [
    `<svg class="plot heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
    `<text x="0" y="14" class="plot-title">${esc(title)}</text>`,
  ];
  grid.spotMoves.forEach((move, c) => {
    parts.push(`<text x="${LEFT + c * cellW + cellW / 2}" y="${TOP - 6}" text-anchor="middle" class="axis">${esc(moveLabel(move))}</text>`);
  });
  grid.volShocks.forEach((shock, r) => {
    const y = TOP + r * CELL_H;
    parts.push(`<text x="${LEFT - 6}" y="${y + CELL_H / 2 + 4}" text-anchor="end" class="axis">vol ${esc(shock)}</text>`);
    grid.pnl[r].forEach((pnl, c) => {
      const x = LEFT + c * cellW;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cellW - 2}" height="${CELL_H - 2}" fill="${pnlColour(pnl, maxAbs)}" data-pnl="${pnl}"><title>spot ${esc(moveLabel(grid.spotMoves[c]))}, vol ${esc(shock)}: ${esc(short(pnl))} ${esc(currency)}</title></rect>`,
        `<text x="${x + (cellW - 2) / 2}" y="${y + CELL_H / 2 + 3}" text-anchor="middle" class="cell" fill="${inkOn(pnl, maxAbs)}">${esc(short(pnl))}</text>`,
      );
    });
  });
  if (worst.r >= 0) {
    parts.push(`<rect class="worst" x="${LEFT + worst.c * cellW - 1}" y="${TOP + worst.r * CELL_H - 1}" width="${cellW}" height="${CELL_H}" fill="none" stroke="#0f172a" stroke-width="2"/>`);
  }
  parts.push(`<text x="${LEFT}" y="${height - 6}" class="axis">spot move →  (P&L in ${esc(currency)}, gain &gt; 0; outlined: worst grid cell)</text>`, '</svg>');
  return parts.join('');
}

export interface BarValue {
  /** Legend name, e.g. "IM". */
  name: string;
  value: number;
  /** CSS class for the bar's colour. */
  cls: string;
}

export interface BarGroup {
  label: string;
  values: BarValue[];
}

const BAR_H = 14;
const GROUP_GAP = 10;
const LABEL_W = 96;
const PLOT_W = 300;
const VALUE_W = 70;

/** The horizontal scale of {@link barsSvg}: zero sits where negatives (borrowings) have room on its left. */
export function barScale(groups: readonly BarGroup[], reference?: number): { min: number; max: number; x: (v: number) => number } {
  let min = 0;
  let max = 0;
  for (const g of groups) for (const v of g.values) if (Number.isFinite(v.value)) [min, max] = [Math.min(min, v.value), Math.max(max, v.value)];
  if (reference !== undefined && Number.isFinite(reference)) [min, max] = [Math.min(min, reference), Math.max(max, reference)];
  if (max === min) max = min + 1;
  return { min, max, x: (v: number) => LABEL_W + ((v - min) / (max - min)) * PLOT_W };
}

/**
 * Grouped horizontal bars, one group per label (e.g. per method) and one bar per value, with the
 * value printed beside each bar, an optional dashed reference line (e.g. equity) and a legend. `currency`: what the
 * values are in (a coin-margined account's `marginCurrency`; absent: USD).
 */
export function barsSvg(groups: readonly BarGroup[], title: string, reference?: { label: string; value: number }, currency = 'USD'): string {
  const short = compactMoneyIn(currency);
  const scale = barScale(groups, reference?.value);
  const names = [...new Map(groups.flatMap((g) => g.values.map((v) => [v.name, v.cls] as const)))];
  const groupH = (g: BarGroup) => g.values.length * BAR_H + GROUP_GAP;
  const top = 24;
  const height = top + groups.reduce((s, g) => s + groupH(g), 0) + 24;
  const width = LABEL_W + PLOT_W + VALUE_W;
  const zero = scale.x(0);
  const parts = [
    `<svg class="plot bars" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
    `<text x="0" y="14" class="plot-title">${esc(title)}</text>`,
  ];
  let y = top;
  for (const g of groups) {
    parts.push(`<text x="${LABEL_W - 6}" y="${y + (g.values.length * BAR_H) / 2 + 4}" text-anchor="end" class="axis">${esc(g.label)}</text>`);
    for (const v of g.values) {
      const end = Number.isFinite(v.value) ? scale.x(v.value) : zero;
      const x = Math.min(zero, end);
      parts.push(
        `<rect class="bar ${esc(v.cls)}" x="${x.toFixed(1)}" y="${y}" width="${Math.abs(end - zero).toFixed(1)}" height="${BAR_H - 2}" data-value="${v.value}"><title>${esc(g.label)} ${esc(v.name)}: ${esc(short(v.value))} ${esc(currency)}</title></rect>`,
        `<text x="${(Math.max(zero, end) + 4).toFixed(1)}" y="${y + BAR_H - 4}" class="value">${esc(short(v.value))}</text>`,
      );
      y += BAR_H;
    }
    y += GROUP_GAP;
  }
  parts.push(`<line x1="${zero.toFixed(1)}" x2="${zero.toFixed(1)}" y1="${top - 4}" y2="${y - GROUP_GAP + 4}" class="zero"/>`);
  if (reference && Number.isFinite(reference.value)) {
    const rx = scale.x(reference.value).toFixed(1);
    parts.push(`<line x1="${rx}" x2="${rx}" y1="${top - 4}" y2="${y - GROUP_GAP + 4}" class="reference"><title>${esc(reference.label)}: ${esc(short(reference.value))} ${esc(currency)}</title></line>`);
    names.push([reference.label, 'reference']);
  }
  let lx = LABEL_W;
  for (const [name, cls] of names) {
    parts.push(`<rect class="bar ${esc(cls)} legend" x="${lx}" y="${height - 14}" width="10" height="10"/><text x="${lx + 14}" y="${height - 5}" class="axis">${esc(name)}</text>`);
    lx += 22 + name.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('');
}
