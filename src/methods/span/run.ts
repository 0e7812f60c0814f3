/**
 * One SPAN run over a laid-out book and market: the risk arrays of every instrument under the 16 standard scenarios
 * (the risk-array kernel: options revalued with Black-76, linear instruments moved by the scan range in USD), the
 * composite deltas (the Greeks kernel at the seven delta points), each account's scan risk per combined commodity
 * (the reduction kernel, scenarios 15 and 16 weighted 35%), then the spreads, the short option minimum and the
 * requirement per account ({@link SpanEvaluator}). Both kernels run on WASM or on their bit-identical JS twins, and
 * the rest is the same JS on either backend, so every backend gives the same bits.
 *
 * Why the kernel fits: SPAN's combined commodity is an underlying asset, and Black-76 on a futures price F is the
 * generalised BSM with S = F and carry q = r. The asset's market price is read as that futures price (the carry
 * column is set to the rate), and linear rows get the asset price as their base value, so each moves by exactly
 * the scenario's fraction of the price scan range in USD, as SPAN moves every futures month by the same amount.
 */
import type { GreeksInput } from '../../model/greeks-types.js';
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES, type ReduceColumnName, RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES, type RiskArrayColumnName } from '../../kernels/abi.js';
import type { MarginKernels } from '../../kernels/backend.js';
import { portfolioReduceJs, type ReduceColumns } from '../../kernels/js/portfolio/reduce.js';
import { KIND_LINEAR, KIND_OPTION as RA_OPTION, type RiskArrayColumns } from '../../kernels/js/scenario/risk-arrays.js';
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_OPTION } from '../../layout/codes.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { MarginOutputs } from '../../margin/outputs.js';
import { Column, type ColumnAllocator } from '../../memory/columns.js';
import { type AccountGroups, SpanEvaluator } from './evaluate.js';
import { commodityFor, DELTA_POINTS, scenarioOf, SPAN_SCENARIO_COUNT, type SpanCommodity, type SpanParams } from './params.js';
import { DAYS_PER_YEAR, scanGroups } from './scan-groups.js';
import type { SpanExplain } from './types.js';

const S = SPAN_SCENARIO_COUNT;

export class SpanRun {
  /** Per asset: commodity parameters and its own price scan range (USD per unit). */
  readonly commodity: SpanCommodity[];
  readonly scanRange: Float64Array;
  /** Per asset × scenario: the fraction of the scenario's loss that counts (the reduction's weights). */
  readonly cover: Float64Array;
  /** Per scan group (the risk-array kernel's underlyings): its price scan range (USD per unit); per instrument, its group. */
  readonly groupRange: Float64Array;
  readonly groupAsset: Int32Array;
  readonly groupOf: Int32Array;
  /** Per instrument: tier (0-based) in its commodity, composite delta per unit (after {@link run}). */
  readonly tier: Int32Array;
  readonly compositeDelta: Float64Array;
  readonly risk: Record<RiskArrayColumnName, Column>;
  private readonly riskArgs: Column<'i32'>;
  private reduce: Record<ReduceColumnName, Column> | null = null;
  private readonly reduceArgs: Column<'i32'>;
  private readonly weight: Column<'f64'>;
  private readonly evaluator: SpanEvaluator;
  /** Per account: its groups [start, end) in the run's reduction. */
  private accountGroupStart = new Int32Array(0);
  private accountGroupEnd = new Int32Array(0);
  /** The layout's generation when the groups were built. */
  private groupsGeneration = -1;
  /** Accounts re-margined since the run: their own groups (reduced on their own, from the layout then). */
  private readonly remargined = new Map<number, AccountGroups>();
  private readonly optionRows: Int32Array;

  constructor(
    readonly layout: BookLayout,
    readonly market: MarketLayout,
    readonly params: SpanParams,
    private readonly allocator: ColumnAllocator,
  ) {
    const U = layout.assets.length;
    const ins = layout.instruments;
    const n = ins.count;
    this.commodity = layout.assets.map((symbol) => commodityFor(params, symbol));
    const groups = scanGroups(layout, market, params, this.commodity);
    this.scanRange = groups.commodityRange;
    this.groupRange = groups.range;
    this.groupOf = groups.groupOf;
    this.groupAsset = groups.asset;
    this.tier = groups.tier;
    this.compositeDelta = new Float64Array(n);
    const K = groups.asset.length;
    const sizes: Record<RiskArrayColumnName, number> = {
      kind: n, underlying: n, isCall: n, strike: n, expiryYears: n, vol: n, volScale: n, baseValue: n,
      spot: K, rate: K, carry: K, volFloor: K, spotMove: K * S, volShock: K * S, logMove: K * S, riskArray: n * S,
    };
    this.risk = Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, Column.allocate(allocator, RISK_ARRAY_TYPES[k], sizes[k])])) as Record<RiskArrayColumnName, Column>;
    this.riskArgs = Column.allocate(allocator, 'i32', RISK_ARRAY_COLUMNS.length);
    this.reduceArgs = Column.allocate(allocator, 'i32', PORTFOLIO_REDUCE_COLUMNS.length);
    this.weight = Column.allocate(allocator, 'f64', U * S);
    const lookAhead = params.lookAheadDays / DAYS_PER_YEAR;
    const v = this.views();
    const kind = ins.kind.array, underlying = ins.underlying.array;
    const expiry = market.expiryYears.array;
    const options: number[] = [];
    for (let i = 0; i < n; i++) {
      const u = underlying[i];
      v.underlying[i] = groups.groupOf[i];
      v.volScale[i] = 1;
      if (kind[i] === KIND_OPTION) {
        options.push(i);
        v.kind[i] = RA_OPTION;
        v.isCall[i] = ins.isCall.array[i];
        v.strike[i] = ins.strike.array[i];
        v.expiryYears[i] = Math.max(expiry[i] - lookAhead, 0); // revalued one look-ahead later
        v.vol[i] = market.impliedVol.array[i];
      } else {
        v.kind[i] = KIND_LINEAR;
        v.baseValue[i] = market.price.array[u]; // × spot move = the scenario's USD move per unit
      }
    }
    this.optionRows = Int32Array.from(options);
    // one kernel underlying per scan group: the asset's price, moved by the group's range
    for (let g = 0; g < K; g++) {
      const u = groups.asset[g], c = this.commodity[u];
      v.spot[g] = market.price.array[u];
      v.rate[g] = market.rate.array[u];
      v.carry[g] = market.rate.array[u]; // Black-76: forward = the price itself
      v.volFloor[g] = 0; // shocked vols are vol × (1 ± range) ≥ 0: no floor
      const scan = groups.range[g] / market.price.array[u];
      for (let s = 0; s < S; s++) {
        const sc = scenarioOf(c, s);
        v.spotMove[g * S + s] = sc.priceMove * scan;
        v.volShock[g * S + s] = sc.volMove * c.volScanRange;
      }
    }
    this.cover = new Float64Array(U * S);
    for (let u = 0; u < U; u++) for (let s = 0; s < S; s++) this.cover[u * S + s] = scenarioOf(this.commodity[u], s).cover;
    this.weight.array.set(this.cover);
    this.evaluator = new SpanEvaluator(this);
  }

  /** Typed views of the risk-array columns (re-read after any allocation). */
  views(): RiskArrayColumns {
    return Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, this.risk[k].array])) as unknown as RiskArrayColumns;
  }

  /** Risk arrays, composite deltas, every account's groups reduced, and IM / MM of every live account into `out`. */
  run(kernels: MarginKernels, out: MarginOutputs): void {
    // the groups of the last run hold while no account was re-margined (changed) and no layout column moved since
    const stale = this.reduce === null || this.remargined.size > 0 || this.groupsGeneration !== this.layout.generation;
    this.remargined.clear();
    this.priceOptions(kernels);
    this.compositeDeltas(kernels);
    kernels.riskArrays(this.layout.instruments.count, this.groupRange.length, S, this.risk, this.riskArgs);
    if (stale) this.buildGroups();
    const G = this.reduce!.groupStart.array.length;
    kernels.portfolioReduce(G, S, this.reduce!, this.reduceArgs);
    const reduce = this.reduceViews();
    const live = this.layout.live.array;
    const value = out.value.array, im = out.im.array, mm = out.mm.array;
    this.evaluator.bind();
    const groups = { reduce, first: 0, last: 0 };
    for (let a = 0; a < this.layout.accountCount; a++) {
      if (live[a] === 0) continue;
      groups.first = this.accountGroupStart[a];
      groups.last = this.accountGroupEnd[a];
      const req = this.evaluator.requirement(a, groups, value);
      mm[a] = req;
      im[a] = this.params.initialToMaintenance * req;
    }
  }

  /**
   * Account a from the layout as it is now (its positions changed in place): its groups built as {@link run} builds
   * them and reduced by the JS twin of the reduction kernel (same bits) over the run's risk arrays.
   */
  remargin(a: number, out: MarginOutputs): void {
    if (!(a >= 0 && a < this.accountGroupStart.length)) throw new RangeError(`account ${a} was added after the SPAN run was prepared: prepare a new run`);
    const groups = this.accountGroups(a);
    this.remargined.set(a, groups);
    this.evaluator.bind();
    const req = this.evaluator.requirement(a, groups, out.value.array);
    out.mm.array[a] = req;
    out.im.array[a] = this.params.initialToMaintenance * req;
  }

  /** Account a's SPAN figures, commodity by commodity (the breakdown). */
  explain(a: number, out: MarginOutputs): SpanExplain {
    const detail: SpanExplain = {
      maintenance: 0, initial: 0, longOptionValue: 0, shortOptionValue: 0, netOptionValue: 0, totalRequirement: 0, commodities: [], spreads: [],
    };
    const groups = this.remargined.get(a) ?? { reduce: this.reduceViews(), first: this.accountGroupStart[a], last: this.accountGroupEnd[a] };
    this.evaluator.bind();
    this.evaluator.requirement(a, groups, out.value.array, detail);
    return detail;
  }

  release(): void {
    for (const c of Object.values(this.risk)) c.release();
    this.releaseReduce();
    this.riskArgs.release();
    this.reduceArgs.release();
    this.weight.release();
  }

  /** Base values of the options: Black-76 at the current price, vol and full time to expiry (the Greeks kernel). */
  private priceOptions(kernels: MarginKernels): void {
    const rows = this.optionRows;
    if (rows.length === 0) return;
    const price = kernels.greeks(this.greeksInput(rows, [0], this.market.expiryYears.array)).price;
    const base = this.risk.baseValue.array as Float64Array;
    for (let j = 0; j < rows.length; j++) base[rows[j]] = price[j];
  }

  /**
   * Composite delta per unit: Σ_k weight_k × Black-76 delta at the price moved by point_k × the scan range (vol
   * unchanged, time to expiry less the look-ahead, as the risk arrays). Linear instruments: 1.
   */
  private compositeDeltas(kernels: MarginKernels): void {
    const rows = this.optionRows, m = rows.length;
    this.compositeDelta.fill(1);
    if (m === 0) return;
    const v = this.views();
    const delta = kernels.greeks(this.greeksInput(rows, DELTA_POINTS, v.expiryYears)).delta;
    const w = this.params.deltaWeights;
    for (let j = 0; j < m; j++) {
      let d = 0;
      for (let k = 0; k < DELTA_POINTS.length; k++) d += w[k] * delta[k * m + j];
      this.compositeDelta[rows[j]] = d;
    }
  }

  /**
   * Greeks inputs of option rows `rows` at each price point (multiples of the scan range), one block of rows per point;
   * `expiryOf`: years to expiry per instrument.
   */
  private greeksInput(rows: Int32Array, points: readonly number[], expiryOf: Float64Array): Required<GreeksInput> {
    const m = rows.length, total = m * points.length;
    const v = this.views();
    const input: Required<GreeksInput> = {
      isCall: new Uint8Array(total), spot: new Float64Array(total), strike: new Float64Array(total), expiryYears: new Float64Array(total),
      vol: new Float64Array(total), rate: new Float64Array(total), carry: new Float64Array(total),
    };
    points.forEach((point, k) => {
      for (let j = 0; j < m; j++) {
        const i = rows[j], g = v.underlying[i], at = k * m + j; // g: the option's scan group
        const price = v.spot[g];
        input.isCall[at] = v.isCall[i];
        input.spot[at] = point === 0 ? price : price * (1 + point * (this.groupRange[g] / price));
        input.strike[at] = v.strike[i];
        input.expiryYears[at] = expiryOf[i];
        input.vol[at] = v.vol[i];
        input.rate[at] = v.rate[g];
        input.carry[at] = v.rate[g];
      }
    });
    return input;
  }

  /** Every live account's positions as groups by underlying (asset order), into fresh reduction columns. */
  private buildGroups(): void {
    const layout = this.layout;
    const live = layout.live.array, posStart = layout.positions.start.array, posEnd = layout.positions.end.array;
    let nSlots = 0;
    for (let a = 0; a < layout.accountCount; a++) if (live[a] !== 0) nSlots += posEnd[a] - posStart[a];
    const slots = new AccountSlots(nSlots);
    this.accountGroupStart = new Int32Array(layout.accountCount);
    this.accountGroupEnd = new Int32Array(layout.accountCount);
    for (let a = 0; a < layout.accountCount; a++) {
      this.accountGroupStart[a] = slots.groups;
      if (live[a] !== 0) slots.add(layout, a);
      this.accountGroupEnd[a] = slots.groups;
    }
    this.releaseReduce();
    this.groupsGeneration = layout.generation;
    const G = slots.groups;
    const sizes: Record<ReduceColumnName, number> = {
      groupStart: G, groupEnd: G, groupUnderlying: G, slotRow: nSlots, slotScale: nSlots, riskArray: 0, weight: 0, worstLoss: G, worstScenario: G, pnl: S,
    };
    const reduce = Object.fromEntries(PORTFOLIO_REDUCE_COLUMNS.map((k) => [
      k, k === 'riskArray' ? this.risk.riskArray : k === 'weight' ? this.weight : Column.allocate(this.allocator, PORTFOLIO_REDUCE_TYPES[k], sizes[k]),
    ])) as Record<ReduceColumnName, Column>;
    this.reduce = reduce;
    (reduce.groupStart.array as Int32Array).set(slots.groupStart.subarray(0, G));
    (reduce.groupEnd.array as Int32Array).set(slots.groupEnd.subarray(0, G));
    (reduce.groupUnderlying.array as Int32Array).set(slots.groupUnderlying.subarray(0, G));
    (reduce.slotRow.array as Int32Array).set(slots.row);
    (reduce.slotScale.array as Float64Array).set(slots.scale);
  }

  /** Account a's groups from the layout as it is now, reduced by the JS twin over the run's risk arrays. */
  private accountGroups(a: number): AccountGroups {
    const layout = this.layout;
    const slots = new AccountSlots(layout.positions.end.array[a] - layout.positions.start.array[a]);
    slots.add(layout, a);
    const G = slots.groups;
    const reduce: ReduceColumns = {
      groupStart: slots.groupStart.subarray(0, G), groupEnd: slots.groupEnd.subarray(0, G), groupUnderlying: slots.groupUnderlying.subarray(0, G),
      slotRow: slots.row, slotScale: slots.scale, riskArray: this.risk.riskArray.array as Float64Array, weight: this.weight.array,
      worstLoss: new Float64Array(G), worstScenario: new Int32Array(G), pnl: new Float64Array(S),
    };
    portfolioReduceJs(G, S, reduce);
    return { reduce, first: 0, last: G };
  }

  private reduceViews(): ReduceColumns {
    return Object.fromEntries(PORTFOLIO_REDUCE_COLUMNS.map((k) => [k, this.reduce![k].array])) as unknown as ReduceColumns;
  }

  private releaseReduce(): void {
    if (!this.reduce) return;
    for (const [k, c] of Object.entries(this.reduce)) if (k !== 'riskArray' && k !== 'weight') c.release();
    this.reduce = null;
  }
}

/**
 * Positions as reduction slots (row = instrument, scale = quantity × multiplier), each account's sorted by underlying
 * (stable: position order within an underlying), one group per underlying.
 */
class AccountSlots {
  readonly row: Int32Array;
  readonly scale: Float64Array;
  private readonly slotU: Int32Array;
  readonly groupStart: Int32Array;
  readonly groupEnd: Int32Array;
  readonly groupUnderlying: Int32Array;
  private top = 0;
  groups = 0;

  constructor(nSlots: number) {
    this.row = new Int32Array(nSlots);
    this.scale = new Float64Array(nSlots);
    this.slotU = new Int32Array(nSlots);
    this.groupStart = new Int32Array(nSlots);
    this.groupEnd = new Int32Array(nSlots);
    this.groupUnderlying = new Int32Array(nSlots);
  }

  add(layout: BookLayout, a: number): void {
    const posInstrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
    const underlying = layout.instruments.underlying.array, multiplier = layout.instruments.multiplier.array;
    const { row, scale, slotU } = this;
    const first = this.top;
    for (let p = layout.positions.start.array[a], end = layout.positions.end.array[a]; p < end; p++) {
      const i = posInstrument[p];
      // insertion by underlying, after equal ones (stable)
      let k = this.top++;
      while (k > first && slotU[k - 1] > underlying[i]) {
        row[k] = row[k - 1];
        scale[k] = scale[k - 1];
        slotU[k] = slotU[k - 1];
        k--;
      }
      row[k] = i;
      scale[k] = quantity[p] * multiplier[i];
      slotU[k] = underlying[i];
    }
    for (let k = first; k < this.top; k++) {
      if (k === first || slotU[k] !== slotU[k - 1]) {
        if (k !== first) this.groupEnd[this.groups - 1] = k;
        this.groupStart[this.groups] = k;
        this.groupUnderlying[this.groups++] = slotU[k];
      }
    }
    if (this.top > first) this.groupEnd[this.groups - 1] = this.top;
  }
}
