/** Shared pieces of the live-margin tests: the method variants, a returns matrix, random account changes. */
import type { MarginMethodName as MarginMethod } from '../../src/index.js';
import type { AccountChange } from '../../src/margin/account-changes.js';
import type { BookLayout } from '../../src/layout/book-layout.js';
import { mulberry32 } from './random.js';

export interface Variant {
  name: string;
  method: MarginMethod;
  params?: unknown;
}

/** Daily simple returns for `assets`, `dates` rows, seeded (for historical VaR). */
export function returnsMatrix(assets: readonly string[], dates: number, seed: number): { assets: string[]; matrix: number[][] } {
  const rnd = mulberry32(seed);
  return { assets: [...assets], matrix: Array.from({ length: dates }, () => assets.map(() => (rnd() - 0.5) * 0.12)) };
}

/** Every method, with the VaR models and both portfolio aggregations. `riskyAssets`: the market's assets with vol > 0. */
export function variants(riskyAssets: readonly string[]): Variant[] {
  return [
    { name: 'isolated', method: 'isolated' },
    { name: 'cross', method: 'cross' },
    { name: 'portfolio', method: 'portfolio' },
    { name: 'portfolio correlation', method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } } },
    { name: 'var delta-normal', method: 'var' },
    { name: 'var delta-normal es', method: 'var', params: { var: { measure: 'es', floorRate: 0 } } },
    { name: 'var delta-gamma', method: 'var', params: { var: { model: 'delta-gamma', measure: 'es' } } },
    { name: 'var monte-carlo', method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } },
    { name: 'var historical', method: 'var', params: { var: { model: 'historical', measure: 'es', returns: returnsMatrix(riskyAssets, 120, 9) } } },
  ];
}

/**
 * 1–3 random changes to account a: fills that add to, cut, close or flip a held position, fills on an
 * instrument it does not hold (options pay premium), deposits and withdrawals of held and new assets, USD cash.
 */
export function randomChanges(layout: BookLayout, a: number, rnd: () => number, assets: readonly number[]): AccountChange[] {
  const changes: AccountChange[] = [];
  const n = 1 + Math.floor(rnd() * 3);
  const pos = layout.positions;
  const instruments = layout.instruments.count;
  for (let c = 0; c < n; c++) {
    const kind = rnd();
    const count = pos.countOf(a);
    if (kind < 0.35 && count > 0) {
      const slot = pos.start.array[a] + Math.floor(rnd() * count);
      const row = pos.column<'i32'>('instrument').array[slot];
      const held = pos.column<'f64'>('quantity').array[slot];
      const r = rnd();
      const quantity = r < 0.25 ? -held : r < 0.5 ? -held * 0.5 : r < 0.75 ? -2.5 * held || 1 : held || 3;
      changes.push({ instrument: row, quantity, price: priceOf(layout, row, rnd) });
    } else if (kind < 0.65) {
      const row = Math.floor(rnd() * instruments);
      changes.push({ instrument: row, quantity: Math.round((rnd() - 0.5) * 20) || 1, price: priceOf(layout, row, rnd) });
    } else if (kind < 0.9) {
      const asset = assets[Math.floor(rnd() * assets.length)];
      changes.push({ asset, amount: Math.round((rnd() - 0.4) * 1e5) / 100 });
    } else {
      changes.push({ cashUsd: Math.round((rnd() - 0.5) * 1e7) / 100 });
    }
  }
  return changes;
}

/** A plausible fill price: an option's strike / 20, a linear instrument's around 100 to 100,000. */
function priceOf(layout: BookLayout, row: number, rnd: () => number): number {
  const strike = layout.instruments.strike.array[row];
  return strike > 0 ? Math.round(strike * (0.02 + 0.05 * rnd())) : Math.round(10 ** (2 + 3 * rnd()));
}

/** The account's slots and cash as plain data, to check that nothing changed. */
export function accountSnapshot(layout: BookLayout, a: number): unknown {
  const pos = layout.positions, col = layout.collateral;
  const p = Array.from({ length: pos.countOf(a) }, (_, k) => {
    const slot = pos.start.array[a] + k;
    return [pos.column<'i32'>('instrument').array[slot], pos.column<'f64'>('quantity').array[slot], pos.column<'f64'>('entryPrice').array[slot]];
  });
  const c = Array.from({ length: col.countOf(a) }, (_, k) => {
    const slot = col.start.array[a] + k;
    return [col.column<'i32'>('asset').array[slot], col.column<'f64'>('amount').array[slot]];
  });
  return { p, c, cash: layout.cashUsd.array[a] };
}
