/** A shelf (src/memory/shelf.ts) hands back what was given, once, keeps at most `kept`, and makes new ones when empty. */
import { describe, expect, it } from 'vitest';
import { Shelf } from '../../src/memory/shelf.js';

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
