import type { GreeksInput, GreeksOutput } from '../greeks/types.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION, MARK_QUOTED } from '../layout/codes.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { Column } from '../memory/columns.js';

/**
 * Mark per unit of underlying for every instrument, into `value`: options at their quoted mark when there is
 * one, else at model value (generalised BSM at the implied vol, priced by `greeks` in one batch); linear
 * instruments at their market mark.
 */
export function valueInstruments(layout: BookLayout, market: MarketLayout, value: Column<'f64'>, greeks: (input: GreeksInput) => GreeksOutput): void {
  const ins = layout.instruments;
  const kind = ins.kind.array;
  const n = ins.count;
  const optionRows: number[] = [];
  for (let i = 0; i < n; i++) if (kind[i] === KIND_OPTION && market.markSource.array[i] !== MARK_QUOTED) optionRows.push(i);
  const m = optionRows.length;
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(m), spot: new Float64Array(m), strike: new Float64Array(m), expiryYears: new Float64Array(m),
    vol: new Float64Array(m), rate: new Float64Array(m), carry: new Float64Array(m),
  };
  const underlying = ins.underlying.array;
  optionRows.forEach((i, j) => {
    const u = underlying[i];
    input.isCall[j] = ins.isCall.array[i];
    input.spot[j] = market.price.array[u];
    input.strike[j] = ins.strike.array[i];
    input.expiryYears[j] = market.expiryYears.array[i];
    input.vol[j] = market.impliedVol.array[i];
    input.rate[j] = market.rate.array[u];
    input.carry[j] = market.carry.array[u];
  });
  const prices = m > 0 ? greeks(input).price : new Float64Array(0);
  const values = value.array;
  values.set(market.mark.array.subarray(0, n));
  optionRows.forEach((i, j) => (values[i] = prices[j]));
}
