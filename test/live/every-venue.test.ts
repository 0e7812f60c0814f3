/**
 * Live equals from-scratch over everything a venue holds: books mixing USD, USDC-linear and coin-margined accounts
 * (inverse futures and perpetuals, coin options), USD options and futures, masters and subaccounts (test/support/
 * venue-book.ts), driven by random sequences (fast-check, the suite's fixed seed) of ticks (price only, vol only,
 * marks only, all), fills, deposits and withdrawals, transfers within a master's group, and what-ifs. After every step,
 * on wasm-simd, wasm-scalar and the JS twin:
 * - the live report (every row, the totals, the masters' roll-up, the head) has the bits of `engine.margin` on the live
 *   book and market (some accounts name the run's method: their rows carry it);
 * - the update's status events are exactly the rows whose status changed;
 * - a what-if's `before` is the account's row, and its `after` the row once the same trades are applied.
 * Every method (rule-based cross and isolated, portfolio, VaR with Monte Carlo, SPAN, Derive, Deribit, and the
 * subaccount policies).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, InputError, type LiveSession, type MarginMethodName, type Trade } from '../../src/index.js';
import type { UpdateResult } from '../../src/live/live-session.js';
import type { AccountMargin, MarginReport } from '../../src/margin/report.js';
import type { AccountRequirement } from '../../src/margin/what-if.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';
import { propertyRuns } from '../support/property-runs.js';
import { mulberry32 } from '../support/random.js';
import { accountsOf, entryOf, freshReport, instrumentsFor, sizeOf, venueBook, venueFills, venueMarket, venueTick, venueTransfer } from '../support/venue-book.js';

const VENUE_VARIANTS: { name: string; method: MarginMethodName; params?: unknown }[] = [
  { name: 'cross', method: 'cross' },
  { name: 'isolated', method: 'isolated' },
  { name: 'portfolio', method: 'portfolio' },
  { name: 'var delta-normal', method: 'var' },
  { name: 'var monte-carlo', method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } },
  { name: 'span', method: 'span' },
  { name: 'derive', method: 'derive' },
  { name: 'deribit', method: 'deribit' },
  { name: 'cross, subaccounts pooled', method: 'cross', params: { subaccounts: { policy: 'cross' } } },
];

const STEP_KINDS = ['tick price', 'tick vol', 'tick marks', 'tick all', 'fills', 'deposit', 'group transfer', 'what-if'] as const;
type StepKind = (typeof STEP_KINDS)[number];

/** A sequence: the book's seed and the steps, each a kind and the seed of its draws. */
const sequence = fc.record({
  book: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...STEP_KINDS), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) }), { minLength: 6, maxLength: 10 }),
});

/** The requirement fields of a report row, as a what-if states them. */
function asRequirement(row: AccountMargin): Omit<AccountRequirement, 'binding'> {
  return {
    status: row.status, equity: row.equity, equityIm: row.equityIm, equityMm: row.equityMm, im: row.im, mm: row.mm, health: row.health,
    grossNotional: row.grossNotional, collateralValue: row.collateralValue, cashUsd: row.cashUsd ?? 0, ...(row.marginCurrency ? { marginCurrency: row.marginCurrency } : {}),
  };
}

/** A what-if's figures as a row states them: without what binds IM and the position short of its own IM (no row field). */
function requirementFigures(r: AccountRequirement): Omit<AccountRequirement, 'binding' | 'shortPosition'> {
  const { binding: _, shortPosition: _short, ...rest } = r;
  return rest;
}

/** One step on the live session; returns the update's events (or null: nothing applied) and what to check. */
function step(live: LiveSession, kind: StepKind, rnd: () => number): { events: readonly { account: string; from: string; to: string; pool?: true }[] | null; whatIf?: { account: string; after: AccountRequirement; apply: () => UpdateResult } } {
  try {
    switch (kind) {
      case 'tick price': return { events: live.applyTick(venueTick(live, 'price', rnd)).events };
      case 'tick vol': return { events: live.applyTick(venueTick(live, 'vol', rnd)).events };
      case 'tick marks': return { events: live.applyTick(venueTick(live, 'marks', rnd)).events };
      case 'tick all': return { events: live.applyTick(venueTick(live, 'all', rnd)).events };
      case 'fills': return { events: live.applyFills(venueFills(live, rnd)).events };
      case 'deposit': return { events: live.applyTransfers([venueTransfer(live, rnd)]).events };
      case 'group transfer': {
        const [from, to] = rnd() < 0.5 ? ['m0', 'm0-s1'] : ['m1-s0', 'm1'];
        const t = live.transfer(rnd() < 0.5 ? { from, to, asset: 'USDC', amount: Math.round(rnd() * 5e5) / 100 + 1 } : { from, to, cashUsd: Math.round(rnd() * 2e5) / 100 + 1 });
        return { events: t.update?.events ?? [] };
      }
      case 'what-if': {
        const draw = whatIfDraw(live, rnd);
        const before = live.account(draw.account);
        const w = live.whatIf(draw.account, draw.items);
        expect(firstDifference(requirementFigures(w.before), asRequirement(before)), 'what-if before = the row').toBeNull();
        return { events: null, whatIf: { account: draw.account, after: w.after, apply: draw.apply } };
      }
    }
  } catch (error) {
    // a refused update (an overdrawn withdrawal, an overflow, a market the method cannot margin) changes nothing
    if (!(error instanceof InputError)) throw error;
    return { events: null };
  }
}

/** A what-if for one account: fills on instruments it may hold, or a deposit or withdrawal it may make; and their application. */
function whatIfDraw(live: LiveSession, rnd: () => number): { account: string; items: Trade[]; apply: () => UpdateResult } {
  if (rnd() < 0.6) {
    const accounts = accountsOf(live.layout);
    const a = accounts[Math.floor(rnd() * accounts.length)];
    const allowed = instrumentsFor(a.currency);
    const items = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
      const instrument = allowed[Math.floor(rnd() * allowed.length)];
      return { instrument, quantity: sizeOf(instrument, rnd), price: entryOf(instrument, rnd) };
    });
    return { account: a.id, items, apply: () => live.applyFills(items.map((t) => ({ account: a.id, ...t }))) };
  }
  const transfer = venueTransfer(live, rnd);
  const { account, ...item } = transfer;
  return { account, items: [item], apply: () => live.applyTransfers([transfer]) };
}

/** Runs `steps` on a live session of `engine` and checks every step against a fresh run. */
function checkSequence(engine: Engine, variant: (typeof VENUE_VARIANTS)[number], bookSeed: number, steps: readonly { kind: StepKind; seed: number }[]): void {
  const book = venueBook(mulberry32(bookSeed));
  // some accounts name the run's method (a live session runs one): their rows carry it, as engine.margin's do
  const naming = new Set(book.accounts.filter((_, k) => k % 5 === 1).map((a) => a.id));
  for (const a of book.accounts) if (naming.has(a.id)) (a as { method?: string }).method = variant.method;
  const live = engine.live(book, venueMarket(), { method: variant.method, params: variant.params } as never);
  const fresh = () => freshReport(engine, live, variant.method, variant.params, naming);
  try {
    let previous = live.report();
    expect(firstDifference(previous, fresh()), `${engine.backend} opening`).toBeNull();
    steps.forEach(({ kind, seed }, k) => {
      const result = step(live, kind, mulberry32(seed));
      let events = result.events;
      if (result.whatIf) {
        // the what-if's trades applied: its `after` is the account's row then, and the update's events are checked below
        try {
          events = result.whatIf.apply().events;
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
        }
        if (events !== null) {
          const row = live.account(result.whatIf.account);
          expect(firstDifference(requirementFigures(result.whatIf.after), asRequirement(row)), `${engine.backend} step ${k}: what-if after = the row once applied`).toBeNull();
        }
      }
      const report = live.report();
      const now = fresh();
      expect(firstDifference(report, now), `${engine.backend} step ${k} (${kind})`).toBeNull();
      if (events !== null) {
        const before = new Map(previous.accounts.map((r) => [r.id, r.status]));
        const changed = now.accounts.filter((r) => before.get(r.id) !== r.status).map((r) => `${r.id}: ${before.get(r.id)} → ${r.status}`).sort();
        expect(events.filter((e) => e.pool !== true).map((e) => `${e.account}: ${e.from} → ${e.to}`).sort(), `${engine.backend} step ${k} (${kind}): status events`).toEqual(changed);
        // under the cross policy the pools' own: the roll-up's status transitions, under the masters' ids
        const pools = (r: typeof now) => (r.subaccounts?.policy === 'cross' ? r.subaccounts.masters : []);
        const poolsBefore = new Map(pools(previous).map((m) => [m.id, m.combined.status]));
        const poolsChanged = pools(now).filter((m) => poolsBefore.get(m.id) !== m.combined.status).map((m) => `${m.id}: ${poolsBefore.get(m.id)} → ${m.combined.status}`).sort();
        expect(events.filter((e) => e.pool === true).map((e) => `${e.account}: ${e.from} → ${e.to}`).sort(), `${engine.backend} step ${k} (${kind}): pool events`).toEqual(poolsChanged);
      }
      previous = report;
    });
  } finally {
    live.release();
  }
}

describe('a live session equals engine.margin over every kind of account, after every step', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });
  for (const variant of VENUE_VARIANTS) {
    it(`${variant.name}: random sequences of ticks, fills, transfers and what-ifs`, () => {
      fc.assert(
        fc.property(sequence, ({ book, steps }) => {
          for (const engine of engines) checkSequence(engine, variant, book, steps);
        }),
        propertyRuns(3),
      );
    });
  }

  it('refuses the backstop policy, whose covers a live session does not pay', () => {
    for (const engine of engines) {
      expect(() => engine.live(venueBook(mulberry32(1)), venueMarket(), { method: 'cross', params: { subaccounts: { policy: 'backstop' } } })).toThrow(/: params\.subaccounts\.policy: a live session margins every account alone/);
    }
  });
});
