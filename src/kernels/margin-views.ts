/** Views of the rule-based kernel's columns for its JS twin (src/kernels/js/margin.ts). */
import type { Column } from '../memory/columns.js';
import type { MarginColumnName } from './abi.js';
import type { MarginColumns } from './js/margin.js';

/**
 * Views of every column, for the JS kernels, written out as one object literal rather than built from the name list.
 * perf: object-literal (docs/performance.md)
 */
export function marginViews(c: Record<MarginColumnName, Column>): MarginColumns {
  const v = <T extends Column>(column: T) => column.array as never;
  return {
    kind: v(c.kind), underlying: v(c.underlying), multiplier: v(c.multiplier), strike: v(c.strike), isCall: v(c.isCall),
    value: v(c.value), price: v(c.price), live: v(c.live), posStart: v(c.posStart), posEnd: v(c.posEnd),
    posInstrument: v(c.posInstrument), quantity: v(c.quantity), entryPrice: v(c.entryPrice), isolatedMargin: v(c.isolatedMargin), colStart: v(c.colStart),
    colEnd: v(c.colEnd), colAsset: v(c.colAsset), amount: v(c.amount), cashUsd: v(c.cashUsd), linUpTo: v(c.linUpTo),
    linLower: v(c.linLower), linCumIm: v(c.linCumIm), linIm: v(c.linIm), linCumMm: v(c.linCumMm), linMm: v(c.linMm),
    optBase: v(c.optBase), optFloor: v(c.optFloor), optMm: v(c.optMm), linSizeIm: v(c.linSizeIm), linSizeMm: v(c.linSizeMm), hairUpTo: v(c.hairUpTo), hairLower: v(c.hairLower),
    hairCumIm: v(c.hairCumIm), hairIm: v(c.hairIm), hairCumMm: v(c.hairCumMm), hairMm: v(c.hairMm), liabIm: v(c.liabIm),
    liabMm: v(c.liabMm), shape: v(c.shape), instrumentTerms: v(c.instrumentTerms), posIm: v(c.posIm), posMm: v(c.posMm),
    posMtm: v(c.posMtm), posNotional: v(c.posNotional), posAlloc: v(c.posAlloc), posStatus: v(c.posStatus), equity: v(c.equity),
    equityIm: v(c.equityIm), equityMm: v(c.equityMm), im: v(c.im), mm: v(c.mm), gross: v(c.gross),
    collateralValue: v(c.collateralValue), status: v(c.status), settlement: v(c.settlement), forwardGrowth: v(c.forwardGrowth),
  };
}
