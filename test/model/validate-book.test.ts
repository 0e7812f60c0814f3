import { describe, expect, it } from 'vitest';
import { isValidatedBook, validateBook } from '../../src/model/validate.js';
import { subBook } from '../../src/model/sub-book.js';
import { expectOneProblem, problemsOf } from '../support/problems.js';
import { smallBook } from './fixtures.js';

function withChange(change: (book: any) => void): any {
  const book = smallBook();
  change(book);
  return book;
}

describe('validateBook accepts a valid book', () => {
  it('returns new objects with defaults filled and expiries canonical', () => {
    const json = smallBook();
    json.instruments[1].expiry = '2027-03-26T09:00:00+01:00';
    const book = validateBook(json);
    expect(isValidatedBook(book)).toBe(true);
    expect(book.instruments[0]).toEqual({ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 });
    expect(book.instruments[1]).toMatchObject({ expiry: '2027-03-26T08:00:00Z' });
    expect(book.accounts[2]).toEqual({ id: 'carol', positions: [], collateral: [{ asset: 'USDC', amount: 1000 }] });
    expect(book.accounts[0].positions[0]).not.toBe(json.accounts[0].positions[0]);
  });

  it('under the lenient option, drops unknown fields with a warning rather than carrying them to the layout', () => {
    const book = validateBook(withChange((b) => (b.accounts[0].positions[0].note = 'hedge')), { lenient: true });
    expect(Object.keys(book.accounts[0].positions[0])).toEqual(['instrument', 'quantity', 'entryPrice']);
    expect(book.warnings).toEqual([{ path: 'accounts[0].positions[0].note', message: 'unknown field (expected instrument, quantity, entryPrice or isolatedMargin)' }]);
  });

  it('has no warnings when every field is known', () => {
    expect(validateBook(smallBook()).warnings).toEqual([]);
  });

  it('does not certify a plain object that looks like a validated book', () => {
    expect(isValidatedBook(smallBook())).toBe(false);
  });
});

describe('validateBook rejects each invalid input class with its path', () => {
  it('rejects a book that is not an object', () => {
    expectOneProblem(() => validateBook([]), 'book', /expected an object/);
  });

  it('rejects missing instruments', () => {
    expectOneProblem(() => validateBook(withChange((b) => delete b.instruments)), 'instruments', /expected an array of instruments, got undefined/);
  });

  it('rejects an empty book', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.accounts = []))), 'accounts', /empty book \(no accounts\)/);
  });

  it('rejects an account with nothing in it, and takes one of settled cash alone', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.accounts[2].collateral = []))), 'accounts[2]', /no positions, no collateral and no cash/);
    const cashOnly = validateBook(withChange((b) => Object.assign(b.accounts[2], { collateral: [], cashUsd: 100 })));
    expect(cashOnly.accounts[2]).toMatchObject({ positions: [], collateral: [], cashUsd: 100 });
    // a cashUsd of 0 given is a holding of 0, as a balance of 0 is (a master that only groups subaccounts was refused)
    const zero = validateBook(withChange((b) => Object.assign(b.accounts[2], { collateral: [], cashUsd: 0 })));
    expect(zero.accounts[2]).toMatchObject({ id: 'carol', positions: [], collateral: [] });
    expect(zero.accounts[2].cashUsd ?? 0).toBe(0);
    // such a master's group taken out of the book (explain, optimize, the page's account view) keeps it
    const grouped = validateBook(withChange((b) => {
      Object.assign(b.accounts[2], { collateral: [], cashUsd: 0 });
      b.accounts[1].master = b.accounts[2].id;
    }));
    expect(subBook(grouped, [grouped.accounts[1].id]).accounts.map((a) => a.id).sort()).toEqual([grouped.accounts[1].id, grouped.accounts[2].id].sort());
  });

  it('rejects a duplicate instrument id', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => b.instruments.push({ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }))),
      'instruments[4].id',
      /duplicate instrument id "BTC-PERP" \(first at instruments\[0\]\)/,
    );
  });

  it('rejects a duplicate account id', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.accounts[1].id = 'alice'))), 'accounts[1].id', /duplicate account id "alice"/);
  });

  it('rejects names that are not well-formed Unicode (a lone surrogate escape): two such ids printed as one, "x\\uFFFD"', () => {
    const lone = (text: string, what: string) => `not well-formed Unicode: ${text} holds a lone surrogate, which no UTF-8 file can hold (expected ${what})`;
    const problems = problemsOf(() => validateBook(withChange((b) => {
      b.accounts[0].id = 'x\ud800';
      b.accounts[1].id = 'x\udc00';
      b.instruments[3].underlying = 'E\udfffH';
      b.accounts[0].collateral[1].asset = '\ud83dUSDC'; // the high half of 😀 alone
      b.accounts[2].master = 'bob\ud800';
      b.accounts[2].method = 'cross\udc00';
    })));
    expect(problems).toEqual([
      { path: 'instruments[3].underlying', message: lone('"E\\udfffH"', 'an asset symbol') },
      { path: 'accounts[0].id', message: lone('"x\\ud800"', 'an account id') },
      { path: 'accounts[0].collateral[1].asset', message: lone('"\\ud83dUSDC"', 'an asset symbol') },
      { path: 'accounts[1].id', message: lone('"x\\udc00"', 'an account id') },
      { path: 'accounts[2].master', message: lone('"bob\\ud800"', 'the id of the master account') },
      { path: 'accounts[2].method', message: lone('"cross\\udc00"', 'a margin method name') },
    ]);
    // a surrogate pair is one character: 😀 (U+1F600) names an account like any other
    expect(validateBook(withChange((b) => (b.accounts[0].id = 'x\ud83d\ude00'))).accounts[0].id).toBe('x😀');
  });

  it('rejects an unknown instrument kind', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[0].kind = 'swap'))), 'instruments[0].kind', /unknown kind "swap"/);
  });

  it('rejects a position on an unknown instrument', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.accounts[1].positions[0].instrument = 'ETH-PERP'))),
      'accounts[1].positions[0].instrument',
      /unknown instrument "ETH-PERP"/,
    );
  });

  it('rejects a non-finite quantity', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.accounts[0].positions[1].quantity = NaN))),
      'accounts[0].positions[1].quantity',
      /not a finite number \(got NaN\)/,
    );
  });

  it('rejects a quantity given as a string', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.accounts[0].positions[1].quantity = '0.5'))),
      'accounts[0].positions[1].quantity',
      /not a finite number \(got "0.5"\)/,
    );
  });

  it('rejects a negative entry price', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.accounts[0].positions[0].entryPrice = -1))),
      'accounts[0].positions[0].entryPrice',
      /^-1 is negative \(an entry price must be 0 or at least 1e-12\)$/,
    );
  });

  it('rejects a non-finite collateral amount', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.accounts[0].collateral[1].amount = Infinity))),
      'accounts[0].collateral[1].amount',
      /not a finite number \(got Infinity\)/,
    );
  });

  it('rejects two balances of one asset in an account', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => b.accounts[0].collateral.push({ asset: 'BTC', amount: 1 }))),
      'accounts[0].collateral[2].asset',
      /duplicate asset "BTC"/,
    );
  });

  it('rejects a negative strike', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[2].strike = -100000))), 'instruments[2].strike', /^-100000 is negative \(a price must be above 0\)$/);
  });

  it('rejects a zero multiplier', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[0].multiplier = 0))), 'instruments[0].multiplier', /^0 is not positive \(a multiplier must be above 0\)$/);
  });

  it('rejects an option without a right', () => {
    expectOneProblem(() => validateBook(withChange((b) => delete b.instruments[2].right)), 'instruments[2].right', /expected "call" or "put", got undefined/);
  });

  it('rejects a strike on a perpetual', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[0].strike = 1))), 'instruments[0].strike', /only options have a strike/);
  });

  it('rejects an expiry that is not an ISO-8601 timestamp', () => {
    expectOneProblem(
      () => validateBook(withChange((b) => (b.instruments[2].expiry = '27/11/2026'))),
      'instruments[2].expiry',
      /not an ISO-8601 timestamp with a time zone/,
    );
  });

  it('rejects an expiry without a time zone', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[2].expiry = '2026-11-27T08:00:00'))), 'instruments[2].expiry', /with a time zone/);
  });

  it('rejects an expiry on a day that does not exist', () => {
    expectOneProblem(() => validateBook(withChange((b) => (b.instruments[2].expiry = '2026-02-30T08:00:00Z'))), 'instruments[2].expiry', /ISO-8601/);
  });
});

describe('validateBook reports every problem at once', () => {
  it('lists problems from instruments and several accounts in one error', () => {
    const problems = problemsOf(() =>
      validateBook(
        withChange((b) => {
          b.instruments[3].strike = 0;
          b.accounts[0].positions[0].quantity = null;
          b.accounts[1].positions[0].instrument = 'NOPE';
          b.accounts[2].id = '';
        }),
      ),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'instruments[3].strike',
      'accounts[0].positions[0].quantity',
      'accounts[1].positions[0].instrument',
      'accounts[2].id',
    ]);
  });
});
