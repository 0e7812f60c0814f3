import type { BookLayout } from './book-layout.js';

/** Contracts of instrument row `row` account a holds (0 when none; one slot per instrument: positions are netted). */
export function heldQuantity(layout: BookLayout, a: number, row: number): number {
  const pos = layout.positions, instrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
  for (let p = pos.start.array[a]; p < pos.end.array[a]; p++) if (instrument[p] === row) return quantity[p];
  return 0;
}
