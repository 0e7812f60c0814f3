import { describe, expect, it } from 'vitest';
import { columnarBook } from '../../src/model/book-columns.js';
import { columnsOfBook } from '../../src/model/book-columns-builder.js';
import { isPositiveSemidefinite, minEigenvalue } from '../../src/model/correlation.js';
import { validateBook, validateInputs, validateMarket } from '../../src/model/validate.js';
import { expectOneProblem, problemsOf } from '../support/problems.js';
import { smallBook, smallMarket } from './fixtures.js';

function market(change: (m: any) => void): any {
  const m = smallMarket();
  change(m);
  return m;
}

/** BTC, ETH, SOL with BTC~ETH 0.9, ETH~SOL 0.9, BTC~SOL −0.9: a classic non-PSD "correlation". */
function nonPsdMarket(): any {
  return market((m) => {
    m.assets.SOL = { price: 140, vol: 0.8 };
    m.correlation = {
      assets: ['BTC', 'ETH', 'SOL'],
      matrix: [
        [1, 0.9, -0.9],
        [0.9, 1, 0.9],
        [-0.9, 0.9, 1],
      ],
    };
  });
}

describe('validateMarket accepts a valid market', () => {
  it('fills rate and carry defaults and keys everything by symbol or id', () => {
    const m = validateMarket(smallMarket(), validateBook(smallBook()));
    expect(m.assets.get('USDC')).toEqual({ price: 1, vol: 0, rate: 0, carry: 0 });
    expect(m.valuationMs).toBe(Date.UTC(2026, 10, 20, 8));
    expect(m.marks.get('BTC-PERP')).toBe(91520.5);
    expect(Array.from(m.correlation.matrix)).toEqual([1, 0.82, 0.82, 1]);
    expect(m.warnings).toEqual([]);
  });
});

describe('validateMarket rejects each invalid input class with its path', () => {
  it('rejects a zero price', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.assets.BTC.price = 0))), 'market.assets.BTC.price', /^0 is not positive \(a price must be above 0\)$/);
  });

  it('rejects a non-finite price', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.assets.ETH.price = NaN))), 'market.assets.ETH.price', /not a finite number \(got NaN\)/);
  });

  it('rejects a negative vol', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.assets.ETH.vol = -0.1))), 'market.assets.ETH.vol', /^-0.1 is negative \(a vol must be 0 or at least 1e-6\)$/);
  });

  it('rejects a non-finite rate', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.assets.BTC.rate = 'high'))), 'market.assets.BTC.rate', /not a finite number/);
  });

  it('rejects a bad valuation time', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.valuationTime = '2026-11-20'))), 'market.valuationTime', /ISO-8601 timestamp with a time zone/);
  });

  it('rejects a negative implied vol', () => {
    expectOneProblem(
      () => validateMarket(market((m) => (m.impliedVols['ETH-25DEC26-2800-P'] = -0.2))),
      'market.impliedVols["ETH-25DEC26-2800-P"]',
      /negative/,
    );
  });

  it('rejects a non-positive mark', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.marks['BTC-PERP'] = -5))), 'market.marks["BTC-PERP"]', /^-5 is negative \(a price must be above 0\)$/);
  });

  it('rejects an instrument whose underlying asset the market does not price', () => {
    const book = validateBook(
      (() => {
        const b = smallBook();
        b.instruments.push({ id: 'BTX-PERP', kind: 'perpetual', underlying: 'BTX' });
        return b;
      })(),
    );
    expectOneProblem(() => validateMarket(smallMarket(), book), 'instruments[4].underlying', /unknown asset "BTX"/);
  });

  it('rejects collateral in an asset the market does not price', () => {
    const book = validateBook(
      (() => {
        const b = smallBook();
        b.accounts[2].collateral[0].asset = 'DAI';
        return b;
      })(),
    );
    expectOneProblem(() => validateMarket(smallMarket(), book), 'accounts[2].collateral[0].asset', /unknown asset "DAI"/);
  });

  it('a columnar book (Arrow, streamed JSON) is checked against the market as its objects are', () => {
    const withAsset = (asset: string, amount?: number) =>
      validateBook(
        (() => {
          const b = smallBook();
          b.accounts[2].collateral[0].asset = asset;
          if (amount !== undefined) b.accounts[2].collateral[0].amount = amount;
          return b;
        })(),
      );
    const columnar = (asset: string, amount?: number) => columnarBook(columnsOfBook(withAsset(asset, amount)));
    expectOneProblem(() => validateMarket(smallMarket(), columnar('DAI')), 'accounts[2].collateral[0].asset', /unknown asset "DAI"/);
    // 1e13 BTC at the market's price is worth far above the 1e15 USD bound on a balance
    expectOneProblem(() => validateMarket(smallMarket(), columnar('BTC', 1e13)), 'accounts[2].collateral[0].amount', /above the largest balance value/);
    expect(() => validateMarket(smallMarket(), columnar('BTC'))).not.toThrow();
  });

  it('one cause, one problem: an asset missing from the market is named once, with the count of places that need it', () => {
    // the book references BTX from 5 places: 4 instruments' underlyings and 1 collateral balance
    const book = validateBook(
      (() => {
        const b = smallBook();
        for (let i = 0; i < 4; i++) b.instruments.push({ id: `BTX-PERP-${i}`, kind: 'perpetual', underlying: 'BTX' });
        b.accounts[2].collateral[0].asset = 'BTX';
        return b;
      })(),
    );
    const problems = problemsOf(() => validateMarket(smallMarket(), book));
    expect(problems).toEqual([{
      path: 'instruments[4].underlying',
      // 4 + 1 = 5 places; the first 3 listed, 5 − 3 = 2 more
      message: 'unknown asset "BTX" (not in market.assets); 5 places need it: instruments[4].underlying, instruments[5].underlying, instruments[6].underlying, … and 2 more',
    }]);
  });

  it('rejects an option that expired before the valuation time', () => {
    expectOneProblem(
      () => validateMarket(market((m) => (m.valuationTime = '2026-11-27T08:00:01Z')), validateBook(smallBook())),
      'instruments[2].expiry',
      /expired before the valuation time \(2026-11-27T08:00:00Z is before 2026-11-27T08:00:01Z\)/,
    );
  });

  it('admits an option expiring at the valuation time (0 years to expiry: valued at intrinsic)', () => {
    expect(() => validateMarket(market((m) => (m.valuationTime = '2026-11-27T08:00:00Z')), validateBook(smallBook()))).not.toThrow();
  });

  it('rejects an option without an implied vol', () => {
    expectOneProblem(
      () => validateMarket(market((m) => delete m.impliedVols['BTC-27NOV26-100000-C']), validateBook(smallBook())),
      'market.impliedVols["BTC-27NOV26-100000-C"]',
      /missing implied vol for option instruments\[2\]/,
    );
  });

  it('rejects an implied vol given for an instrument that is not an option', () => {
    expectOneProblem(
      () => validateMarket(market((m) => (m.impliedVols['BTC-PERP'] = 0.5)), validateBook(smallBook())),
      'market.impliedVols["BTC-PERP"]',
      /not an option \(a perpetual\)/,
    );
  });

  it('rejects a correlation matrix that is not square', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.correlation.matrix[1] = [0.82]))), 'market.correlation.matrix[1]', /must be square/);
  });

  it('rejects a correlation matrix whose rows do not follow the asset order', () => {
    expectOneProblem(() => validateMarket(market((m) => m.correlation.matrix.push([0, 0]))), 'market.correlation.matrix', /3 rows for 2 assets/);
  });

  it('rejects a correlation matrix that is not symmetric', () => {
    expectOneProblem(
      () => validateMarket(market((m) => (m.correlation.matrix[1][0] = 0.8))),
      'market.correlation.matrix[0][1]',
      /not symmetric \(0.82 but market.correlation.matrix\[1\]\[0\] is 0.8\)/,
    );
  });

  it('accepts asymmetry within 1e-12 and rejects it just above', () => {
    expect(() => validateMarket(market((m) => (m.correlation.matrix[1][0] = 0.82 + 5e-13)))).not.toThrow();
    expect(() => validateMarket(market((m) => (m.correlation.matrix[1][0] = 0.82 + 5e-12)))).toThrow(/not symmetric/);
  });

  it('rejects a diagonal entry other than 1', () => {
    expectOneProblem(() => validateMarket(market((m) => (m.correlation.matrix[1][1] = 0.99))), 'market.correlation.matrix[1][1]', /diagonal entry 0.99, expected 1/);
  });

  it('rejects entries outside [-1, 1]', () => {
    const problems = problemsOf(() => validateMarket(market((m) => (m.correlation.matrix = [[1, 1.2], [1.2, 1]]))));
    expect(problems.map((p) => p.path)).toEqual(['market.correlation.matrix[0][1]', 'market.correlation.matrix[1][0]']);
    expect(problems[0].message).toMatch(/1.2 is outside \[-1, 1\]/);
  });

  it('accepts a correlation matrix that is not positive semidefinite with a warning naming the min eigenvalue', () => {
    // Eigenvalues of [[1, .9, −.9], [.9, 1, .9], [−.9, .9, 1]]: 1 − 2·0.9 = −0.8 (eigenvector (1, −1, 1)) and 1.9 twice.
    const m = validateMarket(nonPsdMarket());
    expect(m.warnings.map((w) => w.path)).toEqual(['market.correlation.matrix']);
    expect(m.warnings[0].message).toMatch(/^not positive semidefinite \(min eigenvalue -0.8\); the methods that use correlations .* reject it; repairCorrelation: true/);
    expect(m.correlation.minEigenvalue).toBeCloseTo(-0.8, 12);
  });

  it('rejects a correlation naming an asset the market does not price', () => {
    const problems = problemsOf(() => validateMarket(market((m) => (m.correlation.assets[1] = 'ETX'))));
    expect(problems).toEqual([
      { path: 'market.correlation.assets[1]', message: 'unknown asset "ETX" (not in market.assets)' },
      { path: 'market.correlation.assets', message: 'missing asset "ETH" (every asset with vol > 0 needs a row)' },
    ]);
  });

  it('rejects a correlation that leaves out an asset with vol', () => {
    const problems = problemsOf(() => validateMarket(market((m) => (m.assets.SOL = { price: 140, vol: 0.8 }))));
    expect(problems).toEqual([{ path: 'market.correlation.assets', message: 'missing asset "SOL" (every asset with vol > 0 needs a row)' }]);
  });

  it('rejects a correlation listing an asset twice', () => {
    const problems = problemsOf(() => validateMarket(market((m) => (m.correlation.assets = ['BTC', 'BTC']))));
    expect(problems).toEqual([
      { path: 'market.correlation.assets[1]', message: 'duplicate asset "BTC" (first at market.correlation.assets[0])' },
      { path: 'market.correlation.assets', message: 'missing asset "ETH" (every asset with vol > 0 needs a row)' },
    ]);
  });
});

describe('correlation repair (opt-in)', () => {
  it('replaces a non-PSD correlation with the nearest correlation matrix and says so', () => {
    const m = validateMarket(nonPsdMarket(), undefined, { repairCorrelation: true });
    expect(minEigenvalue(Float64Array.from([1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1]), 3)).toBeCloseTo(-0.8, 12);
    expect(isPositiveSemidefinite(m.correlation.matrix, 3)).toBe(true);
    expect(m.warnings).toHaveLength(1);
    expect(m.warnings[0].path).toBe('market.correlation.matrix');
    expect(m.warnings[0].message).toMatch(/^not positive semidefinite \(min eigenvalue -0.8\); replaced by the nearest correlation matrix \(Higham 2002\) after \d+ iterations: Frobenius norm of the change [\d.]+, largest entry change \|Δρ\| [\d.]+$/);
    expect(m.correlation.minEigenvalue).toBeGreaterThanOrEqual(-1e-10);
  });

  it('does not repair a matrix that is not symmetric', () => {
    expect(() => validateMarket(market((m) => (m.correlation.matrix[1][0] = 0.5)), undefined, { repairCorrelation: true })).toThrow(/not symmetric/);
  });
});

describe('validateInputs', () => {
  it('reports the book and the market problems in one error', () => {
    const book = smallBook();
    book.accounts[0].positions[0].quantity = Infinity;
    const problems = problemsOf(() => validateInputs(book, market((m) => (m.assets.BTC.vol = -1))));
    expect(problems.map((p) => p.path)).toEqual(['accounts[0].positions[0].quantity', 'market.assets.BTC.vol']);
  });

  it('cross-checks a valid book against the market', () => {
    const problems = problemsOf(() => validateInputs(smallBook(), market((m) => delete m.assets.USDT)));
    expect(problems.map((p) => p.path)).toEqual(['accounts[1].collateral[0].asset']);
  });
});
