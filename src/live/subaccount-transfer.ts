/**
 * Transfers between accounts of one master group (`LiveSession.transfer`): `{ from, to, asset, amount }` moves
 * `amount` (> 0) units of `asset`, `{ from, to, cashUsd }` moves USD cash. The two accounts must be a master and one of
 * its subaccounts, or two subaccounts of one master. A transfer is checked like a withdrawal from the source: it is
 * refused when the source's equity for IM after it would be below its IM (the requirement may not be left unfunded),
 * or its equity for MM below its MM (a balance at a slow location counts for IM, not for MM), and then nothing changes.
 *
 * A coin-margined account (docs/coin-margined.md) sends and receives only its margin asset, which is its cash: a
 * transfer of it moves the two accounts' cash (each in that asset), and `cashUsd` (USD) does not reach it.
 *
 * Collateral held at a location (src/locations/) does not move with a transfer here: moving it is a bridge or a venue
 * withdrawal with its own delay, which the live session does not model, so such a transfer is refused.
 */
import { describeValue, ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { AccountChange } from '../margin/account-changes.js';
import { addDomainProblem, DOMAIN } from '../model/domain.js';
import { formatNumber, isFiniteNumber, isNonEmptyString, isRecord, keyPath, notFiniteMessage, notObjectMessage, notStringMessage, ownEntries } from '../model/checks.js';
import { accountIdsOf, accountMastersOf, forEachLocatedBalance } from '../model/book-columns.js';
import type { ValidatedBook } from '../model/types.js';
import { readAccount } from './requests.js';
import { figure } from '../margin/status-reason.js';
import type { AccountRequirement } from '../margin/what-if.js';
import { shortOfOwnIm } from './check.js';

/** A transfer between accounts of one master group, as JSON. */
export type SubaccountTransfer = { from: string; to: string; asset: string; amount: number } | { from: string; to: string; cashUsd: number };

/** A validated transfer: layout indices and the change applied to the source (its negation goes to the destination). */
export interface TransferPlan {
  from: number;
  to: number;
  /** What leaves the source (amount or cashUsd negative). */
  out: AccountChange;
  /** What reaches the destination. */
  in: AccountChange;
}

/** Who may transfer to whom: each account's master (absent for masters and accounts in no group), and located balances. */
export class TransferRules {
  private readonly masterOf = new Map<string, string>();
  private readonly located = new Map<string, string>(); // `${account}\u0000${asset}` → where it sits

  /** Read from the book's columns when it has them (no object per position built for a big book). */
  constructor(book: ValidatedBook) {
    const masters = accountMastersOf(book);
    if (masters !== undefined) {
      const ids = accountIdsOf(book);
      masters.forEach((m, a) => m !== undefined && this.masterOf.set(ids[a], m));
    }
    forEachLocatedBalance(book, (id, asset, location) => this.located.set(`${id}\u0000${asset}`, location));
  }

  /** True when `a` and `b` are a master and its subaccount, or subaccounts of one master. */
  related(a: string, b: string): boolean {
    const ma = this.masterOf.get(a), mb = this.masterOf.get(b);
    return ma === b || mb === a || (ma !== undefined && ma === mb);
  }

  isLocated(account: string, asset: string): boolean {
    return this.located.has(`${account}\u0000${asset}`);
  }

  /** Where the book opened holds `account`'s balance of `asset` (undefined: at the venue); a transfer does not move it. */
  locationOf(account: string, asset: string): string | undefined {
    return this.located.get(`${account}\u0000${asset}`);
  }
}

const FIELDS_ASSET = ['from', 'to', 'asset', 'amount'];
const FIELDS_CASH = ['from', 'to', 'cashUsd'];

/** Validates a transfer against the laid-out book and the group rules; InputError with paths under `transfer`. */
export function readSubaccountTransfer(json: unknown, layout: BookLayout, rules: TransferRules, path = 'transfer'): TransferPlan {
  const problems = new ProblemList();
  if (!isRecord(json)) {
    problems.add(path, notObjectMessage(json, 'a transfer { from, to, asset, amount } or { from, to, cashUsd }'));
    problems.throwIfAny();
  }
  const item = json as Record<string, unknown>;
  const cash = 'cashUsd' in item;
  const known = cash ? FIELDS_CASH : FIELDS_ASSET;
  for (const [key] of ownEntries(item)) {
    if (known.includes(key)) continue;
    // asset or amount beside cashUsd: one transfer of two kinds, not a misspelt field
    const otherForm = cash && FIELDS_ASSET.includes(key);
    problems.add(keyPath(path, key), otherForm ? 'given with cashUsd: a transfer moves cash ({ from, to, cashUsd }) or an asset ({ from, to, asset, amount }), not both' : `unknown field (expected ${known.join(', ')})`);
  }
  const from = readAccount(item.from, `${path}.from`, layout, problems);
  const to = readAccount(item.to, `${path}.to`, layout, problems);
  if (from >= 0 && to >= 0) {
    if (from === to) problems.add(`${path}.to`, 'the same account as from');
    else if (!rules.related(item.from as string, item.to as string)) {
      problems.add(`${path}.to`, `${JSON.stringify(item.to)} is not in ${JSON.stringify(item.from)}'s master group (transfers go between a master and its subaccounts, or subaccounts of one master)`);
    }
  }
  let out: AccountChange | null = null, into: AccountChange | null = null;
  const coin = (a: number) => (a >= 0 ? layout.marginAsset.array[a] : -1);
  if (cash) {
    const usd = item.cashUsd;
    for (const [a, side] of [[from, 'from'], [to, 'to']] as const) {
      if (coin(a) >= 0) problems.add(`${path}.${side}`, `${JSON.stringify(layout.accountIds[a])} is margined in ${layout.assets[coin(a)]}: its cash is ${layout.assets[coin(a)]}, moved by { from, to, asset: ${JSON.stringify(layout.assets[coin(a)])}, amount }`);
    }
    if (!isFiniteNumber(usd)) problems.add(`${path}.cashUsd`, notFiniteMessage(usd));
    else if (!(usd > 0)) problems.add(`${path}.cashUsd`, `not positive (${formatNumber(usd)}); a transfer moves a positive amount from → to`);
    else if (!addDomainProblem(DOMAIN.cashUsd, usd, `${path}.cashUsd`, problems)) {
      out = { cashUsd: -usd };
      into = { cashUsd: usd };
    }
  } else {
    let asset = -1;
    if (!isNonEmptyString(item.asset)) problems.add(`${path}.asset`, notStringMessage(item.asset, 'an asset symbol'));
    else {
      asset = layout.assetIndex(item.asset);
      if (asset < 0) problems.add(`${path}.asset`, `unknown asset ${describeValue(item.asset)}: the live book holds and trades ${layout.assets.join(', ')}`);
      else if (isNonEmptyString(item.from) && rules.isLocated(item.from, item.asset)) {
        problems.add(`${path}.asset`, `${JSON.stringify(item.from)} holds ${item.asset} at a location: moving it is a bridge or venue withdrawal, not a transfer between subaccounts`);
      }
    }
    const amount = item.amount;
    if (!isFiniteNumber(amount)) problems.add(`${path}.amount`, notFiniteMessage(amount));
    else if (!(amount > 0)) problems.add(`${path}.amount`, `not positive (${formatNumber(amount)}); a transfer moves a positive amount from → to`);
    else if (!addDomainProblem(DOMAIN.amount, amount, `${path}.amount`, problems) && asset >= 0) {
      out = coin(from) >= 0 ? { cashUsd: -amount } : { asset, amount: -amount };
      into = coin(to) >= 0 ? { cashUsd: amount } : { asset, amount };
    }
    for (const [a, side] of [[from, 'from'], [to, 'to']] as const) {
      if (coin(a) >= 0 && asset >= 0 && asset !== coin(a)) problems.add(`${path}.${side}`, `${JSON.stringify(layout.accountIds[a])} is margined in ${layout.assets[coin(a)]} and holds only ${layout.assets[coin(a)]}, not ${item.asset as string}`);
    }
  }
  problems.throwIfAny();
  return { from, to, out: out!, in: into! };
}

/**
 * Why a transfer out of account `id`, whose figures after it are `source`, is refused, or undefined: it may not leave the
 * source below IM, nor below MM (a balance that counts for IM but less for MM, at a location slower than the
 * liquidation horizon, can leave the IM surplus above what the MM surplus allows), nor under isolated margin (`isolated`)
 * any position short of its own IM (the transfer comes out of what the pro-rata positions share).
 */
export function transferRefusal(id: string, source: AccountRequirement, isolated: boolean): string | undefined {
  if (source.status === 'error' || !(source.equityIm >= source.im)) return `${id} would fall below IM: equity for IM ${figure(source.equityIm)} < IM ${figure(source.im)} after the transfer`;
  if (!(source.equityMm >= source.mm)) return `${id} would fall below MM: equity for MM ${figure(source.equityMm)} < MM ${figure(source.mm)} after the transfer`;
  if (shortOfOwnIm(source, isolated)) return `${id} would leave a position short of its own IM under isolated margin: the account ${source.status.replace('_', ' ')} after the transfer`;
  return undefined;
}
