import { describe, expect, it } from 'vitest';
import { KIND_OPTION, KIND_PERPETUAL, layoutBook, layoutToBook } from '../../src/layout/index.js';
import { validateBook } from '../../src/model/validate.js';
import { generateSample } from '../../src/sample/generate.js';
import { smallBook } from '../model/fixtures.js';
import { ALLOCATORS } from './helpers.js';

describe.each(ALLOCATORS)('JSON → layout → JSON round trip (%s)', (_name, makeAllocator) => {
  it('gives back the validated small book', () => {
    const book = validateBook(smallBook());
    expect(layoutToBook(layoutBook(book, makeAllocator()))).toEqual(JSON.parse(JSON.stringify(book)));
  });

  it('gives back a generated book exactly as generated', () => {
    const { book } = generateSample({ accounts: 120, seed: 11 });
    expect(layoutToBook(layoutBook(validateBook(book), makeAllocator()))).toEqual(book);
  });

  it('lays out instruments as struct-of-arrays and positions as CSR by account', () => {
    const layout = layoutBook(validateBook(smallBook()), makeAllocator());
    expect(layout.assets).toEqual(['BTC', 'ETH', 'USDC', 'USDT']);
    expect(Array.from(layout.instruments.kind.array)).toEqual([KIND_PERPETUAL, 1, KIND_OPTION, KIND_OPTION]);
    expect(Array.from(layout.instruments.underlying.array)).toEqual([0, 0, 0, 1]);
    expect(Array.from(layout.instruments.strike.array)).toEqual([0, 0, 100000, 2800]);
    expect(Array.from(layout.instruments.isCall.array)).toEqual([0, 0, 1, 0]);
    expect(layout.instruments.expiryMs.array[0]).toBeNaN();
    const start = layout.positions.start.array;
    const end = layout.positions.end.array;
    const counts = [0, 1, 2].map((a) => end[a] - start[a]);
    expect(counts).toEqual([2, 1, 0]);
    const instrument = layout.positions.column<'i32'>('instrument').array;
    const quantity = layout.positions.column<'f64'>('quantity').array;
    expect([instrument[start[0]], quantity[start[0]]]).toEqual([2, -2]);
    expect(Array.from(layout.live.array.subarray(0, 3))).toEqual([1, 1, 1]);
  });

  it('refuses a book that did not come from validateBook', () => {
    expect(() => layoutBook(smallBook(), makeAllocator())).toThrow(TypeError);
  });
});

describe('memory per position', () => {
  it('stays far below 200 bytes per position for a generated book in linear memory', () => {
    const [, makeAllocator] = ALLOCATORS[0];
    const allocator = makeAllocator();
    const { book } = generateSample({ accounts: 2000, seed: 3 });
    const validated = validateBook(book);
    const positions = validated.accounts.reduce((n, a) => n + a.positions.length, 0);
    const layout = layoutBook(validated, allocator);
    expect(allocator.bytesInUse).toBeGreaterThanOrEqual(layout.byteLength);
    expect(allocator.bytesInUse / positions).toBeLessThan(200);
  });
});
