/**
 * The table's account lines kept until the table is written (its columns are aligned on the widest cell, known only at
 * the end): each line's figures in one Float64Array, its id the plan's own string, a note only where there is one,
 * and the cells made when the table is written (liquidation-text.ts liquidationCells, the same text as the whole
 * report's table). 72 bytes a line outside the JS heap, where a line's ten strings took some 350 in it: a
 * 1M-account liquidation keeps 834,000 lines.
 */
import type { AccountLiquidation, LiquidationState } from '../liquidation/report.js';
import { NumberRows } from '../memory/number-rows.js';
import { liquidationCells } from './liquidation-text.js';

const STATES: readonly LiquidationState[] = ['resolved', 'being_liquidated', 'bankrupt', 'deleveraged'];
/** Figures a line: state, steps, health before and after, equity before and after, closed notional, fees. */
const STRIDE = 8;

export class LiquidationLines {
  private readonly ids: string[] = [];
  private readonly notes = new Map<number, string>();
  /** A coin-margined account's currency, by line (USD lines have none). */
  private readonly currencies = new Map<number, string>();
  private readonly figures = new NumberRows(STRIDE, 1024);

  /** Lines held. */
  get count(): number {
    return this.figures.count;
  }

  push(a: AccountLiquidation): void {
    const state = STATES.indexOf(a.state);
    if (state < 0) throw new Error(`internal: an account in state ${JSON.stringify(a.state)}`);
    const at = this.figures.add(), f = this.figures.values;
    f[at] = state;
    f[at + 1] = a.steps.length;
    f[at + 2] = a.before.health;
    f[at + 3] = a.after.health;
    f[at + 4] = a.before.equity;
    f[at + 5] = a.after.equity;
    f[at + 6] = a.steps.reduce((n, s) => n + s.notional, 0);
    f[at + 7] = a.waterfall.fees;
    if (a.note !== undefined && a.note !== '') this.notes.set(this.ids.length, a.note);
    if (a.marginCurrency !== undefined) this.currencies.set(this.ids.length, a.marginCurrency);
    this.ids.push(a.id);
  }

  /** Line i's cells. */
  row(i: number): string[] {
    const f = this.figures.values, at = i * STRIDE;
    return liquidationCells(this.ids[i], STATES[f[at]], f[at + 1], f[at + 2], f[at + 3], f[at + 4], f[at + 5], f[at + 6], f[at + 7], this.notes.get(i) ?? '', this.currencies.get(i));
  }
}
