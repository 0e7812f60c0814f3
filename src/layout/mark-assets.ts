/**
 * What moves each instrument's quoted mark when a market is moved without new marks (src/model/move-market.ts): its
 * underlying, and the asset it is quoted in when not USD: a linear contract settled in another asset than USD and its
 * underlying (a USDC perpetual, quoted in USDC: its index in its own unit is S/P, so its mark moves by (S'/S)/(P'/P)).
 * An inverse contract is quoted in USD. An option's quoted mark moves with its model value: its terms are here, its
 * rule in the pricing layer (src/margin/coin-valuation.ts optionMarkMoved).
 */
import type { MarkMovers, QuotedOptionTerms } from '../model/move-market.js';
import type { BookLayout } from './book-layout.js';
import { KIND_OPTION } from './codes.js';

export interface MarkAssets extends MarkMovers {
  underlyingOf: Map<string, string>;
  quotedIn: Map<string, string>;
  options: Map<string, QuotedOptionTerms>;
}

export function markAssets(layout: BookLayout): MarkAssets {
  const ins = layout.instruments, underlyingOf = new Map<string, string>(), quotedIn = new Map<string, string>();
  const options = new Map<string, QuotedOptionTerms>();
  for (let i = 0; i < ins.count; i++) {
    const u = ins.underlying.array[i], s = ins.settlement.array[i], id = ins.ids[i];
    underlyingOf.set(id, layout.assets[u]);
    if (ins.kind.array[i] === KIND_OPTION) options.set(id, { isCall: ins.isCall.array[i] === 1, strike: ins.strike.array[i], expiryMs: ins.expiryMs.array[i], coin: s === u });
    else if (s >= 0 && s !== u) quotedIn.set(id, layout.assets[s]);
  }
  return { underlyingOf, quotedIn, options };
}
