/**
 * Market validation: the snapshot on its own (prices, vols, rates, marks, implied vols, correlation)
 * and, when a book is given, the references between them (assets, implied vols, expiries).
 */

import { describeValue, type InputProblem, type ProblemList } from '../errors.js';
import {
  formatNumber,
  isFiniteNumber,
  isNonEmptyString,
  isRecord,
  keyPath,
  notFiniteMessage,
  notObjectMessage,
  notStringMessage,
  ownEntries,
} from './checks.js';
import { isPositiveSemidefinite, minEigenvalue, nearestCorrelation, PSD_TOLERANCE, type NearestCorrelationOptions } from './correlation.js';
import { parseIsoTimestamp } from './time.js';
import { readTimestamp } from './validate-book.js';
import type { ValidatedAssetMarket, ValidatedBook, ValidatedCorrelation } from './types.js';

/** Symmetry and unit-diagonal tolerance (absolute). */
export const CORRELATION_ENTRY_TOLERANCE = 1e-12;

export interface MarketValidationOptions {
  /**
   * Replace a correlation matrix that is not positive semidefinite by the nearest correlation matrix
   * (Higham 2002) instead of rejecting it; the replacement is reported in `warnings`. Default false.
   * Only the PSD failure is repaired: a matrix that is not square, symmetric or unit-diagonal is still rejected.
   */
  repairCorrelation?: boolean;
  /** Tuning for the repair. */
  nearestCorrelation?: NearestCorrelationOptions;
}

export interface MarketParts {
  valuationTime: string;
  valuationMs: number;
  assets: Map<string, ValidatedAssetMarket>;
  marks: Map<string, number>;
  impliedVols: Map<string, number>;
  correlation: ValidatedCorrelation;
  warnings: InputProblem[];
}

/** Everything in the market, or null when any problem was found (all of them reported). */
export function readMarket(json: unknown, book: ValidatedBook | undefined, options: MarketValidationOptions, problems: ProblemList): MarketParts | null {
  if (!isRecord(json)) {
    problems.add('market', notObjectMessage(json, 'an object with valuationTime, assets and correlation'));
    return null;
  }
  const before = problems.size;
  const valuationTime = readTimestamp(json.valuationTime, 'market.valuationTime', problems);
  const { assets, named } = readAssets(json.assets, problems);
  const marks = readQuotes(json.marks, 'market.marks', 'mark', problems);
  const impliedVols = readQuotes(json.impliedVols, 'market.impliedVols', 'implied vol', problems);
  const warnings: InputProblem[] = [];
  const correlation = readCorrelation(json.correlation, assets, named, options, problems, warnings);
  const valuationMs = valuationTime === null ? NaN : parseIsoTimestamp(valuationTime);
  if (book) checkBookAgainstMarket(book, named, impliedVols, valuationTime ?? '', valuationMs, problems);
  if (problems.size > before || valuationTime === null || !correlation) return null;
  return { valuationTime, valuationMs, assets, marks, impliedVols, correlation, warnings };
}

/**
 * Valid assets, and every symbol named (valid or not): references to a named-but-invalid asset are
 * not reported again as unknown.
 */
function readAssets(json: unknown, problems: ProblemList): { assets: Map<string, ValidatedAssetMarket>; named: Set<string> } {
  const assets = new Map<string, ValidatedAssetMarket>();
  const named = new Set<string>();
  if (!isRecord(json)) {
    problems.add('market.assets', notObjectMessage(json, 'an object of assets by symbol'));
    return { assets, named };
  }
  const entries = ownEntries(json);
  for (const [symbol] of entries) named.add(symbol);
  if (entries.length === 0) problems.add('market.assets', 'no assets');
  for (const [symbol, raw] of entries) {
    const path = keyPath('market.assets', symbol);
    if (!isRecord(raw)) {
      problems.add(path, notObjectMessage(raw, 'an object with price and vol'));
      continue;
    }
    const before = problems.size;
    const { price, vol } = raw;
    const rate = raw.rate === undefined ? 0 : raw.rate;
    const carry = raw.carry === undefined ? 0 : raw.carry;
    if (!isFiniteNumber(price)) problems.add(`${path}.price`, notFiniteMessage(price));
    else if (price <= 0) problems.add(`${path}.price`, `not positive (${formatNumber(price)}); expected > 0`);
    if (!isFiniteNumber(vol)) problems.add(`${path}.vol`, notFiniteMessage(vol));
    else if (vol < 0) problems.add(`${path}.vol`, `negative (${formatNumber(vol)}); expected ≥ 0`);
    if (!isFiniteNumber(rate)) problems.add(`${path}.rate`, notFiniteMessage(rate));
    if (!isFiniteNumber(carry)) problems.add(`${path}.carry`, notFiniteMessage(carry));
    if (problems.size === before) {
      assets.set(symbol, { price: price as number, vol: vol as number, rate: rate as number, carry: carry as number });
    }
  }
  return { assets, named };
}

/** Marks (> 0) or implied vols (≥ 0) by instrument id. */
function readQuotes(json: unknown, base: string, what: 'mark' | 'implied vol', problems: ProblemList): Map<string, number> {
  const quotes = new Map<string, number>();
  if (json === undefined) return quotes;
  if (!isRecord(json)) {
    problems.add(base, notObjectMessage(json, `an object of ${what}s by instrument id`));
    return quotes;
  }
  for (const [id, value] of ownEntries(json)) {
    const path = keyPath(base, id);
    if (!isFiniteNumber(value)) problems.add(path, notFiniteMessage(value));
    else if (what === 'mark' && value <= 0) problems.add(path, `not positive (${formatNumber(value)}); expected > 0`);
    else if (what === 'implied vol' && value < 0) problems.add(path, `negative (${formatNumber(value)}); expected ≥ 0`);
    else quotes.set(id, value);
  }
  return quotes;
}

function readCorrelation(
  json: unknown,
  assets: ReadonlyMap<string, ValidatedAssetMarket>,
  named: ReadonlySet<string>,
  options: MarketValidationOptions,
  problems: ProblemList,
  warnings: InputProblem[],
): ValidatedCorrelation | null {
  const base = 'market.correlation';
  if (!isRecord(json)) {
    problems.add(base, notObjectMessage(json, 'an object with assets and matrix'));
    return null;
  }
  const before = problems.size;
  const order = readCorrelationAssets(json.assets, assets, named, problems);
  const matrix = order ? readSquareMatrix(json.matrix, order.length, problems) : null;
  if (!order || !matrix || problems.size > before) return null;
  const n = order.length;
  if (isPositiveSemidefinite(matrix, n)) return { assets: order, matrix };
  const message = `not positive semidefinite (min eigenvalue ${formatNumber(minEigenvalue(matrix, n))})`;
  if (!options.repairCorrelation) {
    problems.add(`${base}.matrix`, message);
    return null;
  }
  const repaired = nearestCorrelation(matrix, n, options.nearestCorrelation);
  if (!repaired.converged || !isPositiveSemidefinite(repaired.matrix, n, PSD_TOLERANCE)) {
    problems.add(`${base}.matrix`, `${message}; the nearest-correlation repair did not converge in ${repaired.iterations} iterations`);
    return null;
  }
  warnings.push({
    path: `${base}.matrix`,
    message: `${message}; replaced by the nearest correlation matrix (Higham 2002), Frobenius distance ${formatNumber(repaired.distance)} after ${repaired.iterations} iterations`,
  });
  return { assets: order, matrix: repaired.matrix };
}

function readCorrelationAssets(
  json: unknown,
  assets: ReadonlyMap<string, ValidatedAssetMarket>,
  named: ReadonlySet<string>,
  problems: ProblemList,
): string[] | null {
  const path = 'market.correlation.assets';
  if (!Array.isArray(json)) {
    problems.add(path, notObjectMessage(json, 'an array of asset symbols'));
    return null;
  }
  const before = problems.size;
  const seen = new Map<string, number>();
  json.forEach((symbol: unknown, i) => {
    if (!isNonEmptyString(symbol)) problems.add(`${path}[${i}]`, notStringMessage(symbol, 'an asset symbol'));
    else if (seen.has(symbol)) problems.add(`${path}[${i}]`, `duplicate asset ${JSON.stringify(symbol)} (first at ${path}[${seen.get(symbol)}])`);
    else {
      seen.set(symbol, i);
      if (!named.has(symbol)) problems.add(`${path}[${i}]`, `unknown asset ${JSON.stringify(symbol)} (not in market.assets)`);
    }
  });
  for (const [symbol, asset] of assets) {
    if (asset.vol > 0 && !seen.has(symbol)) problems.add(path, `missing asset ${JSON.stringify(symbol)} (every asset with vol > 0 needs a row)`);
  }
  return problems.size > before ? null : (json as string[]);
}

/** Square, finite, unit diagonal, symmetric, entries in [−1, 1]; row-major. */
function readSquareMatrix(json: unknown, n: number, problems: ProblemList): Float64Array | null {
  const path = 'market.correlation.matrix';
  if (!Array.isArray(json)) {
    problems.add(path, notObjectMessage(json, 'an array of rows'));
    return null;
  }
  if (json.length !== n) {
    problems.add(path, `${json.length} rows for ${n} assets (rows must follow market.correlation.assets)`);
    return null;
  }
  const before = problems.size;
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row: unknown = json[i];
    if (!Array.isArray(row) || row.length !== n) {
      const got = Array.isArray(row) ? `${row.length} entries` : describeValue(row);
      problems.add(`${path}[${i}]`, `expected a row of ${n} numbers (the matrix must be square), got ${got}`);
      continue;
    }
    for (let j = 0; j < n; j++) {
      const value: unknown = row[j];
      if (!isFiniteNumber(value)) problems.add(`${path}[${i}][${j}]`, notFiniteMessage(value));
      else if (i === j && Math.abs(value - 1) > CORRELATION_ENTRY_TOLERANCE) problems.add(`${path}[${i}][${j}]`, `diagonal entry ${value}, expected 1`);
      else if (value < -1 || value > 1) problems.add(`${path}[${i}][${j}]`, `${value} is outside [-1, 1]`);
      else matrix[i * n + j] = value;
    }
  }
  if (problems.size > before) return null;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const upper = matrix[i * n + j];
      const lower = matrix[j * n + i];
      if (Math.abs(upper - lower) > CORRELATION_ENTRY_TOLERANCE) {
        problems.add(`${path}[${i}][${j}]`, `not symmetric (${upper} but ${path}[${j}][${i}] is ${lower})`);
      }
    }
  }
  return problems.size > before ? null : matrix;
}

/** References from the book into the market, and expiries against the valuation time. */
function checkBookAgainstMarket(
  book: ValidatedBook,
  assets: ReadonlySet<string>,
  impliedVols: ReadonlyMap<string, number>,
  valuationTime: string,
  valuationMs: number,
  problems: ProblemList,
): void {
  const assetsKnown = assets.size > 0; // an empty/broken asset list is reported once, not per reference
  book.instruments.forEach((instrument, i) => {
    const path = `instruments[${i}]`;
    if (assetsKnown && !assets.has(instrument.underlying)) {
      problems.add(`${path}.underlying`, `unknown asset ${JSON.stringify(instrument.underlying)} (not in market.assets)`);
    }
    const expiry = instrument.kind === 'option' || instrument.kind === 'future' ? instrument.expiry : undefined;
    if (expiry !== undefined && parseIsoTimestamp(expiry) <= valuationMs) {
      problems.add(`${path}.expiry`, `expired at the valuation time (${expiry} is not after ${valuationTime})`);
    }
    if (instrument.kind === 'option' && !impliedVols.has(instrument.id)) {
      problems.add(keyPath('market.impliedVols', instrument.id), `missing implied vol for option ${path}`);
    }
  });
  const byId = new Map(book.instruments.map((instrument) => [instrument.id, instrument]));
  for (const id of impliedVols.keys()) {
    const instrument = byId.get(id);
    if (instrument && instrument.kind !== 'option') problems.add(keyPath('market.impliedVols', id), `not an option (a ${instrument.kind})`);
  }
  if (!assetsKnown) return;
  book.accounts.forEach((account, a) => {
    account.collateral.forEach((balance, j) => {
      if (!assets.has(balance.asset)) {
        problems.add(`accounts[${a}].collateral[${j}].asset`, `unknown asset ${JSON.stringify(balance.asset)} (not in market.assets)`);
      }
    });
  });
}
