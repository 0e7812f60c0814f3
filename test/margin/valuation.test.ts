/**
 * Option valuation for margin: books with fewer than SMALL_OPTION_BATCH model-priced options are priced one by one by
 * the JS twin (no batch marshalling); the values must be the bits the batch gives on every backend.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { optionPrice } from '../../src/greeks/one-option.js';
import { GREEKS_LIMITS } from '../../src/model/greeks-limits.js';
import type { GreeksInput } from '../../src/model/greeks-types.js';
import { layoutBook } from '../../src/layout/index.js';
import { applyMarket } from '../../src/layout/market-layout.js';
import { SMALL_OPTION_BATCH, valueInstruments } from '../../src/margin/valuation.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { Column } from '../../src/memory/columns.js';
import { validateBook, validateMarket } from '../../src/model/validate.js';
import { smallBook, smallMarket } from '../model/fixtures.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
});

/** A book of `n` BTC calls at strikes 60,000 + 2,500·k, one account holding each, and its market (no option marks). */
function optionBook(n: number): { book: any; market: any } {
  const book = smallBook(), market = smallMarket();
  for (let k = 0; k < n; k++) {
    const id = `BTC-X-${k}`;
    book.instruments.push({ id, kind: 'option', underlying: 'BTC', right: k % 2 ? 'put' : 'call', strike: 60_000 + 2_500 * k, expiry: '2027-03-26T08:00:00Z' });
    book.accounts[2].positions = [...(book.accounts[2].positions ?? []), { instrument: id, quantity: 1, entryPrice: 1_000 }];
    market.impliedVols[id] = 0.4 + 0.01 * k;
  }
  return { book, market };
}

/** valueInstruments on the book, with a batch pricer that counts its calls (it prices with `engine`). */
function values(engine: Engine, n: number): { values: Float64Array; batches: number; ids: string[] } {
  const { book, market } = optionBook(n);
  const layout = layoutBook(validateBook(book), new HeapAllocator());
  const marketLayout = applyMarket(layout, validateMarket(market));
  const out = Column.allocate(new HeapAllocator(), 'f64', layout.instruments.count);
  let batches = 0;
  valueInstruments(layout, marketLayout, out, (input: GreeksInput) => {
    batches++;
    return engine.greeks(input);
  });
  return { values: out.array.slice(), batches, ids: [...layout.instruments.ids] };
}

describe('option valuation of small books', () => {
  it('prices one by one below the batch size and in one batch from it, the same bits on every backend', () => {
    const small = SMALL_OPTION_BATCH - 3; // + the fixture's two options
    for (const engine of engines) {
      const few = values(engine, small), many = values(engine, SMALL_OPTION_BATCH + 4);
      expect(few.batches, engine.backend).toBe(0);
      expect(many.batches, engine.backend).toBe(1);
      // the options both books hold: the same bits whichever way they were priced
      for (const [row, id] of few.ids.entries()) {
        const other = many.ids.indexOf(id);
        expect(Object.is(few.values[row], many.values[other]), `${engine.backend} ${id}`).toBe(true);
      }
    }
  });

  it('one option priced alone is the batch price bit for bit, on random inputs in the kernel ranges', () => {
    const L = GREEKS_LIMITS;
    const option = fc.record({
      isCall: fc.boolean(),
      spot: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      strike: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
      expiryYears: fc.double({ min: 1e-4, max: Math.min(30, L.expiryYearsMax), noNaN: true }),
      vol: fc.double({ min: 1e-3, max: Math.min(5, L.volMax), noNaN: true }),
      rate: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
      carry: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(option, { minLength: 1, maxLength: 20 }), (options) => {
        const f64 = (pick: (o: (typeof options)[number]) => number) => Float64Array.from(options, pick);
        const input = { isCall: Uint8Array.from(options, (o) => (o.isCall ? 1 : 0)), spot: f64((o) => o.spot), strike: f64((o) => o.strike), expiryYears: f64((o) => o.expiryYears), vol: f64((o) => o.vol), rate: f64((o) => o.rate), carry: f64((o) => o.carry) };
        for (const engine of engines) {
          const batch = engine.greeks(input).price;
          options.forEach((o, j) => expect(Object.is(optionPrice(o.isCall, o.spot, o.strike, o.expiryYears, o.vol, o.rate, o.carry), batch[j]), engine.backend).toBe(true));
        }
      }),
      { numRuns: 200 },
    );
  });
});
