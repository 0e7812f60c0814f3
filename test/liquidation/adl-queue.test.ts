/** The lazily ranked ADL queue gives the order of a full sort by the documented rule (score, then account id, then slot). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AdlCandidate, AdlQueue, adlScore } from '../../src/liquidation/adl.js';

function candidate(k: number, id: string, pnl: number, entryValue: number, grossNotional: number, equity: number): AdlCandidate {
  return { account: k, id, slot: k, quantity: 1, pnl, entryValue, grossNotional, equity };
}

describe('ADL queue', () => {
  it('ranks by PnL% × leverage, ties by account id then slot, and accounts with no equity first', () => {
    const cs = [
      candidate(0, 'b', 10, 100, 1000, 100), // 0.1 × 10 = 1
      candidate(1, 'a', 10, 100, 1000, 100), // 1, ties with b: a first
      candidate(2, 'c', 50, 100, 1000, 500), // 0.5 × 2 = 1
      candidate(3, 'd', 1, 100, 1000, 0), // no equity: ∞
      candidate(4, 'e', 30, 100, 1000, 100), // 3
    ];
    const q = new AdlQueue(cs);
    expect([0, 1, 2, 3, 4].map((n) => q.at(n).id)).toEqual(['d', 'e', 'a', 'b', 'c']);
    expect(q.at(5)).toBeUndefined();
  });

  it('on random candidates, equals a full sort, however far it is read', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), pnl: fc.integer({ min: 1, max: 5 }), equity: fc.integer({ min: 0, max: 3 }) }), { maxLength: 60 }),
      fc.nat(70),
      (rows, read) => {
        const cs = rows.map((r, k) => candidate(k, r.id, r.pnl, 10, 100, r.equity));
        const sorted = [...cs].sort((x, y) => {
          const sx = adlScore(x), sy = adlScore(y);
          if (sx !== sy) return sx > sy ? -1 : 1;
          return x.id < y.id ? -1 : x.id > y.id ? 1 : x.slot - y.slot;
        });
        const q = new AdlQueue(cs);
        const n = Math.min(read, cs.length);
        expect(Array.from({ length: n }, (_, k) => q.at(k))).toEqual(sorted.slice(0, n));
        expect(q.length).toBe(cs.length);
      },
    ));
  });
});
