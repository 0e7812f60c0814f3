/**
 * One account's breakdown as plain text (the `explain` command): the headline numbers, positions,
 * collateral with its haircuts, and what the method explains (portfolio: scenario grids, worst
 * scenarios, contributions, add-ons; var: the measure and its components; span: each combined commodity's scan risk,
 * charges and credits, and the net option value). Pure functions.
 */
import type { AccountMargin, MarginMethod } from '../margin/report.js';
import type { PortfolioExplain, ScenarioGrid } from '../methods/portfolio/types.js';
import type { SpanExplain } from '../methods/span/types.js';
import type { VarExplain } from '../methods/var/types.js';
import type { DeribitExplain } from '../methods/deribit/run.js';
import { compactMoney, compactMoneyIn, efficiency, isCoin, money, moneyIn, moveLabel, percent, price, ratio, sig, table } from './format.js';

export function explainText(account: AccountMargin, method: MarginMethod): string {
  // a coin-margined account's money is in its coin: eight decimals (a satoshi), not two
  const m = account.marginCurrency ? coinMoney : money;
  const sections = [headline(account, method, m)];
  if (account.positions) sections.push(positionsText(account, m, method));
  if (account.collateral) sections.push(collateralText(account, m));
  if (account.portfolio) sections.push(portfolioText(account.portfolio, account.marginCurrency));
  if (account.var) sections.push(varText(account.var));
  if (account.span) sections.push(spanText(account.span));
  if (account.deribit) sections.push(deribitText(account.deribit));
  return sections.join('\n\n');
}

/** An amount of a coin: eight decimals. */
function coinMoney(x: number): string {
  return money(x, 8);
}

function headline(a: AccountMargin, method: MarginMethod, m: (x: number) => string): string {
  const lines = [
    `account ${a.id} under ${method} margin: ${a.status}${a.error ? ` (${a.error})` : ` (${a.statusReason})`}`,
    table(
      ['equity', 'equity for IM', 'equity for MM', 'IM', 'MM', 'health', 'excess over MM', 'gross notional', 'efficiency'],
      [[m(a.equity), m(a.equityIm), m(a.equityMm), m(a.im), m(a.mm), ratio(a.health), m(a.excessOverMm), m(a.grossNotional), efficiency(a.efficiency)]],
      Array(9).fill('right'),
    ),
  ];
  const usd = a.usd;
  if (a.marginCurrency && usd) {
    lines.push(`money in ${a.marginCurrency}; in USD at ${price(usd.price)} per ${a.marginCurrency}: equity ${money(usd.equity)}, IM ${money(usd.im)}, MM ${money(usd.mm)}, excess over MM ${money(usd.excessOverMm)}`);
  }
  const sentence = liquidationPriceSentence(a, (x) => (x === null ? 'none within 1000×' : price(x))); // a price's digits: DOGE's 0.155660, not 0.16
  if (sentence !== null) lines.push(sentence);
  return lines.join('\n');
}

/** The positions' table; under a method that margins the account as a whole, a line saying whose the rows' IM and MM are. */
function positionsText(a: AccountMargin, money: (x: number) => string, method: MarginMethod): string {
  const rows = a.positions!;
  if (rows.length === 0) return 'positions: none';
  // the rows are the rule-based breakdown (cross margin's standalone figures): only isolated and cross margin add up to them
  const whose = method === 'isolated' || method === 'cross' ? '' : `\nIM and MM per position are cross margin's standalone figures; ${method} margin charges the account as a whole (its IM above)`;
  const isolated = rows.some((p) => p.allocated !== undefined);
  const header = ['instrument', 'quantity', 'notional', 'mark-to-market', 'IM', 'MM', ...(isolated ? ['allocated', 'status'] : [])];
  const body = rows.map((p) => [
    p.instrument, sig(p.quantity, 6), money(p.notional), money(p.markToMarket), money(p.im), money(p.mm),
    ...(isolated ? [money(p.allocated ?? 0), p.status ?? ''] : []),
  ]);
  return `positions (${rows.length}):\n${table(header, body, isolated ? ['left', ...Array(6).fill('right'), 'right', 'left'] : undefined)}${whose}`;
}

/** Haircut as the share of value not counted: 1 − imValue / value (liability weight − 1 for borrowings). */
export function haircutShare(value: number, counted: number): number {
  return value === 0 ? 0 : 1 - counted / value;
}

function collateralText(a: AccountMargin, money: (x: number) => string): string {
  const rows = a.collateral!;
  if (rows.length === 0) return 'collateral: none';
  const body = rows.map((c) => [
    c.asset, sig(c.amount, 8), money(c.value), money(c.imValue), percent(haircutShare(c.value, c.imValue)), money(c.mmValue), percent(haircutShare(c.value, c.mmValue)),
  ]);
  return `collateral (haircut = share of value not counted; negative for borrowings weighted up):\n` +
    table(['asset', 'amount', 'value', 'IM value', 'IM haircut', 'MM value', 'MM haircut'], body);
}

/** The grid's worst cell (lowest P&L), or null when no cell loses. The page outlines it, the text marks it `*`. */
export function gridWorstCell(grid: ScenarioGrid): { row: number; column: number; pnl: number } | null {
  let worst: { row: number; column: number; pnl: number } | null = null;
  grid.pnl.forEach((cells, row) => cells.forEach((pnl, column) => {
    if (pnl < 0 && (worst === null || pnl < worst.pnl)) worst = { row, column, pnl };
  }));
  return worst;
}

type UnderlyingExplain = PortfolioExplain['underlyings'][number];

/**
 * The underlying's worst loss in words, consistent with its grid: when it is a tail scenario, it says so and names the
 * grid's worst cell too, since the tail is not a cell of the grid (its P&L is weighted: "× weight"). `currency`: the
 * account's `marginCurrency` (a coin account's P&L is in its coin, written with eight decimals and its symbol).
 */
export function worstLossSentence(u: UnderlyingExplain, currency?: string): string {
  const s = u.worstScenario;
  const at = `spot ${moveLabel(s.spotMove)}, vol ${s.volShock}`;
  const m = moneyIn(currency);
  const cellMoney = isCoin(currency) ? m : compactMoney;
  const cell = gridWorstCell(u.grid);
  const cellText = cell ? `${cellMoney(cell.pnl)} at spot ${moveLabel(u.grid.spotMoves[cell.column])}, vol ${u.grid.volShocks[cell.row]}` : 'no loss';
  if (!s.tail) return `${u.underlying}: worst loss ${m(u.worstLoss)} at ${at} (the marked cell of the grid)`;
  return `${u.underlying}: worst loss ${m(u.worstLoss)} in the tail scenario ${at}, weighted ×${sig(s.weight, 3)}: ` +
    `not a cell of the grid, whose worst cell is ${cellText}`;
}

/**
 * A scenario grid as a table: one row per vol shock, one column per spot move; the worst cell marked `*`. `currency`:
 * the account's `marginCurrency` (a coin's cells to three significant digits: {@link compactMoneyIn}).
 */
export function gridText(grid: ScenarioGrid, currency?: string): string {
  const short = compactMoneyIn(currency);
  const worst = gridWorstCell(grid);
  const body = grid.volShocks.map((shock, r) => [`vol ${shock}`, ...grid.pnl[r].map((x, c) => `${short(x)}${worst && worst.row === r && worst.column === c ? '*' : ''}`)]);
  const lines = [table(['P&L', ...grid.spotMoves.map(moveLabel)], body)];
  if (grid.tails.length > 0) {
    lines.push(`tail scenarios (P&L × weight): ${grid.tails.map((t) => `${moveLabel(t.spotMove)} vol ${t.volShock} ×${sig(t.weight, 3)}: ${short(t.pnl)}`).join('; ')}`);
  }
  return lines.join('\n');
}

/**
 * The portfolio method's breakdown. `currency`: the account's `marginCurrency` (absent: USD); a coin account's P&L,
 * losses and add-ons are in its coin: eight decimals in the tables, with the symbol in sentences.
 */
export function portfolioText(p: PortfolioExplain, currency?: string): string {
  const cells = isCoin(currency) ? coinMoney : money; // table cells: the header says the unit
  const m = moneyIn(currency);
  const parts: string[] = [];
  for (const u of p.underlyings) {
    parts.push(`${worstLossSentence(u, currency)}\n${gridText(u.grid, currency)}`);
    if (u.contributions.length > 0) {
      const body = [...u.contributions].sort((a, b) => a.pnl - b.pnl).map((c) => [c.id, c.source, cells(c.pnl)]);
      parts.push(`contributions to the ${u.underlying} worst scenario (they sum to −worst loss):\n${table(['source', 'kind', 'P&L'], body, ['left', 'left'])}`);
    }
  }
  parts.push(`scenario loss (${p.aggregation === 'sum' ? 'sum over underlyings' : 'correlation-aware √(Lᵀ ρ L)'}): ${m(p.scenarioLoss)}`);
  if (p.addOns.length > 0) {
    const body = p.addOns.map((a) => [a.kind, a.underlying, a.strike === undefined ? '' : String(a.strike), String(a.net), cells(a.amount)]);
    const total = p.addOns.reduce((s, a) => s + a.amount, 0);
    parts.push(`add-ons (total ${m(total)}):\n${table(['add-on', 'underlying', 'strike', 'net contracts', 'amount'], body, ['left', 'left'])}`);
  } else parts.push('add-ons: none');
  return `portfolio margin (scenario P&L in ${isCoin(currency) ? currency : 'USD'}, gain > 0):\n${parts.join('\n\n')}`;
}

export function varText(v: VarExplain): string {
  const total = v.components.reduce((s, c) => s + c.contribution, 0);
  const body = v.components.map((c) => [c.underlying, money(c.contribution), total !== 0 ? percent(c.contribution / total) : '']);
  return `${v.model} VaR at ${percent(v.confidence, 1)} over ${v.horizonDays} day${v.horizonDays === 1 ? '' : 's'}: VaR ${money(v.var)}, ES ${money(v.es)}\n` +
    `components (Euler, they sum to ${money(total)}):\n${table(['underlying', 'contribution', 'share'], body)}`;
}

export function spanText(x: SpanExplain): string {
  const body = x.commodities.map((c) => [
    c.commodity, money(c.priceScanRange), money(c.scanRisk), String(c.scenario), money(c.timeRisk), money(c.volatilityRisk), money(c.priceRisk),
    sig(c.netDelta), money(c.intraCharge), money(c.interCredit), money(c.shortOptionMinimum), money(c.requirement),
  ]);
  const spreads = x.spreads.map((s) => `  ${s.kind}${s.commodity ? ` ${s.commodity}` : ''} spread #${s.priority + 1}: ${sig(s.spreads)} formed, ${s.kind === 'inter' ? 'credit' : 'charge'} ${money(s.amount)}${s.kind === 'scan' ? ` (combined scan, scenario ${s.scenario})` : ''}`);
  const scanned = x.commodities.some((c) => c.scannedShare !== undefined);
  const rule = scanned ? '(1 − scanned share) × scan + scanning-spread charge' : 'scan';
  return `SPAN per combined commodity (losses > 0; requirement = max(${rule} + intra − inter credit, short option minimum)):\n` +
    table(['commodity', 'scan range', 'scan risk', 'scenario', 'time', 'volatility', 'price', 'net delta', 'intra', 'inter credit', 'SOM', 'requirement'], body) +
    (spreads.length > 0 ? `\nspreads formed, in priority order:\n${spreads.join('\n')}` : '') +
    `\nSPAN requirement (MM) ${money(x.maintenance)}, initial (IM) ${money(x.initial)}; net option value ${money(x.netOptionValue)} ` +
    `(long ${money(x.longOptionValue)}, short ${money(x.shortOptionValue)}), counted in equity: CME's total requirement ${money(x.totalRequirement)}`;
}

export function deribitText(d: DeribitExplain): string {
  const coin = d.currency === 'USD' ? money : (x: number) => money(x, 8);
  const worst = d.underlyings.map((u) => [u.underlying, coin(u.worstCase), u.scenario.label + (u.dampened ? ' (extended table dampened)' : '')]);
  const roll = d.rollShock.map((r) => [r.underlying, r.expiry ?? 'perpetual', sig(r.netDelta), percent(r.rate, 3), coin(r.amount)]);
  const delta = d.deltaShock.map((r) => [r.underlying, sig(r.deltaTotal), percent(r.rate, 3), coin(r.amount)]);
  return `Deribit risk matrix (in ${d.currency}; worst case + roll shock + delta shock = IM, MM = ${d.mmFactor} × IM):\n` +
    table(['underlying', 'worst case', 'scenario'], worst, ['left', 'right', 'left']) +
    `\nroll shock per expiry:\n${table(['underlying', 'expiry', 'net delta', 'rate', 'shock'], roll, ['left', 'left'])}` +
    `\ndelta shock:\n${table(['underlying', 'delta total', 'rate', 'shock'], delta)}` +
    `\nrisk matrix margin ${coin(d.riskMatrixMargin)} (worst case ${coin(d.worstCase)})`;
}

/**
 * The sentence of an account's liquidation prices (null: none), `at` writing a price (null: none found): the prices
 * where equity for MM crosses MM, so for an account already below MM where it is back above it; a backstop's cover is
 * cash paid after the method margined the account, so the prices are the account's own, before it (a covered
 * subaccount's, received; a master's, paid: negative). The CLI's explain and the page's say the same.
 */
export function liquidationPriceSentence(a: Pick<AccountMargin, 'liquidationPrice' | 'backstopUsd' | 'equityMm' | 'mm'>, at: (x: number | null) => string): string | null {
  const l = a.liquidationPrice;
  if (!l) return null;
  const prices = `${l.underlying} (moving it alone) below ${at(l.below)}, above ${at(l.above)}`;
  const cover = a.backstopUsd ?? 0;
  if (cover > 0 && a.equityMm - cover < a.mm) return `before the master's cover of ${money(cover)} USD, the account alone is below MM; back at MM with ${prices}`;
  if (cover > 0) return `before the master's cover of ${money(cover)} USD, the account alone: liquidation prices of ${prices}`;
  if (cover < 0) return `before paying its subaccounts' covers of ${money(-cover)} USD, the account alone: liquidation prices of ${prices}`;
  if (a.equityMm < a.mm) return `below MM at this price; back at MM with ${prices}`;
  return `liquidation price of ${l.underlying} (moving it alone): below ${at(l.below)}, above ${at(l.above)}`;
}
