/**
 * A book given where the market goes (or a market where the book goes) is refused in one problem that says so, not
 * in a hundred about the fields it lacks: through the API and the command line, for a JSON book and an Arrow one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputKind, wrongKindProblem } from '../../src/model/input-kind.js';
import { validateBook, validateInputs, validateMarket } from '../../src/model/validate.js';
import { marginCore, SAMPLE } from '../support/cli.js';
import { problemLines as problemsOf } from '../support/problems.js';
import { scratchDir } from '../support/scratch-dir.js';

const BOOK_FILE = join(SAMPLE, 'book.json'), MARKET_FILE = join(SAMPLE, 'market.json');
const book = JSON.parse(readFileSync(BOOK_FILE, 'utf8')) as unknown;
const market = JSON.parse(readFileSync(MARKET_FILE, 'utf8')) as unknown;

describe('the kind of an input document', () => {
  it('is told by its top-level fields', () => {
    expect([inputKind(book), inputKind(market), inputKind({ accounts: [], assets: {} }), inputKind([]), inputKind(null)]).toEqual(['book', 'market', 'other', 'other', 'other']);
    expect(wrongKindProblem(book, 'book', 'book')).toBeNull();
    expect(wrongKindProblem({}, 'market', 'market')).toBeNull(); // neither kind: its fields are reported as usual
  });

  it('a book given as the market: one problem at market', () => {
    expect(problemsOf(() => validateMarket(book))).toEqual([
      'market: looks like a book (instruments, accounts), not a market snapshot (valuationTime, assets): is the book file given as the market?',
    ]);
    expect(problemsOf(() => validateInputs(book, book))).toHaveLength(1);
  });

  it('a market given as the book: one problem at book', () => {
    expect(problemsOf(() => validateBook(market))).toEqual([
      'book: looks like a market snapshot (valuationTime, assets), not a book (instruments, accounts): is the market file given as the book?',
    ]);
    expect(problemsOf(() => validateInputs(market, market))).toHaveLength(1);
  });

  it('both swapped: the one problem that says so', () => {
    expect(problemsOf(() => validateInputs(market, book))).toEqual([expect.stringMatching(/^book: looks like a market snapshot .* are the two swapped\?$/)]);
  });

  it('a document of neither kind still lists what it lacks', () => {
    expect(problemsOf(() => validateMarket({ prices: {} })).length).toBeGreaterThan(1);
  });
});

describe('margin-core with a file of the wrong kind', () => {
  const dir = scratchDir('mc-input-kind-');

  it('a book file as --market, JSON or Arrow book: one line naming --market and the file, exit 1', async () => {
    const arrow = join(dir, 'arrow');
    expect((await marginCore('generate', '--accounts', '50', '--format', 'arrow', '--out', arrow)).code).toBe(0);
    for (const bookFile of [BOOK_FILE, join(arrow, 'book.arrow')]) {
      const run = await marginCore('margin', '--book', bookFile, '--market', BOOK_FILE);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`margin-core: invalid input (1 problem):\n  --market: ${BOOK_FILE}: looks like a book (instruments, accounts), not a market snapshot (valuationTime, assets): is the book file given as the market?\n`);
    }
  });

  it('a market file as --book: one line naming --book, exit 1', async () => {
    const run = await marginCore('liquidate', '--book', MARKET_FILE, '--market', MARKET_FILE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--book: ${MARKET_FILE}: looks like a market snapshot (valuationTime, assets), not a book`);
    expect(run.stderr).toContain('(1 problem)');
  });
});
