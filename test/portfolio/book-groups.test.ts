/**
 * The portfolio groups kept per layout (src/methods/engines/scenario-grid/book-groups.ts): a second margin call on the same
 * holdings reuses them, and any change of the holdings in place (fills, transfers, a new or removed account, another
 * stable-asset list) is seen: the report then equals, bit for bit, a fresh session's on the changed book.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import { LayoutAccount } from '../../src/margin/layout-account.js';
import { type BookGroups, bookGroupsOf } from '../../src/methods/engines/scenario-grid/book-groups.js';
import type { BookLayout } from '../../src/layout/book-layout.js';
import type { MarginSession } from '../../src/session/session.js';
import { allEngines } from '../support/engines.js';
import { accountSnapshot, randomChanges } from '../support/live.js';
import { mulberry32 } from '../support/random.js';

const sample = generateSample({ accounts: 120, seed: 5 });
const STABLE = new Set(['USD', 'USDC', 'USDT', 'DAI']); // portfolio params' default stableAssets

/** The session's report on `market` against a fresh session's on the book its layout holds now: same JSON, every bit. */
function expectFreshBits(engine: Engine, session: MarginSession, market: unknown, params?: unknown): void {
  const kept = JSON.stringify(session.margin(market, { method: 'portfolio', params }));
  const fresh = engine.openBook(validateInputs(layoutToBook(session.layout), sample.market).book);
  try {
    expect(kept).toBe(JSON.stringify(fresh.margin(market, { method: 'portfolio', params })));
  } finally {
    fresh.release();
  }
}

/** The layout's groups as a run gets them (the run's slot columns given back at once): kept ones are the same object. */
function keptGroups(layout: BookLayout, stable: ReadonlySet<string>): BookGroups {
  const { groups, slots } = bookGroupsOf(layout, stable, layout.live.allocator);
  for (const column of Object.values(slots)) column.release();
  if (!(groups.slotSource instanceof Int32Array)) groups.slotSource.release();
  return groups;
}

describe('portfolio groups kept per layout', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  it('are reused while the holdings are unchanged, with the same report', () => {
    const { book, market } = validateInputs(sample.book, sample.market);
    const session = engines[0].openBook(book);
    try {
      const first = JSON.stringify(session.margin(market, { method: 'portfolio' }));
      const groups = keptGroups(session.layout, STABLE);
      expect(JSON.stringify(session.margin(market, { method: 'portfolio' }))).toBe(first);
      expect(keptGroups(session.layout, STABLE)).toBe(groups);
      expect(keptGroups(session.layout, new Set(['USD']))).not.toBe(groups);
    } finally {
      session.release();
    }
  });

  it('are rebuilt after fills, transfers and cash changes in place: fresh-run bits, every backend', () => {
    for (const engine of engines) {
      const { book, market } = validateInputs(sample.book, sample.market);
      const session = engine.openBook(book);
      try {
        session.margin(market, { method: 'portfolio' });
        const layout = session.layout;
        const rnd = mulberry32(17);
        const ids = layout.accountIds.filter((id): id is string => id !== null);
        const assets = layout.assets.map((_, i) => i);
        let rebuilt = 0;
        for (let step = 0; step < 6; step++) {
          const a = layout.accountIndex(ids[Math.floor(rnd() * ids.length)]);
          const before = JSON.stringify(accountSnapshot(layout, a));
          const groups = keptGroups(layout, STABLE);
          const account = new LayoutAccount(layout, a);
          const refused = account.apply(randomChanges(layout, a, rnd, assets));
          if (refused) {
            account.undo();
            continue;
          }
          account.commit();
          if (JSON.stringify(accountSnapshot(layout, a)) === before) continue;
          expectFreshBits(engine, session, market);
          if (keptGroups(layout, STABLE) !== groups) rebuilt++;
        }
        expect(rebuilt, `${engine.backend}: changes that rebuilt the groups`).toBeGreaterThan(0);
      } finally {
        session.release();
      }
    }
  });

  it('are rebuilt after an account is removed or added, and for another stable-asset list', () => {
    const engine = engines[0];
    const { book, market } = validateInputs(sample.book, sample.market);
    const session = engine.openBook(book);
    try {
      session.margin(market, { method: 'portfolio' });
      session.layout.removeAccount(session.layout.accountIds.find((id) => id !== null)!);
      expectFreshBits(engine, session, market);
      const donor = sample.book.accounts[7] as { id: string };
      session.layout.addAccount({ ...donor, id: `${donor.id}-copy` });
      expectFreshBits(engine, session, market);
      // balances of a stable asset become exposed rows when the list leaves it out
      expectFreshBits(engine, session, market, { portfolio: { stableAssets: ['USDC'] } });
      expectFreshBits(engine, session, market);
    } finally {
      session.release();
    }
  });
});
