/**
 * The output columns of a margin run: what the rule-based kernel writes for every method (equity with and
 * without haircuts, gross notional, collateral value; per-position rows with breakdown) and what each method
 * writes (IM, MM, status). Every method reads and writes its results here, so the report is built one way.
 */
import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { Column, type ColumnAllocator, type ColumnType } from '../memory/columns.js';
import { MARGIN_COLUMNS, type MarginColumnName } from '../kernels/abi.js';
import { type MarginColumns, TERMS_STRIDE } from '../kernels/js/margin.js';
import { grownCapacity, resizeColumn } from '../layout/resize.js';
import type { ParamLayout } from './param-layout.js';

/**
 * Output columns owned by a margin run (the rest belong to the layout, market and parameters). The per-position columns
 * (`posIm` … `posStatus`) are what the rule-based kernel writes when it keeps positions (a report with breakdown,
 * isolated margin, a call with RULE_KEEP_POSITIONS): until a run first keeps them ({@link keepPositions}) they are
 * empty, so a run that never does (most: cross, portfolio, … without breakdown) neither clears nor holds 41 bytes a
 * position slot.
 */
export class MarginOutputs {
  readonly value: Column<'f64'>;
  // Per position slot and per account: replaced by larger columns when the layout outgrows them (ensureCapacity).
  posIm: Column<'f64'>;
  posMm: Column<'f64'>;
  posMtm: Column<'f64'>;
  posNotional: Column<'f64'>;
  posAlloc: Column<'f64'>;
  posStatus: Column<'u8'>;
  equity: Column<'f64'>;
  equityIm: Column<'f64'>;
  equityMm: Column<'f64'>;
  im: Column<'f64'>;
  mm: Column<'f64'>;
  gross: Column<'f64'>;
  collateralValue: Column<'f64'>;
  status: Column<'u8'>;
  /** [instruments, linear stride, haircut stride, zero-schedule row]: the kernels' loop bounds. */
  readonly shape: Column<'i32'>;
  /** Scratch: the rule-based kernel's per-instrument terms (TERMS_STRIDE f64 each). */
  readonly instrumentTerms: Column<'f64'>;
  /** Argument block: one u32 pointer per MARGIN_COLUMNS entry. */
  readonly args: Column<'i32'>;
  /** Changes whenever ensureCapacity replaced a column (its `ptr` moved). */
  version = 0;

  /** Position slots the per-position columns have, or will have when kept. */
  private slots: number;
  /** Whether the per-position columns are allocated ({@link keepPositions}). */
  private positionsKept = false;

  constructor(allocator: ColumnAllocator, instruments: number, slots: number, accounts: number, params: ParamLayout) {
    const f64 = (n: number) => Column.allocate(allocator, 'f64', n);
    this.shape = Column.allocate(allocator, 'i32', 4);
    this.shape.array.set([instruments, params.linStride, params.hairStride, params.zeroRow]);
    this.instrumentTerms = f64(instruments * TERMS_STRIDE);
    this.value = f64(instruments);
    this.slots = slots;
    this.posIm = f64(0);
    this.posMm = f64(0);
    this.posMtm = f64(0);
    this.posNotional = f64(0);
    this.posAlloc = f64(0);
    this.posStatus = Column.allocate(allocator, 'u8', 0);
    this.equity = f64(accounts);
    this.equityIm = f64(accounts);
    this.equityMm = f64(accounts);
    this.im = f64(accounts);
    this.mm = f64(accounts);
    this.gross = f64(accounts);
    this.collateralValue = f64(accounts);
    this.status = Column.allocate(allocator, 'u8', accounts);
    this.args = Column.allocate(allocator, 'i32', MARGIN_COLUMNS.length);
  }

  /**
   * Grows the per-slot and per-account columns (keeping their values) when the layout's position slots or
   * accounts outgrew them since the run was prepared: in-place edits may relocate an account's positions
   * into new slots. O(1) when they fit.
   */
  ensureCapacity(slots: number, accounts: number): void {
    if (slots > this.slots) this.slots = grownCapacity(this.slots, slots);
    if (this.positionsKept) this.growPositions();
    this.equity = this.grown(this.equity, accounts);
    this.equityIm = this.grown(this.equityIm, accounts);
    this.equityMm = this.grown(this.equityMm, accounts);
    this.im = this.grown(this.im, accounts);
    this.mm = this.grown(this.mm, accounts);
    this.gross = this.grown(this.gross, accounts);
    this.collateralValue = this.grown(this.collateralValue, accounts);
    this.status = this.grown(this.status, accounts);
  }

  /** Slots the layout holds now (or more), for a run that may keep positions: the per-position columns fit them. */
  get slotCapacity(): number {
    return this.slots;
  }

  /**
   * Allocates the per-position columns (zeroed, a slot each) if they are not yet: before a kernel call that keeps
   * positions. A run's columns, once kept, stay kept.
   */
  keepPositions(): void {
    if (this.positionsKept) return;
    this.positionsKept = true;
    this.growPositions();
  }

  private growPositions(): void {
    const slots = this.slots;
    this.posIm = this.grown(this.posIm, slots);
    this.posMm = this.grown(this.posMm, slots);
    this.posMtm = this.grown(this.posMtm, slots);
    this.posNotional = this.grown(this.posNotional, slots);
    this.posAlloc = this.grown(this.posAlloc, slots);
    this.posStatus = this.grown(this.posStatus, slots);
  }

  /** `c`, or a larger column with its values when it holds fewer than `needed` (the outputs' version moves). */
  private grown<K extends ColumnType>(c: Column<K>, needed: number): Column<K> {
    if (c.length >= needed) return c;
    this.version++;
    return resizeColumn(c, grownCapacity(c.length, needed), c.length);
  }

  release(): void {
    for (const c of Object.values(this)) if (c instanceof Column) c.release();
  }
}

/** Columns by kernel name, from a layout, its market, the parameters and the outputs. */
export function marginColumnMap(layout: BookLayout, market: MarketLayout, params: ParamLayout, out: MarginOutputs): Record<MarginColumnName, Column> {
  const pos = layout.positions;
  const col = layout.collateral;
  const ins = layout.instruments;
  return {
    kind: ins.kind, underlying: ins.underlying, multiplier: ins.multiplier, strike: ins.strike, isCall: ins.isCall,
    value: out.value, price: market.price,
    live: layout.live, posStart: pos.start, posEnd: pos.end, posInstrument: pos.column('instrument'),
    quantity: pos.column('quantity'), entryPrice: pos.column('entryPrice'), isolatedMargin: pos.column('isolatedMargin'),
    colStart: col.start, colEnd: col.end, colAsset: col.column('asset'), amount: col.column('amount'), cashUsd: layout.cashUsd,
    linUpTo: params.linear.upTo, linLower: params.linear.lower, linCumIm: params.linear.cumA, linIm: params.linear.rateA,
    linCumMm: params.linear.cumB, linMm: params.linear.rateB,
    optBase: params.optBase, optFloor: params.optFloor, optMm: params.optMm, linSizeIm: params.linSizeIm, linSizeMm: params.linSizeMm,
    hairUpTo: params.haircut.upTo, hairLower: params.haircut.lower, hairCumIm: params.haircut.cumA, hairIm: params.haircut.rateA,
    hairCumMm: params.haircut.cumB, hairMm: params.haircut.rateB,
    liabIm: params.liabIm, liabMm: params.liabMm, shape: out.shape, instrumentTerms: out.instrumentTerms,
    posIm: out.posIm, posMm: out.posMm, posMtm: out.posMtm, posNotional: out.posNotional, posAlloc: out.posAlloc, posStatus: out.posStatus,
    equity: out.equity, equityIm: out.equityIm, equityMm: out.equityMm, im: out.im, mm: out.mm, gross: out.gross,
    collateralValue: out.collateralValue, status: out.status, settlement: ins.settlement, forwardGrowth: market.forwardGrowth,
  };
}

/** Views of every column, for the JS kernels (one object literal: src/kernels/margin-views.ts). */
export { marginViews } from '../kernels/margin-views.js';
