/**
 * What-if for VaR / ES margin, per model, on the inputs the last run computed for the whole book (factors,
 * Greeks, Σ, risk array):
 * - delta-normal: the draft's dollar deltas d (O(its slots)), then q = dᵀΣd in the kernel's order (h_j =
 *   Σ_{k ≥ j} d_k·V_kj ascending k from +0, even and odd j summed apart, src/kernels/js/risk/quadratic.ts)
 *   over the account's non-zero factors only: O(f²) for an account exposed to f factors (f ≤ m). Zero
 *   exposures contribute exact zeros to those sums, so skipping them keeps the bits (checked: every d
 *   finite and not huge, else the dense twin runs). The incremental σ² + 2q·g_j + q²Σ_jj is not used: it
 *   reassociates the kernel's sums, so it would not give a fresh run's bits.
 * - delta-gamma: the draft's exposures through the model's own code on one account (O(m² + g³)).
 * - Monte Carlo, historical: a per-account cache of the scenario P&L vector (risk-array slots in kernel order:
 *   positions then balances, each quantity × row, from +0). A change that only appends slots adds q·R[row, s]
 *   in O(scenarios); any other change recomputes the account's vector in kernel order, O(slots × scenarios);
 *   then VaR / ES by the selection kernel's twin, O(scenarios).
 * IM = max(measure, floorRate × gross, floorUsd when holding positions), MM = mmFactor × IM, as run.
 */
import { statusOf } from '../../kernels/js/margin.js';
import { quadFormsJs } from '../../kernels/js/risk/quadratic.js';
import { tailRiskJs } from '../../kernels/js/risk/quantile.js';
import { jsRisk, tailCount } from '../../kernels/risk.js';
import type { AccountChange } from '../../margin/account-changes.js';
import type { AccountDraft } from '../../margin/account-draft.js';
import { type AccountRequirement, type Binding, requirementOf } from '../../margin/what-if.js';
import type { MethodContext } from '../method.js';
import { DraftEvaluator } from '../engines/rule-based/what-if.js';
import { deltaGamma, normalMultiples } from './parametric.js';
import { holdsAny, type SharedInputs, type VarRun } from './run.js';

/** An account's simulation slots and scenario P&L. */
interface SimulatedAccount {
  rows: Int32Array;
  qty: Float64Array;
  n: number;
  pnl: Float64Array;
}

const CACHE_ACCOUNTS = 4096;
/** Exposures and Σ entries up to this size keep every h_j finite, so zero exposures can be skipped exactly. */
const SPARSE_LIMIT = 1e100;

export class VarWhatIf {
  private readonly cache = new Map<number, SimulatedAccount>();
  private readonly evaluator: DraftEvaluator;
  private halved: { sigma: Float64Array; v: Float64Array; max: number } | null = null;
  private work = new Float64Array(0);

  constructor(
    private readonly ctx: MethodContext,
    private readonly run: VarRun,
  ) {
    this.evaluator = new DraftEvaluator(ctx);
  }

  clear(): void {
    this.cache.clear();
    this.halved = null;
  }

  drop(a: number): void {
    this.cache.delete(a);
  }

  whatIf(a: number, changes: readonly AccountChange[]): AccountRequirement {
    const run = this.run, params = run.params;
    const shared = run.inputs;
    let measured: { x: number; binding: Binding | null };
    if (params.model === 'delta-normal') {
      const { draft, margin } = this.evaluator.evaluate(a, changes, false);
      measured = this.deltaNormal(shared, draft);
      return this.finish(draft, margin, measured);
    }
    if (params.model === 'delta-gamma') {
      const { draft, margin } = this.evaluator.evaluate(a, changes, false);
      return this.finish(draft, margin, this.deltaGamma(shared, draft));
    }
    let cached = this.cache.get(a);
    if (cached === undefined) {
      cached = this.simulated(shared, this.evaluator.evaluate(a, [], false).draft, null);
      if (this.cache.size >= CACHE_ACCOUNTS) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(a, cached);
    }
    const { draft, margin } = this.evaluator.evaluate(a, changes, false);
    const account = changes.length === 0 ? cached : this.simulated(shared, draft, cached);
    return this.finish(draft, margin, this.tail(shared, account));
  }

  private finish(draft: AccountDraft, margin: ReturnType<DraftEvaluator['evaluate']>['margin'], measured: { x: number; binding: Binding | null }): AccountRequirement {
    const run = this.run;
    const x = measured.x;
    const im = Number.isNaN(x) ? NaN : Math.max(x, run.floor(margin.gross, holdsAny(draft.quantity, 0, draft.positions)), 0);
    const mm = run.params.mmFactor * im;
    const status = statusOf(margin.equity, margin.equityIm, margin.equityMm, im, mm);
    return requirementOf(margin, draft.cashUsd, im, mm, status, measured.binding);
  }

  /** Dollar deltas (and gammas) of the draft, summed as accountExposures sums them: positions, then balances. */
  private exposures(shared: SharedInputs, draft: AccountDraft, withGamma: boolean): { d: Float64Array; gamma: Float64Array } {
    const { factors, greeks } = shared;
    const m = factors.symbols.length;
    const layout = this.ctx.layout;
    const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array;
    const price = this.ctx.market.price.array;
    const d = new Float64Array(m), gamma = new Float64Array(withGamma ? m : 0);
    for (let k = 0; k < draft.positions; k++) {
      const i = draft.instrument[k];
      const j = factors.factorOf[underlying[i]];
      if (j < 0) continue;
      const units = draft.quantity[k] * mult[i];
      d[j] += units * greeks.dollarDelta[i];
      if (withGamma) gamma[j] += units * greeks.dollarGamma[i];
    }
    for (let k = 0; k < draft.balances; k++) {
      const j = factors.factorOf[draft.asset[k]];
      if (j >= 0) d[j] += draft.amount[k] * price[draft.asset[k]];
    }
    return { d, gamma };
  }

  private deltaNormal(shared: SharedInputs, draft: AccountDraft): { x: number; binding: Binding | null } {
    const sigma = shared.sigma;
    const m = shared.factors.symbols.length;
    const { d } = this.exposures(shared, draft, false);
    const h = this.halvedSigma(sigma, m);
    const nz: number[] = [];
    let sparse = h.max <= SPARSE_LIMIT;
    for (let j = 0; j < m; j++) {
      if (d[j] === 0) continue;
      nz.push(j);
      if (!(Math.abs(d[j]) <= SPARSE_LIMIT)) sparse = false;
    }
    let q: number;
    if (sparse) {
      let qEven = 0, qOdd = 0;
      for (let a = 0; a < nz.length; a++) {
        const j = nz[a];
        let hj = 0;
        for (let b = a; b < nz.length; b++) hj += d[nz[b]] * h.v[nz[b] * m + j];
        const p = d[j] * hj;
        if ((j & 1) === 0) qEven += p;
        else qOdd += p;
      }
      q = 2.0 * (qEven + qOdd);
    } else {
      const out = new Float64Array(1);
      quadFormsJs(1, m, sigma, d, out, null);
      q = out[0];
    }
    const { z, esMultiple } = normalMultiples(this.run.params.confidence);
    const sd = Math.sqrt(q);
    const x = this.run.params.measure === 'var' ? z * sd : sd * esMultiple;
    // binding: the largest Euler component x·d_j·(Σd)_j / q
    let binding: Binding | null = null;
    if (q > 0 && Number.isFinite(x)) {
      for (const j of nz) {
        let g = 0;
        for (const k of nz) g += d[k] * sigma[k * m + j];
        const c = (x * d[j] * g) / q;
        if (binding === null || c > binding.amount) binding = { kind: 'component', label: shared.factors.symbols[j], underlying: shared.factors.symbols[j], amount: c };
      }
    }
    return { x, binding };
  }

  private deltaGamma(shared: SharedInputs, draft: AccountDraft): { x: number; binding: Binding | null } {
    const m = shared.factors.symbols.length;
    const { d, gamma } = this.exposures(shared, draft, true);
    const result = deltaGamma(jsRisk(), shared.sigma, { accounts: 1, factors: m, delta: d, gamma, vega: new Float64Array(0) }, this.run.params.confidence);
    const measure = this.run.params.measure;
    const x = measure === 'var' ? result.var[0] : result.es[0];
    let binding: Binding | null = null;
    if (Number.isFinite(x) && m > 0) {
      const c = result.components(0, measure);
      for (let j = 0; j < m; j++) {
        if (c[j] !== 0 && (binding === null || c[j] > binding.amount)) binding = { kind: 'component', label: shared.factors.symbols[j], underlying: shared.factors.symbols[j], amount: c[j] };
      }
    }
    return { x, binding };
  }

  /** The draft's simulation slots and P&L vector, from `prior` when its slots are a prefix of the draft's. */
  private simulated(shared: SharedInputs, draft: AccountDraft, prior: SimulatedAccount | null): SimulatedAccount {
    const layout = this.ctx.layout;
    const factorOf = shared.factors.factorOf, nI = layout.instruments.count;
    const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array;
    const rows = new Int32Array(draft.positions + draft.balances), qty = new Float64Array(rows.length);
    let n = 0;
    for (let k = 0; k < draft.positions; k++) {
      const i = draft.instrument[k];
      if (factorOf[underlying[i]] < 0) continue;
      rows[n] = i;
      qty[n++] = draft.quantity[k] * mult[i];
    }
    for (let k = 0; k < draft.balances; k++) {
      if (factorOf[draft.asset[k]] < 0) continue;
      rows[n] = nI + draft.asset[k];
      qty[n++] = draft.amount[k];
    }
    const M = shared.scenarioCount;
    let from = 0;
    if (prior !== null && prior.n <= n) {
      from = prior.n;
      for (let k = 0; k < prior.n; k++) {
        if (prior.rows[k] !== rows[k] || !Object.is(prior.qty[k], qty[k])) {
          from = 0;
          break;
        }
      }
      if (from === n) return prior;
    }
    const pnl = from > 0 ? Float64Array.from(prior!.pnl) : new Float64Array(M);
    const risk = shared.riskArray!.array;
    for (let k = from; k < n; k++) {
      const q = qty[k], row = rows[k] * M;
      for (let s = 0; s < M; s++) pnl[s] += q * risk[row + s];
    }
    return { rows, qty, n, pnl };
  }

  /** VaR / ES of one P&L vector by the selection kernel's twin; binding: the VaR scenario. */
  private tail(shared: SharedInputs, account: SimulatedAccount): { x: number; binding: Binding | null } {
    const M = shared.scenarioCount;
    const params = this.run.params;
    if (this.work.length < M) this.work = new Float64Array(M);
    const v = new Float64Array(1), es = new Float64Array(1);
    tailRiskJs(1, M, account.pnl, tailCount(params.confidence, M), this.work, v, es);
    const x = params.measure === 'var' ? v[0] : es[0];
    let binding: Binding | null = null;
    if (Number.isFinite(v[0]) && account.n > 0) {
      for (let s = 0; s < M; s++) {
        if (0 - account.pnl[s] === v[0]) {
          binding = { kind: 'scenario', label: `${params.model} scenario ${s}`, amount: v[0] };
          break;
        }
      }
    }
    return { x, binding };
  }

  /** Σ's lower triangle with the diagonal halved (the quadratic-form kernel's V), and max |Σ|, per run. */
  private halvedSigma(sigma: Float64Array, m: number): { v: Float64Array; max: number } {
    if (this.halved !== null && this.halved.sigma === sigma) return this.halved;
    const v = new Float64Array(m * m);
    let max = 0;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < k; j++) v[k * m + j] = sigma[k * m + j];
      v[k * m + k] = 0.5 * sigma[k * m + k];
    }
    for (let i = 0; i < sigma.length; i++) max = Math.max(max, Math.abs(sigma[i]));
    if (!Number.isFinite(max)) max = Infinity;
    this.halved = { sigma, v, max };
    return this.halved;
  }
}
