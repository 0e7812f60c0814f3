/**
 * Rule-based margin of one account with its holdings replaced, without touching the run: the JS twin of the kernel
 * (src/kernels/js/margin.ts, the same bits as every backend) over a one-account copy of the account's columns and
 * the run's instrument terms. A trial costs a pass over the account's positions, no kernel call and no allocation
 * beyond its result: what liquidation's sizing and what-if questions ask thousands of times.
 */
import { type MarginColumns, marginAccounts } from '../../kernels/js/margin.js';
import type { AccountHoldings, HoldingsMargin } from '../method.js';

/** One-account columns, reused from call to call (grown when an account has more holdings), over one run's views. */
export class RuleBasedHoldingsMargin {
  private local: MarginColumns | null = null;
  private source: MarginColumns | null = null;
  private capacity = 0;

  /** Account a of `c` (the run's column views, instrument terms prepared) with `h` in place of its holdings. */
  run(c: MarginColumns, a: number, h: AccountHoldings, isolated: boolean): HoldingsMargin {
    const p0 = c.posStart[a], n = c.posEnd[a] - p0;
    const k0 = c.colStart[a], m = c.colEnd[a] - k0;
    if (h.quantity.length !== n || h.isolatedMargin.length !== n || h.amount.length !== m) throw new RangeError(`holdings of account ${a}: expected ${n} positions and ${m} balances`);
    const l = this.columns(c, Math.max(n, m));
    l.posEnd[0] = n;
    l.colEnd[0] = m;
    for (let k = 0; k < n; k++) {
      l.posInstrument[k] = c.posInstrument[p0 + k];
      l.entryPrice[k] = c.entryPrice[p0 + k];
      l.quantity[k] = h.quantity[k];
      l.isolatedMargin[k] = h.isolatedMargin[k];
    }
    for (let k = 0; k < m; k++) {
      l.colAsset[k] = c.colAsset[k0 + k];
      l.amount[k] = h.amount[k];
    }
    l.cashUsd[0] = h.cashUsd;
    marginAccounts(l, 0, 1, isolated, isolated);
    return {
      equity: l.equity[0], equityIm: l.equityIm[0], equityMm: l.equityMm[0], im: l.im[0], mm: l.mm[0], grossNotional: l.gross[0], status: l.status[0],
      positions: isolated ? { allocated: l.posAlloc.slice(0, n), markToMarket: l.posMtm.slice(0, n), im: l.posIm.slice(0, n), mm: l.posMm.slice(0, n) } : undefined,
    };
  }

  private columns(c: MarginColumns, size: number): MarginColumns {
    if (this.local && this.source === c && this.capacity >= size) return this.local;
    const cap = Math.max(size, 32, this.capacity * 2);
    const f64 = () => new Float64Array(cap);
    this.local = {
      ...c, // instruments, prices, schedules and terms: the run's own
      live: Uint8Array.of(1), posStart: Int32Array.of(0), posEnd: Int32Array.of(0), colStart: Int32Array.of(0), colEnd: Int32Array.of(0),
      posInstrument: new Int32Array(cap), quantity: f64(), entryPrice: f64(), isolatedMargin: f64(), colAsset: new Int32Array(cap), amount: f64(),
      cashUsd: new Float64Array(1),
      posIm: f64(), posMm: f64(), posMtm: f64(), posNotional: f64(), posAlloc: f64(), posStatus: new Uint8Array(cap),
      equity: new Float64Array(1), equityIm: new Float64Array(1), equityMm: new Float64Array(1), im: new Float64Array(1), mm: new Float64Array(1),
      gross: new Float64Array(1), collateralValue: new Float64Array(1), status: new Uint8Array(1),
    };
    this.source = c;
    this.capacity = cap;
    return this.local;
  }
}
