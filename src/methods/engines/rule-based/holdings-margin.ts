/**
 * Rule-based margin of one account with its holdings replaced, without touching the run: the JS twin of the kernel
 * (src/kernels/js/margin.ts, the same bits as every backend) over a one-account copy of the account's columns and
 * the run's instrument terms. A trial costs a pass over the account's positions, no kernel call and no allocation
 * beyond its result: what liquidation's sizing and what-if questions ask thousands of times.
 */
import { type MarginColumns, marginAccounts, positionTerms, statusOf, weighted } from '../../../kernels/js/margin.js';
import { type LayoutMemo, MemoSlot } from '../../../layout/memo.js';
import type { AccountHoldings, HoldingsMargin, UnionHoldings } from '../../method.js';

/**
 * One-account columns, reused from call to call (grown when an account has more holdings), over one run's views.
 * Owns its scratch (the one-account columns, the kept per-slot terms): made on first use, dropped with the object (one
 * per method run), never shared with another run. The unions' packed columns are kept by the layout (`memo`).
 */
export class RuleBasedHoldingsMargin {
  private local: MarginColumns | null = null;
  private source: MarginColumns | null = null;
  private capacity = 0;
  /** The account part of the one-account columns: every call writes what it reads. */
  private scratch: { capacity: number; columns: Partial<MarginColumns> } | null = null;
  /** The per-slot terms of the last pooled call (null until the first). */
  private terms: KeptTerms | null = null;

  /** `memo`: the layout's (book-layout.ts), where the unions' packed columns are kept from run to run. */
  constructor(private readonly memo: LayoutMemo) {}

  /**
   * Account a of `c` (the run's column views, instrument terms prepared) with `h` in place of its holdings. Pooled
   * (cross) figures come in a record the next call rewrites: read them first.
   */
  run(c: MarginColumns, a: number, h: AccountHoldings, isolated: boolean): HoldingsMargin {
    const p0 = c.posStart[a], n = c.posEnd[a] - p0;
    const k0 = c.colStart[a], m = c.colEnd[a] - k0;
    if (h.quantity.length !== n || h.isolatedMargin.length !== n || h.amount.length !== m) throw new RangeError(`holdings of account ${a}: expected ${n} positions and ${m} balances`);
    if (!isolated) return this.pooled(c, a, h, p0, n, k0, m);
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

  /**
   * Pooled margin of accounts that are in no layout (`unions`, netted), with the run's instrument terms and prices:
   * the kernel's JS twin, so the bits of any backend's run on a book holding those accounts. One pass over all of
   * them, each union an account of columns built once per unions array (they depend on the book alone:
   * src/subaccounts/policy.ts keeps one array per book), not a copy into one-account columns per pool; the kernel
   * margins accounts independently of one another.
   */
  unions(c: MarginColumns, unions: readonly UnionHoldings[]): HoldingsMargin[] {
    const packed = this.memo.get(PACKED_UNIONS, unions) ?? this.memo.set(PACKED_UNIONS, unions, packUnions(unions));
    const l: MarginColumns = { ...c, ...packed };
    marginAccounts(l, 0, unions.length, false, false);
    const out = new Array<HoldingsMargin>(unions.length);
    for (let r = 0; r < unions.length; r++) {
      out[r] = { equity: l.equity[r], equityIm: l.equityIm[r], equityMm: l.equityMm[r], im: l.im[r], mm: l.mm[r], grossNotional: l.gross[r], status: l.status[r] };
    }
    return out;
  }

  // ---- pooled (cross) margin with per-slot terms kept from call to call ----------------------------------------

  /** The epoch of this object's kept terms: {@link clear} and new column views start a new one. */
  private epoch = 0;
  private epochSource: MarginColumns | null = null;

  /** Forgets the kept terms: the instrument terms or prices changed (a run, a market move). */
  clear(): void {
    this.epoch++;
  }

  /** Bumped by {@link clear} (and new column views): terms computed in an older epoch are stale. */
  get termsEpoch(): number {
    return this.epoch;
  }

  /**
   * Pooled margin of account a with holdings h: the kernel's sums (src/kernels/js/margin.ts marginAccounts, not
   * isolated) over per-slot terms, each computed by the kernel's arithmetic ({@link positionTerms}, weighted) and
   * kept while the slot's instrument, entry and quantity (asset and amount) stay the same: a liquidation's trials
   * change one slot at a time, so a trial computes one or two slots' terms and re-adds the rest in slot order.
   */
  private pooled(c: MarginColumns, a: number, h: AccountHoldings, p0: number, n: number, k0: number, m: number): HoldingsMargin {
    if (c !== this.epochSource) {
      this.epochSource = c;
      this.epoch++;
    }
    const t = (this.terms ??= new KeptTerms());
    if (t.account !== a || t.epoch !== this.epoch) {
      if (t.valid.length < n || t.balValid.length < m) t.grow(Math.max(n, 2 * t.valid.length, 16), Math.max(m, 2 * t.balValid.length, 16));
      t.valid.fill(0, 0, n);
      t.balValid.fill(0, 0, m);
      t.account = a;
      t.epoch = this.epoch;
    } else if (t.valid.length < n || t.balValid.length < m) t.grow(Math.max(n, 2 * t.valid.length, 16), Math.max(m, 2 * t.balValid.length, 16));
    const bal = t.bal, pos = t.pos;
    let raw = 0.0;
    let wIm = 0.0;
    let wMm = 0.0;
    for (let k = 0; k < m; k++) {
      const asset = c.colAsset[k0 + k], amount = h.amount[k];
      if (t.balValid[k] === 0 || t.asset[k] !== asset || !same(t.amount[k], amount)) {
        const value = amount * c.price[asset];
        bal[3 * k] = value;
        bal[3 * k + 1] = weighted(c, asset, value, c.hairCumIm, c.hairIm, c.liabIm[asset]);
        bal[3 * k + 2] = weighted(c, asset, value, c.hairCumMm, c.hairMm, c.liabMm[asset]);
        t.asset[k] = asset;
        t.amount[k] = amount;
        t.balValid[k] = 1;
      }
      raw = raw + bal[3 * k];
      wIm = wIm + bal[3 * k + 1];
      wMm = wMm + bal[3 * k + 2];
    }
    let im = 0.0;
    let mm = 0.0;
    let mtm = 0.0;
    let gross = 0.0;
    // A trial runs this loop over every slot and recomputes one or two: the arrays in locals, and the check written
    // out. It may only err towards recomputing (the terms are a function of the inputs): NaN always recomputes, and a
    // zero is kept only with the same sign.
    const posInstrument = c.posInstrument, entryPrice = c.entryPrice, hq = h.quantity;
    const valid = t.valid, tInstrument = t.instrument, tEntry = t.entry, tQuantity = t.quantity;
    for (let k = 0; k < n; k++) {
      const instrument = posInstrument[p0 + k], entry = entryPrice[p0 + k], quantity = hq[k];
      const keptEntry = tEntry[k], keptQuantity = tQuantity[k];
      if (valid[k] === 0 || tInstrument[k] !== instrument || keptEntry !== entry || keptQuantity !== quantity
        || (entry === 0 && 1 / keptEntry !== 1 / entry) || (quantity === 0 && 1 / keptQuantity !== 1 / quantity)) {
        positionTerms(c, instrument, entry, quantity, pos, 4 * k);
        tInstrument[k] = instrument;
        tEntry[k] = entry;
        tQuantity[k] = quantity;
        valid[k] = 1;
      }
      im = im + pos[4 * k];
      mm = mm + pos[4 * k + 1];
      mtm = mtm + pos[4 * k + 2];
      gross = gross + pos[4 * k + 3];
    }
    // the one-account copy is live: its status is the rule's
    return pooledFigures(this.result, raw, wIm, wMm, im, mm, mtm, gross, h.cashUsd);
  }

  /** The pooled result, one record rewritten by every call (a trial reads it at once). perf: no-alloc-per-step */
  private readonly result: HoldingsMargin = { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0, positions: undefined };

  private columns(c: MarginColumns, size: number): MarginColumns {
    if (this.local && this.source === c && this.capacity >= size) return this.local;
    let scratch = this.scratch;
    if (scratch === null || scratch.capacity < size) scratch = this.scratch = oneAccountScratch(Math.max(size, 32, 2 * (scratch?.capacity ?? 0)));
    this.local = { ...c, ...scratch.columns }; // instruments, prices, schedules and terms: the run's own
    this.source = c;
    this.capacity = scratch.capacity;
    return this.local;
  }
}

/** Per-slot terms kept from one pooled call to the next, with the account and epoch they were computed for. */
class KeptTerms {
  /** The account, and its owner's epoch, the terms were computed for. */
  account = -1;
  epoch = -1;
  /** Per position slot: instrument, entry and quantity the terms were computed for, and IM, MM, MtM, notional (4 each). */
  instrument = new Int32Array(0);
  entry = new Float64Array(0);
  quantity = new Float64Array(0);
  pos = new Float64Array(0);
  valid = new Uint8Array(0);
  /** Per balance slot: asset and amount the terms were computed for, and value, IM- and MM-weighted value (3 each). */
  asset = new Int32Array(0);
  amount = new Float64Array(0);
  bal = new Float64Array(0);
  balValid = new Uint8Array(0);

  /** Room for n positions and m balances; every kept term is dropped (the flags start at 0). */
  grow(n: number, m: number): void {
    // views on three buffers, one per element type
    const f64 = new Float64Array(6 * n + 4 * m), i32 = new Int32Array(n + m), u8 = new Uint8Array(n + m);
    this.entry = f64.subarray(0, n);
    this.quantity = f64.subarray(n, 2 * n);
    this.pos = f64.subarray(2 * n, 6 * n);
    this.amount = f64.subarray(6 * n, 6 * n + m);
    this.bal = f64.subarray(6 * n + m);
    this.instrument = i32.subarray(0, n);
    this.asset = i32.subarray(n);
    this.valid = u8.subarray(0, n);
    this.balValid = u8.subarray(n);
  }
}

/** Object.is for numbers: +0 and −0 differ, NaN is NaN. */
function same(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y;
}

/** The account part of one-account columns, for up to `cap` positions and balances. */
function oneAccountScratch(cap: number): { capacity: number; columns: Partial<MarginColumns> } {
  const f64 = () => new Float64Array(cap);
  return {
    capacity: cap,
    columns: {
      live: Uint8Array.of(1), posStart: Int32Array.of(0), posEnd: Int32Array.of(0), colStart: Int32Array.of(0), colEnd: Int32Array.of(0),
      posInstrument: new Int32Array(cap), quantity: f64(), entryPrice: f64(), isolatedMargin: f64(), colAsset: new Int32Array(cap), amount: f64(),
      cashUsd: new Float64Array(1),
      posIm: f64(), posMm: f64(), posMtm: f64(), posNotional: f64(), posAlloc: f64(), posStatus: new Uint8Array(cap),
      equity: new Float64Array(1), equityIm: new Float64Array(1), equityMm: new Float64Array(1), im: new Float64Array(1), mm: new Float64Array(1),
      gross: new Float64Array(1), collateralValue: new Float64Array(1), status: new Uint8Array(1),
    },
  };
}

/** The unions' holdings as the account part of margin columns, one account per union, per unions array. */
const PACKED_UNIONS = new MemoSlot<Partial<MarginColumns>>('rule-based packed unions');

/** Concatenates the unions' positions and balances (in order) into CSR columns, with output columns to match. */
function packUnions(unions: readonly UnionHoldings[]): Partial<MarginColumns> {
  const n = unions.length;
  let slots = 0, balances = 0;
  for (const u of unions) {
    slots += u.instrument.length;
    balances += u.asset.length;
  }
  const posStart = new Int32Array(n), posEnd = new Int32Array(n), colStart = new Int32Array(n), colEnd = new Int32Array(n);
  const posInstrument = new Int32Array(slots), quantity = new Float64Array(slots), entryPrice = new Float64Array(slots);
  const colAsset = new Int32Array(balances), amount = new Float64Array(balances), cashUsd = new Float64Array(n);
  let p = 0, k = 0;
  for (let r = 0; r < n; r++) {
    const u = unions[r];
    posStart[r] = p;
    posInstrument.set(u.instrument, p);
    quantity.set(u.quantity, p);
    entryPrice.set(u.entryPrice, p);
    posEnd[r] = p += u.instrument.length;
    colStart[r] = k;
    colAsset.set(u.asset, k);
    amount.set(u.amount, k);
    colEnd[r] = k += u.asset.length;
    cashUsd[r] = u.cashUsd;
  }
  const f64 = (m: number) => new Float64Array(Math.max(m, 1));
  return {
    live: new Uint8Array(n).fill(1), posStart, posEnd, colStart, colEnd, posInstrument, quantity, entryPrice,
    isolatedMargin: new Float64Array(slots).fill(NaN), colAsset, amount, cashUsd,
    posIm: f64(slots), posMm: f64(slots), posMtm: f64(slots), posNotional: f64(slots), posAlloc: f64(slots), posStatus: new Uint8Array(Math.max(slots, 1)),
    equity: f64(n), equityIm: f64(n), equityMm: f64(n), im: f64(n), mm: f64(n), gross: f64(n), collateralValue: f64(n), status: new Uint8Array(Math.max(n, 1)),
  };
}

/**
 * Writes a pooled account's figures into `r` from its sums (balances' raw, IM- and MM-weighted values; positions' IM,
 * MM, mark-to-market and gross notional; cash): the same operations, in the same order, as src/kernels/js/margin.ts.
 */
export function pooledFigures(r: HoldingsMargin, raw: number, wIm: number, wMm: number, im: number, mm: number, mtm: number, gross: number, cash: number): HoldingsMargin {
  const rawCash = raw + cash;
  const wImCash = wIm + cash;
  const wMmCash = wMm + cash;
  const equity = rawCash + mtm, equityIm = wImCash + mtm, equityMm = wMmCash + mtm;
  r.equity = equity;
  r.equityIm = equityIm;
  r.equityMm = equityMm;
  r.im = im;
  r.mm = mm;
  r.grossNotional = gross;
  r.status = statusOf(equity, equityIm, equityMm, im, mm);
  return r;
}
