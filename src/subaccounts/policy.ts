/**
 * Margin of a book with masters and subaccounts (docs/subaccounts.md): every account by its own method, then the
 * master-level policy (`params.subaccounts.policy`), then the roll-up.
 *
 * - Accounts are margined alone first, each by its method (one run per distinct method over the book, each account's
 *   row taken from its method's run: every method margins accounts independently of one another).
 * - independent: nothing more; the roll-up sums each group.
 * - cross: the pooled book (src/subaccounts/pool-book.ts) is margined too, each pool by its master's method; the
 *   roll-up's combined figures are the pool's. Account rows keep their standalone figures for comparison.
 * - backstop: the master's covers (src/subaccounts/backstop.ts) are added to the subaccounts' equities and taken from
 *   the master's; IM and MM do not change (a cover is USD cash, which no method charges for).
 */
import { InputError, type InputProblem } from '../errors.js';
import { statusOf } from '../kernels/js/margin.js';
import type { AccountMargin, MarginReport, MarginTotals } from '../margin/report.js';
import { totalsOfRows } from '../margin/exact-totals.js';

/** Report totals from rows, by the rule of src/margin/exact-totals.ts (accounts in status error count in byStatus only). */
export { totalsOfRows };
import { STATUS, STATUS_ERROR } from '../margin/status.js';
import { type LentRows, unbuiltSummaryRows } from '../margin/summary-rows.js';
import { figureModel, rederiveInBlock, rederiveRow } from '../margin/figure-model.js';
import { pooledStatusReason } from '../margin/status-reason.js';
import type { MethodRegistry } from '../methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import type { MarginOptions } from '../margin/options.js';
import { keepMasterAtIm, masterFreeUsd, payShortfalls, shortfallUsd } from './backstop.js';
import { groupIds, type MasterGroup, masterGroups } from './groups.js';
import { accountMethods } from './methods.js';
import { methodRunOptions } from './method-run-options.js';
import type { SubaccountPolicy } from './params.js';
import { unionHoldings, UnionScratch } from './union.js';
import type { HoldingsMargin, MethodContext, UnionHoldings } from '../methods/method.js';
import { FigureColumns, figureColumns } from './figure-columns.js';
import { figuresOfHoldings, figuresOfRow, sumFigures } from './group-figures.js';
import { pooledBook } from './pool-book.js';
import { type MasterBackstop, rollup, sumNotInError } from './rollup.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';

/** What the policy layer needs of a margin session (src/session/session.ts implements it). */
export interface PolicyHost {
  readonly book: ValidatedBook;
  readonly registry: MethodRegistry;
  /** Layout indices of the book's instruments and assets. */
  readonly layout: { readonly instruments: { readonly indexById: ReadonlyMap<string, number> }; assetIndex(symbol: string): number };
  /** One method over every account of the host's book: the plain margin run; `after` sees the run before it is released. */
  marginAlone(market: ValidatedMarket, options: MarginOptions, after?: (run: UnionRun) => void, into?: LentRows): MarginReport;
  /** A host on another book (the pooled one); the caller releases it. */
  openBook(book: ValidatedBook): PolicyHost & { release(): void };
}

/** The report of `host.book` under `policy` (module comment). `runMethod`: the method of accounts without their own. */
export function marginWithPolicy(host: PolicyHost, market: ValidatedMarket, options: MarginOptions, runMethod: string, policy: SubaccountPolicy, into?: LentRows): MarginReport {
  const book = host.book;
  const methods = policyMethods(book, runMethod, policy, host.registry);
  const groups = masterGroups(book);
  // every account's figures as columns, taken from each run while it is open (figure-columns.ts: why not the rows)
  const cols = groups.length > 0 ? figureColumns(book) : null;
  // cross: each pool from the run of its master's method while that run is open (unionPools), else as a pooled book
  let unionFigures: GroupFigures[] | undefined;
  const pools = policy === 'cross' ? unionPools(host, methods) : undefined;
  const after = cols === null ? undefined : (method: string, run: UnionRun) => {
    cols.take(run.context, methods, method, run.setAside);
    pools?.margin(method, run);
  };
  const report = marginByMethods(host, market, options, methods, runMethod, after, into);
  if (pools) unionFigures = pools.figures();
  const accounts = book.accounts;
  if (hasOwnMethods(book)) {
    const rows = report.accounts; // rows naming their method are built here (rows carry `master` from the report build)
    for (let i = 0; i < accounts.length; i++) {
      const a = accounts[i];
      if (a.method !== undefined) rows[i].method = a.method;
    }
  }
  if (cols === null) return report;
  // one object per group and nothing else: perf: die-young (docs/performance.md)
  const standalone = new Array<GroupFigures>(groups.length);
  for (let k = 0; k < groups.length; k++) standalone[k] = sumFigures(cols, groups[k]);
  let combined: GroupFigures[];
  let backstops: MasterBackstop[] | undefined;
  if (policy === 'cross') {
    combined = unionFigures ?? pooledFigures(host, market, options, groups, methods, runMethod);
  } else if (policy === 'backstop') {
    const moved = new Int32Array(STATUS.length); // accounts into (+) and out of (−) each status by the covers
    const move = cashMover(report, cols, moved);
    backstops = new Array<MasterBackstop>(groups.length);
    const accountIds = groupIds(book).accountIds;
    combined = new Array<GroupFigures>(groups.length);
    const scratch = new CoverScratch(); // this roll-up's, reused by each of its groups
    for (let k = 0; k < groups.length; k++) {
      const b = (backstops[k] = payCovers(groups[k], accountIds, cols, move, scratch));
      // a group whose master paid nothing has its standalone sums (the same figures)
      combined[k] = b.coveredUsd > 0 ? sumFigures(cols, groups[k]) : standalone[k];
    }
    report.totals = totalsAfterCovers(cols, report.totals, moved);
  } else combined = standalone;
  report.subaccounts = rollup(groupIds(book), groups, methods, policy, standalone, combined, backstops, cols);
  return report;
}

/**
 * Each account's method under `policy` (accounts' own, else `runMethod`), once the book passes the policy's rules: an
 * InputError with the path of every account whose method the policy forbids, or of a coin-margined account in a group
 * under backstop. What {@link marginWithPolicy} checks first; a sharded book (src/scale/) checks it on the whole book,
 * for the paths of the book rather than of a shard.
 */
export function policyMethods(book: ValidatedBook, runMethod: string, policy: SubaccountPolicy, registry: MethodRegistry): readonly string[] {
  const methods = accountMethods(book, runMethod, policy, registry);
  if (policy === 'backstop') refuseCoinCovers(book, masterGroups(book));
  return methods;
}

/**
 * The pools of `host.book`'s groups under the cross policy, as {@link marginWithPolicy}'s roll-up gives them
 * (`combined`), for a caller that holds an open run already (a live session's what-if on one group, src/live/): margined
 * by `run` (of `runMethod`, the accounts' method) through MethodRun.pools.unionMargin where it can, else as the pooled
 * book, at `market()` (the market validated for `host.book`, asked for only then).
 */
export function crossPools(host: PolicyHost, run: UnionRun, market: () => ValidatedMarket, options: MarginOptions, runMethod: string): GroupFigures[] {
  const methods = accountMethods(host.book, runMethod, 'cross', host.registry);
  const pools = unionPools(host, methods);
  pools.margin(runMethod, run);
  return pools.figures() ?? pooledFigures(host, market(), options, masterGroups(host.book), methods, runMethod);
}

/**
 * The backstop policy pays a master's covers to its subaccounts as USD cash (docs/subaccounts.md), which an account
 * margined in a coin does not hold (its balance of the coin is its cash): a group with one is refused, at its path.
 */
function refuseCoinCovers(book: ValidatedBook, groups: readonly MasterGroup[]): void {
  const problems: InputProblem[] = [];
  for (const g of groups) {
    for (const i of [g.master, ...g.subaccounts]) {
      const currency = book.accounts[i].marginCurrency;
      if (currency === undefined) continue;
      problems.push({
        path: `accounts[${i}].marginCurrency`,
        message: `margined in ${JSON.stringify(currency)}: the backstop policy (params.subaccounts.policy) pays a master's covers to its subaccounts in USD cash, which an account margined in a coin does not hold; use the independent or cross policy for this group`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

/**
 * A profile is one method with its parameters for the whole run (docs/profiles.md): an account naming another method of
 * its own is refused at its path (its method would run with the profile's parameters, which are not its own).
 */
function refuseOwnMethods(methods: readonly string[], runMethod: string, profile: string): void {
  const problems: InputProblem[] = [];
  methods.forEach((m, i) => {
    if (m !== runMethod) problems.push({ path: `accounts[${i}].method`, message: `${JSON.stringify(m)} under profile ${JSON.stringify(profile)}, which margins every account by ${JSON.stringify(runMethod)}: leave the account's method out (or name ${JSON.stringify(runMethod)}), or run without the profile` });
  });
  throw new InputError(problems);
}

/** Every account's row by its own method, in book order (one run per distinct method). */
function marginByMethods(
  host: PolicyHost, market: ValidatedMarket, options: MarginOptions, methods: readonly string[], runMethod: string,
  after?: (method: string, run: UnionRun) => void, into?: LentRows,
): MarginReport {
  const distinct = [...new Set(methods)];
  const hook = (m: string) => after && ((run: UnionRun) => after(m, run));
  // one run: its rows are the report's, written into `into`; rows of several runs are row objects (into is not used)
  if (distinct.length === 1 && distinct[0] === runMethod) return aligned(host.book, host.marginAlone(market, options, hook(runMethod), into));
  if (options.profile !== undefined) refuseOwnMethods(methods, runMethod, options.profile);
  const reports = new Map(distinct.map((m) => [m, aligned(host.book, host.marginAlone(market, methodRunOptions(host.book, methods, m, options, host.registry), hook(m)))]));
  const rows = methods.map((m, i) => reports.get(m)!.accounts[i]);
  const first = reports.get(runMethod) ?? reports.get(distinct[0])!; // the run method's: its params whole (locations too)
  return { ...first, method: runMethod as MarginReport['method'], accounts: rows, totals: totalsOfRows(rows) };
}

/**
 * The report, checked to list the book's accounts in book order: a run lists the live accounts in layout order, which
 * is book order until accounts are added or removed in place, and either changes the count or the last id.
 */
function aligned(book: ValidatedBook, report: MarginReport): MarginReport {
  const lazy = unbuiltSummaryRows(report); // its ids, not its rows: reading `accounts` would build every row
  const idOf = lazy ? (k: number) => lazy.ids[k] : (k: number) => report.accounts[k].id;
  const accounts = book.accounts, n = lazy ? lazy.count : report.accounts.length;
  const ok = n === accounts.length && (n === 0 || (idOf(0) === accounts[0].id && idOf(n - 1) === accounts[n - 1].id));
  if (!ok) throw new Error('margin-core: a report on a fresh book does not list its accounts in book order');
  return report;
}

/** What the cross policy asks of an open run: the figures of accounts holding pools (undefined: the method cannot). */
export interface UnionRun {
  /** The run's layout and output columns (the roll-up copies every account's figures from them). */
  readonly context: MethodContext;
  /** Accounts the run set aside (coin-margined under a USD-only method): rows in status error, out of the run. */
  readonly setAside?: ReadonlyMap<number, string> | undefined;
  unionMargin(unions: readonly UnionHoldings[]): HoldingsMargin[] | undefined;
}

/**
 * Each group's pool as holdings (src/subaccounts/union.ts), by book: they depend on the book alone; and per pool
 * method, the groups it margins and their unions as one array (kept: a method may keep what it derives from it).
 */
const unionsOf = new WeakMap<ValidatedBook, KeptUnions>();

/** A book's unions (null: a group that has none; undefined: to be made, `missing` lists them) and per-method lists. */
interface KeptUnions {
  unions: (UnionHoldings | null | undefined)[];
  missing: number[];
  methods: readonly string[];
  byMethod: Map<string, { groups: number[]; unions: UnionHoldings[] }>;
}

/**
 * The pools of the cross policy margined from the standalone runs (docs/subaccounts.md, cost): each group's union of
 * holdings margined by the open run of its master's method through MethodRun.pools.unionMargin, the bits of a run on the
 * pooled book. `figures()` answers undefined when some pool could not be margined that way (a method without the
 * hook, collateral by location, an overflow): the caller then margins the pooled book.
 */
function unionPools(host: PolicyHost, methods: readonly string[]): { margin(method: string, run: UnionRun): void; figures(): GroupFigures[] | undefined } {
  const book = host.book, groups = masterGroups(book);
  const out: (GroupFigures | undefined)[] = new Array(groups.length).fill(undefined);
  return {
    margin(method, run) {
      let kept = unionsOf.get(book);
      if (!kept) unionsOf.set(book, (kept = { unions: new Array(groups.length), missing: Array.from(groups.keys()), methods, byMethod: new Map() }));
      if (kept.missing.length > 0) {
        const index = { instrumentRow: (id: string) => host.layout.instruments.indexById.get(id) as number, assetIndex: (s: string) => host.layout.assetIndex(s) };
        const scratch = new UnionScratch();
        for (const k of kept.missing) kept.unions[k] = unionHoldings(book, groups[k], index, scratch);
        kept.missing = [];
      }
      if (kept.methods !== methods) kept = { ...kept, methods, byMethod: new Map() }; // accountMethods answers one array per (book, method, policy)
      let mine = kept.byMethod.get(method);
      if (!mine) {
        const list: number[] = [];
        for (let k = 0; k < groups.length; k++) if (methods[groups[k].master] === method && kept.unions[k] !== null) list.push(k);
        kept.byMethod.set(method, (mine = { groups: list, unions: list.map((k) => kept!.unions[k]!) }));
        unionsOf.set(book, kept);
      }
      if (mine.groups.length === 0) return;
      const figures = run.unionMargin(mine.unions);
      if (figures) mine.groups.forEach((k, j) => (out[k] = figuresOfHoldings(figures[j])));
    },
    figures: () => (out.every((f) => f !== undefined) ? (out as GroupFigures[]) : undefined),
  };
}

/** The pooled book by the methods array it was made with (and the book it pools): validating it is half its cost. */
const pooledBooks = new WeakMap<readonly string[], ValidatedBook>();
const pooledOf = new WeakMap<ValidatedBook, ValidatedBook>();

/** The pool of each group margined by its master's method (the pooled book's accounts keep the other ones' methods). */
function pooledFigures(
  host: PolicyHost, market: ValidatedMarket, options: MarginOptions, groups: readonly MasterGroup[], methods: readonly string[], runMethod: string,
): GroupFigures[] {
  let pooled = pooledBooks.get(methods); // accountMethods answers one array per (book, method, policy): a session re-margins it
  if (!pooled || pooledOf.get(pooled) !== host.book) {
    pooled = pooledBook(host.book, groups, methods);
    pooledBooks.set(methods, pooled);
    pooledOf.set(pooled, host.book);
  }
  const pool = host.openBook(pooled);
  try {
    const pooledMethods = pooled.accounts.map((a) => a.method ?? runMethod);
    const byId = new Map<string, AccountMargin>();
    for (const row of marginByMethods(pool, market, { ...options, breakdown: false }, pooledMethods, runMethod).accounts) byId.set(row.id, row);
    return groups.map((g) => figuresOfRow(byId.get(host.book.accounts[g.master].id)!));
  } finally {
    pool.release();
  }
}

const ownMethods = new WeakMap<ValidatedBook, boolean>();

/** True when some account of the book names its own method (a validated book does not change). */
function hasOwnMethods(book: ValidatedBook): boolean {
  let has = ownMethods.get(book);
  if (has === undefined) ownMethods.set(book, (has = book.accounts.some((a) => a.method !== undefined)));
  return has;
}

/** Pays the master's covers to its subaccounts (backstop) through `move`, returning what was paid in the roll-up's form. */
function payCovers(g: MasterGroup, ids: readonly string[], c: FigureColumns, move: MoveCash, scratch: CoverScratch): MasterBackstop {
  const mi = g.master, subs = g.subaccounts;
  const free = c.status[mi] === STATUS_ERROR ? 0 : masterFreeUsd(c.equityIm[mi], c.im[mi], c.equityMm[mi], c.mm[mi]);
  // most groups: no subaccount below MM, nothing to pay
  if (!hasShortfall(c, subs)) return { freeUsd: free, coveredUsd: 0, uncoveredUsd: 0, covers: [] };
  const t = scratch.for(subs.length);
  let n = 0;
  for (let j = 0; j < subs.length; j++) {
    const s = subs[j];
    const usd = c.status[s] === STATUS_ERROR ? 0 : shortfallUsd(c.equityMm[s], c.mm[s]);
    if (usd > 0) {
      t.usd[n] = usd;
      t.account[n++] = s;
    }
  }
  payShortfalls(free, t.usd, n, t.order, t.paid, t.sums);
  if (free > 0) keepMasterAtIm(c.equityIm[mi], c.im[mi], c.equityMm[mi], c.mm[mi], n, t.order, t.paid, t.sums);
  const covers: { account: string; usd: number }[] = [];
  for (let j = 0; j < n; j++) {
    const k = t.order[j], usd = t.paid[k];
    if (usd <= 0) continue;
    covers.push({ account: ids[t.account[k]], usd });
    move(t.account[k], usd);
  }
  const covered = t.sums[0], needed = t.sums[1];
  if (covered > 0) move(mi, -covered);
  return { freeUsd: Math.max(0, free), coveredUsd: covered, uncoveredUsd: needed - covered, covers };
}

/** True when some subaccount (not in status error) is below its MM. */
function hasShortfall(c: FigureColumns, subs: readonly number[]): boolean {
  const equityMm = c.equityMm, mm = c.mm, status = c.status;
  for (let j = 0; j < subs.length; j++) {
    const s = subs[j];
    if (equityMm[s] < mm[s] && status[s] !== STATUS_ERROR) return true;
  }
  return false;
}

/** A group's shortfalls (USD, book index), the order paid and what each gets: columns one roll-up reuses for every group. */
class CoverScratch {
  usd = new Float64Array(16);
  account = new Int32Array(16);
  order = new Int32Array(16);
  paid = new Float64Array(16);
  readonly sums = new Float64Array(2);

  /** The columns, with room for `n` subaccounts. */
  for(n: number): this {
    if (this.usd.length < n) {
      const size = Math.max(n, 2 * this.usd.length);
      this.usd = new Float64Array(size);
      this.account = new Int32Array(size);
      this.order = new Int32Array(size);
      this.paid = new Float64Array(size);
    }
    return this;
  }
}

/** Adds `usd` of cash to account i (book index): its figures in the columns and in the report's rows. */
type MoveCash = (i: number, usd: number) => void;

/**
 * How covers reach the report (`moved[s]` counts the accounts whose status became (+1) or stopped being (−1)
 * STATUS[s]): into the summary rows' columns while no row object exists (the rows, built when read, then say what an
 * eager build would: the same keys, figures and pooled status reason, src/margin/summary-rows.ts), else into the
 * row objects (a breakdown, rows naming their own method, several methods' rows).
 */
function cashMover(report: MarginReport, c: FigureColumns, moved: Int32Array): MoveCash {
  const s = unbuiltSummaryRows(report);
  if (s !== undefined && s.block === undefined && s.blocks.length === 1) {
    const b = s.blocks[0], f = b.figures, n = b.count, backstops = new Map<number, number>();
    s.backstops = backstops;
    // the moved figures' columns in the block (figures.ts), the derived ones recomputed from them
    const model = figureModel(), equity = model.at('equity') * n, equityIm = model.at('equityIm') * n, equityMm = model.at('equityMm') * n;
    // one block of the rows in book order (policy.ts `aligned`): row i is account i
    return (i, usd) => {
      moveFigures(c, i, usd, moved);
      f[equity + i] = c.equity[i];
      f[equityIm + i] = c.equityIm[i];
      f[equityMm + i] = c.equityMm[i];
      rederiveInBlock(model, f, n, i);
      b.cashUsd[i] = (b.hasCash[i] === 1 ? b.cashUsd[i] : 0) + usd;
      b.hasCash[i] = 1;
      b.status[i] = c.status[i];
      backstops.set(i, (backstops.get(i) ?? 0) + usd);
    };
  }
  const rows = report.accounts, model = figureModel();
  return (i, usd) => {
    moveFigures(c, i, usd, moved);
    const r = rows[i];
    r.equity = c.equity[i];
    r.equityIm = c.equityIm[i];
    r.equityMm = c.equityMm[i];
    r.cashUsd = (r.cashUsd ?? 0) + usd;
    r.backstopUsd = (r.backstopUsd ?? 0) + usd;
    r.status = STATUS[c.status[i]];
    rederiveRow(model, r);
    r.statusReason = pooledStatusReason(r.status, r, r.marginCurrency);
  };
}

/** Adds `usd` of cash to account i's equities in the columns and re-derives its status (`moved`: cashMover). */
function moveFigures(c: FigureColumns, i: number, usd: number, moved: Int32Array): void {
  const equity = (c.equity[i] = c.equity[i] + usd);
  const equityIm = (c.equityIm[i] = c.equityIm[i] + usd);
  const equityMm = (c.equityMm[i] = c.equityMm[i] + usd);
  const before = c.status[i], after = statusOf(equity, equityIm, equityMm, c.im[i], c.mm[i]);
  if (after !== before) {
    moved[before]--;
    moved[after]++;
    c.status[i] = after;
  }
}

/**
 * The report's totals after the covers: a cover moves cash only, so IM, MM, gross notional and efficiency are the
 * run's (the same values summed in the same order); equity is summed again in book (row) order, by the rule of
 * src/margin/build-report.ts (accounts in status error left out: a cover never reaches one), and the counts by
 * status moved by `moved`.
 */
function totalsAfterCovers(c: FigureColumns, before: MarginTotals, moved: Int32Array): MarginTotals {
  const equity = sumNotInError(c.equity, c.status, c.count);
  const byStatus = { ...before.byStatus };
  for (let s = 0; s < STATUS.length; s++) byStatus[STATUS[s]] += moved[s];
  return { ...before, byStatus, equity };
}
