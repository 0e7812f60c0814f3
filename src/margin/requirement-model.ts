/**
 * A method's requirement (IM or MM, USD) of one account as a convex function of quantity changes x_h (contracts) on
 * a few candidate instruments h: what margin optimisation (src/optimize/) hands to a linear-programming solver.
 * A method builds it from what its run already holds (MethodRun.optimize.requirementModel): the portfolio method from its
 * risk arrays, delta-normal VaR from its dollar deltas and Σ, rule-based cross margin from per-position sizes.
 *
 *   term t:       y_t(x)   = max_k ( constant[t][k] + Σ_h slope[t][k][h]·x_h )          convex piecewise linear
 *   bound b:      B_b(x)   = constant_b + Σ coef·y_t(x) + scale_b·√(vᵀ M v)             v = affine in x, or some y_t
 *   requirement:  R(x)     = max_b B_b(x)
 *
 * Every piece is convex, and the norm is non-decreasing in the terms it reads when M has no negative entries, so
 * R(x) ≤ budget is a convex set: terms become epigraph rows of a linear programme, norms become cutting planes
 * (src/optimize/program.ts). Results are re-checked by the engine itself, so a model is an accurate description of
 * the method, never the authority.
 */

/** y = max over pieces of constant[k] + slopes[k·H + h]·x_h. */
export interface ConvexTerm {
  /** e.g. `BTC scenario loss`, `BTC linear add-on`: for explanations and tests. */
  readonly label: string;
  /** One per piece (USD). */
  readonly constants: Float64Array;
  /** pieces × H, row-major (USD per contract). */
  readonly slopes: Float64Array;
}

/** A vector inside a norm: the values of some terms, or an affine function of x (base + slopes·x, m × H row-major). */
export type NormVector = { readonly kind: 'terms'; readonly terms: Int32Array } | { readonly kind: 'affine'; readonly base: Float64Array; readonly slopes: Float64Array };

/** scale · √(vᵀ M v), M symmetric positive semidefinite (m × m, row-major). */
export interface NormPart {
  readonly scale: number;
  readonly matrix: Float64Array;
  readonly vector: NormVector;
}

/** constant + Σ coef·y_term + norm. */
export interface RequirementBound {
  readonly label: string;
  readonly constant: number;
  readonly terms: readonly { readonly term: number; readonly coef: number }[];
  readonly norm?: NormPart | undefined;
}

export interface RequirementModel {
  /** Number of candidates (the length of x). */
  readonly hedges: number;
  readonly terms: readonly ConvexTerm[];
  /** The requirement is the largest bound (at least one). */
  readonly bounds: readonly RequirementBound[];
}

/** y_t(x): the largest piece. */
export function termValue(term: ConvexTerm, H: number, x: ArrayLike<number>): number {
  let best = -Infinity;
  for (let k = 0; k < term.constants.length; k++) {
    let v = term.constants[k];
    for (let h = 0; h < H; h++) v += term.slopes[k * H + h] * x[h];
    if (v > best) best = v;
  }
  return best;
}

/** The norm's vector at x (with the terms' values `y`). */
export function normVector(norm: NormPart, H: number, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const v = norm.vector;
  if (v.kind === 'terms') return Float64Array.from(v.terms, (t) => y[t]);
  const out = Float64Array.from(v.base);
  for (let i = 0; i < out.length; i++) for (let h = 0; h < H; h++) out[i] += v.slopes[i * H + h] * x[h];
  return out;
}

/** √(vᵀ M v) (0 when rounding makes the form negative). */
export function normOf(matrix: Float64Array, v: Float64Array): number {
  const m = v.length;
  let q = 0;
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += matrix[i * m + j] * v[j];
    q += v[i] * row;
  }
  return q > 0 ? Math.sqrt(q) : 0;
}

/** R(x) with every term and bound: the model's requirement at x (USD). */
export function requirementAt(model: RequirementModel, x: ArrayLike<number>): { value: number; terms: Float64Array; bounds: Float64Array } {
  const H = model.hedges;
  const y = Float64Array.from(model.terms, (t) => termValue(t, H, x));
  const bounds = Float64Array.from(model.bounds, (b) => {
    let v = b.constant;
    for (const { term, coef } of b.terms) v += coef * y[term];
    if (b.norm) v += b.norm.scale * normOf(b.norm.matrix, normVector(b.norm, H, x, y));
    return v;
  });
  let value = -Infinity;
  for (const v of bounds) if (v > value) value = v;
  return { value, terms: y, bounds };
}

/** The model with every bound multiplied by `factor` ≥ 0 (MM = mmFactor × IM). */
export function scaleModel(model: RequirementModel, factor: number): RequirementModel {
  return {
    hedges: model.hedges,
    terms: model.terms,
    bounds: model.bounds.map((b) => ({
      label: b.label,
      constant: factor * b.constant,
      terms: b.terms.map(({ term, coef }) => ({ term, coef: factor * coef })),
      ...(b.norm ? { norm: { ...b.norm, scale: factor * b.norm.scale } } : {}),
    })),
  };
}
