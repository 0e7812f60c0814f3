/** The lazily ranked ADL queue gives the order of a full sort by the documented rule (score, then account id, then slot). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdlCandidates, AdlQueue, adlCandidateIndex, adlScore } from '../../src/liquidation/adl.js';
import { ArrayLease } from '../../src/memory/array-lease.js';

interface Row { id: string; pnl: number; entryValue: number; grossNotional: number; equity: number }

/** Candidate k is account k with id rows[k].id, in slot k. */
function candidates(rows: readonly Row[]): AdlCandidates {
  const c = new AdlCandidates(rows.length, rows.map((r) => r.id));
  rows.forEach((r, k) => c.push(k, k, 1, 0, r.pnl, r.entryValue, r.grossNotional, r.equity));
  return c;
}

describe('ADL queue', () => {
  it('ranks by PnL% × leverage, ties by account id then slot, and accounts with no equity first', () => {
    const rows = [
      { id: 'b', pnl: 10, entryValue: 100, grossNotional: 1000, equity: 100 }, // 0.1 × 10 = 1
      { id: 'a', pnl: 10, entryValue: 100, grossNotional: 1000, equity: 100 }, // 1, ties with b: a first
      { id: 'c', pnl: 50, entryValue: 100, grossNotional: 1000, equity: 500 }, // 0.5 × 2 = 1
      { id: 'd', pnl: 1, entryValue: 100, grossNotional: 1000, equity: 0 }, // no equity: ∞
      { id: 'e', pnl: 30, entryValue: 100, grossNotional: 1000, equity: 100 }, // 3
    ];
    const c = candidates(rows);
    const q = new AdlQueue(c);
    expect([0, 1, 2, 3, 4].map((n) => c.id(q.at(n)))).toEqual(['d', 'e', 'a', 'b', 'c']);
    expect(q.at(5)).toBe(-1);
  });

  it('gives the same place however it is asked: far first, then back, then again', () => {
    const rows = ['e', 'a', 'd', 'b', 'c'].map((id, k) => ({ id, pnl: k + 1, entryValue: 100, grossNotional: 1000, equity: 100 }));
    // scores 0.1·(k + 1) × 10: the last row ('c', pnl 5) first, then 'b', 'd', 'a', 'e'
    const c = candidates(rows), q = new AdlQueue(c);
    expect(c.id(q.at(3))).toBe('a');
    expect([0, 1, 2, 3, 4].map((n) => c.id(q.at(n)))).toEqual(['c', 'b', 'd', 'a', 'e']);
    expect(c.id(q.at(1))).toBe('b');
    expect(q.at(7)).toBe(-1);
    expect(c.id(q.at(4))).toBe('e');
  });

  it('on random candidates, equals a full sort, however far it is read', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), pnl: fc.integer({ min: 1, max: 5 }), equity: fc.integer({ min: 0, max: 3 }) }), { maxLength: 60 }),
      fc.nat(70),
      (given, read) => {
        const rows = given.map((r) => ({ ...r, entryValue: 10, grossNotional: 100 }));
        const score = (k: number) => adlScore(rows[k].pnl, rows[k].entryValue, rows[k].grossNotional, rows[k].equity);
        const sorted = rows.map((_, k) => k).sort((x, y) => {
          const sx = score(x), sy = score(y);
          if (sx !== sy) return sx > sy ? -1 : 1;
          return rows[x].id < rows[y].id ? -1 : rows[x].id > rows[y].id ? 1 : x - y;
        });
        const q = new AdlQueue(candidates(rows));
        const n = Math.min(read, rows.length);
        expect(Array.from({ length: n }, (_, k) => q.at(k))).toEqual(sorted.slice(0, n));
        expect(q.length).toBe(rows.length);
      },
    ));
  });
});

describe('ADL candidate index', () => {
  it('holds only its two columns once made: its scratch and every generation it outgrew are let go (about 250 MB at 1,000,000 × 20)', () => {
    // 60,000 accounts of one long position each on instrument 0, all in profit: 60,000 candidates (the scratch starts
    // at 4,096 and doubles four times; each generation had stayed lent until the run ended)
    const accounts = 60_000;
    let lent = 0;
    const heap = { take: (bytes: number) => ((lent += bytes), new ArrayBuffer(bytes)), give: (b: ArrayBuffer) => void (lent -= b.byteLength), discard: (b: ArrayBuffer) => void (lent -= b.byteLength) };
    const lease = new ArrayLease(heap);
    const index = adlCandidateIndex(lease, {
      instruments: 1, accounts, slots: accounts,
      posStart: Int32Array.from({ length: accounts }, (_, a) => a), posEnd: Int32Array.from({ length: accounts }, (_, a) => a + 1),
      instrument: new Int32Array(accounts), quantity: new Float64Array(accounts).fill(1), entryPrice: new Float64Array(accounts).fill(90),
      wanted: Uint8Array.of(1), mark: Float64Array.of(100), multiplier: Float64Array.of(1),
      live: new Uint8Array(accounts).fill(1), excluded: new Uint8Array(accounts), status: new Uint8Array(accounts), statusError: 4,
    });
    expect([index.start[0], index.start[1], index.start[2]]).toEqual([0, 0, accounts]); // every long in book 2·0 + 1
    expect(index.account[accounts - 1]).toBe(accounts - 1);
    expect(lent).toBe(2 * 4 * accounts); // the index's account and slot columns
    lease.release();
    expect(lent).toBe(0);
  });
});
