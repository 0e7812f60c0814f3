/**
 * The add-on entries kernel (assembly/portfolio/book-slots.ts addOnEntries, twin src/kernels/js/portfolio/book-slots.ts)
 * on a hand-worked book, on the JS twin, WASM scalar and WASM SIMD: an account's distinct ranks read back in ascending
 * order from a bit per rank (across words, bit 31 included), an option key an entry only when its net (summed in
 * position order from +0) is short, a linear key's positions listed in position order, nothing carried from one
 * account to the next, an account not live without entries, the coin flag from its first position's settlement.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADD_ON_ENTRIES_COLUMNS, type AddOnEntriesColumnName } from '../../src/kernels/abi.js';
import type { AddOnEntriesColumns } from '../../src/kernels/js/portfolio/book-slots.js';
import { Column, type ColumnType } from '../../src/memory/columns.js';
import { type KernelBackend, kernelBackends } from '../support/margin-kernels.js';

// instrument rows 0..6: their ranks (< 40 option keys, from 40 linear), multipliers and settlement (row 4 in asset 1)
const FIRST_LINEAR = 40;
const RANK = [31, 0, 32, -1, 40, 31, 63];
const MULTIPLIER = [1, 10, 0.5, 1, 2, 1, 3];
const SETTLEMENT = [-1, -1, -1, -1, 1, -1, -1];
// each rank's underlying: rank 31's is 33, past 30, so it shares the mask's bit 31
const RANK_UNDERLYING = Array.from({ length: 64 }, (_, r) => ({ 0: 2, 31: 33, 32: 5, 40: 0, 63: 4 })[r] ?? 7);

// accounts: (row, quantity) positions; account 2 is not live
const ACCOUNTS: { live: number; positions: [number, number][] }[] = [
  { live: 1, positions: [[6, 1], [0, -2], [3, 5], [2, 4], [5, 0.5], [1, -0.25], [6, -1]] },
  { live: 1, positions: [[1, 0.2], [0, -0]] }, // rank 0 long 2 (a net carried from account 0 would be −0.5); rank 31 nets to +0
  { live: 0, positions: [[1, -5]] },
  { live: 1, positions: [[3, 1]] }, // no keyed position
  { live: 1, positions: [[4, 2], [4, -0.5]] },
];

function run(backend: KernelBackend) {
  const own: Column[] = [];
  const column = <K extends ColumnType>(type: K, values: ArrayLike<number> | number): Column<K> => {
    const c = Column.allocate(backend.allocator, type, typeof values === 'number' ? values : values.length);
    if (typeof values !== 'number') (c.array as unknown as number[] & { set(v: ArrayLike<number>): void }).set(values);
    own.push(c);
    return c;
  };
  const starts = [0];
  for (const a of ACCOUNTS) starts.push(starts[starts.length - 1] + a.positions.length);
  const all = ACCOUNTS.flatMap((a) => a.positions), n = ACCOUNTS.length;
  const columns: Record<AddOnEntriesColumnName, Column> = {
    live: column('u8', ACCOUNTS.map((a) => a.live)), posStart: column('i32', starts.slice(0, -1)), posEnd: column('i32', starts.slice(1)),
    posInstrument: column('i32', all.map(([row]) => row)), quantity: column('f64', all.map(([, q]) => q)),
    multiplier: column('f64', MULTIPLIER), settlement: column('i32', SETTLEMENT), rank: column('i32', RANK), rankUnderlying: column('i32', RANK_UNDERLYING),
    optStart: column('i32', n), optEnd: column('i32', n), linStart: column('i32', n), linEnd: column('i32', n), mask: column('i32', n), coin: column('u8', n),
    optUnderlying: column('i32', 8), optUnits: column('f64', 8), linUnderlying: column('i32', 8), linFrom: column('i32', 8), linTo: column('i32', 8),
    linInstrument: column('i32', 8), linUnits: column('f64', 8),
    net: column('f64', 64), count: column('i32', 64), next: column('i32', 64), bits: column('i32', 2), keys: column('i32', 7), linearPositions: column('i32', 7),
  };
  backend.kernels.addOnEntries(columns, column('i32', ADD_ON_ENTRIES_COLUMNS.length), n, FIRST_LINEAR);
  const out = Object.fromEntries(ADD_ON_ENTRIES_COLUMNS.map((name) => [name, Array.from(columns[name].array)])) as unknown as Record<keyof AddOnEntriesColumns, number[]>;
  for (const c of own) c.release();
  return out;
}

describe('add-on entries kernel', () => {
  let backends: KernelBackend[];
  beforeAll(async () => {
    backends = await kernelBackends();
  });

  it('writes the hand-worked entries on every backend', () => {
    for (const backend of backends) {
      const got = run(backend);
      // account 0: rank 0 nets −0.25 × 10 = −2.5 and rank 31 −2 + 0.5 = −1.5 (short: entries); rank 32 4 × 0.5 = 2
      // (long: none); rank 63 lists positions 0 and 6 (units 1 × 3 and −1 × 3); account 4: rank 40, 2 × 2 and −0.5 × 2
      expect(got.optStart, backend.name).toEqual([0, 2, 2, 2, 2]);
      expect(got.optEnd, backend.name).toEqual([2, 2, 2, 2, 2]);
      expect(got.optUnderlying.slice(0, 2), backend.name).toEqual([2, 33]);
      expect(got.optUnits.slice(0, 2), backend.name).toEqual([2.5, 1.5]);
      expect(got.linStart, backend.name).toEqual([0, 1, 1, 1, 1]);
      expect(got.linEnd, backend.name).toEqual([1, 1, 1, 1, 2]);
      expect(got.linUnderlying.slice(0, 2), backend.name).toEqual([4, 0]);
      expect(got.linFrom.slice(0, 2), backend.name).toEqual([0, 2]);
      expect(got.linTo.slice(0, 2), backend.name).toEqual([2, 4]);
      expect(got.linInstrument.slice(0, 4), backend.name).toEqual([6, 6, 4, 4]);
      expect(got.linUnits.slice(0, 4), backend.name).toEqual([3, -3, 4, -1]);
      // underlyings 2, 4 and 33 (bit 31); account 4's underlying 0
      expect(got.mask, backend.name).toEqual([(1 << 2) | (1 << 4) | (1 << 31), 0, 0, 0, 1]);
      expect(got.coin, backend.name).toEqual([0, 0, 0, 0, 1]);
      // every bit cleared for the next call
      expect(got.bits, backend.name).toEqual([0, 0]);
    }
  });
});
