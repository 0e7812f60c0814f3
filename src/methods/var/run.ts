/**
 * The VaR / ES margin method on a laid-out book: after the rule-based cross kernel has computed equity
 * (with haircuts) and gross notional, compute each account's risk measure by the chosen model, write
 * IM = max(measure, floorRate × gross notional, floorUsd if it holds positions) and MM = mmFactor × IM
 * into the output columns; the caller then re-derives statuses (restatus).
 *
 * What the model needs beyond one account (risk factors, option Greeks, Σ, and for the simulation models
 * the risk array of every instrument under every scenario: computed by {@link VarRun.run}, or computed in slices by
 * workers and supplied, {@link VarRun.table}) is computed once per run and kept,
 * so {@link VarRun.remargin} re-measures one account from the layout as it is now, with the same bits a
 * full run on the changed book gives.
 */
import type { MarginKernels } from '../../kernels/backend.js';
import type { BookLayout } from '../../layout/book-layout.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { MarginOutputs } from '../../margin/outputs.js';
import { Column, type ColumnAllocator } from '../../memory/columns.js';
import { horizonCovariance, type RiskFactors, riskFactors } from './covariance.js';
import { accountExposures, type InstrumentGreeks, instrumentGreeks, unionDeltas } from './exposures.js';
import type { UnionHoldings } from '../method.js';
import { deltaGamma, deltaNormal, type MeasureResult } from './parametric.js';
import type { VarParams } from './params.js';
import { historicalScenarios, monteCarloScenarios, revalue, riskSlots, type Scenarios, simulatedMeasures } from './simulation.js';
import { riskArrayRows } from './revaluation.js';
import type { InstrumentTable, TablePart } from '../method.js';
import { checkParts } from '../table-parts.js';
import type { VarExplain } from './types.js';

/** What the whole book shares: factors, Greeks, Σ, and for simulation models the risk array (kept until release). */
export interface SharedInputs {
  readonly factors: RiskFactors;
  readonly greeks: InstrumentGreeks;
  readonly sigma: Float64Array;
  /** Simulation models: (instruments + assets) × scenarios P&L per unit, in the kernels' memory. */
  readonly riskArray: Column<'f64'> | null;
  readonly scenarioCount: number;
}

export class VarRun {
  private shared: SharedInputs | null = null;
  /** Per account: the measure by the chosen model (before floors), NaN where not computable. */
  private measure = new Float64Array(0);
  private result: MeasureResult | null = null;
  /** Accounts re-margined since the run: their own one-account result (index 0). */
  private readonly remargined = new Map<number, MeasureResult>();
  /** The risk array given for the next run (computed by workers, a slice each), instead of revaluing. */
  private supplied: readonly TablePart[] | null = null;

  constructor(
    readonly layout: BookLayout,
    readonly market: MarketLayout,
    readonly params: VarParams,
    private readonly allocator: ColumnAllocator,
    /** Keep what explains need (components). */
    private readonly withComponents: boolean,
  ) {}

  /**
   * Measures every account and writes IM / MM of every live account into `out` (whose gross notional the
   * rule-based kernel wrote). Its views are read after the measuring, whose allocations may grow memory.
   */
  run(kernels: MarginKernels, out: MarginOutputs): void {
    this.releaseShared();
    this.remargined.clear();
    this.shared = this.sharedInputs(kernels);
    this.result = this.measureAccounts(kernels, 0, this.layout.accountCount);
    this.measure = Float64Array.from(this.params.measure === 'var' ? this.result.var : this.result.es);
    const live = this.layout.live.array;
    for (let a = 0; a < this.layout.accountCount; a++) if (live[a] !== 0) this.require(a, out);
  }

  /** Re-measures account a from the layout as it is now (its positions or balances changed) and writes its IM / MM. */
  remargin(kernels: MarginKernels, a: number, out: MarginOutputs): void {
    if (!this.shared) throw new Error('remargin before run: run the method on this market first');
    if (!(a >= 0 && a < this.measure.length)) throw new RangeError(`account ${a} was added after the VaR run: prepare a new run`);
    const one = this.measureAccounts(kernels, a, a + 1);
    this.remargined.set(a, one);
    this.measure[a] = this.params.measure === 'var' ? one.var[0] : one.es[0];
    this.require(a, out);
  }

  /** IM = max(measure, floor); NaN (non-finite P&L) stays NaN: the account gets status error, never a zero requirement. */
  private require(a: number, out: MarginOutputs): void {
    const x = this.measure[a];
    const req = Number.isNaN(x) ? NaN : Math.max(x, this.floorOf(a, out.gross.array), 0);
    out.im.array[a] = req;
    out.mm.array[a] = this.params.mmFactor * req;
  }

  /** max(floorRate × gross notional, floorUsd when the account holds positions). */
  private floorOf(a: number, gross: Float64Array): number {
    const pos = this.layout.positions;
    return this.floor(gross[a], holdsAny(pos.column<'f64'>('quantity').array, pos.start.array[a], pos.end.array[a]));
  }

  /** The floor of an account with gross notional `gross` (USD) that holds positions or not. */
  floor(gross: number, holdsPositions: boolean): number {
    return Math.max(this.params.floorRate * gross, holdsPositions ? this.params.floorUsd : 0);
  }

  /** What the last {@link run} computed for the whole book (factors, Greeks, Σ, risk array). */
  get inputs(): SharedInputs {
    if (!this.shared) throw new Error('what-if before run: run the method on this market first');
    return this.shared;
  }

  private sharedInputs(kernels: MarginKernels): SharedInputs {
    const { layout, market } = this;
    const { factors, greeks, sigma } = this.factorInputs(kernels);
    if (!this.simulated) return { factors, greeks, sigma, riskArray: null, scenarioCount: 0 };
    const supplied = this.supplied;
    this.supplied = null;
    if (supplied) return { factors, greeks, sigma, riskArray: this.suppliedRiskArray(supplied), scenarioCount: this.scenarioCount() };
    const sc = this.scenarios(kernels, sigma, factors);
    const riskArray = revalue(layout, market, factors, greeks, sc, { allocator: this.allocator, runRiskArrays: kernels.riskArrays });
    return { factors, greeks, sigma, riskArray, scenarioCount: sc.count };
  }

  /** Risk factors, the instruments' Greeks and Σ (historical: none) on the run's market. */
  private factorInputs(kernels: MarginKernels): Pick<SharedInputs, 'factors' | 'greeks' | 'sigma'> {
    const { layout, market, params } = this;
    const factors = riskFactors(layout, market);
    const greeks = instrumentGreeks(layout, market, (input) => kernels.greeks(input));
    const sigma = params.model !== 'historical' ? horizonCovariance(params, market, factors) : new Float64Array(0);
    return { factors, greeks, sigma };
  }

  /** Simulation models: the risk array is the run's per-instrument work. */
  private get simulated(): boolean {
    return this.params.model === 'monte-carlo' || this.params.model === 'historical';
  }

  private scenarios(kernels: MarginKernels, sigma: Float64Array, factors: RiskFactors): Scenarios {
    return this.params.model === 'monte-carlo' ? monteCarloScenarios(kernels.risk(), sigma, factors, this.params) : historicalScenarios(factors, this.params);
  }

  /** Scenarios M of a simulation model (the risk array's width), as {@link scenarios} draws them. */
  private scenarioCount(): number {
    return this.params.model === 'monte-carlo' ? this.params.scenarios : this.params.returns!.matrix.length;
  }

  /** Simulation models: the risk array as a table of rows that workers split (src/methods/method.ts InstrumentTable). */
  table(kernels: () => MarginKernels): InstrumentTable | undefined {
    if (!this.simulated) return undefined;
    const rows = riskArrayRows(this.layout), width = this.scenarioCount();
    return {
      rows,
      width,
      compute: (from, to, into) => {
        const k = kernels();
        const { factors, greeks, sigma } = this.factorInputs(k);
        const slice = revalue(this.layout, this.market, factors, greeks, this.scenarios(k, sigma, factors), { allocator: this.allocator, runRiskArrays: k.riskArrays }, from, to);
        try {
          into.set(slice.array);
        } finally {
          slice.release();
        }
      },
      supply: (parts) => {
        checkParts(parts, rows, width);
        this.supplied = parts;
      },
    };
  }

  /** The supplied parts copied into one column of the kernels' memory. */
  private suppliedRiskArray(parts: readonly TablePart[]): Column<'f64'> {
    const width = this.scenarioCount();
    const column = Column.allocate(this.allocator, 'f64', riskArrayRows(this.layout) * width);
    const array = column.array;
    for (const part of parts) array.set(part.data, part.from * width);
    return column;
  }

  /** The model's measure for accounts [first, last) (results indexed from 0). */
  private measureAccounts(kernels: MarginKernels, first: number, last: number): MeasureResult {
    const { layout, market, params } = this;
    const { factors, greeks, sigma, riskArray, scenarioCount } = this.shared!;
    const risk = kernels.risk();
    const m = factors.symbols.length, count = last - first;
    switch (params.model) {
      case 'delta-normal': {
        // Dollar deltas built straight into the kernels' memory: the quadratic forms read them in place.
        const deltaColumn = Column.allocate(this.allocator, 'f64', count * m);
        try {
          const ex = accountExposures(layout, market, factors, greeks, { deltaInto: deltaColumn.array }, first, count);
          return deltaNormal(risk, sigma, ex, params.confidence, this.withComponents, deltaColumn);
        } finally {
          deltaColumn.release();
        }
      }
      case 'delta-gamma':
        return deltaGamma(risk, sigma, accountExposures(layout, market, factors, greeks, { gamma: true }, first, count), params.confidence);
      case 'monte-carlo':
      case 'historical':
        return simulatedMeasures(risk, riskArray!, scenarioCount, riskSlots(layout, factors, first, last), m, params.confidence);
    }
  }

  /**
   * IM of accounts in no layout (masters' pools) with gross notional gross[r] (USD), by the delta-normal model over
   * the run's factors, Greeks and Σ, with the bits a run on a book holding them gives (one quadratic-form call for
   * all, as a run makes for its accounts); undefined for the other models (their inputs are per layout slot).
   */
  unionRequirements(kernels: MarginKernels, unions: readonly UnionHoldings[], gross: ArrayLike<number>): Float64Array | undefined {
    if (this.params.model !== 'delta-normal') return undefined;
    const { layout, market, params } = this;
    const { factors, greeks, sigma } = this.inputs;
    const m = factors.symbols.length, count = unions.length;
    const deltaColumn = Column.allocate(this.allocator, 'f64', count * m);
    let result: MeasureResult;
    try {
      unionDeltas(unions, layout, market, factors, greeks, deltaColumn.array);
      const ex = { accounts: count, factors: m, delta: deltaColumn.array, gamma: new Float64Array(0), vega: new Float64Array(0) };
      result = deltaNormal(kernels.risk(), sigma, ex, params.confidence, false, deltaColumn);
    } finally {
      deltaColumn.release();
    }
    const measure = params.measure === 'var' ? result.var : result.es;
    const req = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      const x = measure[r];
      req[r] = Number.isNaN(x) ? NaN : Math.max(x, this.floor(gross[r], holdsAny(unions[r].quantity, 0, unions[r].quantity.length)), 0);
    }
    return req;
  }

  /** Explain for account a (components per underlying, sum = the measure). */
  explain(a: number, gross: Float64Array): VarExplain {
    const { layout, market, params } = this;
    const { factors, greeks } = this.shared!;
    const one = this.remargined.get(a);
    const result = one ?? this.result!;
    const at = one ? 0 : a;
    const c = result.components(at, params.measure);
    const components = factors.symbols.map((underlying, j) => ({ underlying, contribution: c[j] })).filter((x) => x.contribution !== 0);
    const ex = accountExposures(layout, market, factors, greeks, { gamma: true, vega: true }, a, 1);
    const exposures = factors.symbols
      .map((underlying, j) => ({ underlying, dollarDelta: ex.delta[j], dollarGamma: ex.gamma[j], vega: ex.vega[j] }))
      .filter((x) => x.dollarDelta !== 0 || x.dollarGamma !== 0 || x.vega !== 0);
    const e: VarExplain = {
      model: params.model, measure: params.measure, confidence: params.confidence, horizonDays: params.horizonDays,
      var: result.var[at], es: result.es[at], floor: this.floorOf(a, gross), components, exposures,
    };
    if (params.model === 'monte-carlo') e.scenarios = params.scenarios;
    if (params.model === 'historical') e.scenarios = params.returns!.matrix.length;
    const note = result.note(at);
    if (note) e.note = note;
    return e;
  }

  /** Why account a has no requirement (status error), or undefined. */
  errorOf(a: number): string | undefined {
    return Number.isNaN(this.measure[a]) ? `the ${this.params.model} ${this.params.measure} is not finite: a quantity, amount or price is too large for double precision` : undefined;
  }

  release(): void {
    this.releaseShared();
  }

  private releaseShared(): void {
    this.shared?.riskArray?.release();
    this.shared = null;
  }
}

/**
 * Whether `quantity[from, to)` holds a position: a slot of 0 (a position a fill closed, rows netted to nothing) is none,
 * so floorUsd charges an account with exposure only.
 */
export function holdsAny(quantity: ArrayLike<number>, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (quantity[k] !== 0) return true;
  return false;
}
