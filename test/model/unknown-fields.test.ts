/**
 * Issue 13 item 2: a misspelt optional field (`"multipler": 100`, `"isolatedMargn"`) used to be dropped
 * silently, changing the margin by orders of magnitude. Every validator now rejects unknown fields
 * with the path and a suggestion, or lists them as warnings under the explicit lenient option.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { editDistance, nearestName, unknownFieldMessage } from '../../src/model/checks.js';
import { validateBook, validateInputs, validateMarket } from '../../src/model/validate.js';
import { validateRuleBasedParams } from '../../src/margin/validate-params.js';
import { validatePortfolioParams } from '../../src/methods/portfolio/validate.js';
import { validateVarParams } from '../../src/methods/var/validate.js';
import { marginCore } from '../support/cli.js';
import { problemLines } from '../support/problems.js';
import { smallBook, smallMarket } from './fixtures.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

function changed<T>(make: () => T, change: (x: any) => void): T {
  const x = make();
  change(x);
  return x;
}

describe('the suggestion helper', () => {
  it('computes the edit distance with adjacent swaps (textbook values)', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3); // Levenshtein's classic: k→s, e→i, +g
    expect(editDistance('ab', 'ba')).toBe(1); // one transposition
    expect(editDistance('multipler', 'multiplier')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3); // stops early: anything above the limit is limit + 1
  });

  it('suggests the nearest field only when it is a plausible slip', () => {
    const fields = ['instrument', 'quantity', 'entryPrice', 'isolatedMargin'];
    expect(nearestName('isolatedMargn', fields)).toBe('isolatedMargin');
    expect(nearestName('Quantity', fields)).toBe('quantity');
    expect(nearestName('entryprice', fields)).toBe('entryPrice');
    expect(nearestName('qty', fields)).toBeNull();
    expect(nearestName('note', fields)).toBeNull();
  });

  it('words the message with the suggestion, or the fields expected', () => {
    expect(unknownFieldMessage('multipler', ['id', 'multiplier'])).toBe('unknown field (did you mean "multiplier"?)');
    expect(unknownFieldMessage('note', ['asset', 'amount'])).toBe('unknown field (expected asset or amount)');
  });
});

describe('the book rejects unknown fields at every level, with a suggestion', () => {
  it('on an instrument: the issue\'s "multipler"', () => {
    const book = changed(smallBook, (b) => (b.instruments[3].multipler = 100));
    expect(problemLines(() => validateBook(book))).toEqual(['instruments[3].multipler: unknown field (did you mean "multiplier"?)']);
  });

  it('keeps the kind-aware message for a field of another instrument kind', () => {
    const book = changed(smallBook, (b) => (b.instruments[1].strike = 100_000));
    expect(problemLines(() => validateBook(book))).toEqual(['instruments[1].strike: only options have a strike (this is a future)']);
  });

  it('at the top level, on an account, a position and a balance', () => {
    const book = changed(smallBook, (b) => {
      b.acounts = [];
      b.accounts[0].colateral = [];
      b.accounts[0].positions[1].isolatedMargn = 5_000;
      b.accounts[1].collateral[0].amout = 3;
    });
    expect(problemLines(() => validateBook(book))).toEqual([
      'acounts: unknown field (did you mean "accounts"?)',
      'accounts[0].colateral: unknown field (did you mean "collateral"?)',
      'accounts[0].positions[1].isolatedMargn: unknown field (did you mean "isolatedMargin"?)',
      'accounts[1].collateral[0].amout: unknown field (did you mean "amount"?)',
    ]);
  });

  it('names a key that is not an identifier in brackets', () => {
    const book = changed(smallBook, (b) => (b.accounts[2]['entry price'] = 1));
    expect(problemLines(() => validateBook(book))).toEqual(['accounts[2]["entry price"]: unknown field (expected id, positions, collateral, cashUsd, master, method or marginCurrency)']);
  });

  it('accepts a top-level "$schema" annotation', () => {
    expect(validateBook({ $schema: 'https://example.com/book.schema.json', ...smallBook() }).warnings).toEqual([]);
  });
});

describe('the market rejects unknown fields', () => {
  it('at the top level, in an asset entry and in the correlation', () => {
    const market = changed(smallMarket, (m) => {
      m.impliedVol = {};
      m.assets.BTC.carr = 0.01;
      m.correlation.source = 'desk';
    });
    expect(problemLines(() => validateMarket(market))).toEqual([
      'market.impliedVol: unknown field (did you mean "impliedVols"?)',
      'market.assets.BTC.carr: unknown field (did you mean "carry"?)',
      'market.correlation.source: unknown field (expected assets or matrix)',
    ]);
  });
});

describe('the params reject unknown fields in every section and nested rule', () => {
  it('rule-based sections, rules and brackets', () => {
    const params = {
      linaer: {},
      linear: { BTC: [{ upTo: 50_000, imrate: 0.01, imRate: 0.01, mmRate: 0.005 }, { imRate: 0.02, mmRate: 0.01 }] },
      options: { default: { imBase: 0.15, imFlor: 0.1, imFloor: 0.1, mmRate: 0.075 } },
      collateral: { ETH: { brackets: [{ imHaircut: 0.1, mmHaircutt: 0.05, mmHaircut: 0.05 }], liabilityWeightIM: 1.2 } },
    };
    expect(problemLines(() => validateRuleBasedParams(params))).toEqual([
      'params.linaer: unknown field (did you mean "linear"?)',
      'params.linear.BTC[0].imrate: unknown field (did you mean "imRate"?)',
      'params.options.default.imFlor: unknown field (did you mean "imFloor"?)',
      'params.collateral.ETH.liabilityWeightIM: unknown field (did you mean "liabilityWeightIm"?)',
      'params.collateral.ETH.brackets[0].mmHaircutt: unknown field (did you mean "mmHaircut"?)',
    ]);
  });

  it('portfolio section, asset rules and tails', () => {
    const portfolio = { aggregaton: 'sum', assets: { BTC: { spotRang: 0.2, tails: [{ move: -0.5, wieght: 0.3, weight: 0.3 }] } } };
    expect(problemLines(() => validatePortfolioParams(portfolio))).toEqual([
      'params.portfolio.aggregaton: unknown field (did you mean "aggregation"?)',
      'params.portfolio.assets.BTC.spotRang: unknown field (did you mean "spotRange"?)',
      'params.portfolio.assets.BTC.tails[0].wieght: unknown field (did you mean "weight"?)',
    ]);
  });

  it('var section and its returns', () => {
    const v = { confidense: 0.99, returns: { assets: ['BTC'], matrix: [[0.01]], periodDay: 1 } };
    expect(problemLines(() => validateVarParams(v))).toEqual([
      'params.var.confidense: unknown field (did you mean "confidence"?)',
      'params.var.returns.periodDay: unknown field (did you mean "periodDays"?)',
    ]);
  });
});

describe('margin fails closed on a misspelt field, or warns under lenient', () => {
  // The case: a 100× multiplier spelt "multipler" was dropped and IM came out 100× too small.
  const misspelt = () => changed(smallBook, (b) => (b.instruments[3].multipler = 100));

  it('engine.margin rejects it with the path, under every method', () => {
    for (const method of MARGIN_METHODS) {
      expect(problemLines(() => engine.margin(misspelt(), smallMarket(), { method }))).toEqual([
        'instruments[3].multipler: unknown field (did you mean "multiplier"?)',
      ]);
    }
  });

  it('lenient: the same numbers as without the field, and the warning in the report', () => {
    const clean = engine.margin(smallBook(), smallMarket(), { breakdown: true });
    const lenient = engine.margin(misspelt(), smallMarket(), { breakdown: true, lenient: true });
    expect(lenient.warnings).toEqual([{ path: 'instruments[3].multipler', message: 'unknown field (did you mean "multiplier"?)' }]);
    const { warnings: _, ...rest } = lenient;
    expect(rest).toEqual(clean);
  });

  it('a report of clean input has no warnings key (its JSON is unchanged)', () => {
    const report = engine.margin(smallBook(), smallMarket(), { lenient: true });
    expect('warnings' in report).toBe(false);
  });

  it('lenient covers the params too, and compareMethods collects every warning once', () => {
    const params = { var: { confidense: 0.95 }, options: { default: { imBase: 0.15, imFloor: 0.1, mmRate: 0.075, mmrate: 0.2 } } };
    expect(problemLines(() => engine.margin(smallBook(), smallMarket(), { method: 'var', params }))).toEqual([
      'params.options.default.mmrate: unknown field (did you mean "mmRate"?)',
      'params.var.confidense: unknown field (did you mean "confidence"?)',
    ]);
    const report = engine.margin(smallBook(), smallMarket(), { method: 'var', params, lenient: true });
    expect(report.warnings!.map((w) => w.path)).toEqual(['params.options.default.mmrate', 'params.var.confidense']);
    const comparison = engine.compareMethods(misspelt(), smallMarket(), { params, lenient: true });
    expect(comparison.warnings!.map((w) => w.path)).toEqual(['instruments[3].multipler', 'params.options.default.mmrate', 'params.var.confidense']);
  });

  it('validateInputs keeps the book\'s and the market\'s warnings apart', () => {
    const market = changed(smallMarket, (m) => (m.assets.USDC.rat = 0));
    const { book, market: m } = validateInputs(misspelt(), market, { lenient: true });
    expect(book.warnings.map((w) => w.path)).toEqual(['instruments[3].multipler']);
    expect(m.warnings.map((w) => w.path)).toEqual(['market.assets.USDC.rat']);
  });

  it('a validated book carries its warnings without becoming a field of its own (it validates again as itself)', () => {
    const book = validateBook(misspelt(), { lenient: true });
    expect(book.warnings).toHaveLength(1);
    expect(Object.keys(book)).toEqual(['instruments', 'accounts']);
    const report = engine.margin(book, smallMarket());
    expect(report.totals).toEqual(engine.margin(smallBook(), smallMarket()).totals);
    expect(report.warnings).toEqual(book.warnings);
  });

  it('keeps at most 100 unknown-field warnings, then counts the rest', () => {
    const book = changed(smallBook, (b) => {
      for (let i = 0; i < 150; i++) b.accounts[2][`x${i}`] = i;
    });
    const warnings = validateBook(book, { lenient: true }).warnings;
    expect(warnings).toHaveLength(101);
    expect(warnings[100]).toEqual({ path: '(input)', message: '50 more unknown fields not listed' });
  });
});

describe('the CLI', () => {
  it('rejects a misspelt field with its path (exit 1); --lenient runs and says so on stderr and in the JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'margin-core-fields-'));
    const book = join(dir, 'book.json');
    const market = join(dir, 'market.json');
    await writeFile(book, JSON.stringify(changed(smallBook, (b) => (b.accounts[0].positions[1].isolatedMargn = 5_000))));
    await writeFile(market, JSON.stringify(smallMarket()));
    const strict = await marginCore('margin', '--book', book, '--market', market, '--method', 'isolated');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('accounts[0].positions[1].isolatedMargn: unknown field (did you mean "isolatedMargin"?)');
    const lenient = await marginCore('margin', '--book', book, '--market', market, '--method', 'isolated', '--format', 'json', '--lenient');
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('margin-core: warning: accounts[0].positions[1].isolatedMargn: unknown field (did you mean "isolatedMargin"?)');
    expect(JSON.parse(lenient.stdout).warnings).toEqual([{ path: 'accounts[0].positions[1].isolatedMargn', message: 'unknown field (did you mean "isolatedMargin"?)' }]);
    for (const command of [['explain', 'alice'], ['greeks']]) {
      const run = await marginCore(...command, '--book', book, '--market', market, '--lenient');
      expect(run.code, command[0]).toBe(0);
      expect(run.stderr, command[0]).toContain('margin-core: warning: accounts[0].positions[1].isolatedMargn');
    }
  });
});
