/**
 * Incremental = from scratch: a long random sequence of ticks, fills and transfers on a live session, and after
 * every step the live report (breakdown included) is byte-identical to a fresh session's on the current book
 * and market. Every method and VaR model, every backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type Fill, generateSample, InputError, type LiveSession, type Tick, type Transfer, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { allEngines } from '../support/engines.js';
import { variants } from '../support/live.js';
import { mulberry32 } from '../support/random.js';

const sample = generateSample({ accounts: 70, seed: 11 });
const risky = Object.entries(sample.market.assets).filter(([, a]) => a.vol > 0).map(([s]) => s);
const STEPS = 24;

/** A random tick: 1–2 risky assets moved by up to ±6% (sometimes their vol too), a mark or an implied vol. */
function randomTick(live: LiveSession, rnd: () => number): Tick {
  const market = live.marketJson;
  const assets: Record<string, { price?: number; vol?: number }> = {};
  for (let k = 0; k < 1 + Math.floor(rnd() * 2); k++) {
    const symbol = risky[Math.floor(rnd() * risky.length)];
    const a = market.assets[symbol];
    assets[symbol] = { price: a.price * (1 + (rnd() - 0.5) * 0.12), ...(rnd() < 0.3 ? { vol: a.vol * (0.8 + 0.4 * rnd()) } : {}) };
  }
  const ids = live.layout.instruments.ids;
  const tick: Tick = { assets };
  const r = rnd();
  const options = ids.filter((id) => market.impliedVols![id] !== undefined);
  if (r < 0.3) tick.impliedVols = { [options[Math.floor(rnd() * options.length)]]: 0.2 + rnd() };
  else if (r < 0.45) {
    const id = ids[Math.floor(rnd() * ids.length)];
    const mark = market.marks![id] ?? (market.impliedVols![id] !== undefined ? 100 : market.assets[sample.book.instruments.find((i) => i.id === id)!.underlying].price);
    tick.marks = { [id]: mark * (0.9 + 0.2 * rnd()) };
  }
  return tick;
}

function randomFills(live: LiveSession, rnd: () => number): Fill[] {
  const layout = live.layout;
  const ids = layout.accountIds.filter((id): id is string => id !== null);
  const instruments = layout.instruments.ids;
  return Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
    const account = ids[Math.floor(rnd() * ids.length)];
    const instrument = instruments[Math.floor(rnd() * instruments.length)];
    const row = layout.instruments.indexById.get(instrument)!;
    const price = Math.max(0.5, live.layout.instruments.strike.array[row] > 0 ? rnd() * 5000 : 100 * 10 ** (3 * rnd()));
    return { account, instrument, quantity: Math.round((rnd() - 0.5) * 16) || 2, price };
  });
}

function randomTransfers(live: LiveSession, rnd: () => number): Transfer[] {
  const ids = live.layout.accountIds.filter((id): id is string => id !== null);
  const assets = live.layout.assets;
  return [
    rnd() < 0.8
      ? { account: ids[Math.floor(rnd() * ids.length)], asset: assets[Math.floor(rnd() * assets.length)], amount: Math.round((rnd() - 0.4) * 2e5) / 100 }
      : { account: ids[Math.floor(rnd() * ids.length)], cashUsd: Math.round((rnd() - 0.5) * 1e6) / 100 },
  ];
}

describe('a live session equals a fresh session after every tick, fill and transfer', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  for (const variant of variants(risky)) {
    // breakdown (explains) where they come from incremental state; the rule-based explain's liquidation-price
    // search is slow and reads only columns the account-level rows already compare
    const breakdown = variant.method !== 'cross' && variant.method !== 'isolated';
    it(`${variant.name}: ${STEPS} random steps`, () => {
      for (const engine of engines) {
        const live = engine.live(sample.book, sample.market, { method: variant.method, params: variant.params, breakdown });
        try {
          const rnd = mulberry32(101);
          for (let step = 0; step < STEPS; step++) {
            const r = rnd();
            const what = r < 0.5 ? 'tick' : r < 0.8 ? 'fills' : 'transfers';
            const before = JSON.stringify(live.report());
            try {
              if (what === 'tick') live.applyTick(randomTick(live, rnd));
              else if (what === 'fills') live.applyFills(randomFills(live, rnd));
              else live.applyTransfers(randomTransfers(live, rnd));
            } catch (error) {
              // a refused update (e.g. an overflow, or a market the method cannot margin) changes nothing
              expect(error).toBeInstanceOf(InputError);
              expect(JSON.stringify(live.report())).toBe(before);
            }
            const { book, market } = validateInputs(layoutToBook(live.layout), live.marketJson);
            const fresh = engine.margin(book, market, { method: variant.method, params: variant.params, breakdown });
            expect(JSON.stringify(live.report()), `${engine.backend} step ${step} (${what})`).toBe(JSON.stringify(fresh));
          }
        } finally {
          live.release();
        }
      }
    });
  }
});
