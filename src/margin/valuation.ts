import type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION, MARK_QUOTED } from '../layout/codes.js';
import type { MarketLayout } from '../layout/market-layout.js';
import type { Column } from '../memory/columns.js';
import { optionPrice } from '../greeks/one-option.js';
import { inGreeksRange } from '../model/greeks-validate.js';
import { valueInSettlement } from './coin-valuation.js';

/**
 * Options priced one by one by the JS twin below this many (the same bits as the batch: src/greeks/one-option.ts).
 * perf: threshold (docs/performance.md): a batch's fixed marshalling is paid by every one-account call.
 */
export const SMALL_OPTION_BATCH = 16;

/**
 * Mark per unit of underlying for every instrument, into `value`: options at their quoted mark when there is
 * one, else at model value (generalised BSM at the implied vol, priced by `greeks` in one batch, or one by one when
 * there are fewer than {@link SMALL_OPTION_BATCH}); linear instruments at their market mark. Instruments settled in
 * an asset are then valued in it (src/margin/coin-valuation.ts): a book without any keeps the bits it always had.
 */
export function valueInstruments(layout: BookLayout, market: MarketLayout, value: Column<'f64'>, greeks: (input: GreeksInput) => GreeksOutput): void {
  valueInUsd(layout, market, value, greeks);
  if (layout.instruments.anySettled()) valueInSettlement(layout, market, value.array);
}

function valueInUsd(layout: BookLayout, market: MarketLayout, value: Column<'f64'>, greeks: (input: GreeksInput) => GreeksOutput): void {
  const ins = layout.instruments;
  const kind = ins.kind.array, markSource = market.markSource.array;
  const n = ins.count;
  const optionRows: number[] = [];
  for (let i = 0; i < n; i++) if (kind[i] === KIND_OPTION && markSource[i] !== MARK_QUOTED) optionRows.push(i);
  const m = optionRows.length;
  const underlying = ins.underlying.array, isCall = ins.isCall.array, strike = ins.strike.array;
  const price = market.price.array, expiryYears = market.expiryYears.array, vol = market.impliedVol.array, rate = market.rate.array, carry = market.carry.array;
  const values = value.array;
  values.set(market.mark.array.subarray(0, n));
  // one by one when every input is in the kernel's ranges (else the batch, whose check names the bad value)
  let small = m < SMALL_OPTION_BATCH;
  for (let j = 0; small && j < m; j++) {
    const i = optionRows[j], u = underlying[i];
    small = inGreeksRange(price[u], strike[i], expiryYears[i], vol[i], rate[u], carry[u]);
  }
  if (small) {
    for (const i of optionRows) {
      const u = underlying[i];
      values[i] = optionPrice(isCall[i] !== 0, price[u], strike[i], expiryYears[i], vol[i], rate[u], carry[u]);
    }
    return;
  }
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(m), spot: new Float64Array(m), strike: new Float64Array(m), expiryYears: new Float64Array(m),
    vol: new Float64Array(m), rate: new Float64Array(m), carry: new Float64Array(m),
  };
  for (let j = 0; j < m; j++) {
    const i = optionRows[j], u = underlying[i];
    input.isCall[j] = isCall[i];
    input.spot[j] = price[u];
    input.strike[j] = strike[i];
    input.expiryYears[j] = expiryYears[i];
    input.vol[j] = vol[i];
    input.rate[j] = rate[u];
    input.carry[j] = carry[u];
  }
  const prices = greeks(input).price;
  const out = value.array; // the kernel may have grown memory: a fresh view
  for (let j = 0; j < m; j++) out[optionRows[j]] = prices[j];
}
