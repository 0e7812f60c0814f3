import { describe, expect, it } from 'vitest';
import { applyMarket, layoutBook, MARK_DERIVED, MARK_NONE, MARK_QUOTED, type BookLayout } from '../../src/layout/index.js';
import type { Column } from '../../src/memory/columns.js';
import { MS_PER_YEAR } from '../../src/model/time.js';
import { validateBook, validateMarket } from '../../src/model/validate.js';
import { problemsOf } from '../support/problems.js';
import { smallBook, smallMarket } from '../model/fixtures.js';
import { ALLOCATORS } from './helpers.js';

function bookColumns(layout: BookLayout): Column[] {
  const t = layout.instruments;
  const p = layout.positions;
  const c = layout.collateral;
  return [t.kind, t.underlying, t.multiplier, t.strike, t.expiryMs, t.isCall, layout.live, p.start, p.end, p.column('instrument'), p.column('quantity'), p.column('entryPrice'), c.start, c.end, c.column('asset'), c.column('amount')];
}

/** ptr and a copy of the bytes of every book column. */
function snapshot(layout: BookLayout): Array<{ ptr: number; bytes: number[] }> {
  return bookColumns(layout).map((column) => ({
    ptr: column.ptr,
    bytes: Array.from(new Uint8Array(column.array.buffer, column.array.byteOffset, column.array.byteLength)),
  }));
}

describe.each(ALLOCATORS)('applyMarket (%s)', (_name, makeAllocator) => {
  const book = validateBook(smallBook());

  it('does not touch any book column: same pointers, same bytes', () => {
    const layout = layoutBook(book, makeAllocator());
    const first = applyMarket(layout, validateMarket(smallMarket(), book));
    const before = snapshot(layout);
    const moved = smallMarket();
    moved.assets.BTC.price = 80000;
    moved.valuationTime = '2026-11-21T08:00:00Z';
    moved.impliedVols['BTC-27NOV26-100000-C'] = 0.6;
    const second = applyMarket(layout, validateMarket(moved, book));
    expect(snapshot(layout)).toEqual(before);
    expect(second).toBe(first); // market columns rewritten in place, not reallocated
    expect(second.price.array[0]).toBe(80000);
  });

  it('writes per-asset and per-instrument market columns in layout order', () => {
    const layout = layoutBook(book, makeAllocator());
    const m = applyMarket(layout, validateMarket(smallMarket(), book));
    expect(Array.from(m.price.array)).toEqual([91500, 3050, 1, 1.0002]);
    expect(Array.from(m.vol.array)).toEqual([0.52, 0.68, 0, 0]);
    expect(Array.from(m.carry.array)).toEqual([-0.04, -0.045, 0, 0]);
    // Zero-vol assets left out of the input correlation are uncorrelated in the layout.
    expect(Array.from(m.correlation.array)).toEqual([1, 0.82, 0, 0, 0.82, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(m.expiryYears.array[2]).toBe(7 / 365);
    expect(m.expiryYears.array[0]).toBe(0);
    expect(Array.from(m.impliedVol.array)).toEqual([0, 0, 0.55, 0.71]);
    expect(Array.from(m.markSource.array)).toEqual([MARK_QUOTED, MARK_DERIVED, MARK_NONE, MARK_NONE]);
    expect(m.mark.array[0]).toBe(91520.5);
    const years = (Date.UTC(2027, 2, 26, 8) - Date.UTC(2026, 10, 20, 8)) / MS_PER_YEAR;
    expect(m.mark.array[1]).toBeCloseTo(91500 * Math.exp((0.042 + 0.04) * years), 8);
  });

  it('reorders the correlation to the layout asset order', () => {
    const layout = layoutBook(book, makeAllocator());
    const json = smallMarket();
    json.correlation = { assets: ['USDT', 'ETH', 'BTC'], matrix: [[1, 0, 0.1], [0, 1, 0.82], [0.1, 0.82, 1]] };
    const m = applyMarket(layout, validateMarket(json, book));
    expect(Array.from(m.correlation.array.subarray(0, 4))).toEqual([1, 0.82, 0, 0.1]);
  });

  it('rejects a market that misses an asset the layout gained after validation', () => {
    const layout = layoutBook(book, makeAllocator());
    const m = validateMarket(smallMarket(), book);
    layout.setCollateral('carol', 'DAI', 50);
    expect(layout.marketStale).toBe(true);
    expect(problemsOf(() => applyMarket(layout, m))).toEqual([{ path: 'market.assets.DAI', message: 'missing (the book uses this asset)' }]);
  });

  it('refuses a market that did not come from validateMarket', () => {
    const layout = layoutBook(book, makeAllocator());
    expect(() => applyMarket(layout, smallMarket())).toThrow(TypeError);
  });
});
