/**
 * One run of Deribit's 2024 portfolio margin model (method `deribit`) on a laid-out book: the portfolio run
 * (src/methods/engines/scenario-grid/run.ts) with each currency pair's grid and extended table (rules.ts: portfolioRuleOf) gives
 * every account's worst weighted loss per underlying, in the account's margin currency (coin accounts in coin: the
 * inverse and coin-option risk rows of settled-rows.ts); then, per account,
 *
 * - the extended dampener: a group whose worst scenario is an extended move is scanned again with each extended
 *   loss reduced by its dampening (rules.ts extendedDampening); the grid's losses are never dampened, so only such
 *   groups can change;
 * - the roll shock: per underlying and expiry (a perpetual: its own, T = 0), rollShockRate × |net delta|;
 * - the delta shock: per underlying, deltaShockRate × |delta total|;
 *
 * IM = worst case + roll shock + delta shock (Deribit's risk matrix margin; MMP and open-order margins are account
 * state a book does not hold), MM = mmFactor × IM. Deltas are in the account's currency's terms (DESIGN §3 units of
 * underlying): an inverse contract's units/F coins, a coin-settled option's coin delta Δ·S/F − P (Deribit's net
 * transaction delta), a USD or linear instrument's units, a USD option's Δ; a shock in units of underlying is then
 * valued in the account's currency (× 1 for a coin account in its own underlying, × index/price of the currency
 * otherwise).
 */
import type { GreeksInput } from '../../model/greeks-types.js';
import type { MarginKernels } from '../../kernels/backend.js';
import { groupPnlJs, type ReduceColumns } from '../../kernels/js/portfolio/reduce.js';
import type { BookLayout } from '../../layout/book-layout.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import { forwardPrice } from '../../margin/coin-valuation.js';
import type { MarginOutputs } from '../../margin/outputs.js';
import type { BufferPool } from '../../memory/allocators.js';
import type { Column, ColumnAllocator } from '../../memory/columns.js';
import { formatIsoTimestamp } from '../../model/time.js';
import type { PortfolioParams } from '../engines/scenario-grid/params.js';
import { PortfolioRun } from '../engines/scenario-grid/run.js';
import type { Scenario } from '../engines/scenario-grid/scenarios.js';
import { type DeribitCurrencyRule, type DeribitParams, ruleOf } from './params.js';
import { deltaShockRate, extendedDampening, portfolioRuleOf, rollShockRate } from './rules.js';

/** Account a's Deribit figures, explained (report rows with breakdown: `row.deribit`). Money in the account's margin currency. */
export interface DeribitExplain {
  /** The account's margin currency (its figures' unit): an asset, or USD. */
  currency: string;
  /** Per underlying: the worst case (dampened), its scenario, and whether the extended dampener lowered it. */
  underlyings: { underlying: string; worstCase: number; scenario: { spotMove: number; volShock: string; extended: boolean; label: string }; dampened: boolean }[];
  /** Per underlying and expiry (null: a perpetual or undated future): the net delta (units of underlying), the rate and the shock. */
  rollShock: { underlying: string; expiry: string | null; netDelta: number; rate: number; amount: number }[];
  /** Per underlying: the delta total (units of underlying), the rate and the shock. */
  deltaShock: { underlying: string; deltaTotal: number; rate: number; amount: number }[];
  /** Σ worst cases. */
  worstCase: number;
  /** worst case + roll shock + delta shock: IM. */
  riskMatrixMargin: number;
  mmFactor: number;
}

/** What one account's shocks come to, with their parts when an explain asks for them. */
interface Shocks {
  roll: number;
  delta: number;
  rollParts?: DeribitExplain['rollShock'] | undefined;
  deltaParts?: DeribitExplain['deltaShock'] | undefined;
}


/** How far above the grid's worst (relative) an extended loss may be formed by rounding alone (dampenedWorst). */
const EXTENDED_ROUNDING = 1e-12;

export class DeribitRun {
  readonly portfolio: PortfolioRun;
  /** Per instrument row: delta per unit (units of underlying in the instrument's own terms; see the module comment). */
  private deltaUnit: Float64Array;
  /** Per layout asset: its currency pair's rule. */
  private readonly pairOf: DeribitParams['pairs'][string][];
  /** Grid scenarios per underlying (the extended moves follow). */
  private readonly grid: number;

  private constructor(
    readonly layout: BookLayout,
    readonly market: MarketLayout,
    readonly params: DeribitParams,
    allocator: ColumnAllocator,
    /** The session's instrument values (an inverse contract's: −1/F). */
    private readonly value: Column<'f64'>,
    /** The engine's heap, for the portfolio run's lent arrays (MethodContext.heap). */
    heap?: BufferPool,
    /** The kernels the portfolio run builds the book's slots and add-on plan with (MethodContext.kernels). */
    kernels?: MarginKernels,
  ) {
    this.pairOf = layout.assets.map((asset) => ruleOf(params.pairs, asset));
    const assets = Object.assign(Object.create(null) as Record<string, ReturnType<typeof portfolioRuleOf>>, { default: portfolioRuleOf(params.pairs.default, params) });
    for (const [asset, pair] of Object.entries(params.pairs)) if (asset !== 'default') assets[asset] = portfolioRuleOf(pair, params);
    const portfolioParams: PortfolioParams = { aggregation: 'sum', mmFactor: params.mmFactor, stableAssets: params.stableAssets, assets };
    this.portfolio = PortfolioRun.prepare(layout, market, portfolioParams, allocator, value, heap, kernels);
    this.grid = 3 * (2 * params.bucketsCount + 1);
    this.deltaUnit = new Float64Array(layout.instruments.count);
  }

  static prepare(layout: BookLayout, market: MarketLayout, params: DeribitParams, allocator: ColumnAllocator, value: Column<'f64'>, heap?: BufferPool, kernels?: MarginKernels): DeribitRun {
    return new DeribitRun(layout, market, params, allocator, value, heap, kernels);
  }

  /** Every account: the portfolio run, then each live account's Deribit requirement (the run's groups, read once). */
  run(kernels: MarginKernels, out: MarginOutputs): void {
    this.portfolio.run(kernels, out);
    this.deltas(kernels);
    requireEach(this, out, this.portfolio.reduceViews());
  }

  /** {@link require} of account a from groups [first, last) of `r` (the whole run's reduction). */
  requireFrom(a: number, out: MarginOutputs, r: ReduceColumns, first: number, last: number): void {
    const total = this.worstOver(a, r, first, last) + this.shocks(a);
    out.im.array[a] = total;
    out.mm.array[a] = this.params.mmFactor * total;
  }

  /** Account a alone, after its holdings changed in place (the portfolio run's remargin, then the Deribit terms). */
  remargin(a: number, out: MarginOutputs): void {
    this.portfolio.remargin(a, out);
    this.require(a, out);
  }

  /** IM and MM of account a from the portfolio run's groups (see the module comment). */
  private require(a: number, out: MarginOutputs): void {
    const groups = this.portfolio.groupsOf(a);
    this.requireFrom(a, out, groups.reduce, groups.first, groups.last);
  }

  /** Σ over account a's groups of its worst loss, an extended worst scanned again with the dampener; the parts when asked. */
  private worstCase(a: number, parts?: DeribitExplain['underlyings']): number {
    const groups = this.portfolio.groupsOf(a);
    return this.worstOver(a, groups.reduce, groups.first, groups.last, parts);
  }

  /** {@link worstCase} over groups [first, last) of `r`. */
  private worstOver(a: number, r: ReduceColumns, first: number, last: number, parts?: DeribitExplain['underlyings']): number {
    let sum = 0;
    for (let g = first; g < last; g++) {
      let worst = r.worstLoss[g], scenario = r.worstScenario[g], dampened = false;
      const u = r.groupUnderlying[g];
      if (scenario >= this.grid) {
        const again = this.dampenedWorst(a, r, g, u);
        dampened = again.lowered;
        worst = again.loss;
        scenario = again.scenario;
      }
      sum += worst;
      if (parts) {
        const sc: Scenario | undefined = scenario >= 0 ? this.portfolio.scenarios[u][scenario] : undefined;
        parts.push({
          underlying: this.layout.assets[u], worstCase: worst, dampened,
          scenario: sc ? { spotMove: sc.spotMove, volShock: sc.volShock, extended: sc.tail, label: sc.label } : { spotMove: NaN, volShock: '', extended: false, label: 'not computable (non-finite P&L)' },
        });
      }
    }
    return sum;
  }

  /**
   * Group g's worst loss over every scenario, each extended one less its dampening (floored at 0 by the unchanged
   * scenario), and whether the dampening lowered it: the extended table put the undampened worst above the grid's by
   * more than rounding, and the dampened worst is below it. A future's extended entries are its edge values (Deribit's
   * adjustment, PnL(m)·(R/|m|)·(1+m)/(1+sign(m)·R)), formed an ulp or two apart from them: not a dampening.
   */
  private dampenedWorst(a: number, r: ReduceColumns, g: number, u: number): { loss: number; scenario: number; lowered: boolean } {
    const S = this.portfolio.kernelScenarios, nS = this.portfolio.nScenarios;
    const pnl = new Float64Array(S);
    groupPnlJs(r, g, S, pnl);
    const w = r.weight, w0 = u * S;
    const pair = this.pairOf[u], currency = this.currencyOf(a);
    const index = this.market.price.array[u];
    const margin = this.layout.marginAsset.array[a];
    const usdPerUnit = margin < 0 ? 1 : this.market.price.array[margin];
    let best = -Infinity, at = 0, undamped = -Infinity, gridWorst = -Infinity;
    for (let s = 0; s < nS; s++) {
      let l = -pnl[s] * w[w0 + s];
      if (l > undamped) undamped = l;
      if (s < this.grid && l > gridWorst) gridWorst = l;
      if (s >= this.grid) l -= extendedDampening(this.portfolio.scenarios[u][s].spotMove, pair.priceRange, currency.extendedDampener, index, margin === u, usdPerUnit);
      if (!(l - l === 0)) return { loss: NaN, scenario: -1, lowered: false };
      if (l > best) {
        best = l;
        at = s;
      }
    }
    const loss = best > 0 ? best : 0;
    return { loss, scenario: at, lowered: undamped - gridWorst > EXTENDED_ROUNDING * Math.abs(gridWorst) && loss < undamped };
  }

  /** The currency rule of account a's margin currency (`USD` for a USD account). */
  private currencyOf(a: number): DeribitCurrencyRule {
    return ruleOf(this.params.currencies, this.layout.marginCurrencyOf(a));
  }

  /** Each instrument's delta per unit at the run's market (options through the Greeks kernel, in one batch). */
  private deltas(kernels: MarginKernels): void {
    const ins = this.layout.instruments, m = this.market;
    const n = ins.count;
    if (this.deltaUnit.length !== n) this.deltaUnit = new Float64Array(n);
    const options: number[] = [];
    for (let i = 0; i < n; i++) {
      if (ins.isOption(i)) options.push(i);
      // an inverse contract: per USD of face, 1/F coins (its layout value is −1/F); any other linear instrument: 1
      else this.deltaUnit[i] = ins.isInverse(i) ? -this.value.array[i] : 1;
    }
    if (options.length === 0) return;
    const k = options.length;
    const input: Required<GreeksInput> = {
      isCall: new Uint8Array(k), spot: new Float64Array(k), strike: new Float64Array(k), expiryYears: new Float64Array(k),
      vol: new Float64Array(k), rate: new Float64Array(k), carry: new Float64Array(k),
    };
    options.forEach((i, j) => {
      const u = ins.underlying.array[i];
      input.isCall[j] = ins.isCall.array[i];
      input.spot[j] = m.price.array[u];
      input.strike[j] = ins.strike.array[i];
      input.expiryYears[j] = m.expiryYears.array[i];
      input.vol[j] = m.impliedVol.array[i];
      input.rate[j] = m.rate.array[u];
      input.carry[j] = m.carry.array[u];
    });
    const g = kernels.greeks(input);
    options.forEach((i, j) => {
      if (ins.settlement.array[i] < 0) {
        this.deltaUnit[i] = g.delta[j];
        return;
      }
      // coin-settled: the coin delta Δ·S/F − V/F (src/margin/coin-valuation.ts coinGreeks)
      const forward = forwardPrice(input.spot[j], input.rate[j], input.carry[j], input.expiryYears[j]);
      this.deltaUnit[i] = (g.delta[j] * input.spot[j]) / forward - g.price[j] / forward;
    });
  }

  /** Account a's roll and delta shocks summed (module comment). */
  private shocks(a: number): number {
    const s = this.shocksOf(a, false);
    return s.roll + s.delta;
  }

  /** Scratch of {@link shocksOf}, per (underlying, expiry) key; grown to the largest account's positions. */
  private keyU = new Int32Array(16);
  private keyExpiry = new Float64Array(16);
  private keyYears = new Float64Array(16);
  private net = new Float64Array(16);
  private readonly shockOut: Shocks = { roll: 0, delta: 0 };

  /** Account a's roll and delta shocks, with their parts when `explain` (else a record the next call rewrites). */
  private shocksOf(a: number, explain: boolean): Shocks {
    const layout = this.layout, ins = layout.instruments, m = this.market;
    const pos = layout.positions;
    const p0 = pos.start.array[a], p1 = pos.end.array[a];
    const instrument = pos.column<'i32'>('instrument').array, quantity = pos.column<'f64'>('quantity').array;
    const n = p1 - p0;
    if (this.keyU.length < n) {
      this.keyU = new Int32Array(2 * n);
      this.keyExpiry = new Float64Array(2 * n);
      this.keyYears = new Float64Array(2 * n);
      this.net = new Float64Array(2 * n);
    }
    // per (underlying, expiry) key its net delta, in first-appearance order (accounts hold a handful of positions)
    const keyU = this.keyU, keyExpiry = this.keyExpiry, keyYears = this.keyYears, net = this.net;
    let keys = 0;
    for (let p = p0; p < p1; p++) {
      const i = instrument[p];
      const u = ins.underlying.array[i], expiry = ins.expiryMs.array[i];
      let k = 0;
      while (k < keys && !(keyU[k] === u && sameExpiry(keyExpiry[k], expiry))) k++;
      if (k === keys) {
        keyU[k] = u;
        keyExpiry[k] = expiry;
        keyYears[k] = m.expiryYears.array[i];
        net[k] = 0;
        keys++;
      }
      net[k] += quantity[p] * ins.multiplier.array[i] * this.deltaUnit[i];
    }
    const currency = this.currencyOf(a);
    const margin = layout.marginAsset.array[a];
    const usdPerUnit = margin < 0 ? 1 : m.price.array[margin];
    const out: Shocks = explain ? { roll: 0, delta: 0, rollParts: [], deltaParts: [] } : this.shockOut;
    out.roll = out.delta = 0;
    for (let k = 0; k < keys; k++) {
      const u = keyU[k];
      const rate = rollShockRate(currency, keyYears[k]);
      const amount = rate * Math.abs(net[k]) * (m.price.array[u] / usdPerUnit);
      out.roll += amount;
      out.rollParts?.push({ underlying: layout.assets[u], expiry: Number.isNaN(keyExpiry[k]) ? null : formatIsoTimestamp(keyExpiry[k]), netDelta: net[k], rate, amount });
    }
    // the delta total per underlying, in the keys' order of first appearance
    for (let k = 0; k < keys; k++) {
      const u = keyU[k];
      let first = true;
      for (let j = 0; j < k; j++) if (keyU[j] === u) first = false;
      if (!first) continue;
      let total = 0;
      for (let j = k; j < keys; j++) if (keyU[j] === u) total += net[j];
      const index = m.price.array[u];
      const rate = deltaShockRate(this.pairOf[u], total, index);
      const amount = rate * Math.abs(total) * (index / usdPerUnit);
      out.delta += amount;
      out.deltaParts?.push({ underlying: layout.assets[u], deltaTotal: total, rate, amount });
    }
    return out;
  }

  /** Account a's requirement, explained (with breakdown). */
  explain(a: number): DeribitExplain {
    const underlyings: DeribitExplain['underlyings'] = [];
    const worstCase = this.worstCase(a, underlyings);
    const shocks = this.shocksOf(a, true);
    return {
      currency: this.layout.marginCurrencyOf(a),
      underlyings,
      rollShock: shocks.rollParts ?? [],
      deltaShock: shocks.deltaParts ?? [],
      worstCase,
      riskMatrixMargin: worstCase + shocks.roll + shocks.delta,
      mmFactor: this.params.mmFactor,
    };
  }

  release(): void {
    this.portfolio.release();
  }
}

/** Every live account's requirement from the whole run's reduction. perf: loop-alone (docs/performance.md) */
function requireEach(run: DeribitRun, out: MarginOutputs, r: ReduceColumns): void {
  const live = run.layout.live.array, start = run.portfolio.accountGroupStart, end = run.portfolio.accountGroupEnd;
  for (let a = 0; a < start.length; a++) if (live[a] !== 0) run.requireFrom(a, out, r, start[a], end[a]);
}

/** Two expiries (epoch ms; NaN: none) are the same key: equal, or both none. */
function sameExpiry(x: number, y: number): boolean {
  return x === y || (x !== x && y !== y);
}
