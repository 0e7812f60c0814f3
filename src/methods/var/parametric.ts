/**
 * Parametric VaR / ES per account from exposures and Σ.
 *
 * Delta-normal: P&L = dᵀr with r ~ N(0, Σ), so P&L ~ N(0, q), q = dᵀΣd (batched quadratic-form
 * kernel). VaR = z_α·√q, ES = √q·φ(z_α)/(1 − α). Euler components c_j = measure·d_j·(Σd)_j / q sum to
 * the measure (positive homogeneity of degree 1).
 *
 * Delta-gamma (Cornish–Fisher): P&L X = dᵀr + ½·rᵀΓr with Γ = diag(Γ$) (options carry no cross-gamma
 * between underlyings). With M = ΓΣ, the cumulants of X are exact (diagonalise CᵀΓC, C·Cᵀ = Σ: X is
 * a sum of independent b_i·w_i + ½λ_i·w_i², w_i ~ N(0, 1)):
 *   κ1 = ½·tr M,  κ2 = dᵀΣd + ½·tr M²,  κ3 = 3·dᵀΣΓΣd + tr M³,  κ4 = 12·dᵀΣΓΣΓΣd + 3·tr M⁴.
 * For the loss L = −X: mean −κ1, skew S = −κ3/κ2^1.5, excess kurtosis K = κ4/κ2². The loss quantile
 * is the Cornish–Fisher expansion (Cornish & Fisher 1938; RiskMetrics Technical Document 1996 §6.3):
 *   VaR = −κ1 + √κ2·h(z),  h(z) = z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36,
 * and ES its tail average, integrated in closed form (∫_z^∞ zᵏφ):
 *   ES = −κ1 + √κ2·φ(z)/(1 − α)·[1 + S·z/6 + K·(z² − 1)/24 − S²·(2z² − 1)/36].
 * Limits: h is a quantile function only while it increases. When h′(z) = 1 + S·z/3 + K(z² − 1)/8 −
 * S²(6z² − 5)/36 is not > 0 on all of [0, ∞) (large skew relative to kurtosis: e.g. a delta-hedged
 * LONG straddle, whose loss is bounded), the expansion is not used and the account falls back to a
 * normal with the exact mean and variance (−κ1, κ2), flagged in the explain. The traces involve only
 * the factors with non-zero gamma (O(g³) per account, g = underlyings with options).
 * Components: the measure split in proportion to each factor's part of κ2,
 * d_j·(Σd)_j + ½·Σ_k M_jk·M_kj (which is the Euler split when there is no gamma).
 */
import type { RiskKernels } from '../../kernels/risk.js';
import type { Column } from '../../memory/columns.js';
import type { Exposures } from './exposures.js';
import { normalDensity, normalQuantile } from './normal-quantile.js';
import type { VarMeasure } from './params.js';

export interface MeasureResult {
  /** Per account: VaR and ES of the loss over the horizon (USD; NaN when not computable). */
  readonly var: Float64Array;
  readonly es: Float64Array;
  /** Per factor components of `measure` for account a (they sum to it up to rounding). */
  components(a: number, measure: VarMeasure): Float64Array;
  /** A note on how account a's number was obtained, when it departs from the model (else undefined). */
  note(a: number): string | undefined;
}

/** z_α, and φ(z_α)/(1 − α) (ES multiple of σ for a normal). */
export function normalMultiples(confidence: number): { z: number; esMultiple: number } {
  const z = normalQuantile(confidence);
  return { z, esMultiple: normalDensity(z) / (1 - confidence) };
}

/**
 * `deltaColumn`: the column `ex.delta` is a view of, when the exposures were built in the kernels'
 * memory (the kernel then reads them in place). Its view may be detached by the kernel call's own
 * allocations, so the deltas that explains need are copied out first (only when wanted).
 */
export function deltaNormal(
  risk: RiskKernels, sigma: Float64Array, ex: Exposures, confidence: number, withComponents: boolean, deltaColumn?: Column<'f64'>,
): MeasureResult {
  const m = ex.factors, n = ex.accounts;
  const { z, esMultiple } = normalMultiples(confidence);
  const delta = withComponents ? (deltaColumn ? deltaColumn.array.slice() : ex.delta) : new Float64Array(0);
  const { q, grad } = m > 0 ? risk.quadForms(sigma, m, deltaColumn ?? ex.delta, withComponents) : { q: new Float64Array(n), grad: null };
  const v = new Float64Array(n), es = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    const sd = Math.sqrt(q[a]);
    v[a] = z * sd;
    es[a] = sd * esMultiple;
  }
  return {
    var: v,
    es,
    components(a, measure) {
      const total = measure === 'var' ? v[a] : es[a];
      const c = new Float64Array(m);
      if (!grad || !(q[a] > 0)) return c;
      for (let j = 0; j < m; j++) c[j] = (total * delta[a * m + j] * grad[a * m + j]) / q[a];
      return c;
    },
    note: () => undefined,
  };
}

/** Cumulants of the delta-gamma P&L of one account, and each factor's part of κ2. */
interface Cumulants { k1: number; k2: number; k3: number; k4: number; k2Parts: Float64Array }

function cumulants(sigma: Float64Array, m: number, d: Float64Array, gam: Float64Array, g: Float64Array, q: number, base: number): Cumulants {
  const idx: number[] = [];
  for (let j = 0; j < m; j++) if (gam[base + j] !== 0) idx.push(j);
  const k = idx.length;
  const k2Parts = new Float64Array(m);
  for (let j = 0; j < m; j++) k2Parts[j] = d[base + j] * g[base + j];
  if (k === 0) return { k1: 0, k2: q, k3: 0, k4: 0, k2Parts };
  // M = (ΓΣ) restricted to the gamma factors; M2 = M·M.
  const M = new Float64Array(k * k), M2 = new Float64Array(k * k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) M[r * k + c] = gam[base + idx[r]] * sigma[idx[r] * m + idx[c]];
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += M[r * k + t] * M[t * k + c];
      M2[r * k + c] = s;
    }
  }
  let tr1 = 0, tr2 = 0, tr3 = 0, tr4 = 0, sgs = 0, sgsgs = 0;
  for (let r = 0; r < k; r++) {
    tr1 += M[r * k + r];
    tr2 += M2[r * k + r];
    k2Parts[idx[r]] += 0.5 * M2[r * k + r];
    const vr = gam[base + idx[r]] * g[base + idx[r]]; // (ΓΣd)_r
    sgs += vr * g[base + idx[r]];
    for (let c = 0; c < k; c++) {
      tr3 += M2[r * k + c] * M[c * k + r];
      tr4 += M2[r * k + c] * M2[c * k + r];
      sgsgs += vr * sigma[idx[r] * m + idx[c]] * gam[base + idx[c]] * g[base + idx[c]];
    }
  }
  return { k1: 0.5 * tr1, k2: q + 0.5 * tr2, k3: 3 * sgs + tr3, k4: 12 * sgsgs + 3 * tr4, k2Parts };
}

/** True when the Cornish–Fisher map h(z) increases on [0, ∞) for loss skew S and excess kurtosis K. */
export function cornishFisherMonotone(S: number, K: number): boolean {
  // h′(z) = c0 + c1·z + c2·z²
  const c0 = 1 - K / 8 + (5 * S * S) / 36, c1 = S / 3, c2 = K / 8 - (S * S) / 6;
  if (!(c0 > 0) || c2 < 0) return false;
  if (c2 === 0) return c1 >= 0;
  const vertex = -c1 / (2 * c2);
  return vertex <= 0 || c0 + c1 * vertex + c2 * vertex * vertex > 0;
}

export function deltaGamma(risk: RiskKernels, sigma: Float64Array, ex: Exposures, confidence: number): MeasureResult {
  const m = ex.factors, n = ex.accounts;
  const { z, esMultiple } = normalMultiples(confidence);
  const { q, grad } = m > 0 ? risk.quadForms(sigma, m, ex.delta, true) : { q: new Float64Array(n), grad: new Float64Array(0) };
  const v = new Float64Array(n), es = new Float64Array(n);
  const fallback = new Uint8Array(n);
  const parts: (Float64Array | null)[] = new Array(n).fill(null);
  for (let a = 0; a < n; a++) {
    const c = m > 0 ? cumulants(sigma, m, ex.delta, ex.gamma, grad!, q[a], a * m) : { k1: 0, k2: 0, k3: 0, k4: 0, k2Parts: new Float64Array(0) };
    parts[a] = c.k2Parts;
    const sd = Math.sqrt(c.k2);
    const mean = -c.k1; // loss mean
    if (!(c.k2 > 0)) {
      v[a] = mean;
      es[a] = mean;
      continue;
    }
    const S = -c.k3 / (c.k2 * sd), K = c.k4 / (c.k2 * c.k2);
    if (cornishFisherMonotone(S, K)) {
      const z2 = z * z;
      const h = z + ((z2 - 1) * S) / 6 + ((z2 * z - 3 * z) * K) / 24 - ((2 * z2 * z - 5 * z) * S * S) / 36;
      v[a] = mean + sd * h;
      es[a] = mean + sd * esMultiple * (1 + (S * z) / 6 + (K * (z2 - 1)) / 24 - (S * S * (2 * z2 - 1)) / 36);
    } else {
      fallback[a] = 1;
      v[a] = mean + sd * z;
      es[a] = mean + sd * esMultiple;
    }
  }
  return {
    var: v,
    es,
    components(a, measure) {
      const total = measure === 'var' ? v[a] : es[a];
      const p = parts[a]!;
      let k2 = 0;
      for (let j = 0; j < m; j++) k2 += p[j];
      const c = new Float64Array(m);
      if (!(k2 > 0)) return c;
      for (let j = 0; j < m; j++) c[j] = (total * p[j]) / k2;
      return c;
    },
    note: (a) => (fallback[a] ? 'Cornish–Fisher expansion not monotone for this skew/kurtosis: normal with the exact delta-gamma mean and variance used' : undefined),
  };
}
