/**
 * An option row's mark or trade price held to what the option can be worth (validate-market.ts optionMarkProblem), read
 * from the layout: its right, strike, underlying and settlement asset, with the prices and growth the caller's market
 * gives (the market now, a tick's market after it). One reading for a live tick, a live trade and a prepared what-if.
 */
import type { BookLayout } from './book-layout.js';
import { optionMarkProblem, type OptionGrowth } from '../model/validate-market.js';

/** Why `mark` cannot be option row `row`'s, or null; `priceOf(asset)`: an asset's price (USD) by layout index. */
export function rowMarkProblem(layout: BookLayout, row: number, mark: number, priceOf: (asset: number) => number, growth: OptionGrowth, what: 'mark' | 'price' = 'mark'): string | null {
  const ins = layout.instruments, u = ins.underlying.array[row], settled = ins.settlement.array[row];
  const settlement = settled < 0 ? null : { asset: layout.assets[settled], price: priceOf(settled) };
  return optionMarkProblem(ins.isCall.array[row] === 1, ins.strike.array[row], layout.assets[u], settlement, mark, priceOf(u), growth, what);
}
