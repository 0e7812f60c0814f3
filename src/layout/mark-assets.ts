/**
 * What moves each instrument's quoted mark when a market is moved without new marks (src/model/move-market.ts): its
 * underlying, and the asset it is quoted in when not USD: a linear contract settled in another asset than USD and its
 * underlying (a USDC perpetual, quoted in USDC: its index in its own unit is S/P, so its mark moves by (S'/S)/(P'/P)),
 * and an option settled in an asset (a coin-settled option, its premium in the coin: its USD value S'/S times its
 * value before, as a USD option's, is (S'/S)/(P'/P) coins, 1 for an option on its own coin). An inverse contract is
 * quoted in USD.
 */
import type { BookLayout } from './book-layout.js';
import { KIND_OPTION } from './codes.js';

export interface MarkAssets {
  /** Instrument id → its underlying's symbol. */
  underlyingOf: Map<string, string>;
  /** Instrument id → the symbol its mark is quoted in, for the contracts quoted in an asset (absent: USD). */
  quotedIn: Map<string, string>;
}

export function markAssets(layout: BookLayout): MarkAssets {
  const ins = layout.instruments, underlyingOf = new Map<string, string>(), quotedIn = new Map<string, string>();
  for (let i = 0; i < ins.count; i++) {
    const u = ins.underlying.array[i], s = ins.settlement.array[i];
    underlyingOf.set(ins.ids[i], layout.assets[u]);
    const option = ins.kind.array[i] === KIND_OPTION;
    if (s >= 0 && (option || s !== u)) quotedIn.set(ins.ids[i], layout.assets[s]);
  }
  return { underlyingOf, quotedIn };
}
