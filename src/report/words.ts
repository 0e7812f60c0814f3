/**
 * One meaning per word, across the demo, the CLI and the page. `bankrupt` is a status (equity below 0 before
 * haircuts), never a count of liquidation outcomes; an account a liquidation leaves with a deficit nobody covered is
 * "left in deficit"; what a liquidator earns on collateral it buys at a discount is a discount, not a fee. The
 * sentences that explain a figure live here so that every surface says the same thing.
 */
import type { LiquidationState, LiquidationStep } from '../liquidation/report.js';
import type { CascadeResult } from '../stress/report.js';
import { percent } from './format.js';

/** A liquidation's end state in words: resolved, still being liquidated, left in deficit, deleveraged by ADL (the JSON keeps its codes). */
export function liquidationStateLabel(state: LiquidationState): string {
  switch (state) {
    case 'resolved':
      return 'resolved';
    case 'being_liquidated':
      return 'still being liquidated';
    case 'bankrupt':
      return 'left in deficit';
    case 'deleveraged':
      return 'deleveraged by ADL';
  }
}

/**
 * What the liquidator got on a step: its fee on a position close, the discount on collateral it bought; what it gave
 * back (a negative amount) at a close that took back its close-out's earlier fees (docs/liquidation.md, Fees).
 */
export function liquidatorTakeLabel(step: Pick<LiquidationStep, 'kind' | 'feeToLiquidator'>): string {
  return step.feeToLiquidator < 0 ? 'taken back' : step.kind === 'collateral' ? 'discount' : 'fee';
}

export const EXPLAIN = {
  health: 'health = equity after MM haircuts / MM: below 1 liquidatable; ∞ with no MM (or -∞ when that equity is negative)',
  bankrupt: 'bankrupt = a status: equity below 0 before haircuts',
  leftInDeficit: 'left in deficit = accounts the liquidation ended with a deficit nobody covered (bad debt left on them)',
  notionalPerIm: 'notional/IM = gross notional carried per dollar of initial margin',
  badDebt: 'bad debt = what closing bankrupt accounts lost beyond their equity, paid by the insurance fund and ADL or left uncovered',
} as const;

/**
 * One sentence on a cascade's amplification (final move ÷ the shock's move of the asset the shock moved most): what
 * the liquidations' own trades did to the price. Below 1 they bought more of the asset than they sold (shorts and
 * hedges closed), damping the shock; above 1 their sales pushed it further. Null without an amplification.
 */
export function amplificationNote(c: CascadeResult): string | null {
  const a = c.metrics.amplification;
  if (!a) return null;
  const cascadeMove = (1 + a.totalMove) / (1 + a.shockMove) - 1; // the price after the cascade against the price the shock set
  const by = `${cascadeMove > 0 ? '+' : ''}${percent(cascadeMove, 2)}`;
  if (a.ratio < 1) {
    return `${c.method}: amplification below 1: the liquidations moved ${a.asset} ${by} back toward where it started, ` +
      'because they bought more of it than they sold (short positions and hedges closed), damping the shock';
  }
  if (a.ratio > 1) return `${c.method}: amplification above 1: the liquidations' net sales moved ${a.asset} a further ${by}`;
  return `${c.method}: amplification 1: the liquidations left ${a.asset} where the shock put it`;
}

/** Why no hedge is suggested to a bankrupt account, and where its liquidation is shown (the CLI and the page say the same). */
export function bankruptNoHedge(account: string, method: string, reason: string): string {
  return `${account} is bankrupt under ${method} margin (${reason}): no hedge restores an account whose equity is below 0, it is liquidated ` +
    `(margin-core explain ${account} --method ${method} shows the plan)`;
}
