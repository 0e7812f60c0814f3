/**
 * A copy of what a liquidation changes in a laid-out book (position quantities and isolated allocations, collateral
 * amounts, USD cash), to put the book back as it was: a reverse stress test or a Monte Carlo stress runs many
 * cascades on one layout instead of laying the book out again for each.
 */
import type { BookLayout } from './book-layout.js';

export class HoldingsSnapshot {
  private readonly quantity: Float64Array;
  private readonly isolatedMargin: Float64Array;
  private readonly amount: Float64Array;
  private readonly cashUsd: Float64Array;

  constructor(private readonly layout: BookLayout) {
    this.quantity = layout.positions.column<'f64'>('quantity').array.slice();
    this.isolatedMargin = layout.positions.column<'f64'>('isolatedMargin').array.slice();
    this.amount = layout.collateral.column<'f64'>('amount').array.slice();
    this.cashUsd = layout.cashUsd.array.slice();
  }

  /** Writes the saved holdings back (the layout must not have been resized since). */
  restore(): void {
    const l = this.layout;
    l.positions.column<'f64'>('quantity').array.set(this.quantity);
    l.positions.column<'f64'>('isolatedMargin').array.set(this.isolatedMargin);
    l.collateral.column<'f64'>('amount').array.set(this.amount);
    l.cashUsd.array.set(this.cashUsd);
  }
}
