/**
 * Liquidation reports as plain text (`margin-core liquidate`, `explain`, the demo): the accounts liquidated, one
 * account's plan step by step with its equity waterfall, and the run's totals. Pure functions.
 */
import type { AccountLiquidation, LiquidationReport, LiquidationState, LiquidationStep } from '../liquidation/report.js';
import { count, isCoin, money, moneyIn, price, ratio, sig, table, tableLines } from './format.js';
import { liquidationStateLabel, liquidatorTakeLabel } from './words.js';

/** The accounts liquidated (then those ADL deleveraged), one line each, then the run's totals. */
export function* liquidationTableLines(report: LiquidationReport): Generator<string> {
  const rows = report.accounts.map(liquidationTableRow);
  yield* liquidationTableOf({ count: rows.length, row: (i) => rows[i] }, report);
}

/** An account's line of the table (liquidationTableLines): a writer that hands the plan out keeps these cells only. */
export function liquidationTableRow(a: AccountLiquidation): string[] {
  return liquidationCells(a.id, a.state, a.steps.length, a.before.health, a.after.health, a.before.equity, a.after.equity, a.steps.reduce((n, s) => n + s.notional, 0), a.waterfall.fees, a.note ?? '', a.marginCurrency);
}

/**
 * The cells of an account's line from its figures (a writer that keeps the figures, not the account:
 * liquidation-lines.ts); a coin-margined account's money in its coin (`marginCurrency`).
 */
export function liquidationCells(id: string, state: LiquidationState, steps: number, healthBefore: number, healthAfter: number, equityBefore: number, equityAfter: number, closedNotional: number, fees: number, note: string, marginCurrency?: string): string[] {
  const m = moneyIn(marginCurrency);
  return [id, liquidationStateLabel(state), String(steps), ratio(healthBefore), ratio(healthAfter), m(equityBefore), m(equityAfter), m(closedNotional), m(fees), note];
}

/** Lines kept until the table is written, made into cells one at a time (liquidation-lines.ts). */
export interface KeptLines {
  readonly count: number;
  row(i: number): readonly string[];
}

/**
 * The table of `rows` ({@link liquidationTableRow}, in the report's order), then `report`'s totals (its accounts unread;
 * `fills`: its ADL fills' count, given when they are not to be built).
 */
export function* liquidationTableOf(rows: KeptLines, report: LiquidationReport, fills = report.adl.length): Generator<string> {
  yield* tableLines(
    ['account', 'state', 'steps', 'health before', 'after', 'equity before', 'after', 'closed notional', 'fees', 'note'],
    rows.count, (i) => rows.row(i), ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
  yield liquidationSummary(report, fills);
}

/** The run's totals in one paragraph (`fills`: the ADL fills' count, as {@link liquidationTableOf}). */
export function liquidationSummary(report: LiquidationReport, fills = report.adl.length): string {
  const t = report.totals;
  return `${report.method} margin on ${report.backend}, valued ${report.valuationTime}: ${count(t.accountsBreaching, 'account')} below MM; ` +
    `${count(t.resolved)} resolved, ${count(t.stillBeingLiquidated)} still being liquidated, ${count(t.bankrupt)} left in deficit; ${count(t.accountsDeleveraged)} deleveraged by ADL; closed ${money(t.closedNotional)} of notional; ` +
    `fees ${money(t.feesToLiquidators)} to liquidators and ${money(t.feesToFund)} to the fund; insurance fund ${money(t.fundStart)} → ${money(t.fundEnd)} ` +
    `(paid ${money(t.fundPaid)}); bad debt ${money(t.badDebt)} (ADL absorbed ${money(t.adlAbsorbed)} in ${count(fills, 'fill')}, uncovered ${money(t.uncovered)}); ` +
    `money conserved to ${sig(Math.abs(t.conservationResidual), 2)} USD`;
}

/** How a step's quantity was taken, e.g. `market`, or `fund 0.25 · ADL 0.75`. */
export function routeLabel(s: LiquidationStep): string {
  const parts: string[] = [];
  if (s.routes.market !== 0) parts.push('market');
  if (s.routes.insuranceFund !== 0) parts.push(`fund ${sig(Math.abs(s.routes.insuranceFund), 4)}`);
  if (s.routes.adl !== 0) parts.push(`ADL ${sig(Math.abs(s.routes.adl), 4)}`);
  if (s.routes.uncovered !== 0) parts.push(`uncovered ${sig(Math.abs(s.routes.uncovered), 4)}`);
  return parts.join(' · ') || 'market';
}

/** One account's liquidation: its steps (what was closed, at what fill against the mark and the bankruptcy price, by
 * which route, the fees and the fund's change, health after) and its equity waterfall. */
export function liquidationPlanText(account: AccountLiquidation): string {
  // a coin-margined account's own figures are in its coin; the fund's change is the run's, in USD
  const m = moneyIn(account.marginCurrency), fund = fundChangeText(account.marginCurrency);
  const sections = [`liquidation: ${liquidationStateLabel(account.state)}${account.note ? ` (${account.note})` : ''}, ${account.steps.length} step${account.steps.length === 1 ? '' : 's'}, ` +
    `health ${ratio(account.before.health)} → ${ratio(account.after.health)}`];
  if (account.steps.length > 0) {
    sections.push(table(
      ['step', 'close', 'quantity', 'mark', 'fill', 'bankruptcy', 'route', 'to liquidator', 'fund fee', 'fund change', 'health after'],
      account.steps.map((s, k) => [
        String(k + 1), `${s.kind === 'collateral' ? 'sell ' : ''}${s.id}`, sig(s.quantity, 6), price(s.markPrice), price(s.fillPrice),
        s.bankruptcyPrice === null ? '—' : price(s.bankruptcyPrice), routeLabel(s), `${m(s.feeToLiquidator)} ${liquidatorTakeLabel(s)}`, m(s.feeToFund),
        fund(s.fundChange), ratio(s.healthAfter),
      ]),
      ['right', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right'],
    ));
  }
  const w = account.waterfall;
  sections.push(`equity waterfall: ${m(w.equityBefore)} - slippage ${m(w.slippage)} - fees and discounts ${m(w.fees)} ` +
    `+ insurance fund ${m(w.insuranceFund)} + ADL ${m(w.adl)}` +
    (w.writtenOff !== 0 ? ` + written off ${m(w.writtenOff)}` : '') + ` = ${m(w.equityAfter)}`);
  return sections.join('\n');
}

/**
 * A step's `fundChange` as text: USD (the insurance fund's currency), labelled beside a coin-margined account's own
 * figures, which are in its coin.
 */
export function fundChangeText(marginCurrency: string | undefined): (x: number) => string {
  return isCoin(marginCurrency) ? (x) => `${money(x)} USD` : money;
}
