/**
 * An instrument row's mark or trade price held to what it can be worth (model/mark-bounds.ts: an option's at most its
 * worth, an inverse future's or perpetual's within a factor of its forward), read from the layout: its kind,
 * right, strike, underlying and settlement asset, with the prices and growth the caller's market gives (the market
 * now, a tick's market after it). One reading for a live tick, a live trade and a prepared what-if.
 */
import type { BookLayout } from './book-layout.js';
import { KIND_BY_CODE, KIND_OPTION } from './codes.js';
import { inverseMarkProblem, optionMarkProblem, type OptionGrowth } from '../model/mark-bounds.js';

/** True when row `row`'s mark is bounded: an option's or an inverse contract's (a linear contract's mark is its venue's). */
export function hasMarkBound(layout: BookLayout, row: number): boolean {
  return layout.instruments.kind.array[row] === KIND_OPTION || layout.instruments.isInverse(row);
}

/** Why `mark` cannot be row `row`'s, or null; `priceOf(asset)`: an asset's price (USD) by layout index. */
export function rowMarkProblem(layout: BookLayout, row: number, mark: number, priceOf: (asset: number) => number, growth: OptionGrowth, what: 'mark' | 'price' = 'mark'): string | null {
  const ins = layout.instruments, u = ins.underlying.array[row], settled = ins.settlement.array[row], kind = ins.kind.array[row];
  const settlement = settled < 0 ? null : { asset: layout.assets[settled], price: priceOf(settled) };
  if (!hasMarkBound(layout, row)) return null;
  if (kind !== KIND_OPTION) return inverseMarkProblem(KIND_BY_CODE[kind], layout.assets[u], mark, priceOf(u), growth, what);
  return optionMarkProblem(ins.isCall.array[row] === 1, ins.strike.array[row], layout.assets[u], settlement, mark, priceOf(u), growth, what);
}
