/**
 * A fill on an inverse contract held by a coin-margined account leaves a position a book can state
 * (src/model/netting.ts netHeldRow): its entries are netted in prices, harmonically (Deribit's average entry of
 * several fills: Σ contracts / Σ contracts/price), and the layout keeps −1/entry of that price. Averaged in the layout's
 * coordinate −1/price instead, the entry could be a double that no price maps to (21 × 2⁻⁵² away), and the live
 * session's figures were one unit in the last place off a fresh run of the book it reports (found by the service's
 * agreement property over random fills). Hand-computed from the documented rules, every backend, bit for bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, validateInputs } from '../../src/index.js';
import { layoutBook, layoutToBook } from '../../src/layout/index.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import type { LiveSession } from '../../src/live/live-session.js';
import { validateBook } from '../../src/model/validate.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';
import { mulberry32 } from '../support/random.js';
import { coinBook, coinMarket } from '../support/coin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/** Short 481 BTC-PERPETUAL (10 USD face) entered at 90,709, 1 BTC of collateral. */
const HELD = { id: 'coin', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -481, entryPrice: 90_709 }], collateral: [{ asset: 'BTC', amount: 1 }] };
const USD = { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] };

/** The live session's position on BTC-PERPETUAL: quantity and the layout's entry (−1/price). */
function held(live: LiveSession): { quantity: number; x: number } {
  const L = live.layout, pos = L.positions, a = L.accountIndex('coin'), row = L.instruments.indexById.get('BTC-PERPETUAL');
  const instrument = pos.column<'i32'>('instrument').array;
  for (let s = pos.start.array[a]; s < pos.end.array[a]; s++) {
    if (instrument[s] === row) return { quantity: pos.column<'f64'>('quantity').array[s], x: pos.column<'f64'>('entryPrice').array[s] };
  }
  throw new Error('no BTC-PERPETUAL position');
}

/** The live report against a fresh run of the book the live layout states (layoutToBook), bits compared. */
function expectFresh(engine: Engine, live: LiveSession, where: string): void {
  const { book, market } = validateInputs(layoutToBook(live.layout), live.marketJson);
  const fresh = engine.margin(book, market, { method: 'cross' });
  expect(firstDifference(JSON.parse(JSON.stringify(live.report())), JSON.parse(JSON.stringify(fresh))), `${engine.backend} ${where}`).toBeNull();
}

describe('fills on an inverse contract (coin-margined account)', () => {
  it('adding to a short: the harmonic average entry, kept as −1/entry, the same bits as a fresh run of the book', () => {
    // Σ contracts / Σ (contracts / price) over the short side: 597 / (481/90,709 + 116/92,636) ≈ 91,077.1 USD per BTC
    const average = 597 / (481 / 90_709 + 116 / 92_636);
    // in the coordinate −1/price the arithmetic average is not the image of any price: the old rule's entry
    const oldX = (481 * (-1 / 90_709) + 116 * (-1 / 92_636)) / 597;
    expect(oldX).not.toBe(-1 / average);
    for (const engine of engines) {
      const live = engine.live(coinBook(HELD, USD), coinMarket(), { method: 'cross' });
      try {
        live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: -116, price: 92_636 }]);
        expect(held(live)).toEqual({ quantity: -597, x: -1 / average });
        const stated = layoutToBook(live.layout).accounts.find((a) => a.id === 'coin')!.positions![0];
        expect(-1 / stated.entryPrice).toBe(-1 / average); // the book states a price that maps to the same x
        expect(stated.entryPrice).toBeCloseTo(91_077.1, 1);
        expectFresh(engine, live, 'after adding');
      } finally {
        live.release();
      }
    }
  });

  it('closing and flipping: coin P&L multiplier·closed·(1/entry long − 1/entry short) into the balance, the rest at the fill price', () => {
    for (const engine of engines) {
      const live = engine.live(coinBook(HELD, USD), coinMarket(), { method: 'cross' });
      try {
        live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: -116, price: 92_636 }]);
        const short = layoutToBook(live.layout).accounts.find((a) => a.id === 'coin')!.positions![0].entryPrice;
        // buy 700 at 95,000: 597 close the short (a loss: bought back above the entry), 103 open a long at 95,000
        live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 700, price: 95_000 }]);
        const realized = 597 * 10 * (1 / 95_000 - 1 / short);
        expect(realized).toBeCloseTo(-0.002707, 6);
        expect(held(live)).toEqual({ quantity: 103, x: -1 / 95_000 });
        const account = layoutToBook(live.layout).accounts.find((a) => a.id === 'coin')!;
        expect(account.collateral).toEqual([{ asset: 'BTC', amount: 1 + realized }]);
        expectFresh(engine, live, 'after the flip');
      } finally {
        live.release();
      }
    }
  });

  it('closing exactly: a flat position at entry 0, a book the session states that validates, subaccounts rolled up', () => {
    // buy back the 481 short at 95,000: coin P&L 481 · 10 · (1/95,000 − 1/90,709) into the balance, the position flat,
    // its entry 0 (netting.ts) in the book and in the layout (inverse-price.ts inverseCoordinate: −1/0 would be −∞)
    const realized = 481 * 10 * (1 / 95_000 - 1 / 90_709);
    for (const engine of engines) {
      for (const book of [coinBook(HELD, USD), coinBook({ ...HELD, master: 'usd' }, USD)]) {
        const live = engine.live(book, coinMarket(), { method: 'cross' });
        try {
          live.applyFills([{ account: 'coin', instrument: 'BTC-PERPETUAL', quantity: 481, price: 95_000 }]);
          expect(held(live)).toEqual({ quantity: 0, x: 0 });
          const account = layoutToBook(live.layout).accounts.find((a) => a.id === 'coin')!;
          expect(account.positions).toEqual([{ instrument: 'BTC-PERPETUAL', quantity: 0, entryPrice: 0 }]);
          expect(account.collateral).toEqual([{ asset: 'BTC', amount: 1 + realized }]);
          // the report (with a master: its roll-up, which re-reads the book the layout states) and a fresh run agree
          const report = live.report();
          expect(report.accounts.find((a) => a.id === 'coin')!.equity).toBe(1 + realized);
          if (book.accounts[0].master !== undefined) expect(report.subaccounts?.masters.map((m) => m.id)).toEqual(['usd']);
          else expectFresh(engine, live, 'after closing');
        } finally {
          live.release();
        }
      }
    }
  });

  it('a row added to a laid-out book (BookLayout.addPosition) nets as the book with both rows does', () => {
    const both = validateBook(coinBook({ ...HELD, positions: [...HELD.positions, { instrument: 'BTC-PERPETUAL', quantity: -116, entryPrice: 92_636 }] }));
    const layout = layoutBook(validateBook(coinBook(HELD)), new HeapAllocator());
    layout.addPosition('coin', { instrument: 'BTC-PERPETUAL', quantity: -116, entryPrice: 92_636 });
    expect(layoutToBook(layout).accounts).toEqual(layoutToBook(layoutBook(both, new HeapAllocator())).accounts);
    expect(layout.positions.column<'f64'>('entryPrice').array[0]).toBe(-1 / both.accounts[0].positions[0].entryPrice);
  });

  it('random fills on inverse contracts, adding, reducing and flipping: every report the bits of a fresh run', () => {
    const rnd = mulberry32(20_261_126);
    for (const engine of engines) {
      const live = engine.live(coinBook({ ...HELD, collateral: [{ asset: 'BTC', amount: 50 }] }, USD), coinMarket(), { method: 'cross' });
      try {
        for (let k = 0; k < 60; k++) {
          const instrument = rnd() < 0.5 ? 'BTC-PERPETUAL' : 'BTC-25DEC26';
          const quantity = (rnd() < 0.5 ? -1 : 1) * (1 + Math.floor(rnd() * 900));
          const price = 90_000 + Math.round(rnd() * 40_000) / 2;
          live.applyFills([{ account: 'coin', instrument, quantity, price }]);
          const where = `fill ${k} (${quantity} ${instrument} at ${price})`;
          // the book states each inverse entry as a price whose −1/price is the layout's entry, bit for bit
          const stated = layoutToBook(live.layout).accounts.find((a) => a.id === 'coin')!.positions!;
          const x = live.layout.positions.column<'f64'>('entryPrice').array, p0 = live.layout.positions.start.array[live.layout.accountIndex('coin')];
          stated.forEach((p, j) => expect(p.entryPrice === 0 ? 0 : -1 / p.entryPrice, `${engine.backend} ${where}: ${p.instrument}`).toBe(x[p0 + j]));
          expectFresh(engine, live, where);
        }
      } finally {
        live.release();
      }
    }
  });
});

describe('closing a fractional inverse position by parts', () => {
  it('rows or fills that net below the smallest quantity close it, as on a linear contract (0.3 − 0.1 − 0.1 − 0.1)', () => {
    // in doubles 0.3 − 0.1 − 0.1 is 0.09999999999999998, and − 0.1 more is −2.8e-17: the rows close the position
    const rows = [0.3, -0.1, -0.1, -0.1].map((quantity) => ({ instrument: 'BTC-PERPETUAL', quantity, entryPrice: 100_000 }));
    const account = { id: 'b', marginCurrency: 'BTC', positions: rows, collateral: [{ asset: 'BTC', amount: 1 }] };
    expect(validateBook(coinBook(account)).accounts[0].positions).toEqual([{ instrument: 'BTC-PERPETUAL', quantity: 0, entryPrice: 0 }]);
    for (const engine of engines) {
      const live = engine.live(coinBook({ ...account, positions: [rows[0]] }), coinMarket(), { method: 'cross' });
      try {
        for (let k = 0; k < 3; k++) {
          const fill = { account: 'b', instrument: 'BTC-PERPETUAL', quantity: -0.1, price: 100_000 };
          if (k === 2) expect(live.check('b', { instrument: fill.instrument, quantity: fill.quantity, price: fill.price }).accepted, engine.backend).toBe(true); // it threw
          live.applyFills([fill]);
        }
        const left = live.book().accounts.find((a) => a.id === 'b')!.positions ?? [];
        expect(left.filter((p) => p.quantity !== 0), engine.backend).toEqual([]); // closed (a flat row, or none)
        expectFresh(engine, live, 'closed by three fills');
      } finally {
        live.release();
      }
    }
  });
});
