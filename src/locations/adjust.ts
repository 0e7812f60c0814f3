/**
 * Collateral by location: what a balance held on a chain or venue other than the margin account is worth at margin
 * time (docs/locations.md). For a positive balance of asset A at location L, after A's own tiered
 * haircut has valued it at w_IM and w_MM (USD, the rule-based kernel's figures):
 *
 *     IM counts  w_IM · k_IM,   k_IM = 1 − h_L                                   (0 when L is frozen)
 *     MM counts  w_MM · k_MM,   k_MM = 1 − h_L            when delay_L ≤ horizon  (0 when L is frozen)
 *                               k_MM = 0                  when late, delayRule "exclude-mm"
 *                               k_MM = (1 − h_L)·max(0, 1 − σ_A·√(delay_L in years))  when late, delayRule "haircut"
 *
 * h_L: the location's extra haircut; σ_A: A's annualised vol from the market; a year is 365 × 24 hours (ACT/365).
 * Borrowings are liabilities wherever they are booked: no location changes them. The adjuster subtracts
 * w · (1 − k) from the kernel's equities, after the kernel ran, in the same order on every backend (so WASM and JS
 * keep identical bits), and only for the accounts it has balances of: a book without locations is untouched. A pooled
 * balance (src/subaccounts/pool-book.ts) held at several locations takes each location's deduction on its share.
 */
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { type MarginColumns, weighted } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import { locatedBalancesOf } from '../model/book-columns.js';
import { ownValue } from '../model/checks.js';
import type { ValidatedBook } from '../model/types.js';
import type { LocationParams } from './params.js';

const HOURS_PER_YEAR = 365 * 24;

/** The fractions of a located balance's haircut values that count, from its location and the asset's vol. */
export function locationKeep(location: { haircut: number; delayHours: number }, params: LocationParams, frozen: boolean, volAnnual: number): { im: number; mm: number } {
  if (frozen) return { im: 0, mm: 0 };
  const kept = 1 - location.haircut;
  if (!(location.delayHours > params.horizonHours)) return { im: kept, mm: kept };
  if (params.delayRule === 'exclude-mm') return { im: kept, mm: 0 };
  const delayHaircut = volAnnual * Math.sqrt(location.delayHours / HOURS_PER_YEAR);
  return { im: kept, mm: kept * Math.max(0, 1 - delayHaircut) };
}

/** One located balance: the account and asset (layout indices) and where it sits. */
interface Entry {
  asset: number;
  /** The part of the balance's positive value held there: 1, or a location's share of a pooled balance. */
  share: number;
  haircut: number;
  delayHours: number;
  frozen: boolean;
}

/**
 * What is wrong with a list of frozen locations given at `path` (`frozenLocations`, a shock's
 * `shock.freezeLocations`): not an array of names, or a name `params` does not list.
 */
export function frozenLocationProblems(params: LocationParams, names: unknown, path: string): InputProblem[] {
  if (!Array.isArray(names)) return [{ path, message: `expected an array of location names, got ${describeValue(names)}` }];
  return names.flatMap((name: unknown, k) => {
    if (typeof name !== 'string' || name === '') return [{ path: `${path}[${k}]`, message: `expected a location name of params.locations.at, got ${describeValue(name)}` }];
    return ownValue(params.at, name) === undefined ? [{ path: `${path}[${k}]`, message: `unknown location ${describeValue(name)}${knownList(params)}` }] : [];
  });
}

/**
 * The located balances of a laid-out book, by account, and the adjustment of their equities. Built once per
 * prepared run; {@link adjust} runs after every rule-based kernel call on the accounts that call margined.
 */
/**
 * Why `method`, which allocates collateral to positions inside the kernel (isolated), cannot take a located balance: a
 * location's deduction after it would leave every position's allocation and status as if the collateral were at home.
 */
export function locatedUnderAllocatingMethod(method: string): string {
  return `${method} margin cannot value collateral by location (it allocates collateral to positions inside the kernel); use a method that pools the account's collateral`;
}

export class LocationAdjuster {
  private readonly byAccount = new Map<number, Entry[]>();

  private constructor(private readonly params: LocationParams) {}

  /**
   * The adjuster of `book` laid out as `layout`, or null when no balance has a location. InputError for a balance
   * at a location `params` does not list (`accounts[3].collateral[1].location`) and for a frozen location that is
   * not a location (`frozenLocations[0]`).
   */
  static of(book: ValidatedBook, layout: BookLayout, params: LocationParams, frozenLocations: readonly string[] = []): LocationAdjuster | null {
    const problems = frozenLocationProblems(params, frozenLocations, 'frozenLocations');
    if (!Array.isArray(frozenLocations)) throw new InputError(problems);
    const frozen = new Set(frozenLocations);
    const adjuster = new LocationAdjuster(params);
    for (const [i, j] of locatedBalances(book)) {
      const account = book.accounts[i];
      {
        const balance = account.collateral[j];
        const shares = balance.locationShares ?? (balance.location === undefined ? [] : [{ location: balance.location, share: 1 }]);
        for (const { location: name, share } of shares) {
          const location = ownValue(params.at, name);
          if (location === undefined) {
            problems.push({ path: `accounts[${i}].collateral[${j}].location`, message: `unknown location ${describeValue(name)}${knownList(params)}` });
            continue;
          }
          if (adjuster.firstPath === '') adjuster.firstPath = `accounts[${i}].collateral[${j}].location`;
          const a = layout.accountIndex(account.id);
          const asset = layout.assetIndex(balance.asset);
          if (a < 0 || asset < 0) continue; // not laid out (cannot happen for a book the layout was built from)
          let entries = adjuster.byAccount.get(a);
          if (!entries) adjuster.byAccount.set(a, (entries = []));
          entries.push({ asset, share, haircut: location.haircut, delayHours: location.delayHours, frozen: frozen.has(name) });
        }
      }
    }
    if (problems.length > 0) throw new InputError(problems);
    return adjuster.byAccount.size === 0 && frozenLocations.length === 0 ? null : adjuster;
  }

  private sorted: number[] | null = null;

  /** Layout indices of the accounts holding located balances, ascending. */
  get accounts(): readonly number[] {
    return (this.sorted ??= [...this.byAccount.keys()].sort((x, y) => x - y));
  }

  /** The book path of the first located balance (`accounts[i].collateral[j].location`), for messages. */
  firstPath = '';

  /**
   * False when account a's balance of `asset` (layout indices) sits, wholly or in part, where it counts nothing for MM:
   * a frozen location, or one whose delay passes the horizon under `exclude-mm` (or whose delay haircut takes it all).
   * A liquidator cannot sell such a balance within the liquidation horizon, so liquidation leaves it. `vol`: annualised
   * vol per layout asset.
   */
  sellable(a: number, asset: number, vol: Float64Array): boolean {
    const entries = this.byAccount.get(a);
    if (!entries) return true;
    for (const e of entries) if (e.asset === asset && !(locationKeep(e, this.params, e.frozen, vol[asset]).mm > 0)) return false;
    return true;
  }

  /**
   * Subtracts from account a's equities for IM and MM what its located balances lose (module comment). Returns
   * true when it changed anything. `c`: column views of the run; `vol`: annualised vol per layout asset.
   */
  adjust(a: number, c: MarginColumns, out: { equityIm: Float64Array; equityMm: Float64Array }, vol: Float64Array): boolean {
    const entries = this.byAccount.get(a);
    if (!entries) return false;
    let changed = false;
    for (const e of entries) {
      let slot = -1;
      for (let k = c.colStart[a]; k < c.colEnd[a]; k++) if (c.colAsset[k] === e.asset) slot = k;
      if (slot < 0) continue; // the balance was closed (a transfer out)
      const value = c.amount[slot] * c.price[e.asset];
      if (!(value > 0)) continue; // a borrowing, or nothing
      const keep = locationKeep(e, this.params, e.frozen, vol[e.asset]);
      const wIm = weighted(c, e.asset, value, c.hairCumIm, c.hairIm, c.liabIm[e.asset]);
      const wMm = weighted(c, e.asset, value, c.hairCumMm, c.hairMm, c.liabMm[e.asset]);
      out.equityIm[a] = out.equityIm[a] - (wIm - wIm * keep.im) * e.share;
      out.equityMm[a] = out.equityMm[a] - (wMm - wMm * keep.mm) * e.share;
      changed = true;
    }
    return changed;
  }
}

/** [account, balance] indices of every balance with a location (or location shares), by book: found once per book. */
const located = new WeakMap<ValidatedBook, [number, number][]>();

function locatedBalances(book: ValidatedBook): [number, number][] {
  let list = located.get(book);
  if (!list) {
    list = locatedBalancesOf(book); // a columnar book's, from its columns
    if (!list) {
      list = [];
      const accounts = book.accounts;
      for (let i = 0; i < accounts.length; i++) {
        const collateral = accounts[i].collateral;
        for (let j = 0; j < collateral.length; j++) if (collateral[j].location !== undefined || collateral[j].locationShares !== undefined) list.push([i, j]);
      }
    }
    located.set(book, list);
  }
  return list;
}

function knownList(params: LocationParams): string {
  const names = Object.keys(params.at);
  return names.length === 0 ? ' (params.locations.at lists none)' : ` (params.locations.at lists ${names.map((n) => JSON.stringify(n)).join(', ')})`;
}
