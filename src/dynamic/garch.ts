/**
 * GARCH(1,1) (Bollerslev 1986) fitted by Gaussian maximum likelihood:
 *   σ²[0] = the sample variance of the returns (mean of r², zero mean), σ²[t] = ω + α·r[t − 1]² + β·σ²[t − 1],
 *   ln L = −½ Σₜ (ln 2π + ln σ²[t] + r[t]² / σ²[t]),
 * with ω > 0, α ≥ 0, β ≥ 0 and α + β < 1 (covariance stationarity) enforced by the parameterisation
 *   ω = e^θ₀ · v (v the sample variance, so θ is scale-free), α + β = s = logistic(θ₁), α = s·logistic(θ₂), β = s − α.
 * Returns are zero-mean log returns (a daily mean of a few basis points is negligible against σ and is not fitted).
 *
 * Implementation note: BFGS on θ with the analytic gradient (the σ² derivatives follow their own recursions:
 * ∂σ²[t]/∂ω = 1 + β·∂σ²[t − 1]/∂ω, ∂/∂α = r[t − 1]² + β·∂σ²[t − 1]/∂α, ∂/∂β = σ²[t − 1] + β·∂σ²[t − 1]/∂β, all 0 at
 * t = 0), from four starts, keeping the best end: two high-persistence ones (α + β = 0.95 and 0.9), a low-persistence
 * one (α + β = 0.06, nearly all of it α) and the variance-targeting corner (α + β = 0.001: ω ≈ the sample variance).
 * The likelihood is flat along ω ↔ α + β and can have two maxima in α + β, one near 0.05 with β at 0 and one near
 * 0.95: a start in each basin finds both. Armijo backtracking line search; when no start reaches a small gradient,
 * Nelder–Mead from the best one, restarted until it stops improving. Standard errors from the inverse of the numerical Hessian of ln L in (ω, α, β)
 * by central differences. A fit fails with a GarchFitError (never NaN parameters): too few returns, no variation, a
 * non-finite return, or no convergence.
 *
 * The h-day forecast over the margin period of risk: E[σ²[n + k]] = V + (α + β)^(k − 1)·(σ²[n] − V), V = ω/(1 − α − β)
 * the long-run variance, σ²[n] = ω + α·r[n − 1]² + β·σ²[n − 1]; the h-day variance is their sum over k = 1..h.
 */
import { exp, ln } from './math.js';

export interface GarchParams {
  omega: number;
  alpha: number;
  beta: number;
}

export interface GarchFit extends GarchParams {
  logLikelihood: number;
  /** Standard errors of ω, α, β (NaN when the Hessian is not negative definite, e.g. α at its bound 0). */
  stdErrors: GarchParams;
  /** σ²[t] for each return, and the next day's σ²[n] (per day²). */
  variance: Float64Array;
  nextVariance: number;
  /** ω / (1 − α − β). */
  longRunVariance: number;
  /** Likelihood evaluations the optimiser used. */
  evaluations: number;
}

export class GarchFitError extends Error {
  override readonly name = 'GarchFitError';
}

/** The minimum number of returns for a fit: three parameters need a history well beyond them. */
export const GARCH_MIN_RETURNS = 50;

/** ln L of (ω, α, β) on `r` with σ²[0] = v; −∞ outside the domain. Writes σ² into `out` when given. */
export function garchLogLikelihood(r: ArrayLike<number>, p: GarchParams, v: number, out?: Float64Array): number {
  const { omega, alpha, beta } = p;
  if (!(omega > 0 && alpha >= 0 && beta >= 0 && alpha + beta < 1)) return -Infinity;
  let s2 = v;
  let sum = 0, product = 1; // Σ ln σ² as the log of products of 8 (a log per 8 days; factors within 1e±30, so no product leaves 1e±240)
  const n = r.length;
  for (let t = 0; t < n; t++) {
    if (t > 0) s2 = omega + alpha * r[t - 1] * r[t - 1] + beta * s2;
    if (out) out[t] = s2;
    sum += (r[t] * r[t]) / s2;
    if (s2 > 1e-30 && s2 < 1e30) product *= s2;
    else sum += ln(s2); // far outside a daily variance's range (a trial point): its own log, no underflow
    if ((t & 7) === 7) {
      sum += ln(product);
      product = 1;
    }
  }
  return -0.5 * (n * ln(2 * Math.PI) + sum + ln(product));
}

const logistic = (x: number) => 1 / (1 + exp(-x));

function paramsOf(theta: ArrayLike<number>, v: number): GarchParams {
  const s = logistic(theta[1]);
  const alpha = s * logistic(theta[2]);
  return { omega: exp(theta[0]) * v, alpha, beta: s - alpha };
}

/** Nelder–Mead minimisation of f from x0 with initial steps `step`, to a relative tolerance on f. */
function nelderMead(f: (x: Float64Array) => number, x0: Float64Array, step: number, maxEvaluations: number): { x: Float64Array; fx: number; evaluations: number } {
  const d = x0.length;
  const pts: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(x0);
    p[i] += step;
    pts.push(p);
  }
  const fs = pts.map(f);
  let evaluations = d + 1;
  const centroid = new Float64Array(d), trial = new Float64Array(d), trial2 = new Float64Array(d);
  const at = (from: Float64Array, towards: Float64Array, t: number, into: Float64Array) => {
    for (let i = 0; i < d; i++) into[i] = from[i] + t * (towards[i] - from[i]);
    return into;
  };
  while (evaluations < maxEvaluations) {
    const order = fs.map((_, i) => i).sort((i, j) => fs[i] - fs[j]);
    const best = order[0], worst = order[d], second = order[d - 1];
    if (Math.abs(fs[worst] - fs[best]) <= 1e-12 * (Math.abs(fs[best]) + 1e-12)) break;
    centroid.fill(0);
    for (const i of order.slice(0, d)) for (let k = 0; k < d; k++) centroid[k] += pts[i][k] / d;
    const fr = f(at(centroid, pts[worst], -1, trial));
    evaluations++;
    if (fr < fs[best]) {
      const fe = f(at(centroid, pts[worst], -2, trial2));
      evaluations++;
      if (fe < fr) {
        pts[worst].set(trial2);
        fs[worst] = fe;
      } else {
        pts[worst].set(trial);
        fs[worst] = fr;
      }
    } else if (fr < fs[second]) {
      pts[worst].set(trial);
      fs[worst] = fr;
    } else {
      const outside = fr < fs[worst];
      const fc = f(at(centroid, outside ? trial : pts[worst], 0.5, trial2));
      evaluations++;
      if (fc < Math.min(fr, fs[worst])) {
        pts[worst].set(trial2);
        fs[worst] = fc;
      } else {
        for (const i of order.slice(1)) {
          at(pts[best], pts[i], 0.5, pts[i]);
          fs[i] = f(pts[i]);
          evaluations++;
        }
      }
    }
  }
  let b = 0;
  for (let i = 1; i <= d; i++) if (fs[i] < fs[b]) b = i;
  return { x: pts[b], fx: fs[b], evaluations };
}

/**
 * −ln L at θ and its gradient in θ (into `grad`); +∞ outside the domain. The parameterisation's chain rule:
 * ∂ω/∂θ₀ = ω; with s = logistic(θ₁), g = logistic(θ₂): α = s·g, β = s·(1 − g).
 */
function negLogLikelihoodAndGradient(r: Float64Array, v: number, theta: Float64Array, grad: Float64Array): number {
  const s = logistic(theta[1]), g = logistic(theta[2]);
  const omega = exp(theta[0]) * v, alpha = s * g, beta = s - alpha;
  if (!(omega > 0 && alpha >= 0 && beta >= 0 && alpha + beta < 1)) return Infinity;
  const n = r.length;
  let s2 = v, dw = 0, da = 0, db = 0;
  let sum = 0, product = 1, gw = 0, ga = 0, gb = 0;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const r2 = r[t - 1] * r[t - 1];
      // derivatives first: they read σ²[t − 1]
      dw = 1 + beta * dw;
      da = r2 + beta * da;
      db = s2 + beta * db;
      s2 = omega + alpha * r2 + beta * s2;
    }
    const rt2 = r[t] * r[t];
    sum += rt2 / s2;
    if (s2 > 1e-30 && s2 < 1e30) product *= s2;
    else sum += ln(s2); // far outside a daily variance's range (a trial point): its own log, no underflow
    if ((t & 7) === 7) {
      sum += ln(product);
      product = 1;
    }
    const k = (1 - rt2 / s2) / s2; // ∂(ln σ² + r²/σ²)/∂σ²
    gw += k * dw;
    ga += k * da;
    gb += k * db;
  }
  // −ln L = ½ Σ (…) + const: its gradient in (ω, α, β) is ½ (gw, ga, gb)
  gw *= 0.5;
  ga *= 0.5;
  gb *= 0.5;
  const ds = s * (1 - s), dg = g * (1 - g);
  grad[0] = gw * omega;
  grad[1] = ga * g * ds + gb * (1 - g) * ds;
  grad[2] = ga * s * dg - gb * s * dg;
  return 0.5 * (n * ln(2 * Math.PI) + sum + ln(product));
}

/** BFGS from x0 on f with gradient; converged when the gradient's largest component is below `gtol`. */
function bfgs(f: (x: Float64Array, grad: Float64Array) => number, x0: Float64Array, maxIterations: number, gtol: number): { x: Float64Array; fx: number; converged: boolean; evaluations: number } {
  const d = x0.length;
  let x = Float64Array.from(x0);
  let grad = new Float64Array(d);
  let fx = f(x, grad);
  let evaluations = 1;
  const H = Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  const dir = new Float64Array(d), xn = new Float64Array(d), gn = new Float64Array(d), sVec = new Float64Array(d), yVec = new Float64Array(d);
  if (!Number.isFinite(fx)) return { x, fx, converged: false, evaluations };
  for (let it = 0; it < maxIterations; it++) {
    let gmax = 0;
    for (let i = 0; i < d; i++) gmax = Math.max(gmax, Math.abs(grad[i]));
    if (gmax < gtol) return { x, fx, converged: true, evaluations };
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < d; j++) sum -= H[i][j] * grad[j];
      dir[i] = sum;
    }
    let slope = 0;
    for (let i = 0; i < d; i++) slope += dir[i] * grad[i];
    if (!(slope < 0)) {
      // not a descent direction: reset the inverse Hessian to the identity and step down the gradient
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) H[i][j] = i === j ? 1 : 0;
      for (let i = 0; i < d; i++) dir[i] = -grad[i];
      slope = -grad.reduce((acc, gi) => acc + gi * gi, 0);
    }
    let step = 1, fn = Infinity;
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < d; i++) xn[i] = x[i] + step * dir[i];
      fn = f(xn, gn);
      evaluations++;
      if (fn <= fx + 1e-4 * step * slope) break; // Armijo
      step *= 0.5;
    }
    if (!(fn <= fx)) return { x, fx, converged: false, evaluations };
    let sy = 0;
    for (let i = 0; i < d; i++) {
      sVec[i] = xn[i] - x[i];
      yVec[i] = gn[i] - grad[i];
      sy += sVec[i] * yVec[i];
    }
    x = Float64Array.from(xn);
    grad = Float64Array.from(gn);
    const improvement = fx - fn;
    fx = fn;
    if (sy > 1e-12) {
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Hy[i] += H[i][j] * yVec[j];
      let yHy = 0;
      for (let i = 0; i < d; i++) yHy += yVec[i] * Hy[i];
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) H[i][j] += -rho * (sVec[i] * Hy[j] + Hy[i] * sVec[j]) + (rho * rho * yHy + rho) * sVec[i] * sVec[j];
      }
    }
    if (improvement === 0 && step < 1e-12) return { x, fx, converged: false, evaluations };
  }
  return { x, fx, converged: false, evaluations };
}

/**
 * The starts of the fit, as (persistence α + β, share of it that is α): persistence 0.95 with α a tenth of it, 0.9
 * with α a third, 0.06 nearly all α (β ≈ 0: the low-persistence basin), and the variance-targeting corner (α + β =
 * 0.001, so ω ≈ the sample variance).
 */
export const GARCH_STARTS: readonly (readonly [number, number])[] = [[0.95, 0.1], [0.9, 0.35], [0.06, 0.95], [0.001, 0.5]];

/**
 * Fits GARCH(1,1) to daily log returns (finite; at least {@link GARCH_MIN_RETURNS}), from `starts` (default
 * {@link GARCH_STARTS}), keeping the best optimum found.
 */
export function fitGarch(returns: ArrayLike<number>, starts: readonly (readonly [number, number])[] = GARCH_STARTS): GarchFit {
  const n = returns.length;
  if (n < GARCH_MIN_RETURNS) throw new GarchFitError(`GARCH(1,1) needs at least ${GARCH_MIN_RETURNS} returns, got ${n}`);
  let v = 0;
  for (let t = 0; t < n; t++) {
    if (!Number.isFinite(returns[t])) throw new GarchFitError(`return ${t} is not finite (${returns[t]})`);
    v += returns[t] * returns[t];
  }
  v /= n;
  if (!(v > 0)) throw new GarchFitError('the returns do not vary (every return is 0): no volatility to fit');
  const r = Float64Array.from(returns);
  const negLogL = (theta: Float64Array) => {
    const ll = garchLogLikelihood(r, paramsOf(theta, v), v);
    return Number.isFinite(ll) ? -ll : Infinity;
  };
  const withGradient = (theta: Float64Array, grad: Float64Array) => negLogLikelihoodAndGradient(r, v, theta, grad);
  let best: { x: Float64Array; fx: number } | null = null;
  let converged = false;
  let evaluations = 0;
  for (const [s, share] of starts) {
    // ω at the long-run variance the start's persistence matches: ω = (1 − s)·v
    const x0 = Float64Array.of(ln(1 - s), ln(s / (1 - s)), ln(share / (1 - share)));
    const run = bfgs(withGradient, x0, 200, 1e-6 * n);
    evaluations += run.evaluations;
    if (!best || run.fx < best.fx) {
      best = run;
      converged = run.converged;
    }
  }
  if (!converged && best) {
    // the robust fallback: Nelder–Mead from the better start's end, restarted until it stops improving
    let run = nelderMead(negLogL, best.x, 0.5, 4_000);
    evaluations += run.evaluations;
    for (let restart = 0; restart < 5; restart++) {
      const again = nelderMead(negLogL, run.x, 0.1, 4_000);
      evaluations += again.evaluations;
      const improved = again.fx < run.fx - 1e-10 * Math.abs(run.fx);
      if (again.fx <= run.fx) run = again;
      if (!improved) break;
    }
    if (run.fx < best.fx) best = run;
  }
  if (!best || !Number.isFinite(best.fx)) throw new GarchFitError('the likelihood could not be maximised (no finite optimum found)');
  const p = paramsOf(best.x, v);
  const variance = new Float64Array(n);
  const logLikelihood = garchLogLikelihood(r, p, v, variance);
  const nextVariance = p.omega + p.alpha * r[n - 1] * r[n - 1] + p.beta * variance[n - 1];
  return { ...p, logLikelihood, stdErrors: standardErrors(r, p, v), variance, nextVariance, longRunVariance: p.omega / (1 - p.alpha - p.beta), evaluations };
}

/** Standard errors from the inverse of −Hessian of ln L in (ω, α, β), central differences. */
function standardErrors(r: Float64Array, p: GarchParams, v: number): GarchParams {
  const x = [p.omega, p.alpha, p.beta];
  const h = x.map((xi) => Math.max(Math.abs(xi) * 1e-4, 1e-8));
  const ll = (y: number[]) => garchLogLikelihood(r, { omega: y[0], alpha: y[1], beta: y[2] }, v);
  const H = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 3; i++) {
    for (let j = i; j < 3; j++) {
      const f = (si: number, sj: number) => {
        const y = [...x];
        y[i] += si * h[i];
        y[j] += sj * h[j];
        return ll(y);
      };
      const value = i === j
        ? (f(1, 0) - 2 * ll(x) + f(-1, 0)) / (h[i] * h[i])
        : (f(1, 1) - f(1, -1) - f(-1, 1) + f(-1, -1)) / (4 * h[i] * h[j]);
      H[i][j] = H[j][i] = -value;
    }
  }
  const inv = invert3(H);
  const se = (k: number) => (inv && inv[k][k] > 0 ? Math.sqrt(inv[k][k]) : NaN);
  return { omega: se(0), alpha: se(1), beta: se(2) };
}

function invert3(m: number[][]): number[][] | null {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return null;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

/** The variance over the next h days (Σ of the daily forecasts, per h days) from a fit. */
export function garchHorizonVariance(fit: GarchFit, h: number): number {
  const persistence = fit.alpha + fit.beta;
  let total = 0, k1 = fit.nextVariance - fit.longRunVariance, pow = 1;
  for (let k = 1; k <= h; k++) {
    total += fit.longRunVariance + pow * k1;
    pow *= persistence;
  }
  return total;
}
