/**
 * Issue 13 item 1: an account's rows on one instrument are netted into one position
 * (src/model/netting.ts, docs/book-format.md "Positions are netted").
 */
import fc from 'fast-check';
import { DOMAIN } from '../../src/model/domain.js';
import { describe, expect, it } from 'vitest';
import { layoutBook, layoutToBook } from '../../src/layout/index.js';
import { inversePreimage } from '../../src/model/inverse-price.js';
import { netHeldRow, netRows } from '../../src/model/netting.js';
import { validateBook } from '../../src/model/validate.js';
import { ALLOCATORS } from '../layout/helpers.js';
import { problemLines, problemsOf } from '../support/problems.js';

const INSTRUMENTS = [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'ETH-PERP-10', kind: 'perpetual', underlying: 'ETH', multiplier: 10 },
  { id: 'BTC-SPOT', kind: 'spot', underlying: 'BTC' },
  { id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100_000, expiry: '2026-12-25T08:00:00Z' },
];

type Row = { instrument: string; quantity: number; entryPrice: number; isolatedMargin?: number };
function bookOf(...accounts: Array<{ positions: Row[]; cashUsd?: number }>) {
  return {
    instruments: INSTRUMENTS,
    accounts: accounts.map((a, i) => ({ id: `acct-${i}`, collateral: [{ asset: 'USDC', amount: 1_000 }], ...a })),
  };
}

describe('netRows: quantity, average-cost entry, realized P&L', () => {
  it('nets a long position with a partial close (hand-computed)', () => {
    // Longs 10 @ 100 and 30 @ 120: eL = (1,000 + 3,600) / 40 = 115. Short 15 @ 130: eS = 130.
    // Net +25 at 115; closing 15 realizes 15·(130 − 115)·10 = 2,250 USD (multiplier 10).
    const rows = [{ quantity: 10, entryPrice: 100 }, { quantity: -15, entryPrice: 130 }, { quantity: 30, entryPrice: 120 }];
    expect(netRows(rows, 10, true)).toEqual({ quantity: 25, entryPrice: 115, realizedUsd: 2_250 });
  });

  it('nets to a short position at the shorts’ average entry (hand-computed)', () => {
    // Long 5 @ 100; shorts 8 @ 90 and 2 @ 110: eS = (720 + 220) / 10 = 94. Net −5 at 94; closing 5
    // realizes 5·(94 − 100) = −30.
    const rows = [{ quantity: 5, entryPrice: 100 }, { quantity: -8, entryPrice: 90 }, { quantity: -2, entryPrice: 110 }];
    expect(netRows(rows, 1, true)).toEqual({ quantity: -5, entryPrice: 94, realizedUsd: -30 });
  });

  it('a flat position has entry 0 and realizes everything; options realize nothing', () => {
    expect(netRows([{ quantity: 20, entryPrice: 95_000 }, { quantity: -20, entryPrice: 99_000 }], 1, true))
      .toEqual({ quantity: 0, entryPrice: 0, realizedUsd: 80_000 }); // 20·(99,000 − 95,000)
    // An option's entry price does not enter equity (its premium is in the collateral): nothing realized.
    expect(netRows([{ quantity: 2, entryPrice: 500 }, { quantity: -1, entryPrice: 700 }], 1, false))
      .toEqual({ quantity: 1, entryPrice: 500, realizedUsd: 0 });
  });

  it('rows of one side at one entry price keep that price exactly (20 × 1 = 1 × 20)', () => {
    const e = 91_234.567; // Σ of twenty such entries / 20 would round
    const net = netRows(Array.from({ length: 20 }, () => ({ quantity: 1, entryPrice: e })), 1, true);
    expect(net).toEqual({ quantity: 20, entryPrice: e, realizedUsd: 0 });
  });

  it('property: Σ rows units·(mark − entry) = realized + net units·(mark − net entry)', () => {
    const row = fc.record({
      quantity: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e4, max: 1e4, noNaN: true })),
      entryPrice: fc.double({ min: 0, max: 2e5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), fc.double({ min: 1e-3, max: 100, noNaN: true }), fc.double({ min: 0, max: 2e5, noNaN: true }), (rows, multiplier, mark) => {
        const net = netRows(rows, multiplier, true);
        const perRow = rows.reduce((sum, r) => sum + r.quantity * multiplier * (mark - r.entryPrice), 0);
        const netted = net.realizedUsd + net.quantity * multiplier * (mark - net.entryPrice);
        // Exact in real arithmetic: allow rounding relative to the magnitudes summed, and a net below the domain's
        // smallest quantity, which closes the position (its units·(mark − entry) dropped).
        const scale = rows.reduce((s, r) => s + Math.abs(r.quantity) * multiplier * (mark + r.entryPrice), 0);
        const dust = DOMAIN.quantity.min * multiplier * rows.reduce((m, r) => Math.max(m, mark + r.entryPrice), 0);
        expect(Math.abs(perRow - netted)).toBeLessThanOrEqual(1e-12 * scale + dust + 1e-300);
      }),
      { numRuns: 2000, seed: 1301 },
    );
  });
});

describe('netHeldRow: a held position and a new row, in the layout coordinate', () => {
  it('an inverse contract: netted in prices as a book\'s two rows are, the entry the image −1/price of a price', () => {
    // prices in half dollars around 100,000 USD per coin, 10 USD face: averaged in −1/price itself, about one add in
    // a thousand gives an entry no price maps to (a position no book can state)
    const price = fc.integer({ min: 180_000, max: 260_000 }).map((h) => h / 2);
    const size = fc.integer({ min: 1, max: 2_000 });
    fc.assert(fc.property(size, price, size, price, fc.boolean(), fc.boolean(), price, (q1, e1, q2, e2, short1, short2, mark) => {
      const held = { quantity: short1 ? -q1 : q1, entryPrice: e1 }, added = { quantity: short2 ? -q2 : q2, entryPrice: e2 };
      const layout = netHeldRow({ ...held, entryPrice: -1 / e1 }, { ...added, entryPrice: -1 / e2 }, 10, true, true);
      // money conserved: at any mark, the two rows' coin P&L, N·(1/entry − 1/mark), is what the fill realizes plus the
      // net position's P&L at its entry (to rounding of the sums: 1e-12 of the gross coin)
      const pnl = (q: number, x: number) => q * 10 * (-x - 1 / mark); // x = −1/entry
      const rows = pnl(held.quantity, -1 / e1) + pnl(added.quantity, -1 / e2);
      const after = layout.realizedUsd + (layout.quantity === 0 ? 0 : pnl(layout.quantity, layout.entryPrice));
      expect(Math.abs(after - rows)).toBeLessThanOrEqual(1e-12 * 10 * (q1 + q2) * (1 / e1 + 1 / e2 + 1 / mark));
      const book = netRows([held, added], 10, true, true);
      expect(layout.quantity).toBe(book.quantity);
      expect(layout.realizedUsd).toBe(book.realizedUsd);
      expect(layout.entryPrice).toBe(book.entryPrice === 0 ? 0 : -1 / book.entryPrice);
      if (layout.entryPrice !== 0) expect(-1 / inversePreimage(layout.entryPrice)).toBe(layout.entryPrice);
    }), { numRuns: 20_000 });
  });

  it('any other contract: netRows of the two rows', () => {
    const rows = [{ quantity: 10, entryPrice: 100 }, { quantity: -15, entryPrice: 130 }];
    expect(netHeldRow(rows[0], rows[1], 10, true, false)).toEqual(netRows(rows, 10, true));
    expect(netHeldRow(rows[0], rows[1], 1, false, false)).toEqual(netRows(rows, 1, false));
  });
});

describe('book validation nets rows per (account, instrument)', () => {
  it('merges rows into one position at the first row’s place, first-occurrence order kept, realized P&L in cashUsd', () => {
    const book = validateBook(bookOf({
      cashUsd: 1_000,
      positions: [
        { instrument: 'ETH-PERP-10', quantity: 10, entryPrice: 100 },
        { instrument: 'BTC-C', quantity: 2, entryPrice: 500 },
        { instrument: 'ETH-PERP-10', quantity: -15, entryPrice: 130 },
        { instrument: 'BTC-SPOT', quantity: 1, entryPrice: 90_000 },
        { instrument: 'BTC-C', quantity: -1, entryPrice: 700 },
        { instrument: 'ETH-PERP-10', quantity: 30, entryPrice: 120 },
      ],
    }));
    expect(book.accounts[0].positions).toEqual([
      { instrument: 'ETH-PERP-10', quantity: 25, entryPrice: 115 },
      { instrument: 'BTC-C', quantity: 1, entryPrice: 500 },
      { instrument: 'BTC-SPOT', quantity: 1, entryPrice: 90_000 },
    ]);
    expect(book.accounts[0].cashUsd).toBe(1_000 + 2_250); // the book's cash plus 15·(130 − 115)·10
  });

  it('keeps books without repeated instruments as they are (no cashUsd unless given)', () => {
    const json = bookOf({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000, isolatedMargin: 500 }, { instrument: 'BTC-C', quantity: -1, entryPrice: 700 }] });
    const book = validateBook(json);
    expect(book.accounts[0]).toEqual({ id: 'acct-0', positions: json.accounts[0].positions, collateral: json.accounts[0].collateral });
    expect('cashUsd' in book.accounts[0]).toBe(false);
    expect(validateBook(bookOf({ positions: json.accounts[0].positions, cashUsd: -250.5 })).accounts[0].cashUsd).toBe(-250.5);
  });

  it('nets accounts with many positions too (the map path beyond 32 rows)', () => {
    const rows: Row[] = Array.from({ length: 40 }, (_, k) => ({ instrument: k % 2 === 0 ? 'BTC-PERP' : 'BTC-SPOT', quantity: k % 4 < 2 ? 1 : -1, entryPrice: 90_000 + k }));
    const book = validateBook(bookOf({ positions: rows }));
    expect(book.accounts[0].positions.map((p) => [p.instrument, p.quantity])).toEqual([['BTC-PERP', 0], ['BTC-SPOT', 0]]);
    // BTC-PERP: longs at 90,000 + k for k ≡ 0 (mod 4), shorts for k ≡ 2: 10 each; eS − eL = 2 → 10·2.
    // BTC-SPOT: longs k ≡ 1, shorts k ≡ 3: also 10·2.
    expect(book.accounts[0].cashUsd).toBe(40);
  });

  it('rejects rows on one instrument that carry an isolated allocation, naming both rows', () => {
    const positions: Row[] = [
      { instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 },
      { instrument: 'BTC-C', quantity: 1, entryPrice: 500 },
      { instrument: 'BTC-PERP', quantity: 2, entryPrice: 91_000, isolatedMargin: 1_000 },
    ];
    expect(problemLines(() => validateBook(bookOf({ positions: [{ instrument: 'BTC-SPOT', quantity: 1, entryPrice: 1 }] }, { positions })))).toEqual([
      'accounts[1].positions[2].isolatedMargin: rows on one instrument are netted into one position, so an isolated allocation must be given on a single row (also accounts[1].positions[0])',
    ]);
    // every row of the group is named, whichever carries the allocation
    const three: Row[] = [{ ...positions[2] }, positions[0], { ...positions[0], isolatedMargin: 5 }];
    expect(problemsOf(() => validateBook(bookOf({ positions: three })))[0]).toEqual({
      path: 'accounts[0].positions[0].isolatedMargin',
      message: 'rows on one instrument are netted into one position, so an isolated allocation must be given on a single row (also accounts[0].positions[1], accounts[0].positions[2])',
    });
  });

  it('rejects rows whose netted position leaves the domain, and a cashUsd that is not a finite number', () => {
    // each row within the domain (src/model/domain.ts), their sum not: 2e12 contracts
    const huge: Row[] = [{ instrument: 'BTC-PERP', quantity: 1e12, entryPrice: 1e10 }, { instrument: 'BTC-PERP', quantity: 1e12, entryPrice: 2e10 }];
    expect(problemLines(() => validateBook(bookOf({ positions: huge })))).toEqual([
      'accounts[0].positions[0]: netted with rows 1: 2000000000000 is above the largest quantity 1e12',
    ]);
    // rows that net below the smallest quantity close the position: 0.1 + 0.2 − 0.3 is 5.6e-17 in doubles
    const dust: Row[] = [0.1, 0.2, -0.3].map((quantity) => ({ instrument: 'BTC-PERP', quantity, entryPrice: 1e4 }));
    expect(validateBook(bookOf({ positions: dust })).accounts[0].positions).toEqual([{ instrument: 'BTC-PERP', quantity: 0, entryPrice: 0 }]);
    expect(problemLines(() => validateBook(bookOf({ positions: [huge[0]], cashUsd: Number.NaN })))).toEqual(['accounts[0].cashUsd: not a finite number (got NaN)']);
    expect(problemLines(() => validateBook(bookOf({ positions: [huge[0]], cashUsd: '5' as unknown as number })))).toEqual(['accounts[0].cashUsd: not a finite number (got "5")']);
  });
});

describe.each(ALLOCATORS)('layout: netting in place and cashUsd (%s)', (_name, makeAllocator) => {
  it('addPosition nets into the slot holding the instrument, by the same rule as validation', () => {
    const first: Row = { instrument: 'ETH-PERP-10', quantity: 10, entryPrice: 100 };
    const more: Row[] = [{ instrument: 'ETH-PERP-10', quantity: -15, entryPrice: 130 }, { instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000 }];
    const layout = layoutBook(validateBook(bookOf({ positions: [first], cashUsd: 1_000 })), makeAllocator());
    for (const row of more) layout.addPosition('acct-0', row);
    // same as validating the three rows at once: ETH 10 @ 100 and −15 @ 130 → −5 @ 130, realized
    // 10·(130 − 100)·10 = 3,000; the BTC row is appended.
    const expected = validateBook(bookOf({ positions: [first, ...more], cashUsd: 1_000 }));
    expect(layoutToBook(layout).accounts).toEqual(JSON.parse(JSON.stringify(expected.accounts)));
    expect(layoutToBook(layout).accounts[0]).toMatchObject({ cashUsd: 4_000, positions: [{ instrument: 'ETH-PERP-10', quantity: -5, entryPrice: 130 }, { instrument: 'BTC-PERP' }] });
    expect(layout.cashUsd.array[0]).toBe(4_000);
  });

  it('addPosition refuses to net rows that carry an isolated allocation', () => {
    const layout = layoutBook(validateBook(bookOf({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000, isolatedMargin: 100 }] })), makeAllocator());
    expect(problemLines(() => layout.addPosition('acct-0', { instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }))).toEqual([
      'position: rows on one instrument are netted into one position, so an isolated allocation must be given on a single row (also the account\'s position 0 on "BTC-PERP")',
    ]);
    expect(problemsOf(() => layout.addPosition('acct-0', { instrument: 'BTC-PERP', quantity: 1, entryPrice: 1, isolatedMargin: 5 }))[0].path).toBe('position.isolatedMargin');
    expect(layoutToBook(layout).accounts[0].positions).toEqual([{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000, isolatedMargin: 100 }]);
  });

  it('layout → book → layout round-trips cashUsd, through addAccount, removeAccount and compact', () => {
    const layout = layoutBook(validateBook(bookOf({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }], cashUsd: -75 }, { positions: [{ instrument: 'BTC-C', quantity: 1, entryPrice: 1 }] })), makeAllocator(), { headroom: 0 });
    layout.addAccount({ id: 'new', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 10 }, { instrument: 'BTC-PERP', quantity: -1, entryPrice: 14 }], collateral: [], cashUsd: 1 });
    expect(layout.cashUsd.array[layout.accountIndex('new')]).toBe(1 + 4); // 1·(14 − 10)
    layout.removeAccount('acct-1');
    layout.compact();
    const book = layoutToBook(layout);
    expect(book.accounts.map((a) => [a.id, a.cashUsd])).toEqual([['acct-0', -75], ['new', 5]]);
    expect(layoutToBook(layoutBook(validateBook(book), makeAllocator()))).toEqual(book);
  });
});
