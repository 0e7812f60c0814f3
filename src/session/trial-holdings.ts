/** Copies of one account's holdings and per-position figures for the session's default trial (src/session/trial.ts). */
import type { BookLayout } from '../layout/book-layout.js';
import type { AccountHoldings, HoldingsMargin, MethodContext } from '../methods/method.js';

/**
 * One account's holdings in grow-only buffers: views of the account's size, made again only when the size changes
 * (a trial copies holdings per account, not per call). perf: keep-shapes (docs/performance.md)
 */
export class HoldingsCopy {
  readonly holdings: AccountHoldings = { quantity: new Float64Array(0), isolatedMargin: new Float64Array(0), amount: new Float64Array(0), cashUsd: 0 };
  private positionBuffer = new Float64Array(0);
  private balanceBuffer = new Float64Array(0);

  /** Views of `positions` and `balances` entries (contents unspecified until written). */
  private size(positions: number, balances: number): AccountHoldings {
    const h = this.holdings;
    if (h.quantity.length !== positions) {
      if (2 * positions > this.positionBuffer.length) this.positionBuffer = new Float64Array(Math.max(2 * positions, 2 * this.positionBuffer.length));
      h.quantity = this.positionBuffer.subarray(0, positions);
      h.isolatedMargin = this.positionBuffer.subarray(positions, 2 * positions);
    }
    if (h.amount.length !== balances) {
      if (balances > this.balanceBuffer.length) this.balanceBuffer = new Float64Array(Math.max(balances, 2 * this.balanceBuffer.length));
      h.amount = this.balanceBuffer.subarray(0, balances);
    }
    return h;
  }

  copy(from: AccountHoldings): void {
    const h = this.size(from.quantity.length, from.amount.length);
    h.quantity.set(from.quantity);
    h.isolatedMargin.set(from.isolatedMargin);
    h.amount.set(from.amount);
    h.cashUsd = from.cashUsd;
  }

  /** Account a's holdings as the layout holds them now. */
  readFrom(layout: BookLayout, a: number): void {
    const pos = layout.positions, col = layout.collateral;
    const p0 = pos.start.array[a], p1 = pos.end.array[a], c0 = col.start.array[a], c1 = col.end.array[a];
    const h = this.size(p1 - p0, c1 - c0);
    const quantity = pos.column<'f64'>('quantity').array, isolated = pos.column<'f64'>('isolatedMargin').array, amount = col.column<'f64'>('amount').array;
    for (let k = 0; k < p1 - p0; k++) {
      h.quantity[k] = quantity[p0 + k];
      h.isolatedMargin[k] = isolated[p0 + k];
    }
    for (let k = 0; k < c1 - c0; k++) h.amount[k] = amount[c0 + k];
    h.cashUsd = layout.cashUsd.array[a];
  }

  /** Writes the copy back as account a's holdings. */
  writeTo(layout: BookLayout, a: number): void {
    writeHoldings(layout, a, this.holdings);
  }
}

/** Writes an account's holdings (every position's quantity and allocation, every balance, the cash) into the layout. */
export function writeHoldings(layout: BookLayout, a: number, h: AccountHoldings): void {
  const pos = layout.positions, col = layout.collateral;
  pos.column<'f64'>('quantity').array.set(h.quantity, pos.start.array[a]);
  pos.column<'f64'>('isolatedMargin').array.set(h.isolatedMargin, pos.start.array[a]);
  col.column<'f64'>('amount').array.set(h.amount, col.start.array[a]);
  layout.cashUsd.array[a] = h.cashUsd;
}

type PositionFigures = NonNullable<HoldingsMargin['positions']>;

/**
 * Account a's per-position figures from the run's outputs (allocation, mark-to-market, IM, MM, in slot order), into
 * `into` when it has the account's size.
 */
export function readPositionFigures(context: MethodContext, a: number, into?: PositionFigures): PositionFigures {
  const pos = context.layout.positions, out = context.out;
  const p0 = pos.start.array[a], n = pos.end.array[a] - p0;
  const f = into !== undefined && into.allocated.length === n ? into : { allocated: new Float64Array(n), markToMarket: new Float64Array(n), im: new Float64Array(n), mm: new Float64Array(n) };
  const alloc = out.posAlloc.array, mtm = out.posMtm.array, im = out.posIm.array, mm = out.posMm.array;
  for (let k = 0; k < n; k++) {
    f.allocated[k] = alloc[p0 + k];
    f.markToMarket[k] = mtm[p0 + k];
    f.im[k] = im[p0 + k];
    f.mm[k] = mm[p0 + k];
  }
  return f;
}
