/**
 * One portfolio-margin run over a laid-out book: built once per (book, market, params) by
 * {@link PortfolioRun.prepare} (scenario columns, risk-array inputs, accounts' exposures grouped by
 * underlying, contingency add-ons), then {@link PortfolioRun.run} executes the kernels and writes IM
 * and MM. Method: docs/portfolio-margin.md.
 *
 * Risk-array rows: every book instrument (row = instrument index), then one linear row per
 * price-exposed collateral asset (its spot price as the mark). A balance is then just one more slot
 * of its account's group for that asset, with the amount as its scale: a BTC balance nets against a
 * short BTC call in the same scenario vector, and its contribution is reported like a position's.
 */
import type { InstrumentTable, TablePart, UnionHoldings } from '../../method.js';
import { checkParts } from '../../table-parts.js';
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES, type ReduceColumnName, RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES, type RiskArrayColumnName } from '../../../kernels/abi.js';
import type { MarginKernels } from '../../../kernels/backend.js';
import { groupPnlJs, type ReduceColumns } from '../../../kernels/js/portfolio/reduce.js';
import { KIND_LINEAR, type RiskArrayColumns } from '../../../kernels/js/scenario/risk-arrays.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import { KIND_OPTION } from '../../../layout/codes.js';
import { bookGroupsOf } from './book-groups.js';
import { ArrayLease } from '../../../memory/array-lease.js';
import type { BufferPool } from '../../../memory/allocators.js';
import type { MarketLayout } from '../../../layout/market-layout.js';
import type { MarginOutputs } from '../../../margin/outputs.js';
import { Column, type ColumnAllocator } from '../../../memory/columns.js';
import { AddOnPlan, concatenatedPositions, maskOf, ratesOf } from './add-on-plan.js';
import { PortfolioGroupLoss } from './group-loss.js';
import { type PortfolioParams, type PortfolioRule, ruleFor, scenarioCount } from './params.js';
import { kernelScenarioCount, padScenarioRow, type Scenario, scenariosOf } from './scenarios.js';
import { SettledRows } from './settled-rows.js';
import { type AddOn, type AddOnColumns, addOnsIn, AddOnScan } from './add-on-scan.js';
import { type AccountGroups, accountGroupsOf } from './account-groups.js';
import { reduceUnionGroups, UNION_ADD_ONS, unionGroupsOf } from './union-groups.js';
import { assetRows, instrumentRows, scenarioColumns, touchedInputs } from './risk-inputs.js';
import { priceOptions, readTable, reduceGroups, type RiskRows, riskRows, riskViews } from './risk-rows.js';

/**
 * Instruments from which workers split the risk arrays' instrument rows: the split saves half of those rows per shard
 * and pays one more round trip. perf: threshold (docs/performance.md)
 */
export const SPLIT_MIN_INSTRUMENTS = 2_000;

export type { AddOn } from './add-on-scan.js';
export { sortRows } from './sort-rows.js';
export type { AccountGroups } from './account-groups.js';

export class PortfolioRun {
  readonly nScenarios: number;
  /** Scenarios the kernels run: nScenarios plus copies of scenario 0 ({@link kernelScenarioCount}); the risk-array row stride. */
  readonly kernelScenarios: number;
  /** Scenarios per asset (layout asset order). */
  readonly scenarios: Scenario[][];
  /** Risk-array rows: instruments, then one per exposed collateral asset. */
  readonly nRows: number;
  /** Risk-array row of each asset's balance (−1: not exposed). */
  readonly assetRow: Int32Array;
  /** Groups of account a: [accountGroupStart[a], accountGroupEnd[a]). */
  readonly accountGroupStart: Int32Array;
  readonly accountGroupEnd: Int32Array;
  readonly nGroups: number;
  /** Per slot: position index (≥ 0) or −1 − collateral slot index (explain needs where it came from): {@link slotSource}. */
  private readonly slotSources: Int32Array | Column<'i32'>;
  /** Sum of add-ons per account (USD). */
  readonly addOnTotal: Float64Array;
  /** Aggregated worst loss per account after run (USD; NaN: not computable). */
  readonly scenarioLoss: Float64Array;
  readonly risk: Record<RiskArrayColumnName, Column>;
  readonly reduce: Record<ReduceColumnName, Column>;
  private readonly riskArgs: Column<'i32'>;
  private readonly reduceArgs: Column<'i32'>;
  private readonly optionRows: Int32Array;
  /** Rule per asset (layout asset order). */
  private readonly rules: PortfolioRule[];
  /** Assets whose balances carry no price risk (params.stableAssets). */
  readonly stable: ReadonlySet<string>;
  /**
   * Groups of accounts re-margined since the run ({@link remarginedFlags}), from the layout as it was then, once
   * something asked for them (explain, a market move): remargin computes the requirement without them, drops the
   * account's (a liquidation re-margins an account every step: no map write then while none were built), and they
   * are built from the layout on demand.
   */
  private readonly remarginedGroups = new Map<number, AccountGroups>();
  /** An account's aggregated scenario loss from the layout or other holdings, with the reduction's bits (remargin, account terms). */
  readonly groupLoss: PortfolioGroupLoss = new PortfolioGroupLoss(this);
  /** A JS copy of the scenario weights (written once, at prepare), shared by every re-margined account's groups. */
  private weightCopy: Float64Array | undefined;
  /** The accounts' add-ons as a plan a market move re-prices (built on the first move; src/methods/engines/scenario-grid/add-on-plan.ts). */
  private addOnPlan: AddOnPlan | null = null;
  /** The add-on scans' scratch tables, this run's own. */
  private readonly addOnScan = new AddOnScan();
  /** Scratch: the group indices a market move re-reduces. */
  private groupList = new Int32Array(0);
  /** 1 for the accounts re-margined since the run (a flag per account: a move reads it for each exposed account). */
  private readonly remarginedFlags: Uint8Array;

  /** The arrays this run borrowed from the engine's heap (its book groups on the layout's first run), given back by {@link release}. */
  private readonly lease: ArrayLease;

  /** The instruments' table given for the next run (computed by workers, a slice each), instead of computing it. */
  private supplied: readonly TablePart[] | null = null;
  /** The vol-up floor and the rows of instruments settled in an asset, after the kernel (settled-rows.ts). */
  readonly settled: SettledRows;

  private constructor(
    readonly layout: BookLayout,
    readonly market: MarketLayout,
    readonly params: PortfolioParams,
    private readonly allocator: ColumnAllocator,
    private readonly linearMark: Column<'f64'>,
    heap: BufferPool | undefined,
    kernels: MarginKernels | undefined,
  ) {
    this.lease = new ArrayLease(heap);
    const assets = layout.assets;
    const U = assets.length;
    const rules = assets.map((a) => ruleFor(params, a));
    this.rules = rules;
    const nS = scenarioCount(params.assets.default);
    this.nScenarios = nS;
    const S = kernelScenarioCount(nS);
    this.kernelScenarios = S;
    this.scenarios = rules.map((r) => scenariosOf(r));
    this.settled = new SettledRows(this, rules);
    const ins = layout.instruments;
    const n = ins.count;
    const stable = new Set(params.stableAssets);
    this.stable = stable;

    // the book's slots, groups and add-on plan: built once per layout and holdings (book-groups.ts)
    const { groups: book, slots } = bookGroupsOf(layout, stable, allocator, this.lease, kernels);
    this.assetRow = book.assetRow;
    const nRows = book.nRows;
    this.nRows = nRows;

    // risk-array inputs
    const sizes: Record<RiskArrayColumnName, number> = {
      kind: nRows, underlying: nRows, isCall: nRows, strike: nRows, expiryYears: nRows, vol: nRows, volScale: nRows, baseValue: nRows,
      spot: U, rate: U, carry: U, volFloor: U, spotMove: U * S, volShock: U * S, logMove: U * S, riskArray: nRows * S,
    };
    this.risk = Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, Column.allocate(allocator, RISK_ARRAY_TYPES[k], sizes[k])])) as Record<RiskArrayColumnName, Column>;
    this.riskArgs = Column.allocate(allocator, 'i32', RISK_ARRAY_COLUMNS.length);
    const v = this.views();
    const marks = linearMark.array;
    this.optionRows = Int32Array.from(instrumentRows(v, layout, market, rules, marks, n, this.settled));
    assetRows(v, market, rules, this.assetRow);

    // add-ons from the plan (the bits of scanAddOns: linear rows' marks are the risk arrays' base values set above)
    const A = layout.accountCount;
    this.accountGroupStart = book.accountGroupStart;
    this.accountGroupEnd = book.accountGroupEnd;
    this.nGroups = book.nGroups;
    this.slotSources = book.slotSource;
    this.remarginedFlags = new Uint8Array(A);
    this.addOnTotal = new Float64Array(A);
    this.scenarioLoss = new Float64Array(A);
    const rates = ratesOf(rules), price = market.price.array;
    const live = layout.live.array;
    book.addOns.totals(this.addOnTotal, live, A, rates, price, marks);
    book.addOns.release(); // read once here: a first run's plan gives its kernel columns back (a kept plan keeps its arrays)
    const G = this.nGroups;
    // the slots and groups: the run's own columns (book-groups.ts), released with it
    const own = { weight: U * S, worstLoss: G, worstScenario: G, pnl: S } as const;
    const allocated = Object.fromEntries(Object.entries(own).map(([k, n]) => [k, Column.allocate(allocator, PORTFOLIO_REDUCE_TYPES[k as keyof typeof own], n)]));
    this.reduce = { ...slots, ...allocated, riskArray: this.risk.riskArray } as Record<ReduceColumnName, Column>;
    this.reduceArgs = Column.allocate(allocator, 'i32', PORTFOLIO_REDUCE_COLUMNS.length);
    // fresh views: the allocations above may have grown linear memory and detached `v`
    const { spotMove, volShock } = this.views();
    scenarioColumns(this.scenarios, spotMove, volShock, this.reduce.weight.array as Float64Array, S, nS);
  }

  /**
   * Builds a run. `linearMark` holds each linear instrument's mark per unit of underlying (USD;
   * the session's valued-instrument column). `kernels`: the book's slots and add-on plan are built by them (their JS
   * twins when absent).
   */
  static prepare(layout: BookLayout, market: MarketLayout, params: PortfolioParams, allocator: ColumnAllocator, linearMark: Column<'f64'>, heap?: BufferPool, kernels?: MarginKernels): PortfolioRun {
    return new PortfolioRun(layout, market, params, allocator, linearMark, heap, kernels);
  }

  /** Typed views of the risk-array columns. */
  views(): RiskArrayColumns {
    return riskViews(this.risk);
  }

  /** What the partial kernel calls on the risk-array rows read (risk-rows.ts). */
  private riskRowsArgs(): RiskRows {
    const { risk, riskArgs, allocator, kernelScenarios, settled } = this;
    return { risk, riskArgs, allocator, kernelScenarios, assetCount: this.layout.assets.length, settled };
  }

  /**
   * Prices the options at the base market (the risk arrays' base values), builds the risk arrays,
   * reduces every group, and writes IM = aggregated worst loss + add-ons and MM = mmFactor·IM into `out`.
   */
  run(kernels: MarginKernels, out: MarginOutputs): void {
    const supplied = this.supplied;
    this.supplied = null;
    if (supplied) {
      readTable(this.risk, this.kernelScenarios, supplied);
      riskRows(kernels, this.riskRowsArgs(), this.collateralRows());
    } else {
      priceOptions(kernels, this.risk, this.optionRows);
      kernels.riskArrays(this.nRows, this.layout.assets.length, this.kernelScenarios, this.risk, this.riskArgs);
      this.settled.apply();
    }
    kernels.portfolioReduce(this.nGroups, this.kernelScenarios, this.reduce, this.reduceArgs);
    this.remarginedGroups.clear();
    this.remarginedFlags.fill(0);
    this.addOnPlan = null;
    this.groupLoss.clear();
    const reduce = this.reduceViews();
    const live = this.layout.live.array;
    const im = out.im.array, mm = out.mm.array; // views after the kernels ran
    for (let a = 0; a < this.accountGroupStart.length; a++) {
      if (live[a] === 0) continue;
      this.requireRange(a, reduce.worstLoss, reduce.groupUnderlying, this.accountGroupStart[a], this.accountGroupEnd[a], im, mm);
    }
  }

  /**
   * Brings the run up to a market changed in place (src/methods/method.ts MarketMove) and re-margins `accounts`:
   * for every underlying that moved (an asset of `assets`, or the underlying of an instrument of `instruments`),
   * the risk-array inputs (spot, rate, carry, implied vols, base values: options re-priced by the Greeks kernel,
   * linear rows at their mark) and rows (the risk-array kernel on those rows only), then the reduction of the
   * accounts' groups on those underlyings only (their other groups did not change), their add-ons and IM / MM.
   * Accounts re-margined since the run are reduced from the layout again. Each row and group has the bits the
   * whole run computes for it, so the result is a fresh run's on the new market.
   */
  marketMoved(kernels: MarginKernels, out: MarginOutputs, move: { assets: Int32Array; instruments: Int32Array; accounts: Int32Array }): void {
    const U = this.layout.assets.length, S = this.kernelScenarios;
    const ins = this.layout.instruments;
    const underlying = ins.underlying.array, kind = ins.kind.array;
    this.groupLoss.clear(); // risk rows change
    const touched = new Uint8Array(U);
    for (const u of move.assets) touched[u] = 1;
    for (const i of move.instruments) touched[underlying[i]] = 1;
    // 1. risk-array inputs of the touched underlyings and their rows
    const rows: number[] = [], options: number[] = [];
    touchedInputs(this.views(), this.layout, this.market, this.linearMark.array, this.settled, this.assetRow, touched, rows, options);
    priceOptions(kernels, this.risk, Int32Array.from(options));
    riskRows(kernels, this.riskRowsArgs(), Int32Array.from(rows));
    // 2. the touched groups of the accounts whose groups the run holds
    const gs = this.accountGroupStart, ge = this.accountGroupEnd;
    const gu = this.reduce.groupUnderlying.array as Int32Array;
    if (this.groupList.length < this.nGroups) this.groupList = new Int32Array(this.nGroups);
    const groups = this.groupList;
    let nTouched = 0;
    const own = this.remarginedFlags;
    for (const a of move.accounts) {
      if (a >= gs.length || own[a] !== 0) continue;
      for (let g = gs[a]; g < ge[a]; g++) if (touched[gu[g]]) groups[nTouched++] = g;
    }
    reduceGroups(kernels, this.allocator, this.reduce, this.reduceArgs, this.kernelScenarios, groups.subarray(0, nTouched));
    // 3. add-ons (re-priced from the plan where they depend on a touched underlying) and requirements
    const live = this.layout.live.array;
    const plan = (this.addOnPlan ??= new AddOnPlan(this.layout, gs.length));
    const mark = this.risk.baseValue.array as Float64Array;
    const reduce = this.reduceViews();
    const im = out.im.array, mm = out.mm.array;
    const touchedMask = maskOf(touched);
    const rates = ratesOf(this.rules), price = this.market.price.array;
    for (const a of move.accounts) {
      if (a >= gs.length || live[a] === 0) continue;
      if (own[a] !== 0) {
        const groupsNow = this.accountGroupsFromLayout(a);
        this.remarginedGroups.set(a, groupsNow);
        this.addOnTotal[a] = this.scanAddOns(a);
        this.require(a, groupsNow, im, mm);
        continue;
      }
      if (plan.touches(a, touchedMask)) this.addOnTotal[a] = plan.total(a, rates, price, mark);
      this.requireRange(a, reduce.worstLoss, reduce.groupUnderlying, gs[a], ge[a], im, mm);
    }
  }

  /**
   * The instruments' rows as a table that workers split (src/methods/method.ts InstrumentTable): per instrument, its
   * base value then its S kernel scenarios' P&L. The collateral rows after them are the shard's own (only the assets
   * its accounts hold), so every run computes those itself.
   */
  table(kernels: () => MarginKernels): InstrumentTable {
    const rows = this.layout.instruments.count, width = this.kernelScenarios + 1;
    return {
      rows,
      width,
      compute: (from, to, into) => {
        const k = kernels();
        priceOptions(k, this.risk, this.optionRows.filter((i) => i >= from && i < to));
        riskRows(k, this.riskRowsArgs(), Int32Array.from({ length: to - from }, (_, j) => from + j));
        const base = this.risk.baseValue.array as Float64Array, risk = this.risk.riskArray.array as Float64Array, S = this.kernelScenarios;
        for (let i = from; i < to; i++) {
          const at = (i - from) * width;
          into[at] = base[i];
          into.set(risk.subarray(i * S, (i + 1) * S), at + 1);
        }
      },
      supply: (parts) => {
        checkParts(parts, rows, width);
        this.supplied = parts;
      },
    };
  }

  /** The risk array's collateral rows (after the instruments'). */
  private collateralRows(): Int32Array {
    const n = this.layout.instruments.count;
    return Int32Array.from({ length: this.nRows - n }, (_, j) => n + j);
  }

  /**
   * Re-margins account a from the layout as it is now (after its positions or balances changed in place): its
   * slots and groups are built exactly as {@link prepare} builds them and each group's P&L summed as the kernel sums
   * it over the run's risk-array rows ({@link PortfolioGroupLoss}), so IM and MM have the bits a fresh run on the
   * changed book gives. The groups themselves (for explain) are built from the layout when asked for.
   */
  remargin(a: number, out: MarginOutputs): void {
    if (!(a >= 0 && a < this.accountGroupStart.length)) throw new RangeError(`account ${a} was added after the portfolio run was prepared: prepare a new run`);
    const layout = this.layout;
    const loss = this.groupLoss.loss(a, layout.positions.column<'f64'>('quantity').array, layout.positions.start.array[a], layout.collateral.column<'f64'>('amount').array, layout.collateral.start.array[a]);
    if (this.remarginedGroups.size !== 0) this.remarginedGroups.delete(a);
    this.remarginedFlags[a] = 1;
    this.addOnTotal[a] = this.scanAddOns(a);
    this.scenarioLoss[a] = loss;
    const total = loss + this.addOnTotal[a];
    out.im.array[a] = total;
    out.mm.array[a] = this.params.mmFactor * total;
  }

  /**
   * Account a's groups built from the layout as it is now, reduced on their own (account-groups.ts), in the buffer
   * of its previous re-margin's groups when large enough (nothing reads those after remargin).
   */
  private accountGroupsFromLayout(a: number): AccountGroups {
    // the scenario weights are fixed for the run: one JS copy (the kernel's column moves when memory grows) serves all
    this.weightCopy ??= (this.reduce.weight.array as Float64Array).slice();
    const run = {
      layout: this.layout, kernelScenarios: this.kernelScenarios, stable: this.stable, assetRow: this.assetRow,
      riskArray: this.risk.riskArray.array as Float64Array, spotMove: this.risk.spotMove.array as Float64Array,
      price: this.market.price.array, weight: this.weightCopy,
    };
    return accountGroupsOf(a, run, this.remarginedGroups.get(a)?.reduce.riskArray.buffer);
  }

  /** Account a's groups: as re-margined last (built from the layout on first ask), or as the whole run reduced them. */
  groupsOf(a: number): AccountGroups {
    if (!(this.remarginedFlags[a] === 1)) return { reduce: this.reduceViews(), first: this.accountGroupStart[a], last: this.accountGroupEnd[a], source: this.slotSource };
    const own = this.remarginedGroups.get(a);
    if (own !== undefined) return own;
    const built = this.accountGroupsFromLayout(a);
    this.remarginedGroups.set(a, built);
    return built;
  }

  /** IM = worst losses aggregated (Σ, or √(LᵀρL) with the market's correlations) + add-ons; MM = mmFactor·IM. */
  private require(a: number, g: AccountGroups, im: Float64Array, mm: Float64Array): void {
    this.requireRange(a, g.reduce.worstLoss, g.reduce.groupUnderlying, g.first, g.last, im, mm);
  }

  /** {@link require} from groups [first, last) of the given worst losses and underlyings. */
  private requireRange(a: number, worst: Float64Array, gu: Int32Array, first: number, last: number, im: Float64Array, mm: Float64Array): void {
    const loss = this.aggregate(worst, gu, first, last);
    this.scenarioLoss[a] = loss;
    const total = loss + this.addOnTotal[a];
    im[a] = total;
    mm[a] = this.params.mmFactor * total;
  }

  /** Worst losses of groups [first, last) (underlyings `gu`) aggregated: Σ, or √(LᵀρL) with the market's correlations. */
  aggregate(worst: ArrayLike<number>, gu: ArrayLike<number>, first: number, last: number): number {
    let loss = 0;
    if (this.params.aggregation === 'correlation') {
      const rho = this.market.correlation.array;
      const U = this.layout.assets.length;
      let q = 0;
      for (let i = first; i < last; i++) for (let j = first; j < last; j++) q += worst[i] * rho[gu[i] * U + gu[j]] * worst[j];
      loss = Math.sqrt(q);
    } else {
      for (let k = first; k < last; k++) loss += worst[k];
    }
    return loss;
  }



  /**
   * The aggregated worst scenario loss (IM before add-ons) of accounts in no layout (masters' pools,
   * MethodRun.pools.unionMargin), by one call of the reduction kernel over their groups, built as the constructor builds an
   * account's (positions, then non-stable non-zero balances, stably ordered by underlying) over the run's risk rows
   * and weights: a group's worst loss does not depend on the other groups of the call, so each has the bits of a run
   * on a book holding the union. Undefined when a balance has no risk row (no account held its asset at prepare).
   */
  unionLosses(kernels: MarginKernels, unions: readonly UnionHoldings[]): Float64Array | undefined {
    const g = unionGroupsOf(this.layout, this.stable, this.assetRow, unions);
    if (!g) return undefined;
    const worst = reduceUnionGroups(kernels, this.allocator, g, this.kernelScenarios, this.risk.riskArray, this.reduce.weight);
    return Float64Array.from(unions, (_, r) => this.aggregate(worst, g.groupUnderlying, g.first[r], g.first[r + 1]));
  }

  /** Scenario P&L vector (USD, gain > 0) of group g of `groups` over the real scenarios, the same bits the reduction summed. */
  groupPnl(groups: AccountGroups, g: number): Float64Array {
    const pnl = new Float64Array(this.kernelScenarios);
    groupPnlJs(groups.reduce, g, this.kernelScenarios, pnl);
    return pnl.subarray(0, this.nScenarios);
  }

  /** Per slot: position index (≥ 0) or −1 − collateral slot index (explain needs where it came from). */
  get slotSource(): Int32Array {
    const s = this.slotSources;
    return s instanceof Int32Array ? s : s.array;
  }

  reduceViews(): ReduceColumns {
    return Object.fromEntries(PORTFOLIO_REDUCE_COLUMNS.map((k) => [k, this.reduce[k].array])) as unknown as ReduceColumns;
  }

  /**
   * Contingency add-ons of account a, in a fixed order (short options by underlying and strike, then linear by
   * underlying), in the account's margin currency: a coin-margined account's short options per coin (rate × net
   * short coins), its inverse contracts' notional in coin (units / F: their linear base value).
   */
  addOnsOf(a: number): AddOn[] {
    const out: AddOn[] = [];
    this.scanAddOns(a, out);
    return out;
  }

  /**
   * Total add-ons of account a (USD), appending each to `list` when given. Per account, options are
   * netted per (underlying, strike) over calls, puts and expiries, and futures/perpetual notional per
   * underlying, in small scratch tables (accounts hold a handful of positions). The total is summed
   * in the listed order, so a list's amounts add up to it exactly.
   */
  scanAddOns(a: number, list?: AddOn[]): number {
    const positions = this.layout.positions;
    const posInstrument = positions.column<'i32'>('instrument').array, quantity = positions.column<'f64'>('quantity').array;
    return this.addOnsOver(posInstrument, quantity, positions.start.array[a], positions.end.array[a], list);
  }

  /** {@link scanAddOns} over positions [p0, p1) of the given columns (an account's layout slots, or a draft's). */
  addOnsOver(posInstrument: Int32Array, quantity: Float64Array, p0: number, p1: number, list?: AddOn[]): number {
    return addOnsIn(this.addOnScan, this.rules, this.addOnColumns(), posInstrument, quantity, p0, p1, list);
  }

  /**
   * {@link addOnsOver} of every union (masters' pools, MethodRun.pools.unionMargin) into `out`: re-priced from a plan kept
   * by the layout per unions array (add-on-plan.ts: the bits of a scan; the netting depends on the holdings alone, and a session
   * margins the same pools on market after market).
   */
  addOnsOfUnions(unions: readonly UnionHoldings[], out: Float64Array): void {
    const memo = this.layout.memo;
    const plan = memo.get(UNION_ADD_ONS, unions) ?? memo.set(UNION_ADD_ONS, unions, new AddOnPlan(this.layout, unions.length, concatenatedPositions(unions)));
    const rates = ratesOf(this.rules), price = this.market.price.array, mark = this.risk.baseValue.array as Float64Array;
    for (let r = 0; r < unions.length; r++) out[r] = plan.total(r, rates, price, mark);
  }

  /** The columns {@link addOnsIn} reads (views: re-read after an allocation). */
  private addOnColumns(): AddOnColumns {
    const ins = this.layout.instruments;
    return {
      kind: ins.kind.array, underlying: ins.underlying.array, strike: ins.strike.array, multiplier: ins.multiplier.array,
      mark: this.risk.baseValue.array as Float64Array, price: this.market.price.array, settlement: ins.settlement.array,
    };
  }

  /** Total add-ons of account a with position quantities `quantity` (its positions in layout order): {@link scanAddOns} of other holdings. */
  addOnsWith(a: number, quantity: Float64Array): number {
    const positions = this.layout.positions, p0 = positions.start.array[a];
    return addOnsIn(this.addOnScan, this.rules, this.addOnColumns(), positions.column<'i32'>('instrument').array, quantity, p0, p0 + quantity.length, undefined, p0);
  }


  release(): void {
    this.lease.release();
    for (const c of Object.values(this.risk)) c.release();
    for (const [k, c] of Object.entries(this.reduce)) if (k !== 'riskArray') c.release();
    this.riskArgs.release();
    this.reduceArgs.release();
    if (!(this.slotSources instanceof Int32Array)) this.slotSources.release();
  }
}
