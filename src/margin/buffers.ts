import type { BookLayout } from '../layout/book-layout.js';
import type { MarketLayout } from '../layout/market-layout.js';
import { Column, type ColumnAllocator } from '../memory/columns.js';
import { type MarginColumns, TERMS_STRIDE } from '../kernels/js/margin.js';
import type { ParamLayout } from './param-layout.js';

/**
 * Every column the rule-based kernels touch, in one fixed order: the kernels' ABI. The JS backend
 * reads them as views; the WASM kernel reads their pointers from an argument block in that order
 * (assembly/margin/rule-based.ts has the same list).
 */
export const MARGIN_COLUMNS = [
  'kind', 'underlying', 'multiplier', 'strike', 'isCall', 'value', 'price',
  'live', 'posStart', 'posEnd', 'posInstrument', 'quantity', 'entryPrice', 'isolatedMargin',
  'colStart', 'colEnd', 'colAsset', 'amount', 'cashUsd',
  'linUpTo', 'linLower', 'linCumIm', 'linIm', 'linCumMm', 'linMm', 'optBase', 'optFloor', 'optMm',
  'hairUpTo', 'hairLower', 'hairCumIm', 'hairIm', 'hairCumMm', 'hairMm', 'liabIm', 'liabMm',
  'shape', 'instrumentTerms',
  'posIm', 'posMm', 'posMtm', 'posNotional', 'posAlloc', 'posStatus',
  'equity', 'equityIm', 'equityMm', 'im', 'mm', 'gross', 'collateralValue', 'status',
] as const satisfies readonly (keyof MarginColumns)[];

/** Output columns owned by a margin run (the rest belong to the layout, market and parameters). */
export class MarginOutputs {
  readonly value: Column<'f64'>;
  readonly posIm: Column<'f64'>;
  readonly posMm: Column<'f64'>;
  readonly posMtm: Column<'f64'>;
  readonly posNotional: Column<'f64'>;
  readonly posAlloc: Column<'f64'>;
  readonly posStatus: Column<'u8'>;
  readonly equity: Column<'f64'>;
  readonly equityIm: Column<'f64'>;
  readonly equityMm: Column<'f64'>;
  readonly im: Column<'f64'>;
  readonly mm: Column<'f64'>;
  readonly gross: Column<'f64'>;
  readonly collateralValue: Column<'f64'>;
  readonly status: Column<'u8'>;
  /** [instruments, linear stride, haircut stride, zero-schedule row]: the kernels' loop bounds. */
  readonly shape: Column<'i32'>;
  /** Scratch: the rule-based kernel's per-instrument terms (TERMS_STRIDE f64 each). */
  readonly instrumentTerms: Column<'f64'>;
  /** Argument block: one u32 pointer per MARGIN_COLUMNS entry. */
  readonly args: Column<'i32'>;

  constructor(allocator: ColumnAllocator, instruments: number, slots: number, accounts: number, params: ParamLayout) {
    const f64 = (n: number) => Column.allocate(allocator, 'f64', n);
    this.shape = Column.allocate(allocator, 'i32', 4);
    this.shape.array.set([instruments, params.linStride, params.hairStride, params.zeroRow]);
    this.instrumentTerms = f64(instruments * TERMS_STRIDE);
    this.value = f64(instruments);
    this.posIm = f64(slots);
    this.posMm = f64(slots);
    this.posMtm = f64(slots);
    this.posNotional = f64(slots);
    this.posAlloc = f64(slots);
    this.posStatus = Column.allocate(allocator, 'u8', slots);
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

  release(): void {
    for (const c of Object.values(this)) if (c instanceof Column) c.release();
  }
}

/** Columns by kernel name, from a layout, its market, the parameters and the outputs. */
export function marginColumnMap(layout: BookLayout, market: MarketLayout, params: ParamLayout, out: MarginOutputs): Record<(typeof MARGIN_COLUMNS)[number], Column> {
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
    optBase: params.optBase, optFloor: params.optFloor, optMm: params.optMm,
    hairUpTo: params.haircut.upTo, hairLower: params.haircut.lower, hairCumIm: params.haircut.cumA, hairIm: params.haircut.rateA,
    hairCumMm: params.haircut.cumB, hairMm: params.haircut.rateB,
    liabIm: params.liabIm, liabMm: params.liabMm, shape: out.shape, instrumentTerms: out.instrumentTerms,
    posIm: out.posIm, posMm: out.posMm, posMtm: out.posMtm, posNotional: out.posNotional, posAlloc: out.posAlloc, posStatus: out.posStatus,
    equity: out.equity, equityIm: out.equityIm, equityMm: out.equityMm, im: out.im, mm: out.mm, gross: out.gross,
    collateralValue: out.collateralValue, status: out.status,
  };
}

/** Views of every column, for the JS kernels. */
export function marginViews(columns: Record<(typeof MARGIN_COLUMNS)[number], Column>): MarginColumns {
  return Object.fromEntries(MARGIN_COLUMNS.map((name) => [name, columns[name].array])) as unknown as MarginColumns;
}
