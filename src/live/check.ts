/**
 * Pre-trade check: would an order be accepted, and what is the largest size of it that would?
 *
 * An order of s contracts (signed by its side) at a price is accepted when
 * - the position limit holds: |position after| ≤ maxPosition of the instrument, or the order only reduces the
 *   position toward zero (reduce-only: an account above its limit may always cut or close; a flip's new position on the
 *   other side is held to the limit, else one order could re-open the whole size short);
 * - the size tier holds: position notional after (|quantity| × multiplier × mark for linear instruments,
 *   × underlying price for options, as the rule-based notional) ≤ maxNotional of its underlying, or the order
 *   only reduces it, as above;
 * - margin holds: after the fill, equity for IM ≥ IM under the session's method (a what-if, same bits as the
 *   fill would give), and the result is finite; under the `cross` subaccount policy, for a member of a group, the
 *   pool's (src/live/pool-trial.ts), searched by bisection (the pool's slope changes are the group's, not the account's).
 *   Under isolated margin each position holds its own IM: the account's status after the fill is `healthy` (every
 *   position's allocation + P&L ≥ its IM, the rest of the account owing nothing), also searched by bisection (the
 *   account's summed surplus is not what decides).
 *   The fill is judged at the order's price or the instrument's mark, whichever is worse for the order's side (a buy at
 *   the higher, a sell at the lower): a price better than the mark is not credited, as Binance charges an order's
 *   "open loss" and never its open gain — a limit order rests until the market comes to it, and a check that credited
 *   the gap would accept an order that leaves the account short of IM once it fills (a buy at 0 would count the
 *   whole notional as profit).
 *
 * The maximum size is the largest multiple of `quantityStep` that is accepted, on the order's side and at its
 * price. Where the method says where its requirement changes slope (MethodTrial.sizeBreakpoints: the rule-based
 * methods, at bracket bounds and zero crossings) the margin surplus is linear between breakpoints and beyond the
 * last one, so the search evaluates the breakpoints, solves the last piece that turns negative (beyond the last
 * breakpoint: the line through it and a probe, extended to its root), and settles the boundary on the step grid:
 * exact, one step more is rejected. Otherwise it doubles the size until rejected and bisects on the step grid
 * (the boundary to one step: accepted at the result, rejected one step above, assuming acceptance changes once
 * between the bracketing sizes). Limits cap both searches exactly, and so does the input domain: no position
 * beyond the largest quantity (src/model/domain.ts) is tried; `maxQuantity` is null when nothing binds within it.
 */
import { describeValue, InputError, ProblemList } from '../errors.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import { heldQuantity } from '../layout/held.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';
import type { AccountRequirement } from '../margin/what-if.js';
import { formatNumber, isFiniteNumber, isRecord, keyPath, notFiniteMessage, notObjectMessage, ownEntries, unknownInstrumentMessage } from '../model/checks.js';
import { DOMAIN } from '../model/domain.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { SizeGrid } from './size-grid.js';
import { tradePriceOf } from './requests.js';

/** Pre-trade limits as JSON (every part optional). */
export interface LimitsJson {
  /** Largest |position| (contracts) per instrument id, or `default`. */
  maxPosition?: Record<string, number> | undefined;
  /** Largest position notional (USD) per underlying asset, or `default`: the size tier one position may reach (each position on the asset on its own, not their sum). */
  maxNotional?: Record<string, number> | undefined;
  /** Order size granularity (contracts); the maximum size is a multiple of it. Default 0.001. */
  quantityStep?: number | undefined;
}

export interface Limits {
  maxPosition: Map<string, number>;
  maxNotional: Map<string, number>;
  quantityStep: number;
}

export const DEFAULT_QUANTITY_STEP = 0.001;

export function validateLimits(json: unknown, base = 'limits'): Limits {
  const problems = new ProblemList();
  const limits: Limits = { maxPosition: new Map(), maxNotional: new Map(), quantityStep: DEFAULT_QUANTITY_STEP };
  if (json === undefined) return limits;
  if (!isRecord(json)) {
    problems.add(base, notObjectMessage(json, 'an object with maxPosition, maxNotional or quantityStep'));
    problems.throwIfAny();
  }
  const record = json as Record<string, unknown>;
  for (const [key, value] of ownEntries(record)) {
    const path = keyPath(base, key);
    if (key === 'quantityStep') {
      if (!isFiniteNumber(value)) problems.add(path, notFiniteMessage(value));
      else if (value <= 0) problems.add(path, `not positive (${formatNumber(value)}); expected > 0 contracts`);
      // a smaller step's sizes are below the smallest position quantity (src/model/domain.ts): none could be checked
      else if (value < DOMAIN.quantity.min) problems.add(path, `${formatNumber(value)} is below the smallest quantity ${DOMAIN.quantity.min} contracts`);
      else limits.quantityStep = value;
    } else if (key === 'maxPosition' || key === 'maxNotional') {
      if (!isRecord(value)) {
        problems.add(path, notObjectMessage(value, `an object of limits by ${key === 'maxPosition' ? 'instrument id' : 'asset'} (or default)`));
        continue;
      }
      for (const [id, limit] of ownEntries(value)) {
        const at = keyPath(path, id);
        if (!isFiniteNumber(limit)) problems.add(at, notFiniteMessage(limit));
        else if (limit < 0) problems.add(at, `negative (${formatNumber(limit)}); expected ≥ 0`);
        else (key === 'maxPosition' ? limits.maxPosition : limits.maxNotional).set(id, limit);
      }
    } else problems.add(path, 'unknown field (expected maxPosition, maxNotional, quantityStep)');
  }
  problems.throwIfAny();
  return limits;
}

/** Checks limit keys against the book: unknown instrument ids or assets are mistakes. */
export function checkLimitsAgainstBook(limits: Limits, layout: BookLayout, base = 'limits'): void {
  const problems = new ProblemList();
  for (const id of limits.maxPosition.keys()) {
    if (id !== 'default' && !layout.instruments.indexById.has(id)) problems.add(keyPath(`${base}.maxPosition`, id), unknownInstrumentMessage(id, layout.instruments.indexById, problems));
  }
  for (const id of limits.maxNotional.keys()) {
    if (id !== 'default' && layout.assetIndex(id) < 0) problems.add(keyPath(`${base}.maxNotional`, id), `unknown asset ${describeValue(id)}`);
  }
  problems.throwIfAny();
}

/**
 * Under the `cross` subaccount policy: the pool that judges a group member's order (src/live/pool-trial.ts), its
 * figures (USD) after changes to the member.
 */
export interface PoolJudge {
  master: string;
  /** The group's accounts (layout indices): the pool's net position is theirs. */
  members: readonly number[];
  after(changes: readonly AccountChange[]): GroupFigures;
}

export interface CheckResult {
  accepted: boolean;
  /** Why not, when rejected: `margin`, `position limit` or `size tier`, with the numbers. */
  reason?: string | undefined;
  rejectedBy?: 'margin' | 'position limit' | 'size tier' | undefined;
  /** The account after the order (what-if). */
  after: AccountRequirement;
  /** Under the `cross` subaccount policy, for a group member: the pool after the order, whose margin decides. */
  pool?: { master: string; after: GroupFigures } | undefined;
  /**
   * Largest accepted size on the order's side (signed contracts, a multiple of the step); null when nothing bounds it
   * short of the domain's largest position (1e12 contracts).
   */
  maxQuantity: number | null;
  /** How it was found: `breakpoints` (exact) or `bisection` (to one step). */
  search: 'breakpoints' | 'bisection';
  quantityStep: number;
  /**
   * The price the order was judged at (USD per unit of the underlying; USD per coin for an inverse contract): its own,
   * or the mark when that is worse for its side (a favourable price is not credited).
   */
  assumedPrice: number;
}

/** An order by layout index: signed contracts at a price (USD per unit of the underlying). */
export interface Order {
  instrument: number;
  quantity: number;
  price: number;
}

/** Doublings before a size is declared unbounded (2^64 steps; the domain cap comes first for any step ≥ 1e-7). */
const MAX_DOUBLINGS = 64;

/**
 * `refuse`: throws the InputError of a fill that would take the account beyond the domain's bounds (a position's
 * notional, its gross value: the live session's, src/live/live-domain.ts); a size the search tries that it refuses is
 * a size not accepted, so `maxQuantity` is one the session takes.
 */
export function preTradeCheck(run: PreparedRun, a: number, order: Order, limits: Limits, pool?: PoolJudge, refuse?: (fill: readonly Order[]) => void): CheckResult {
  const layout = run.context.layout;
  const grid = new SizeGrid(limits.quantityStep);
  const direction: 1 | -1 = order.quantity > 0 ? 1 : -1;
  const held = heldQuantity(layout, a, order.instrument);
  const cap = limitCap(run, order.instrument, held, direction, limits, grid); // largest size the limits allow (contracts)
  // and no position beyond the domain's largest (src/model/domain.ts): the searches stay where figures are finite
  const domainSize = DOMAIN.quantity.max - direction * held;
  const price = assumedPrice(run, order, direction);
  const fill = (size: number) => [{ instrument: order.instrument, quantity: direction * size, price }];
  // the figures whose margin decides: the account's own, or under the cross policy its pool's
  const judged = (size: number): Judged => (pool ? pool.after(fill(size)) : run.trial.withChanges(a, fill(size)));
  const isolated = run.positionsOwnEquity;
  // at IM, and at MM: a balance counting for IM but less for MM (at a slow location) can cover IM and not MM
  const marginOk = (r: Judged) => r.status !== 'error' && r.equityIm >= r.im && r.equityMm >= r.mm && !shortOfOwnIm(r, isolated);
  const size = Math.abs(order.quantity);
  const after = run.trial.withChanges(a, fill(size));
  const poolAfter = pool ? pool.after(fill(size)) : undefined;
  const decides: Judged = poolAfter ?? after;
  let reason: string | undefined, rejectedBy: CheckResult['rejectedBy'];
  if (size > cap.size) {
    rejectedBy = cap.by;
    reason = cap.why;
  } else if (!marginOk(decides)) {
    rejectedBy = 'margin';
    const whose = pool ? `the pool of ${pool.master}: ` : '';
    reason = decides.status === 'error'
      ? `margin: ${whose}the requirement after the order is not finite`
      : decides.equityIm >= decides.im && !(decides.equityMm >= decides.mm)
        ? mmReason(decides, pool ? 'USD' : layout.marginCurrencyOf(a), whose)
        : decides.equityIm >= decides.im
        ? isolatedReason(decides, layout.marginCurrencyOf(a))
        : marginReason(decides, pool ? 'USD' : layout.marginCurrencyOf(a), whose);
  }
  // a pool's requirement nets the group's positions: its slope changes are not the account's; isolated margin's
  // decision is the worst position's status, not the surplus the breakpoints bound (bisection for both)
  const breakpoints = pool || isolated ? null : run.trial.sizeBreakpoints(a, order.instrument, direction);
  const searchCap = Math.min(cap.size, domainSize);
  // a size the search tries may take the account out of the domain (e.g. a sale's proceeds beyond the largest cash):
  // refused like any change there, it is a size not accepted, never an error of the check
  const tried = (s: number): Judged | null => {
    try {
      refuse?.(fill(s));
      return judged(s);
    } catch (error) {
      if (error instanceof InputError) return null;
      throw error;
    }
  };
  const within = (s: number) => {
    if (s > searchCap) return false;
    const r = tried(s);
    return r !== null && marginOk(r);
  };
  let steps = breakpoints
    ? walkBreakpoints(breakpoints, searchCap, grid, within, (s) => {
      const r = tried(s);
      return r === null ? -Infinity : surplus(r);
    })
    : bisect(size, searchCap, grid, within, flatteningSizes(layout, a, order.instrument, direction, pool));
  // margin never binds within the domain (no limit given): nothing bounds the size
  if (steps !== null && cap.size === Infinity && grid.size(steps + 1) > domainSize) steps = null;
  return {
    accepted: reason === undefined, ...(reason !== undefined ? { reason, rejectedBy } : {}), after,
    ...(pool && poolAfter ? { pool: { master: pool.master, after: poolAfter } } : {}),
    maxQuantity: steps === null ? null : steps === 0 ? 0 : direction * grid.size(steps), search: breakpoints ? 'breakpoints' : 'bisection', quantityStep: grid.step,
    assumedPrice: layout.bookEntry(order.instrument, price),
  };
}

/**
 * The price an order is judged at (the layout's coordinate, as `order.price`): its own, or the instrument's mark when
 * that is worse for its side (higher for a buy, lower for a sell). The layout's coordinate rises with the quoted price
 * (an inverse contract's −1/F too), so the comparison is the quoted one.
 */
export function assumedPrice(run: PreparedRun, order: Order, direction: 1 | -1): number {
  const mark = tradePriceOf(run.context.out.value.array[order.instrument]);
  return direction > 0 ? Math.max(order.price, mark) : Math.min(order.price, mark);
}

/** The figures a margin decision reads: an account's what-if, or a pool's. */
type Judged = Pick<AccountRequirement, 'status' | 'equityIm' | 'im' | 'equityMm' | 'mm' | 'shortPosition'>;

/**
 * True when, under isolated margin (`isolated`: the run's positions own their equity), figures after a change leave a
 * position short of its own IM: the account's status is its worst position's, so anything but healthy. One rule for
 * orders (the pre-trade check) and transfers out of an account (LiveSession.transfer).
 */
export function shortOfOwnIm(r: Pick<AccountRequirement, 'status'>, isolated: boolean): boolean {
  return isolated && r.status !== 'healthy';
}

/**
 * Why the margin rejects an order, in the account's margin currency: USD to the cent, a coin to the satoshi, and more
 * digits where the two figures would read the same (a rejection by less than the last digit shown).
 */
function marginReason(after: Judged, currency: string, whose = ''): string {
  const [equity, im] = distinctAmounts(after.equityIm, after.im, currency === 'USD' ? 2 : 8);
  return `margin: ${whose}equity for IM after the order ${equity} is below IM ${im} (${currency})`;
}

/**
 * Why isolated margin rejects an order the account's equity covers: the position short of its own IM after it (its
 * allocation + P&L against its IM), or the rest of the account owing (its collateral and cash not allocated).
 */
function isolatedReason(after: Judged, currency: string): string {
  const head = 'margin: under isolated margin each position holds its own IM: after the order';
  const short = after.shortPosition, status = after.status.replace('_', ' ');
  // a method that does not say which (a plug-in's)
  if (short === undefined) return `${head} the account is ${status} (a position's allocation + P&L below its IM, or the rest of the account owing)`;
  if (short === null) return `${head} the rest of the account owes (its collateral and cash not allocated to a position are below 0): the account is ${status}`;
  const [equity, im] = distinctAmounts(short.ownEquity, short.im, currency === 'USD' ? 2 : 8);
  return `${head} ${short.instrument}'s allocation + P&L ${equity} is below its IM ${im} (${currency}): the account is ${status}`;
}

/** Why the margin rejects an order that keeps IM covered but not MM (a balance that counts for IM, not for MM). */
function mmReason(after: Judged, currency: string, whose = ''): string {
  const [equity, mm] = distinctAmounts(after.equityMm, after.mm, currency === 'USD' ? 2 : 8);
  return `margin: ${whose}equity for MM after the order ${equity} is below MM ${mm} (${currency}): a balance that counts for IM but less for MM (at a location slower than the liquidation horizon) does not cover it`;
}

/** The most decimals a message shows (Intl's largest maximumFractionDigits): past any double's last digit. */
const MAX_MESSAGE_DECIMALS = 100;

/**
 * `x` and `y` with thousands separators and `decimals` decimals (cents, or a coin's satoshi), or as many more as it
 * takes for them to read differently (rounding keeps their order, so x < y still reads as less), both to the same
 * decimals (0.4999999999999999 against 0.5000000000000000, not 0.50; 0.49857550 against 22,632.02730933 BTC).
 */
function distinctAmounts(x: number, y: number, decimals: number): [string, string] {
  const at = (v: number, d: number) => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  let d = decimals;
  while (d < MAX_MESSAGE_DECIMALS && x !== y && at(x, d) === at(y, d)) d++;
  return [at(x, d), at(y, d)];
}

/** USD with cents and thousands separators, for messages. */
function usd(x: number): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** The margin surplus the size search walks: over IM, or over MM where that is smaller (a balance that counts for IM only). */
function surplus(r: Judged): number {
  return r.status === 'error' ? -Infinity : Math.min(r.equityIm - r.im, r.equityMm - r.mm);
}

/**
 * The sizes of an order on `direction`'s side that close a position held against it: the account's own, and under the
 * `cross` policy its pool's net position (the members' sum); for a future or perpetual also the sizes that offset the
 * net units of underlying held in all the futures and perpetuals on its underlying (a perpetual hedged by a future).
 */
function flatteningSizes(layout: BookLayout, a: number, row: number, direction: 1 | -1, pool: PoolJudge | undefined): number[] {
  const holders = pool ? [[a], pool.members] : [[a]];
  const ins = layout.instruments, linear = ins.kind.array[row] !== KIND_OPTION, multiplier = ins.multiplier.array[row];
  const held: number[] = [];
  for (const accounts of holders) {
    held.push(accounts.reduce((sum, m) => sum + heldQuantity(layout, m, row), 0));
    if (linear) held.push(accounts.reduce((sum, m) => sum + linearUnitsOn(layout, m, ins.underlying.array[row]), 0) / multiplier);
  }
  return held.filter((q) => q * direction < 0).map((q) => Math.abs(q));
}

/** Account a's units of underlying `u` held in futures and perpetuals (signed contracts × multiplier). */
function linearUnitsOn(layout: BookLayout, a: number, u: number): number {
  const pos = layout.positions, ins = layout.instruments;
  const instrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
  let units = 0;
  for (let p = pos.start.array[a]; p < pos.end.array[a]; p++) {
    const i = instrument[p];
    if (ins.underlying.array[i] === u && ins.kind.array[i] !== KIND_OPTION) units += quantity[p] * ins.multiplier.array[i];
  }
  return units;
}

/**
 * The largest order size (contracts) the position limit and the size tier allow: |held + direction·s| ≤ limit,
 * or the order only reducing the position (s ≤ |held| against it: to flat, never past it beyond the limit).
 */
function limitCap(run: PreparedRun, row: number, held: number, direction: 1 | -1, limits: Limits, grid: SizeGrid): { size: number; by?: 'position limit' | 'size tier' | undefined; why?: string | undefined } {
  const ctx = run.context, layout = ctx.layout, ins = layout.instruments;
  const id = ins.ids[row];
  const asset = layout.assets[ins.underlying.array[row]];
  const reducing = direction * held < 0 ? Math.abs(held) : 0;
  // the room left, on the step grid where it is one up to the subtraction's rounding (0.3 − 0.1 = 0.19999999999999998)
  const capFor = (contracts: number) => Math.max(grid.snap(contracts - direction * held, Math.abs(contracts) + Math.abs(held)), reducing);
  let best: { size: number; by?: 'position limit' | 'size tier' | undefined; why?: string | undefined } = { size: Infinity };
  const maxPosition = limits.maxPosition.get(id) ?? limits.maxPosition.get('default');
  if (maxPosition !== undefined) {
    const size = capFor(maxPosition);
    if (size < best.size) best = { size, by: 'position limit', why: `position limit: |position| may not exceed ${maxPosition} contracts of ${id}` };
  }
  const maxNotional = limits.maxNotional.get(asset) ?? limits.maxNotional.get('default');
  if (maxNotional !== undefined) {
    // USD notional per contract: an inverse contract's face at the index, USD face × S/F (its value is x = −1/F); a
    // linear one settled in an asset (a USDC perpetual) its value in that asset at the asset's index
    const u = ins.underlying.array[row], settlement = ins.settlement.array[row], price = ctx.market.price.array;
    const linear = ctx.out.value.array[row] * (settlement < 0 ? 1 : price[settlement]);
    const perUnit = ins.kind.array[row] === KIND_OPTION ? price[u] : ins.isInverse(row) ? -ctx.out.value.array[row] * price[u] : linear;
    const unit = perUnit * ins.multiplier.array[row];
    const size = capFor(maxNotional / unit);
    if (size < best.size) best = { size, by: 'size tier', why: `size tier: a ${asset} position's notional may not exceed ${usd(maxNotional)} USD` };
  }
  return best;
}

/**
 * The largest accepted size in steps, from the breakpoints: the margin surplus is linear between them, and beyond the
 * last one, so the last piece whose left end is accepted holds the maximum, at its right end or at its root. `cap` is
 * finite (a limit or the domain's largest position). Where the surplus over MM is the smaller (a balance that counts
 * for IM only), the smaller of two lines is concave on a piece: its accepted sizes still run from the left end to one
 * root, at or beyond the chord's, which {@link settle} steps to.
 */
function walkBreakpoints(breakpoints: readonly number[], cap: number, grid: SizeGrid, acceptedAt: (s: number) => boolean, surplusAt: (s: number) => number): number | null {
  const points = [0, ...breakpoints.filter((b) => b < cap), cap];
  const f = points.map(surplusAt);
  for (let k = points.length - 2; k >= 0; k--) {
    if (!(f[k] >= 0)) continue;
    const x0 = points[k], x1 = points[k + 1];
    if (f[k + 1] >= 0) return settle(grid.stepsWithin(x1), grid, acceptedAt);
    // root of the line through (x0, f0) and (x1, f1), then settled on the step grid
    const root = x0 + (f[k] * (x1 - x0)) / (f[k] - f[k + 1]);
    return settle(grid.stepsWithin(Math.max(0, Math.min(root, x1))), grid, acceptedAt);
  }
  return 0;
}

/**
 * The boundary near `guess` steps: the largest n with n accepted and n + 1 rejected, found by stepping away from the
 * guess in doubling strides until acceptance changes, then bisecting (a guess off by k steps costs about 2·log₂ k
 * evaluations; off by one, one or two). 0 when not even the guess's lower side is accepted down to 0.
 */
function settle(guess: number, grid: SizeGrid, acceptedAt: (s: number) => boolean): number {
  let n = Math.max(0, guess);
  if (acceptedAt(grid.size(n))) {
    let stride = 1, hi = n + 1;
    for (let k = 0; k < MAX_DOUBLINGS && acceptedAt(grid.size(hi)); k++) {
      n = hi;
      stride *= 2;
      hi = n + stride;
    }
    return bisectBetween(n, hi, grid, acceptedAt);
  }
  let stride = 1, lo = n - 1;
  for (let k = 0; k < MAX_DOUBLINGS && lo > 0 && !acceptedAt(grid.size(lo)); k++) {
    n = lo;
    stride *= 2;
    lo = Math.max(0, n - stride);
  }
  if (lo <= 0 && !acceptedAt(0)) return 0;
  return bisectBetween(Math.max(lo, 0), n, grid, acceptedAt);
}

/**
 * Bisection between an accepted `lo` and a rejected `hi` (steps): the largest accepted n with n + 1 rejected. Beyond
 * 2^53 steps the integers are no longer all doubles (a step of 1e-12 contracts, 9,007 contracts up): the midpoint can
 * round back to an end, where the search stops at `lo`, the nearest accepted count it can tell.
 */
function bisectBetween(lo: number, hi: number, grid: SizeGrid, acceptedAt: (s: number) => boolean): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid <= lo || mid >= hi) break;
    if (acceptedAt(grid.size(mid))) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Bisection on the step grid: from the order size up by doubling until rejected, then halving. When the order itself
 * is rejected, from the largest accepted of 0 and the `flattening` sizes: an account (or pool) short of IM accepts
 * only orders that reduce its risk, sizes away from 0 (a pool short 8,000 contracts may buy 5,783 to 10,217 of them),
 * whose natural member is the size that closes its position.
 */
function bisect(size: number, cap: number, grid: SizeGrid, acceptedAt: (s: number) => boolean, flattening: readonly number[]): number | null {
  const capSteps = grid.stepsWithin(cap);
  let lo = grid.stepsWithin(size);
  if (!acceptedAt(grid.size(lo))) {
    // a size beyond the limits is tried at the limit: the accepted range may reach it from below
    const starts = [0, ...flattening.map((s) => Math.min(grid.stepsWithin(s), capSteps)).filter((s) => s > 0)].sort((x, y) => y - x);
    const start = starts.find((s) => acceptedAt(grid.size(s)));
    if (start === undefined) return 0;
    lo = start;
  }
  let hi = Math.max(lo, 1);
  for (let k = 0; ; k++) {
    hi = Math.min(2 * hi, capSteps);
    if (!acceptedAt(grid.size(hi))) break;
    lo = hi;
    if (hi >= capSteps) return capSteps;
    if (k >= MAX_DOUBLINGS) return null;
  }
  return bisectBetween(lo, hi, grid, acceptedAt);
}

/** Throws the InputError of an order check that cannot run (e.g. a removed account). */
export function rejectOrder(path: string, message: string): never {
  throw new InputError([{ path, message }]);
}
