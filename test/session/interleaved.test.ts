/**
 * Re-entrancy: sessions used in turn never see each other's state. Two scripts of calls (portfolio margin with the
 * masters' pools under the cross policy, a prepared portfolio run's what-ifs and re-margins, cross margin under the
 * backstop policy, a prepared cross run's trials (account terms), a portfolio and a cross liquidation, then the pools again) run on two books, each alone on an engine
 * of its own, then interleaved call by call on one engine; and two sessions of one validated book (so one unions array
 * for their pools) on two markets. Every result of an interleaved script must equal its result alone, bit for bit,
 * on every backend. What they would share if scratch were global: add-on scan tables and key indexes, one-account
 * columns and kept per-slot terms, pools' groups, add-on plans and packed columns, cover columns, kept runs.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, validateInputs } from '../../src/index.js';
import type { AccountChange } from '../../src/margin/account-changes.js';
import type { BookLayout } from '../../src/layout/book-layout.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { trialOf } from '../../src/session/prepared-run.js';
import type { PreparedMarginRun } from '../../src/session/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { firstDifference } from '../support/bits.js';
import { liquidateSession } from '../../src/liquidation/liquidate-session.js';

const CROSS_POOLS = { params: { subaccounts: { policy: 'cross' } } };
const BACKSTOP = { params: { subaccounts: { policy: 'backstop' } } };

/** Every step's result of one session's script, copied when made (structuredClone keeps every bit). */
function* script(engine: Engine, book: ValidatedBook, market: ValidatedMarket): Generator<unknown> {
  const session = engine.openBook(book);
  try {
    yield structuredClone(session.margin(market, { method: 'portfolio', ...CROSS_POOLS }));
    const run = session.prepare(market, { method: 'portfolio' });
    try {
      run.run();
      yield run.totals();
      const ids = book.accounts.map((a) => a.id);
      for (let k = 0; k < ids.length; k += 7) {
        const held = book.accounts[k].positions;
        if (held.length === 0) continue;
        const instrument = session.layout.instruments.indexById.get(held[0].instrument)!;
        const changes: AccountChange[] = [{ instrument, quantity: -held[0].quantity / 2, price: held[0].entryPrice }];
        yield structuredClone(run.whatIf(ids[k], changes));
        run.remargin(ids[k]);
        yield structuredClone(run.account(ids[k]));
      }
    } finally {
      run.release();
    }
    yield* trials(session.prepare(market, { method: 'cross' }), session.layout);
    yield structuredClone(session.margin(market, { method: 'cross', ...BACKSTOP }));
    yield structuredClone(liquidateSession(session, market, { method: 'portfolio' }));
    yield structuredClone(liquidateSession(session, market, { method: 'cross' }));
    yield structuredClone(session.margin(market, { method: 'portfolio', ...CROSS_POOLS }));
  } finally {
    session.release();
  }
}

/**
 * A prepared cross run's trials (account terms' figures: what liquidation's sizing asks), one per step: every fifth account with
 * each of its positions in turn halved, so the run's kept per-slot terms are reused from one trial to the next.
 */
function* trials(run: PreparedMarginRun, layout: BookLayout): Generator<unknown> {
  try {
    run.run();
    const pos = layout.positions, col = layout.collateral;
    for (let a = 0; a < layout.accountCount; a += 5) {
      const p0 = pos.start.array[a], n = pos.end.array[a] - p0, c0 = col.start.array[a], m = col.end.array[a] - c0;
      const quantity = pos.column<'f64'>('quantity').array.slice(p0, p0 + n);
      const holdings = { quantity, isolatedMargin: new Float64Array(n).fill(NaN), amount: col.column<'f64'>('amount').array.slice(c0, c0 + m), cashUsd: layout.cashUsd.array[a] };
      for (let k = 0; k < n; k++) {
        quantity[k] /= 2;
        yield { ...trialOf(run).terms(a, holdings).figures(), positions: undefined };
        quantity[k] *= 2;
      }
    }
  } finally {
    run.release();
  }
}

/** Runs the scripts in turn, one step each, until all end; each script's results in order. */
function interleave(scripts: Generator<unknown>[]): unknown[][] {
  const results: unknown[][] = scripts.map(() => []);
  let running = scripts.length;
  while (running > 0) {
    running = 0;
    for (let s = 0; s < scripts.length; s++) {
      const step = scripts[s].next();
      if (!step.done) {
        results[s].push(step.value);
        running++;
      }
    }
  }
  return results;
}

/** A generated book with masters whose pools hold more positions than the add-on scan's index threshold. */
function sample(seed: number, accounts: number, perMaster: number, positions: number): { book: ValidatedBook; market: ValidatedMarket } {
  const s = generateSample({ accounts, seed, accountsPerMaster: perMaster, positionsPerAccount: positions });
  return validateInputs(s.book, s.market);
}

/** The same market with every price and mark moved by `factor`. */
function moved(json: ReturnType<typeof generateSample>['market'], factor: number): typeof json {
  const m = structuredClone(json) as { assets: Record<string, { price: number }>; marks?: Record<string, number> };
  for (const a of Object.values(m.assets)) if (a.price !== 1) a.price *= factor;
  for (const k of Object.keys(m.marks ?? {})) m.marks![k] *= factor;
  return m as unknown as typeof json;
}

const BACKENDS = [{ backend: 'js' }, { backend: 'wasm', simd: false }, { backend: 'wasm' }] as const;

describe('sessions used in turn (re-entrancy)', () => {
  const a = sample(11, 48, 4, 6), b = sample(12, 40, 5, 5);
  const raw = generateSample({ accounts: 48, seed: 11, accountsPerMaster: 4, positionsPerAccount: 6 });
  const aDown = validateInputs(raw.book, moved(raw.market, 0.85)).market;

  for (const options of BACKENDS) {
    const name = 'simd' in options ? 'wasm-scalar' : options.backend === 'wasm' ? 'wasm-simd' : 'js';
    it(`two books' scripts interleaved on one engine equal each alone (${name})`, async () => {
      const alone = async (book: ValidatedBook, market: ValidatedMarket) => {
        const engine = await createEngine(options);
        try {
          return [...script(engine, book, market)];
        } finally {
          await engine.close();
        }
      };
      const [soloA, soloB, soloDown] = [await alone(a.book, a.market), await alone(b.book, b.market), await alone(a.book, aDown)];
      expect(soloA.length).toBeGreaterThan(8);
      const engine = await createEngine(options);
      try {
        expect(engine.backend).toBe(name);
        const [mixedA, mixedB] = interleave([script(engine, a.book, a.market), script(engine, b.book, b.market)]);
        expect(firstDifference(mixedA, soloA)).toBeNull();
        expect(firstDifference(mixedB, soloB)).toBeNull();
        // one validated book in two sessions: the same unions array for both layouts' pools
        const [sameA, sameDown] = interleave([script(engine, a.book, a.market), script(engine, a.book, aDown)]);
        expect(firstDifference(sameA, soloA)).toBeNull();
        expect(firstDifference(sameDown, soloDown)).toBeNull();
      } finally {
        await engine.close();
      }
    }, 120_000);
  }
});

describe('the engine composes its services over a session', async () => {
  const engine = await createEngine({ backend: 'js' });
  const sample = generateSample({ accounts: 300, seed: 7 });

  it('engine.liquidate(session, …) is the plan of engine.liquidate(book, …), and changes the session\'s layout', () => {
    const session = engine.openBook(sample.book);
    try {
      const before = session.margin(sample.market, { method: 'cross' }).totals;
      const onSession = engine.liquidate(session, sample.market, { method: 'cross' });
      const onBook = engine.liquidate(sample.book, sample.market, { method: 'cross' });
      expect(onSession.totals).toEqual(onBook.totals);
      expect(onSession.totals.accountsLiquidated).toBeGreaterThan(0);
      const after = session.margin(sample.market, { method: 'cross' }).totals;
      expect(after.grossNotional).toBeLessThan(before.grossNotional); // positions closed in the layout
    } finally {
      session.release();
    }
  });

  it('engine.live(session, …) keeps that session\'s book live, and leaves the session open when released', () => {
    const session = engine.openBook(sample.book);
    try {
      const live = engine.live(session, sample.market, { method: 'cross' });
      expect(live.report().totals.im).toBe(engine.margin(sample.book, sample.market, { method: 'cross' }).totals.im);
      // the session's market columns are the live run's: another run on the session (a margin call, a second live
      // session) would have re-margined the live session's next fill on its market; refused until it is released
      expect(() => session.margin(sample.market, { method: 'cross' })).toThrow(/this session keeps a live session live: release it before another run/);
      expect(() => engine.live(session, sample.market, { method: 'cross' })).toThrow(/this session keeps a live session live/);
      expect(live.report().totals.im).toBe(engine.margin(sample.book, sample.market, { method: 'cross' }).totals.im);
      live.release();
      expect(session.margin(sample.market, { method: 'cross' }).accounts.length).toBe(sample.book.accounts.length);
      const again = engine.live(session, sample.market, { method: 'cross' }); // held again, by the new one
      again.release();
    } finally {
      session.release();
    }
  });

  it('a session from the engine checks the services\' params sections with every params file', () => {
    const session = engine.openBook(sample.book);
    try {
      expect(() => session.margin(sample.market, { method: 'cross', params: { liquidation: { feeRate: -1 } } })).toThrow(/params\.liquidation/);
      expect(() => session.margin(sample.market, { method: 'cross', params: { stress: { maxRounds: 0 } } })).toThrow(/params\.stress/);
    } finally {
      session.release();
    }
  });
});
