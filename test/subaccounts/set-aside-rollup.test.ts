/**
 * A master's roll-up under a method that margins in USD only (var, span, derive), on a book whose coin-margined accounts
 * come before the masters: those accounts are set aside (rows in status error, out of the run), and the roll-up's
 * group figures are still the sums of the group's own rows. Before the fix, the figure columns skipped the set-aside
 * rows, so every later account landed on the wrong row and the masters' groups read 0.
 */
import { describe, expect, it } from 'vitest';
import type { AccountMargin } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { mulberry32 } from '../support/random.js';
import { venueBook, venueMarket } from '../support/venue-book.js';
import { USD_ONLY_METHODS } from '../support/coin-books.js';

const FIGURES = ['equity', 'equityIm', 'equityMm', 'im', 'mm'] as const;

describe('roll-up beside set-aside coin-margined accounts', async () => {
  const engines = await allEngines();
  const book = venueBook(mulberry32(1), 18);
  for (const method of USD_ONLY_METHODS) {
    it(`${method}: each master's standalone figures are the sums of its group's rows, on every backend`, () => {
      for (const engine of engines) {
        const report = engine.margin(book, venueMarket(), { method });
        expect(report.accounts.some((a) => a.status === 'error')).toBe(true); // coin accounts set aside, ahead of the masters
        const rows = new Map<string, AccountMargin>(report.accounts.map((a) => [a.id, a]));
        for (const group of report.subaccounts!.masters) {
          const members = [group.id, ...group.subaccounts].map((id) => rows.get(id)!);
          for (const f of FIGURES) {
            const sum = members.reduce((s, a) => s + a[f], 0);
            expect(group.standalone[f], `${engine.backend} ${group.id} ${f}`).toBeCloseTo(sum, 6);
          }
          expect(group.standalone.im).toBeGreaterThan(0);
        }
      }
    });
  }
});
