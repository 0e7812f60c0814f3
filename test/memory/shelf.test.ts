/** A shelf (src/memory/shelf.ts) hands back what was given, once, keeps at most `kept`, and makes new ones when empty. */
import { describe, expect, it } from 'vitest';
import { Shelf, type ShelfKind } from '../../src/memory/shelf.js';
import { RunRetention } from '../../src/model/run-retention.js';

describe('Shelf', () => {
  it('reuses given items, makes new ones when empty, ignores a second give, keeps at most `kept`', () => {
    let made = 0;
    const shelf = new Shelf(() => ({ n: made++ }), 2);
    const a = shelf.take(), b = shelf.take();
    expect([a.n, b.n]).toEqual([0, 1]);
    shelf.give(a);
    shelf.give(a); // twice: still one a on the shelf
    expect(shelf.take()).toBe(a);
    expect(shelf.take().n).toBe(2); // empty again: a new one
    const c = shelf.take();
    shelf.give(a);
    shelf.give(b);
    shelf.give(c); // a third: not kept
    expect([shelf.take(), shelf.take()]).toEqual([b, a]);
    expect(shelf.take().n).toBe(4);
  });
});

describe('RunRetention.shelf', () => {
  it('gives one shelf per kind until cleared', () => {
    const retention = new RunRetention();
    const kind: ShelfKind<{ n: number }> = { make: () => ({ n: 0 }) };
    const shelf = retention.shelf(kind);
    expect(retention.shelf(kind)).toBe(shelf);
    expect(retention.shelf({ make: () => ({ n: 1 }) })).not.toBe(shelf);
    const item = shelf.take();
    shelf.give(item);
    retention.clear(); // engine.close(): what was kept goes
    expect(retention.shelf(kind)).not.toBe(shelf);
    expect(retention.shelf(kind).take()).not.toBe(item);
  });
});
