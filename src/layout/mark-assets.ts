/**
 * What moves each instrument's quoted mark when a market is moved without new marks (src/model/move-market.ts): its
 * underlying, and for a linear contract settled in another asset than USD and its underlying (a USDC perpetual,
 * quoted in USDC) that asset too: its index in its own unit is S/P, so its mark moves by (S'/S)/(P'/P).
 */
import type { BookLayout } from './book-layout.js';
import { KIND_OPTION } from './codes.js';

export interface MarkAssets {
  /** Instrument id → its underlying's symbol. */
  underlyingOf: Map<string, string>;
  /** Instrument id → the symbol its mark is quoted in, for the linear contracts quoted in an asset (absent: USD, or their underlying). */
  quotedIn: Map<string, string>;
}

export function markAssets(layout: BookLayout): MarkAssets {
  const ins = layout.instruments, underlyingOf = new Map<string, string>(), quotedIn = new Map<string, string>();
  for (let i = 0; i < ins.count; i++) {
    const u = ins.underlying.array[i], s = ins.settlement.array[i];
    underlyingOf.set(ins.ids[i], layout.assets[u]);
    if (s >= 0 && s !== u && ins.kind.array[i] !== KIND_OPTION) quotedIn.set(ins.ids[i], layout.assets[s]);
  }
  return { underlyingOf, quotedIn };
}
