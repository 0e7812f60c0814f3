/**
 * Market validation: the snapshot on its own (prices, vols, rates, marks, implied vols, correlation)
 * and, when a book is given, the references between them (assets, implied vols, expiries).
 */

import { describeValue, InputError, type ProblemList } from '../errors.js';
import { GREEKS_LIMITS } from './greeks-limits.js';
import {
  ANNOTATION_KEYS,
  checkFields,
  countDefined,
  formatComputed,
  formatNumber,
  knownFields,
  isFiniteNumber,
  isNonEmptyString,
  isRecord,
  keyPath,
  notFiniteMessage,
  notObjectMessage,
  notStringMessage,
  ownEntries,
  priceProblem,
} from './checks.js';
import { minEigenvalue, nearestCorrelation, PSD_TOLERANCE, type NearestCorrelationOptions } from './correlation.js';
import { parseIsoTimestamp, yearsBetween } from './time.js';
import { DOMAIN, domainProblem, rateBound } from './domain.js';
import { bookHoldings, checkMagnitudes } from './validate-magnitudes.js';
import { readTimestamp } from './validate-book.js';
import { forEachBalance } from './book-columns.js';
import { instanceProblem, wrongKindProblem } from './input-kind.js';
import type { ValidatedAssetMarket, ValidatedBook, ValidatedCorrelation, ValidatedMarket } from './types.js';
import { unknownAssetCause, unpricedSettlementMessage } from './settlement.js';
import { checkQuotedMarks } from './mark-bounds.js';

/** The cause an unknown asset's references share: one problem per missing asset, however many places need it. */
const unknownAsset = unknownAssetCause;

/** Symmetry and unit-diagonal tolerance (absolute). */
export const CORRELATION_ENTRY_TOLERANCE = 1e-12;

const MARKET_FIELDS = knownFields('valuationTime', 'assets', 'marks', 'impliedVols', 'correlation', ...ANNOTATION_KEYS);
const ASSET_FIELDS = knownFields('price', 'vol', 'rate', 'carry');
const CORRELATION_FIELDS = knownFields('assets', 'matrix');

/** How to repair a correlation matrix that is not PSD, for messages. */
export const CORRELATION_REPAIR_HINT = 'repairCorrelation: true (CLI --repair-correlation) replaces it by the nearest correlation matrix';

export interface MarketValidationOptions {
  /**
   * Replace a correlation matrix that is not positive semidefinite by the nearest correlation matrix
   * (Higham 2002) instead of rejecting it; the replacement is reported in `warnings`. Default false.
   * Only the PSD failure is repaired: a matrix that is not square, symmetric or unit-diagonal is still rejected.
   */
  repairCorrelation?: boolean | undefined;
  /** Tuning for the repair. */
  nearestCorrelation?: NearestCorrelationOptions | undefined;
}

/** Options of `validateInputs` (and `validateBook` / `validateMarket`, each reading its part). */
export interface ValidationOptions extends MarketValidationOptions {
  /**
   * Unknown fields (usually misspellings, `"multipler"`) become warnings instead of problems. Default
   * false: a misspelt optional field would otherwise be dropped and change the margin with no sign of why.
   */
  lenient?: boolean | undefined;
}

export interface MarketParts {
  valuationTime: string;
  valuationMs: number;
  assets: Map<string, ValidatedAssetMarket>;
  marks: Map<string, number>;
  impliedVols: Map<string, number>;
  correlation: ValidatedCorrelation;
}

/** Everything in the market, or null when any problem was found (all of them reported). */
export function readMarket(json: unknown, book: ValidatedBook | undefined, options: MarketValidationOptions, problems: ProblemList): MarketParts | null {
  if (!isRecord(json)) {
    problems.add('market', notObjectMessage(json, 'an object with valuationTime and assets (and marks, impliedVols and correlation where the book needs them)'));
    return null;
  }
  const misplaced = wrongKindProblem(json, 'market', 'market');
  if (misplaced) {
    problems.add(misplaced.path, misplaced.message);
    return null;
  }
  const instance = instanceProblem(json, 'market');
  if (instance !== null) {
    problems.add('market', instance);
    return null;
  }
  const before = problems.size;
  checkFields(json, MARKET_FIELDS, countDefined(json, MARKET_FIELDS.names), 'market', problems);
  const valuationTime = readTimestamp(json.valuationTime, 'market.valuationTime', problems);
  const { assets, named } = readAssets(json.assets, problems);
  const marks = readQuotes(json.marks, 'market.marks', 'mark', problems);
  const volsNamed = new Set<string>();
  const impliedVols = readQuotes(json.impliedVols, 'market.impliedVols', 'implied vol', problems, volsNamed);
  const correlation = readCorrelation(json.correlation, assets, named, options, problems);
  const valuationMs = valuationTime === null ? NaN : parseIsoTimestamp(valuationTime);
  if (book) {
    checkBookAgainstMarket(book, named, impliedVols, volsNamed, valuationTime ?? '', valuationMs, problems);
    if (problems.size === before) checkQuotedMarks(book, assets, marks, valuationMs, problems);
    if (problems.size === before) checkMagnitudes(book, assets, marks, valuationMs, problems);
  }
  if (problems.size > before || valuationTime === null || !correlation) return null;
  return { valuationTime, valuationMs, assets, marks, impliedVols, correlation };
}

const { expiryYearsMax } = GREEKS_LIMITS;

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
    checkFields(raw, ASSET_FIELDS, countDefined(raw, ASSET_FIELDS.names), path, problems);
    const { price, vol } = raw;
    const rate = raw.rate === undefined ? 0 : raw.rate;
    const carry = raw.carry === undefined ? 0 : raw.carry;
    const priceWrong = isFiniteNumber(price) ? priceProblem(price) : notFiniteMessage(price);
    if (priceWrong) problems.add(`${path}.price`, priceWrong);
    const volWrong = isFiniteNumber(vol) ? domainProblem(DOMAIN.vol, vol) : notFiniteMessage(vol);
    if (volWrong) problems.add(`${path}.vol`, volWrong);
    for (const [field, value] of [['rate', rate], ['carry', carry]] as const) {
      const wrong = isFiniteNumber(value) ? domainProblem(rateBound(field), value) : notFiniteMessage(value);
      if (wrong) problems.add(`${path}.${field}`, wrong);
    }
    if (problems.size === before) {
      assets.set(symbol, { price: price as number, vol: vol as number, rate: rate as number, carry: carry as number });
    }
  }
  return { assets, named };
}

/**
 * Marks (> 0) or implied vols (≥ 0) by instrument id. `named` collects every id given, valid or not,
 * so that a bad quote is not reported a second time as missing.
 */
function readQuotes(json: unknown, base: string, what: 'mark' | 'implied vol', problems: ProblemList, named?: Set<string>): Map<string, number> {
  const quotes = new Map<string, number>();
  if (json === undefined) return quotes;
  if (!isRecord(json)) {
    problems.add(base, notObjectMessage(json, `an object of ${what}s by instrument id`));
    return quotes;
  }
  for (const [id, value] of ownEntries(json)) {
    named?.add(id);
    const path = keyPath(base, id);
    const wrong = isFiniteNumber(value) ? domainProblem(what === 'mark' ? DOMAIN.price : DOMAIN.vol, value) : notFiniteMessage(value);
    if (wrong) problems.add(path, wrong);
    else quotes.set(id, value as number);
  }
  return quotes;
}

function readCorrelation(
  json: unknown,
  assets: ReadonlyMap<string, ValidatedAssetMarket>,
  named: ReadonlySet<string>,
  options: MarketValidationOptions,
  problems: ProblemList,
): ValidatedCorrelation | null {
  const base = 'market.correlation';
  if (json === undefined) return NO_CORRELATION;
  if (!isRecord(json)) {
    problems.add(base, notObjectMessage(json, 'an object with assets and matrix'));
    return null;
  }
  const before = problems.size;
  checkFields(json, CORRELATION_FIELDS, countDefined(json, CORRELATION_FIELDS.names), base, problems);
  const order = readCorrelationAssets(json.assets, assets, named, problems);
  const matrix = order ? readSquareMatrix(json.matrix, order.length, problems) : null;
  if (!order || !matrix || problems.size > before) return null;
  const n = order.length;
  const lowest = minEigenvalue(matrix, n);
  if (lowest >= -PSD_TOLERANCE) return { given: true, assets: order, matrix, minEigenvalue: lowest };
  // Not a correlation matrix, but only the methods that use correlations need one: they reject it
  // when they prepare (requireCorrelation); the others run, with this warning in their report.
  const message = `not positive semidefinite (min eigenvalue ${formatComputed(lowest)})`;
  const unrepaired = { given: true, assets: order, matrix, minEigenvalue: lowest };
  if (!options.repairCorrelation) {
    problems.warn(`${base}.matrix`, `${message}; the methods that use correlations (var, portfolio with aggregation "correlation") reject it; ${CORRELATION_REPAIR_HINT}`);
    return unrepaired;
  }
  const repaired = nearestCorrelation(matrix, n, options.nearestCorrelation);
  const repairedLowest = minEigenvalue(repaired.matrix, n);
  if (!repaired.converged || repairedLowest < -PSD_TOLERANCE) {
    problems.warn(`${base}.matrix`, `${message}; the nearest-correlation repair did not converge in ${repaired.iterations} iterations, so the methods that use correlations reject it`);
    return unrepaired;
  }
  let maxChange = 0;
  for (let i = 0; i < n * n; i++) maxChange = Math.max(maxChange, Math.abs(repaired.matrix[i] - matrix[i]));
  problems.warn(
    `${base}.matrix`,
    `${message}; replaced by the nearest correlation matrix (Higham 2002) after ${repaired.iterations} iterations: ` +
      `Frobenius norm of the change ${formatComputed(repaired.distance)}, largest entry change |Δρ| ${formatComputed(maxChange)}`,
  );
  return { given: true, assets: order, matrix: repaired.matrix, minEigenvalue: repairedLowest };
}

/** A market without `correlation`: no assets listed, vacuously positive semidefinite. */
const NO_CORRELATION: ValidatedCorrelation = Object.freeze({ given: false, assets: Object.freeze([]) as readonly string[], matrix: new Float64Array(0), minEigenvalue: 1 });

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
      if (!named.has(symbol)) problems.addShared(unknownAsset(symbol), `${path}[${i}]`, `unknown asset ${describeValue(symbol)} (not in market.assets)`);
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
  volsNamed: ReadonlySet<string>,
  valuationTime: string,
  valuationMs: number,
  problems: ProblemList,
): void {
  const assetsKnown = assets.size > 0; // an empty/broken asset list is reported once, not per reference
  book.instruments.forEach((instrument, i) => {
    const path = `instruments[${i}]`;
    if (assetsKnown && !assets.has(instrument.underlying)) {
      problems.addShared(unknownAsset(instrument.underlying), `${path}.underlying`, `unknown asset ${describeValue(instrument.underlying)} (not in market.assets)`);
    }
    if (assetsKnown && instrument.settlement !== undefined && instrument.settlement !== instrument.underlying && !assets.has(instrument.settlement)) {
      problems.addShared(unknownAsset(instrument.settlement), `${path}.settlement`, unpricedSettlementMessage(instrument.settlement, [...assets]));
    }
    const expiry = instrument.kind === 'option' || instrument.kind === 'future' ? instrument.expiry : undefined;
    if (expiry !== undefined) {
      const expiryMs = parseIsoTimestamp(expiry);
      if (expiredBefore(expiryMs, valuationMs)) problems.add(`${path}.expiry`, `expired before the valuation time (${expiry} is before ${valuationTime})`);
      const years = yearsBetween(valuationMs, expiryMs);
      if (years > expiryYearsMax) problems.add(`${path}.expiry`, tooFarMessage(years));
    }
    if (instrument.kind === 'option' && !volsNamed.has(instrument.id)) {
      problems.add(keyPath('market.impliedVols', instrument.id), `missing implied vol for option ${path}`);
    }
  });
  const byId = new Map(book.instruments.map((instrument) => [instrument.id, instrument]));
  for (const id of impliedVols.keys()) {
    const instrument = byId.get(id);
    if (instrument && instrument.kind !== 'option') problems.add(keyPath('market.impliedVols', id), `not an option (a ${instrument.kind})`);
  }
  if (!assetsKnown) return;
  // the book's balance assets, each once (its columns, or its holdings made once): when the market prices them all, no
  // balance can be unknown
  if (bookHoldings(book).balanceAssets.every((asset) => assets.has(asset))) return;
  forEachBalance(book, (asset, a, j) => {
    if (!assets.has(asset)) problems.addShared(unknownAsset(asset), `accounts[${a}].collateral[${j}].asset`, `unknown asset ${describeValue(asset)} (not in market.assets)`);
  });
}

/**
 * The expiry rule: an instrument expiring before the valuation time is refused (it has settled and left the book);
 * one expiring exactly at it is admitted with 0 years to expiry, an option then worth its intrinsic value against the
 * asset's price, which at that instant is the settlement price (the option kernels' at-expiry branch).
 */
export function expiredBefore(expiryMs: number, valuationMs: number): boolean {
  return expiryMs < valuationMs;
}

/** Message for an expiry beyond the supported horizon (the option kernels' domain, src/model/greeks-limits.ts). */
export function tooFarMessage(years: number): string {
  return `${Number(years.toFixed(3))} years (ACT/365) after the valuation time; at most ${expiryYearsMax} are supported`;
}

/** Throws an InputError at `market.correlation` when the market has none: for what uses it (`who`). */
/**
 * The correlation a stress uses: the market's, or, when it gives none, that of its one asset with vol > 0 alone
 * ([[1]]: one factor correlates with itself only, as a VaR on one factor needs no matrix); null for a market without
 * one that has several such assets.
 */
export function stressCorrelation(market: ValidatedMarket): ValidatedCorrelation | null {
  if (market.correlation.given) return market.correlation;
  const risky = [...market.assets].filter(([, a]) => a.vol > 0).map(([symbol]) => symbol);
  return risky.length <= 1 ? { given: false, assets: risky, matrix: Float64Array.of(...risky.map(() => 1)), minEigenvalue: 1 } : null;
}

export function requireCorrelation(market: ValidatedMarket, who: string): void {
  if (!market.correlation.given) throw new InputError([{ path: 'market.correlation', message: correlationMissingMessage(who) }]);
}

/** `missing: <who> uses the correlations of the assets (…)`. */
export function correlationMissingMessage(who: string): string {
  return `missing: ${who} uses the correlations of the assets (give market.correlation: { assets, matrix })`;
}

/**
 * Throws an InputError at `market.correlation` when the market has none, or at `market.correlation.matrix` when it is
 * not positive semidefinite: for the methods that use it (`who`, e.g. "the var method"), called when they prepare.
 * Validation let such a market through (with a warning for a matrix that is not PSD), for the methods that ignore
 * correlations.
 */
export function requireCorrelationMatrix(market: ValidatedMarket, who: string): void {
  requireCorrelation(market, who);
  const lowest = market.correlation.minEigenvalue;
  if (lowest >= -PSD_TOLERANCE) return;
  throw new InputError([{
    path: 'market.correlation.matrix',
    message: `not positive semidefinite (min eigenvalue ${formatComputed(lowest)}), so ${who} cannot use it; ${CORRELATION_REPAIR_HINT}`,
  }]);
}
