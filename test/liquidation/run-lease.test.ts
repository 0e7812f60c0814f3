/**
 * A liquidation run lends its own arrays (flags per account, ADL's index and candidates, a streamed plan's account and
 * step rows) from the session's heap and gives them back when it ends (src/liquidation/engine.ts, src/memory/array-lease.ts):
 * a cascade's rounds write the same memory instead of leaving megabytes a round to the garbage collector. What a lent
 * buffer held before never shows: lent buffers full of garbage, a streamed plan is the whole plan of a fresh session,
 * bit for bit; and every lent byte is back once the run ended, also when its reader stops
 * early. The book: 3,000 generated accounts with an empty insurance fund (deficits go to ADL), queue and pro-rata.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample, type LiquidationReport, validateInputs } from '../../src/index.js';
import type { AccountLiquidation } from '../../src/liquidation/report.js';
import { liquidateSession, liquidateSessionChunks } from '../../src/liquidation/liquidate-session.js';
import type { MarginSession } from '../../src/session/session.js';
import type { MarginRunner } from '../../src/session/types.js';
import type { BufferPool } from '../../src/memory/allocators.js';
import { liquidateChunks } from '../../src/liquidation/engine.js';
import { HoldingsSnapshot } from '../../src/layout/holdings-snapshot.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine({ backend: 'js' }), await createEngine({ backend: 'wasm' })];
});

const sample = generateSample({ accounts: 3_000, seed: 7 });
const { book, market } = validateInputs(sample.book, sample.market);
const optionsFor = (adl: string) => ({ method: 'cross', liquidation: { insuranceFund: { balanceUsd: 0 }, adl } });

/** A heap whose every buffer is full of 0xff bytes (NaN as doubles, −1 as ints, 255 as flags), as a reused one may be. */
const garbageHeap: BufferPool = {
  take: (byteLength: number) => {
    const buffer = new ArrayBuffer(byteLength);
    new Uint8Array(buffer).fill(0xff);
    return buffer;
  },
  give: () => {},
};

describe.each(['queue', 'pro-rata'])('a liquidation run lends its arrays from the session heap (%s ADL)', (adl) => {
  it('a streamed plan lent garbage is the whole plan, bit for bit; a run gives back every byte it took', () => {
    for (const engine of engines) {
      const fresh = engine.openBook(book);
      let whole: LiquidationReport;
      try {
        whole = liquidateSession(fresh, market, optionsFor(adl));
        void whole.accounts;
      } finally {
        fresh.release();
      }
      const session = engine.openBook(book) as unknown as MarginSession;
      try {
        // the session, lending from the garbage heap
        const runner: MarginRunner = { layout: session.layout, retention: session.retention, heap: garbageHeap, prepare: (m, o) => session.prepare(m, o) };
        const chunks = liquidateChunks(runner, market, optionsFor(adl), 40);
        const accounts: AccountLiquidation[] = [];
        let report: LiquidationReport;
        for (let next = chunks.next(); ; next = chunks.next()) {
          if (next.done) {
            report = next.value;
            break;
          }
          accounts.push(...next.value.plan.accountList());
        }
        expect(accounts.length).toBeGreaterThan(50);
        expect(accounts).toEqual(whole.accounts);
        expect(report.totals).toEqual(whole.totals);
        expect(report.adl).toEqual(whole.adl);
        // once the session's own caches exist (the first run made them), a run gives back every byte it took
        const lentBefore = session.heap.bytesInUse;
        for (const _ of liquidateSessionChunks(session as never, market, optionsFor(adl), 40));
        expect(session.heap.bytesInUse).toBe(lentBefore);
      } finally {
        session.release();
      }
    }
  });

  it('a reader that stops after the first chunk gets every lent byte back', () => {
    for (const engine of engines) {
      const session = engine.openBook(book) as unknown as MarginSession;
      try {
        // the session's own caches made, then its holdings put back (a liquidation leaves the layout as it left the
        // accounts: none below MM)
        const holdings = new HoldingsSnapshot(session.layout);
        for (const _ of liquidateSessionChunks(session as never, market, optionsFor(adl), 40));
        holdings.restore();
        const lentBefore = session.heap.bytesInUse;
        const chunks = liquidateSessionChunks(session as never, market, optionsFor(adl), 40);
        const first = chunks.next();
        expect(first.done).toBe(false);
        expect(session.heap.bytesInUse).toBeGreaterThan(lentBefore); // the run holds its flags and rows
        chunks.return(undefined as never);
        expect(session.heap.bytesInUse).toBe(lentBefore);
      } finally {
        session.release();
      }
    }
  });
});

describe('a liquidation run keeps its chooser scratch for the next run (src/liquidation/next-step.ts StepScratch)', () => {
  /** One account of 20 positions at health 0.9 (the one-account benchmark's shape): a few partial closes. */
  function twentyPositions(engine: Engine) {
    const one = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 20 });
    const bare = engine.margin(one.book, one.market, { method: 'cross' }).accounts[0];
    const account = { ...one.book.accounts[0], collateral: [{ asset: 'USDC', amount: 0.9 * bare.mm - bare.equityMm }] };
    return validateInputs({ ...one.book, accounts: [account] }, one.market);
  }

  it('runs of different sizes one after another give each book the same plan, bit for bit', () => {
    for (const engine of engines) {
      const small = twentyPositions(engine);
      const plan = (b: typeof book, m: typeof market, options: object) => {
        const session = engine.openBook(b);
        try {
          return JSON.stringify(liquidateSession(session, m, options));
        } finally {
          session.release();
        }
      };
      const first = [plan(small.book, small.market, { method: 'cross' }), plan(book, market, optionsFor('queue'))];
      expect(JSON.parse(first[0]).accounts[0].steps.length, `${engine.backend}: the small book's steps`).toBeGreaterThan(1);
      // a smaller account's run after a bigger one's, and the bigger after it: same plans
      for (let round = 0; round < 2; round++) {
        expect(plan(small.book, small.market, { method: 'cross' })).toBe(first[0]);
        expect(plan(book, market, optionsFor('queue'))).toBe(first[1]);
      }
    }
  });
});
