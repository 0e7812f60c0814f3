/**
 * The explain view of one account as HTML (pure: unit-tested with hand-built explain objects in
 * test/web-plots.test.ts): headline numbers, plots (margin by method, collateral, the portfolio
 * method's scenario heatmaps, VaR components), then tables (add-ons, contributions, positions, collateral).
 */
import type { AccountMargin, MarginMethod } from '../src/margin/report.js';
import type { PortfolioExplain } from '../src/methods/portfolio/types.js';
import type { MethodMargin } from '../src/report/explain.js';
import { gridWorstCell, haircutShare, liquidationPriceSentence, worstLossSentence } from '../src/report/explain-text.js';
import { compactMoney, compactMoneyIn, money as usd, moveLabel, percent, ratio, sig } from '../src/report/format.js';
import { worstScenario } from '../src/report/summary.js';
import { barsSvg, esc, heatmapSvg } from './plots.js';

/** A small HTML table; `numeric[c]` right-aligns column c. Cells are escaped unless marked as HTML. */
function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const cls = (c: number) => (numeric[c] ? ' class="num"' : '');
  return `<table class="small"><tr>${header.map((h, c) => `<th${cls(c)}>${esc(h)}</th>`).join('')}</tr>${
    rows.map((r) => `<tr>${r.map((cell, c) => `<td${cls(c)}>${esc(cell)}</td>`).join('')}</tr>`).join('')}</table>`;
}

const statusBadge = (status: string) => `<span class="status status-${esc(status)}">${esc(status.replace('_', ' '))}</span>`;

export function explainHtml(a: AccountMargin, method: MarginMethod, byMethod: readonly MethodMargin[]): string {
  // a coin-margined account's money is in its coin (eight decimals), with its USD view at the index
  const coin = a.marginCurrency;
  const money = coin ? (x: number) => `${usd(x, 8)} ${coin}` : usd;
  const parts: string[] = [
    `<h2>${esc(a.id)} ${statusBadge(a.status)}</h2>`,
    `<p class="headline">why: ${esc(a.statusReason)}</p>`,
    `<p class="headline">${esc(method)} margin: equity ${esc(money(a.equity))} · IM ${esc(money(a.im))} · MM ${esc(money(a.mm))} · health ${ratio(a.health)} · ` +
      `excess over MM ${esc(money(a.excessOverMm))}${a.error ? ` · <b>${esc(a.error)}</b>` : ''}</p>`,
  ];
  if (coin && a.usd) {
    parts.push(`<p class="headline">margined in ${esc(coin)}; in USD at ${usd(a.usd.price)} per ${esc(coin)}: equity ${usd(a.usd.equity)} · IM ${usd(a.usd.im)} · ` +
      `MM ${usd(a.usd.mm)} · excess over MM ${usd(a.usd.excessOverMm)}</p>`);
  }
  const scenario = worstScenario(a);
  if (scenario) parts.push(`<p class="headline">worst scenario: ${esc(scenario)}</p>`);
  // the CLI's sentence (a liquidatable account's prices are where it is back at MM), prices in USD
  const sentence = liquidationPriceSentence(a, (x) => (x === null ? 'none' : `${usd(x)} USD`));
  if (sentence !== null) parts.push(`<p class="headline">${esc(sentence)}</p>`);
  parts.push('<div class="plots">');
  if (byMethod.length > 0) {
    parts.push(barsSvg(
      byMethod.map((m) => ({ label: m.method, values: [{ name: 'IM', value: m.im, cls: 'im' }, { name: 'MM', value: m.mm, cls: 'mm' }] })),
      `Margin by method (${coin ?? 'USD'})`,
      { label: 'equity for IM', value: byMethod.find((m) => m.method === method)?.equityIm ?? a.equityIm }, coin,
    ));
  }
  if (a.collateral && a.collateral.length > 0) {
    parts.push(barsSvg(
      a.collateral.map((c) => ({
        label: c.asset,
        values: [{ name: 'value', value: c.value, cls: 'value' }, { name: 'IM value', value: c.imValue, cls: 'im' }, { name: 'MM value', value: c.mmValue, cls: 'mm' }],
      })),
      // a coin-margined account holds only its coin, valued in it (value = amount): the bars are in the coin
      `Collateral: value and what the haircuts leave (${coin ?? 'USD'})`, undefined, coin,
    ));
  }
  if (a.var) {
    parts.push(barsSvg(a.var.components.map((c) => ({ label: c.underlying, values: [{ name: 'contribution', value: c.contribution, cls: 'im' }] })),
      `${a.var.model} VaR ${percent(a.var.confidence)} ${a.var.horizonDays}d: ${compactMoney(a.var.var)}, ES ${compactMoney(a.var.es)}; components (USD)`));
  }
  if (a.portfolio) {
    const short = compactMoneyIn(coin);
    for (const u of a.portfolio.underlyings) {
      const cell = gridWorstCell(u.grid);
      parts.push(heatmapSvg(u.grid, `${u.underlying}: scenario P&L, worst grid cell ${cell ? `${short(cell.pnl)}${coin ? ` ${coin}` : ''}` : 'none'}`, coin));
    }
  }
  parts.push('</div>');
  if (a.portfolio) parts.push(`<p class="hint">${a.portfolio.underlyings.map((u) => esc(worstLossSentence(u, coin))).join('<br>')}</p>`, portfolioTables(a.portfolio, money));
  if (a.positions && a.positions.length > 0) {
    const isolated = a.positions.some((p) => p.allocated !== undefined);
    parts.push('<h3>Positions</h3>', htmlTable(
      ['instrument', 'quantity', 'notional', 'mark-to-market', 'IM', 'MM', ...(isolated ? ['allocated', 'status'] : [])],
      a.positions.map((p) => [
        p.instrument, sig(p.quantity, 6), money(p.notional), money(p.markToMarket), money(p.im), money(p.mm),
        ...(isolated ? [money(p.allocated ?? 0), p.status ?? ''] : []),
      ]),
      [false, true, true, true, true, true, true, false],
    ));
  }
  if (a.collateral && a.collateral.length > 0) {
    parts.push('<h3>Collateral</h3>', htmlTable(
      ['asset', 'amount', 'value', 'IM haircut', 'MM haircut'],
      a.collateral.map((c) => [c.asset, sig(c.amount, 8), money(c.value), percent(haircutShare(c.value, c.imValue)), percent(haircutShare(c.value, c.mmValue))]),
      [false, true, true, true, true],
    ));
  }
  return parts.join('');
}

/** The portfolio method's scenario loss, add-ons and, per underlying, the contributions to its worst scenario. */
function portfolioTables(p: PortfolioExplain, money: (x: number) => string): string {
  const parts = [`<h3>Scenario loss ${money(p.scenarioLoss)} (${p.aggregation === 'sum' ? 'sum over underlyings' : 'correlation-aware'})</h3>`];
  if (p.addOns.length > 0) {
    parts.push('<h3>Add-ons</h3>', htmlTable(
      ['add-on', 'underlying', 'strike', 'net contracts', 'amount'],
      p.addOns.map((x) => [x.kind, x.underlying, x.strike === undefined ? '' : String(x.strike), String(x.net), money(x.amount)]),
      [false, false, false, false, true],
    ));
  }
  for (const u of p.underlyings) {
    if (u.contributions.length === 0) continue;
    const s = u.worstScenario;
    parts.push(`<h3>${esc(u.underlying)} worst scenario (spot ${esc(moveLabel(s.spotMove))}, vol ${esc(s.volShock)}${s.tail ? ', tail' : ''}): contributions</h3>`, htmlTable(
      ['source', 'kind', 'P&L'],
      [...u.contributions].sort((x, y) => x.pnl - y.pnl).map((c) => [c.id, c.source, money(c.pnl)]),
      [false, false, true],
    ));
  }
  return parts.join('');
}
