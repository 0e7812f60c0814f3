/**
 * Re-margining one account after an in-place change (the hook liquidation and what-if stand on) gives the bits a
 * fresh run on the changed book gives: every method, every backend, breakdown included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, InputError, type MarginMethodName as MarginMethod, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { SPAN_PROFILE } from '../../src/profiles/span.js';
import { allEngines } from '../support/engines.js';

const VARIANTS: { name: string; method: MarginMethod; params?: unknown }[] = [
  { name: 'isolated', method: 'isolated' },
  { name: 'cross', method: 'cross' },
  { name: 'portfolio', method: 'portfolio' },
  { name: 'portfolio correlation', method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } } },
  { name: 'var delta-normal', method: 'var' },
  { name: 'var delta-gamma', method: 'var', params: { var: { model: 'delta-gamma', measure: 'es' } } },
  { name: 'var monte-carlo', method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } },
  { name: 'span', method: 'span' },
  // the profile's tiers, calendar and inter-commodity spreads and short option minimums
  { name: 'span profile', method: 'span', params: SPAN_PROFILE.params },
  { name: 'derive', method: 'derive' },
];

/** A deterministic LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('remargin(account) equals a fresh run on the changed book', () => {
  let engines: Engine[];
  const sample = generateSample({ accounts: 240, seed: 3 });
  beforeAll(async () => {
    engines = await allEngines();
  });

  for (const variant of VARIANTS) {
    it(`${variant.name}: edits to 40 accounts, each re-margined alone`, () => {
      for (const engine of engines) {
        const { book, market } = validateInputs(sample.book, sample.market);
        const session = engine.openBook(book);
        const run = session.prepare(market, { method: variant.method, params: variant.params, breakdown: true });
        try {
          run.run();
          const layout = session.layout;
          const rnd = lcg(17);
          const ids = layout.accountIds.filter((id): id is string => id !== null);
          const instruments = layout.instruments.ids;
          for (let k = 0; k < 40; k++) {
            const id = ids[Math.floor(rnd() * ids.length)];
            const a = layout.accountIndex(id);
            const count = layout.positions.countOf(a);
            const kind = rnd();
            if (kind < 0.35 && count > 0) {
              // a partial close or an add, written straight into the quantity column (what a fill does)
              const slot = layout.positions.start.array[a] + Math.floor(rnd() * count);
              layout.positions.column<'f64'>('quantity').array[slot] *= rnd() < 0.5 ? 0.5 : 1.75;
            } else if (kind < 0.55 && count > 1) {
              layout.removePosition(id, Math.floor(rnd() * count));
            } else if (kind < 0.8) {
              const held = new Set<string>();
              for (let p = layout.positions.start.array[a]; p < layout.positions.end.array[a]; p++) {
                held.add(instruments[layout.positions.column<'i32'>('instrument').array[p]]);
              }
              const candidates = instruments.filter((i) => !held.has(i));
              const instrument = candidates[Math.floor(rnd() * candidates.length)];
              layout.addPosition(id, { instrument, quantity: Math.round((rnd() - 0.5) * 20) || 1, entryPrice: 0 });
            } else {
              const asset = ['USDC', 'BTC', 'ETH'][Math.floor(rnd() * 3)];
              layout.setCollateral(id, asset, Math.round(rnd() * 1e6) / 100);
            }
            run.remargin(id);
          }
          const incremental = run.report();
          const changed = validateInputs(layoutToBook(layout), sample.market);
          const fresh = engine.margin(changed.book, changed.market, { method: variant.method, params: variant.params, breakdown: true });
          expect(JSON.stringify(incremental), `${engine.backend}`).toBe(JSON.stringify(fresh));
          expect(run.account(ids[7])).toEqual(fresh.accounts[7]);
        } finally {
          run.release();
          session.release();
        }
      }
    });
  }

  it('a breakdown report leaves the run as it was: reporting twice gives the same bytes (isolated statuses kept)', () => {
    for (const method of ['isolated', 'cross'] as const) {
      const { book, market } = validateInputs(sample.book, sample.market);
      const session = engines[2].openBook(book);
      const run = session.prepare(market, { method, breakdown: true });
      run.run();
      const first = JSON.stringify(run.report());
      expect(JSON.stringify(run.report()), method).toBe(first);
      run.release();
      session.release();
    }
  });

  it('names the account when it is not in the book', () => {
    const { book, market } = validateInputs(sample.book, sample.market);
    const session = engines[0].openBook(book);
    const run = session.prepare(market);
    run.run();
    expect(() => run.remargin('nobody')).toThrow(/no account "nobody"/);
    run.release();
    session.release();
  });
});

describe('the session API takes raw JSON as well as validated input', () => {
  it('openBook(json) and session.margin(json) give the engine.margin report; bad JSON names its path', async () => {
    const engine = await createEngine({ backend: 'js' });
    const sample = generateSample({ accounts: 50, seed: 2 });
    const session = engine.openBook(JSON.parse(JSON.stringify(sample.book)));
    const market = JSON.parse(JSON.stringify(sample.market));
    expect(JSON.stringify(session.margin(market, { method: 'portfolio' }))).toBe(JSON.stringify(engine.margin(sample.book, sample.market, { method: 'portfolio' })));
    market.assets.BTC.price = -1;
    expect(() => session.margin(market)).toThrow('market.assets.BTC.price: -1 is negative (a price must be above 0)');
    expect(() => engine.openBook({ instruments: [], accounts: 'x' })).toThrow(InputError);
    session.release();
  });
});
