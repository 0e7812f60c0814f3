/**
 * Book validation: structure, types, units and internal references (positions → instruments,
 * duplicate ids). References to assets need the market and are checked by validate-market.ts.
 * One pass over the accounts; problems are collected, never thrown one at a time.
 */

import { describeValue, type ProblemList } from '../errors.js';
import {
  checkFields,
  countDefined,
  formatComputed,
  formatNumber,
  hasMoreKeys,
  knownFields,
  isFiniteNumber,
  isNonEmptyString,
  isRecord,
  notFiniteMessage,
  notObjectMessage,
  notStringMessage,
  priceProblem,
  reportUnknownFields,
  unknownInstrumentMessage,
  type JsonRecord,
} from './checks.js';
import { type InstrumentTerms, isolatedNettingMessage, NETTING_OVERFLOW_MESSAGE, netRows } from './netting.js';
import type { SettlementTerms } from './settlement.js';
import { formatIsoTimestamp, parseIsoTimestamp } from './time.js';
import { DOMAIN, domainProblem, type MagnitudeBound } from './domain.js';
import { checkMasters } from './validate-masters.js';
import { checkCoinAccount, heldInstrumentProblem, readMarginCurrency, readSettlement, unknownAssetCause, USD } from './settlement.js';
import type {
  InstrumentKind,
  ValidatedAccount,
  ValidatedCollateral,
  ValidatedInstrument,
  ValidatedPosition,
} from './types.js';

const KINDS: readonly InstrumentKind[] = ['spot', 'future', 'perpetual', 'option'];
/** Every kind's fields: one of another kind gets its own message below (`only options have a strike`). */
const INSTRUMENT_FIELDS = knownFields('id', 'kind', 'underlying', 'multiplier', 'right', 'strike', 'expiry', 'settlement');
export const ACCOUNT_FIELDS = knownFields('id', 'positions', 'collateral', 'cashUsd', 'master', 'method', 'marginCurrency');
export const POSITION_FIELDS = knownFields('instrument', 'quantity', 'entryPrice', 'isolatedMargin');
export const BALANCE_FIELDS = knownFields('asset', 'amount', 'location');
export const TIMESTAMP_HINT = 'an ISO-8601 timestamp with a time zone, e.g. 2026-11-27T08:00:00Z';

/** A timestamp field: canonical string, or null after reporting why not. */
export function readTimestamp(value: unknown, path: string, problems: ProblemList): string | null {
  if (typeof value !== 'string') {
    problems.add(path, notStringMessage(value, TIMESTAMP_HINT));
    return null;
  }
  const ms = parseIsoTimestamp(value);
  if (Number.isNaN(ms)) {
    problems.add(path, `not ${TIMESTAMP_HINT} (got ${describeValue(value)})`);
    return null;
  }
  return formatIsoTimestamp(ms);
}

/** One instrument, or null after reporting its problems. */
export function readInstrument(json: unknown, path: string, problems: ProblemList): ValidatedInstrument | null {
  if (!isRecord(json)) {
    problems.add(path, notObjectMessage(json, 'an instrument object'));
    return null;
  }
  const before = problems.size;
  checkFields(json, INSTRUMENT_FIELDS, countDefined(json, INSTRUMENT_FIELDS.names), path, problems);
  const { id, kind, underlying } = json;
  if (!isNonEmptyString(id)) problems.add(`${path}.id`, notStringMessage(id, 'an instrument id'));
  if (!isNonEmptyString(underlying)) problems.add(`${path}.underlying`, notStringMessage(underlying, 'an asset symbol'));
  const multiplier = json.multiplier === undefined ? 1 : json.multiplier;
  const multiplierWrong = isFiniteNumber(multiplier) ? domainProblem(DOMAIN.multiplier, multiplier) : notFiniteMessage(multiplier);
  if (multiplierWrong) problems.add(`${path}.multiplier`, multiplierWrong);
  if (!KINDS.includes(kind as InstrumentKind)) {
    problems.add(`${path}.kind`, `unknown kind ${describeValue(kind)} (expected spot, future, perpetual or option)`);
    return null;
  }
  const settlement = readSettlement(json.settlement, kind as InstrumentKind, underlying, path, problems);
  const base = { id: id as string, kind: kind as InstrumentKind, underlying: underlying as string, multiplier: multiplier as number, ...(settlement !== undefined ? { settlement } : {}) };
  if (kind === 'option') return readOptionFields(json, base, path, problems, before);
  for (const field of ['right', 'strike'] as const) {
    if (json[field] !== undefined) problems.add(`${path}.${field}`, `only options have a ${field} (this is a ${kind})`);
  }
  if (kind === 'future' && json.expiry !== undefined) {
    const expiry = readTimestamp(json.expiry, `${path}.expiry`, problems);
    return problems.size > before ? null : { ...base, kind: 'future', expiry: expiry as string };
  }
  if (json.expiry !== undefined) problems.add(`${path}.expiry`, `a ${kind} does not expire`);
  return problems.size > before ? null : (base as ValidatedInstrument);
}

function readOptionFields(
  json: JsonRecord,
  base: { id: string; underlying: string; multiplier: number; settlement?: string | undefined },
  path: string,
  problems: ProblemList,
  before: number,
): ValidatedInstrument | null {
  const { right, strike } = json;
  if (right !== 'call' && right !== 'put') problems.add(`${path}.right`, `expected "call" or "put", got ${describeValue(right)}`);
  const strikeWrong = isFiniteNumber(strike) ? priceProblem(strike) : notFiniteMessage(strike);
  if (strikeWrong) problems.add(`${path}.strike`, strikeWrong);
  const expiry = readTimestamp(json.expiry, `${path}.expiry`, problems);
  if (problems.size > before) return null;
  return { ...base, kind: 'option', right: right as 'call' | 'put', strike: strike as number, expiry: expiry as string };
}

/** Instruments with an index by id (first occurrence wins; later duplicates are reported). */
export function readInstruments(json: unknown, problems: ProblemList): { list: ValidatedInstrument[]; indexById: Map<string, number> } {
  const list: ValidatedInstrument[] = [];
  const indexById = new Map<string, number>();
  if (!Array.isArray(json)) {
    problems.add('instruments', notObjectMessage(json, 'an array of instruments'));
    return { list, indexById };
  }
  for (let i = 0; i < json.length; i++) {
    const path = `instruments[${i}]`;
    const instrument = readInstrument(json[i], path, problems);
    const id = isRecord(json[i]) ? json[i].id : undefined;
    if (isNonEmptyString(id)) {
      const first = indexById.get(id);
      if (first !== undefined) problems.add(`${path}.id`, `duplicate instrument id ${JSON.stringify(id)} (first at instruments[${first}])`);
      else indexById.set(id, i);
    }
    if (instrument) list.push(instrument);
    if (problems.full) break;
  }
  return { list, indexById };
}

/**
 * One account. `knownInstrument` answers whether a position may reference an id; null skips that
 * check (the instrument list itself was unreadable, and one problem says so). Rows on one
 * instrument are netted into one position (src/model/netting.ts) with `terms`; null skips netting
 * (only when the instrument list was unreadable: the book is rejected anyway).
 */
export function readAccount(
  json: unknown,
  path: string,
  knownInstrument: ReadonlyMap<string, number> | null,
  problems: ProblemList,
  rows: InstrumentRows | null = null,
  terms: InstrumentTerms | null = null,
): ValidatedAccount | null {
  if (!isRecord(json)) {
    problems.add(path, notObjectMessage(json, 'an account object'));
    return null;
  }
  const before = problems.size;
  const { id } = json;
  if (hasMoreKeys(json, (id !== undefined ? 1 : 0) + (json.positions !== undefined ? 1 : 0) + (json.collateral !== undefined ? 1 : 0))) {
    reportUnknownFields(json, ACCOUNT_FIELDS, path, problems);
  }
  if (!isNonEmptyString(id)) problems.add(`${path}.id`, notStringMessage(id, 'an account id'));
  const currency = readMarginCurrency(json.marginCurrency, path, problems);
  const positions = readPositions(json.positions, path, knownInstrument, problems, rows, terms, currency);
  const realizedUsd = lastRealizedUsd;
  let collateral = readCollateral(json.collateral, path, problems);
  if (typeof currency === 'string') checkCoinAccount(json, currency, path, collateral?.map((b) => b.asset) ?? [], terms?.currency ?? null, problems);
  const cash = json.cashUsd === undefined ? 0 : json.cashUsd;
  // cash alone holds something, a cashUsd of 0 given too (a master that only groups); nothing given is a mistake in a file
  if (!problems.emptyAccounts && positions && collateral && positions.length === 0 && collateral.length === 0 && (json.cashUsd === undefined || !isFiniteNumber(cash))) {
    problems.add(path, json.cashUsd === undefined ? 'account has no positions, no collateral and no cash (an account that holds nothing yet, such as a master that only groups subaccounts, gives cashUsd: 0)' : 'account has no positions, no collateral and no cash');
  }
  const cashWrong = isFiniteNumber(cash) ? domainProblem(DOMAIN.cashUsd, cash) : notFiniteMessage(cash);
  if (cashWrong) problems.add(`${path}.cashUsd`, cashWrong);
  else if (realizedUsd !== 0 && domainProblem(DOMAIN.cashUsd, (cash as number) + realizedUsd) !== null) {
    problems.add(`${path}.cashUsd`, `with the P&L realized by netting positions (${formatComputed(realizedUsd)} USD): ${domainProblem(DOMAIN.cashUsd, (cash as number) + realizedUsd)}`);
  }
  const { master, method } = json;
  if (master !== undefined && !isNonEmptyString(master)) problems.add(`${path}.master`, notStringMessage(master, 'the id of the master account'));
  if (method !== undefined && !isNonEmptyString(method)) problems.add(`${path}.method`, notStringMessage(method, 'a margin method name'));
  if (problems.size > before || !positions || !collateral) return null;
  // an account margined in an asset: P&L realized by netting is in that asset, added to its balance
  if (typeof currency === 'string' && realizedUsd !== 0) collateral = [{ asset: currency, amount: (collateral[0]?.amount ?? 0) + realizedUsd }];
  const cashUsd = typeof currency === 'string' ? 0 : (cash as number) + realizedUsd; // USD: the book's settled cash plus P&L realized by netting
  const account: { -readonly [K in keyof ValidatedAccount]: ValidatedAccount[K] } = { id: id as string, positions, collateral };
  if (cashUsd !== 0) account.cashUsd = cashUsd;
  if (master !== undefined) account.master = master as string;
  if (method !== undefined) account.method = method as string;
  if (typeof currency === 'string') account.marginCurrency = currency;
  return account;
}

/** An account's positions, netted per instrument; sets {@link lastRealizedUsd}. */
function readPositions(
  json: unknown,
  accountPath: string,
  knownInstrument: ReadonlyMap<string, number> | null,
  problems: ProblemList,
  rows: InstrumentRows | null,
  terms: InstrumentTerms | null,
  currency: string | undefined | null = undefined,
): ValidatedPosition[] | null {
  lastRealizedUsd = 0;
  if (json === undefined) return [];
  if (!Array.isArray(json)) {
    problems.add(`${accountPath}.positions`, notObjectMessage(json, 'an array of positions'));
    return null;
  }
  const out: ValidatedPosition[] = new Array(json.length);
  const firstRow = rows?.length ?? 0;
  if (accountRows.length < json.length) accountRows = new Int32Array(Math.max(json.length, 2 * accountRows.length));
  let ok = true;
  for (let j = 0; j < json.length; j++) {
    const position = readPosition(json[j], accountPath, j, knownInstrument, problems);
    const settled = terms?.currency;
    if (position && settled !== undefined && (settled.anySettled || currency !== undefined) && !settledIn(position, j, accountPath, currency, settled, terms!, problems)) ok = false;
    else if (position) {
      out[j] = position;
      accountRows[j] = lastInstrumentRow;
      rows?.push(lastInstrumentRow);
    } else ok = false;
    if (problems.full) return null;
  }
  if (!ok) return null;
  if (terms === null || out.length < 2 || !markRepeats(accountRows, out.length)) return out;
  const netted = netAccountRows(out, accountPath, terms, problems);
  if (netted === null) return null;
  if (rows) {
    rows.length = firstRow;
    for (const j of netted.rowIndex) rows.push(accountRows[j]);
  }
  lastRealizedUsd = netted.realizedUsd;
  return netted.positions;
}

/**
 * Whether position j (on the row readPosition accepted last) may be held by an account margined in `currency`
 * (undefined: USD; null: unreadable, nothing to compare), and for an inverse contract whether its entry is > 0 (or 0 with
 * quantity 0: a flat position).
 */
function settledIn(position: ValidatedPosition, j: number, accountPath: string, currency: string | undefined | null, settled: SettlementTerms, terms: InstrumentTerms, problems: ProblemList): boolean {
  const row = lastInstrumentRow;
  if (row < 0 || Number.isNaN(terms.multiplier(row))) return true; // an instrument that failed its own checks: said there
  let ok = true;
  const problem = currency === null ? null : heldInstrumentProblem(position.instrument, row, currency, settled, `instruments[${row}].settlement`);
  if (problem !== null && !problems.hasCause(unknownAssetCause(settled.settlement(row) ?? USD))) { // an unpriced settlement: said at it (checkSettlementsPriced)
    problems.addShared(`held:${row}:${currency ?? ''}`, `${accountPath}.positions[${j}].instrument`, problem, 'positions hold it'); // one for its holders
    ok = false;
  }
  // a flat position's entry is 0 (netting.ts), which a live session's book states once a fill closed the position
  if (terms.isInverse?.(row) && !(position.entryPrice > 0) && !(position.entryPrice === 0 && position.quantity === 0)) {
    problems.add(`${accountPath}.positions[${j}].entryPrice`, `${formatNumber(position.entryPrice)} is not > 0: an inverse contract's P&L is multiplier·(1/entry − 1/mark) in coin (0 only for a flat position, quantity 0)`);
    ok = false;
  }
  return ok;
}

/** P&L realized by netting the positions readPositions read last (USD). */
let lastRealizedUsd = 0;
/** Scratch, per position of the account being read: its instrument row. */
let accountRows = new Int32Array(64);
/** Scratch: the index of the first row on the same instrument (filled by markRepeats). */
let firstOfRow = new Int32Array(64);

/**
 * Whether any instrument row repeats among rows[0, n); fills firstOfRow. Pairwise for the usual
 * handful of positions (no allocation), a Map beyond.
 */
function markRepeats(rows: Int32Array, n: number): boolean {
  if (firstOfRow.length < n) firstOfRow = new Int32Array(rows.length);
  let repeats = false;
  if (n <= 32) {
    for (let j = 0; j < n; j++) {
      firstOfRow[j] = j;
      for (let i = 0; i < j; i++) {
        if (rows[i] === rows[j]) {
          firstOfRow[j] = firstOfRow[i];
          repeats = true;
          break;
        }
      }
    }
    return repeats;
  }
  const first = new Map<number, number>();
  for (let j = 0; j < n; j++) {
    const seen = first.get(rows[j]);
    if (seen === undefined) {
      first.set(rows[j], j);
      firstOfRow[j] = j;
    } else {
      firstOfRow[j] = seen;
      repeats = true;
    }
  }
  return repeats;
}

/**
 * Nets rows on one instrument into one position at the first row's place (first-occurrence order):
 * src/model/netting.ts. Rejects groups whose rows carry an isolated allocation, naming every row.
 */
function netAccountRows(
  rows: ValidatedPosition[],
  accountPath: string,
  terms: InstrumentTerms,
  problems: ProblemList,
): { positions: ValidatedPosition[]; rowIndex: number[]; realizedUsd: number } | null {
  const n = rows.length;
  const members = new Map<number, number[]>(); // first row → every row of its instrument, in order
  const rowIndex: number[] = [];
  for (let j = 0; j < n; j++) {
    const first = firstOfRow[j];
    if (first === j) {
      members.set(j, [j]);
      rowIndex.push(j);
    } else (members.get(first) as number[]).push(j);
  }
  const positions: ValidatedPosition[] = [];
  let realizedUsd = 0;
  let ok = true;
  for (const first of rowIndex) {
    const group = members.get(first) as number[];
    if (group.length === 1) {
      positions.push(rows[first]);
      continue;
    }
    const at = (j: number) => `${accountPath}.positions[${j}]`;
    const isolated = group.find((j) => rows[j].isolatedMargin !== undefined);
    if (isolated !== undefined) {
      problems.add(`${at(isolated)}.isolatedMargin`, isolatedNettingMessage(group.filter((j) => j !== isolated).map(at).join(', ')));
      ok = false;
      continue;
    }
    const row = accountRows[first];
    const net = netRows(group.map((j) => rows[j]), terms.multiplier(row), terms.isLinear(row), terms.isInverse?.(row) === true);
    if (!Number.isFinite(net.quantity) || !Number.isFinite(net.entryPrice) || !Number.isFinite(net.realizedUsd)) {
      problems.add(at(first), `${NETTING_OVERFLOW_MESSAGE} (rows ${group.join(', ')})`);
      ok = false;
      continue;
    }
    const netWrong = domainProblem(DOMAIN.quantity, net.quantity) ?? domainProblem(DOMAIN.entryPrice, net.entryPrice);
    if (netWrong !== null) {
      problems.add(at(first), `netted with rows ${group.filter((j) => j !== first).join(', ')}: ${netWrong}`);
      ok = false;
      continue;
    }
    realizedUsd = realizedUsd + net.realizedUsd;
    positions.push({ instrument: rows[first].instrument, quantity: net.quantity, entryPrice: net.entryPrice });
  }
  return ok ? { positions, rowIndex, realizedUsd } : null;
}

/**
 * One position. Its path is `${accountPath}.positions[${index}]`, or `accountPath` itself when
 * `index` < 0; path strings are only built when reporting (this runs millions of times).
 */
export function readPosition(
  json: unknown,
  accountPath: string,
  index: number,
  knownInstrument: ReadonlyMap<string, number> | null,
  problems: ProblemList,
): ValidatedPosition | null {
  const at = (field: string): string => `${index < 0 ? accountPath : `${accountPath}.positions[${index}]`}${field}`;
  if (!isRecord(json)) {
    problems.add(at(''), notObjectMessage(json, 'a position object'));
    return null;
  }
  const { instrument, quantity, entryPrice, isolatedMargin } = json;
  const present = (instrument !== undefined ? 1 : 0) + (quantity !== undefined ? 1 : 0) + (entryPrice !== undefined ? 1 : 0) + (isolatedMargin !== undefined ? 1 : 0);
  if (hasMoreKeys(json, present)) reportUnknownFields(json, POSITION_FIELDS, at(''), problems);
  let ok = true;
  const row = typeof instrument === 'string' && knownInstrument !== null ? knownInstrument.get(instrument) : undefined;
  if (typeof instrument !== 'string' || (knownInstrument !== null && row === undefined)) {
    const message = typeof instrument === 'string' ? unknownInstrumentMessage(instrument, knownInstrument as ReadonlyMap<string, number>, problems) : notStringMessage(instrument, 'an instrument id');
    problems.add(at('.instrument'), message);
    ok = false;
  }
  if (!checkNumber(quantity, DOMAIN.quantity, at, '.quantity', problems)) ok = false;
  if (!checkNumber(entryPrice, DOMAIN.entryPrice, at, '.entryPrice', problems)) ok = false;
  if (isolatedMargin !== undefined && !checkNumber(isolatedMargin, DOMAIN.isolatedMargin, at, '.isolatedMargin', problems)) ok = false;
  if (!ok) return null;
  lastInstrumentRow = row ?? -1;
  const position = { instrument: instrument as string, quantity: quantity as number, entryPrice: entryPrice as number };
  return isolatedMargin === undefined ? position : { ...position, isolatedMargin: isolatedMargin as number };
}

/** A finite number within `bound`, or false after adding the problem at `at(field)` (paths built only then). */
function checkNumber(value: unknown, bound: MagnitudeBound, at: (field: string) => string, field: string, problems: ProblemList): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.add(at(field), notFiniteMessage(value));
    return false;
  }
  if (value >= bound.min && value <= bound.max) return true; // the common case, no message built
  const wrong = domainProblem(bound, value);
  if (wrong !== null) problems.add(at(field), wrong);
  return wrong === null;
}

/** Row of the instrument of the position readPosition accepted last (saves the layout a second lookup). */
let lastInstrumentRow = -1;

function readCollateral(json: unknown, accountPath: string, problems: ProblemList): ValidatedCollateral[] | null {
  if (json === undefined) return [];
  if (!Array.isArray(json)) {
    problems.add(`${accountPath}.collateral`, notObjectMessage(json, 'an array of balances'));
    return null;
  }
  const out: ValidatedCollateral[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  for (let j = 0; j < json.length; j++) {
    const path = `${accountPath}.collateral[${j}]`;
    const balance = json[j];
    if (!isRecord(balance)) {
      problems.add(path, notObjectMessage(balance, 'a balance object'));
      ok = false;
      continue;
    }
    const { asset, amount, location } = balance;
    if (hasMoreKeys(balance, (asset !== undefined ? 1 : 0) + (amount !== undefined ? 1 : 0) + (location !== undefined ? 1 : 0))) {
      reportUnknownFields(balance, BALANCE_FIELDS, path, problems);
    }
    if (location !== undefined && !isNonEmptyString(location)) {
      problems.add(`${path}.location`, notStringMessage(location, 'a location name (a chain or venue of params.locations)'));
      ok = false;
    }
    if (!isNonEmptyString(asset)) {
      problems.add(`${path}.asset`, notStringMessage(asset, 'an asset symbol'));
      ok = false;
    } else if (seen.has(asset)) {
      problems.add(`${path}.asset`, `duplicate asset ${JSON.stringify(asset)} (first at ${accountPath}.collateral[${seen.get(asset)}])`);
      ok = false;
    } else {
      seen.set(asset, j);
    }
    const amountWrong = isFiniteNumber(amount) ? domainProblem(DOMAIN.amount, amount) : notFiniteMessage(amount);
    if (amountWrong) {
      problems.add(`${path}.amount`, amountWrong);
      ok = false;
    }
    if (ok) out.push(location === undefined ? { asset: asset as string, amount: amount as number } : { asset: asset as string, amount: amount as number, location: location as string });
  }
  return ok ? out : null;
}

/**
 * Instrument row of every accepted position, in book order (account by account), growing as needed.
 * Validation looks each id up anyway; keeping the answer spares the layout 2M Map lookups.
 */
export class InstrumentRows {
  private rows = new Int32Array(1024);
  length = 0;

  push(row: number): void {
    if (this.length === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.length++] = row;
  }

  toArray(): Int32Array {
    return this.rows.subarray(0, this.length);
  }
}

/**
 * Accounts, checking ids are unique and the book is not empty; `rows` collects each (netted)
 * position's instrument row; `terms` nets rows on one instrument (see {@link readAccount}).
 */
export function readAccounts(
  json: unknown,
  knownInstrument: ReadonlyMap<string, number> | null,
  problems: ProblemList,
  rows: InstrumentRows | null = null,
  terms: InstrumentTerms | null = null,
): ValidatedAccount[] {
  const list: ValidatedAccount[] = [];
  if (!Array.isArray(json)) {
    problems.add('accounts', notObjectMessage(json, 'an array of accounts'));
    return list;
  }
  if (json.length === 0) {
    problems.add('accounts', 'empty book (no accounts)');
    return list;
  }
  const firstIndexById = new Map<string, number>();
  for (let i = 0; i < json.length; i++) {
    const raw = json[i];
    const account = readAccount(raw, `accounts[${i}]`, knownInstrument, problems, rows, terms);
    const id = isRecord(raw) ? raw.id : undefined;
    if (isNonEmptyString(id)) {
      const first = firstIndexById.get(id);
      if (first !== undefined) problems.add(`accounts[${i}].id`, `duplicate account id ${JSON.stringify(id)} (first at accounts[${first}])`);
      else firstIndexById.set(id, i);
    }
    if (account) list.push(account);
    if (problems.full) break;
  }
  if (!problems.full) checkMasters(json, firstIndexById, problems);
  return list;
}
