import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../src/methods/engines/scenario-grid/key-index.js';
import { sortRows } from '../../src/methods/engines/scenario-grid/run.js';

/** Files keys one by one as the add-ons do: the row of a key seen before, else a new row. Returns each key's row. */
function rowsOf(keys: [number, number][], index: KeyIndex | null): number[] {
  const us = new Int32Array(keys.length), ks = new Float64Array(keys.length);
  let n = 0;
  index?.reset(keys.length);
  return keys.map(([u, k]) => {
    let j = 0;
    if (index) j = index.find(u, k, us, ks, n);
    else while (j < n && !(us[j] === u && ks[j] === k)) j++; // the scan the index replaces
    if (j === n) {
      index?.add(j);
      us[j] = u;
      ks[j] = k;
      n++;
    }
    return j;
  });
}

describe('KeyIndex (the add-ons\' (underlying, strike) rows)', () => {
  it('gives a key seen before its row, and a new key the next row', () => {
    const keys: [number, number][] = [[1, 100], [2, 100], [1, 100], [1, 110], [2, 100], [3, 0], [3, -0], [4, NaN], [4, NaN], [1, 110]];
    // by hand: rows 0 (1,100), 1 (2,100), 2 (1,110), 3 (3,0) which −0 joins (=== equal), NaN never equal: rows 4 and 5
    expect(rowsOf(keys, new KeyIndex())).toEqual([0, 1, 0, 2, 1, 3, 3, 4, 5, 2]);
  });

  it('matches the scan on random keys, across resets and growth', () => {
    let state = 7;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const index = new KeyIndex();
    for (const n of [5, 17, 40, 300, 3, 1000, 64]) {
      const keys = Array.from({ length: n }, (): [number, number] => [Math.floor(next() * 6), [90, 95, 100, 105.5, 0, -0][Math.floor(next() * 6)]]);
      expect(rowsOf(keys, index)).toEqual(rowsOf(keys, null));
    }
  });
});

describe('sortRows (the add-ons\' rows in (underlying, strike) order)', () => {
  it('sorts a pool\'s many rows, carrying the value, as a sort by (key, second) does', () => {
    for (const n of [3, 17, 40, 101]) {
      // distinct (key, second) rows in a scrambled order; value = the row's rank in the sorted order, by construction
      const rows = Array.from({ length: n }, (_, r) => ({ key: r % 4, second: 90 + Math.floor(r / 4) * 2.5 }));
      const sorted = [...rows].sort((a, b) => a.key - b.key || a.second - b.second);
      const scrambled = rows.map((_, r) => rows[(r * 37 + 11) % n]);
      const key = Int32Array.from(scrambled, (x) => x.key), second = Float64Array.from(scrambled, (x) => x.second);
      const value = Float64Array.from(scrambled, (x) => sorted.indexOf(x));
      sortRows(key, second, value, n);
      expect([...value]).toEqual(sorted.map((_, r) => r));
      expect([...key]).toEqual(sorted.map((x) => x.key));
      expect([...second]).toEqual(sorted.map((x) => x.second));
    }
  });
});
