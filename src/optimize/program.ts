/**
 * The linear programme of "restore health at least cost" for one account (docs/optimisation.md):
 *
 *   minimise   Σ_h (cb_h·b_h + cs_h·s_h)      cost in the account's margin currency (src/optimize/hedge-prices.ts)
 *   subject to x_h = b_h − s_h,  0 ≤ b_h ≤ maxBuy_h,  0 ≤ s_h ≤ maxSell_h          split variables for |x_h|
 *              y_t ≥ constant_tk + slope_tkᵀ x        for every piece k of term t  (convex piecewise linear terms)
 *              n_b ≥ g_jᵀ v_b(x, y)                   for every cut j of norm b   (n_b ≥ √(vᵀMv) from below)
 *              R ≥ constant_b + Σ coef·y_t + scale_b·n_b                 for every bound b (R = the requirement)
 *              (1 + buffer)·R + Σ_h (cb_h·b_h + cs_h·s_h) ≤ E − δ        the target: equity after costs covers it
 *
 * cb_h, cs_h: the cost of a contract bought, sold: spread·multiplier + fee for a USD account (the same both sides);
 * in a coin-margined account's coin, an inverse contract's buy and sell cost differ (filled at F ± spread, USD per
 * coin). E, R and δ are in that currency too.
 * E is equity for IM (target IM, buffer 0) or equity for MM (target MM with a buffer): a trade's spread and fee leave
 * the account, so they count against E as well as in the objective. With positive costs no optimum buys and sells
 * one instrument at once, so b_h + s_h = |x_h|. The cuts of a norm ‖v‖_M = √(vᵀMv) are its tangent planes
 * g = Mv_j/‖v_j‖_M at points v_j (valid lower bounds: the norm is convex and homogeneous), added where the last
 * solution violated it (Kelley's cutting-plane method); δ > 0 is the margin that makes a solution whose cuts are
 * accurate to δ feasible for the true norm.
 */
import { type NormPart, normOf, normVector, type RequirementModel } from '../margin/requirement-model.js';
import type { PricedHedge } from './hedge-prices.js';
import type { LinearProgram } from './solver.js';

/** One tangent plane of bound b's norm: n_b ≥ gᵀ v. */
export interface Cut {
  bound: number;
  gradient: Float64Array;
}

export interface ProgramShape {
  H: number;
  T: number;
  /** Column of bound b's norm variable, or −1. */
  normColumn: Int32Array;
  /** Column of R. */
  requirement: number;
  columns: number;
}

export function shapeOf(model: RequirementModel): ProgramShape {
  const H = model.hedges, T = model.terms.length;
  let c = 2 * H + T;
  const normColumn = Int32Array.from(model.bounds, (b) => (b.norm ? c++ : -1));
  return { H, T, normColumn, requirement: c, columns: c + 1 };
}

/** The tangent plane of `norm` at vector v (null at ‖v‖ = 0, where the cut n ≥ 0 is the column's own bound). */
export function tangent(norm: NormPart, v: Float64Array): Float64Array | null {
  const length = normOf(norm.matrix, v);
  if (!(length > 0)) return null;
  const m = v.length, g = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let row = 0;
    for (let j = 0; j < m; j++) row += norm.matrix[i * m + j] * v[j];
    g[i] = row / length;
  }
  return g;
}

/** Cuts at x (with the terms' values y): one per norm bound whose vector is not zero there. */
export function cutsAt(model: RequirementModel, x: ArrayLike<number>, y: ArrayLike<number>): Cut[] {
  const cuts: Cut[] = [];
  model.bounds.forEach((b, bound) => {
    if (!b.norm) return;
    const g = tangent(b.norm, normVector(b.norm, model.hedges, x, y));
    if (g) cuts.push({ bound, gradient: g });
  });
  return cuts;
}

export interface TargetSpec {
  /** Equity for IM or for MM (the account's margin currency). */
  equity: number;
  /** R is multiplied by 1 + buffer (0 for IM). */
  buffer: number;
  /** Safety margin δ (the account's margin currency) taken off the equity. */
  margin: number;
}

/** The programme for `model`, `hedges` (in the model's order) and the target, with the cuts so far. */
export function buildProgram(model: RequirementModel, hedges: readonly PricedHedge[], target: TargetSpec, cuts: readonly Cut[]): LinearProgram {
  const shape = shapeOf(model);
  const rows = new RowBuilder(shape.H);
  termRows(rows, model, shape);
  for (const cut of cuts) cutRow(rows, model, shape, cut);
  boundRows(rows, model, shape);
  // the target: (1 + buffer)·R + Σ cost·(b + s) ≤ equity − δ
  rows.put(shape.requirement, 1 + target.buffer);
  hedges.forEach((hedge, h) => {
    rows.put(h, hedge.buyCost);
    rows.put(shape.H + h, hedge.sellCost);
  });
  rows.row(-Infinity, target.equity - target.margin);
  return { ...columnsOf(shape, hedges), ...rows.matrix() };
}

/** Costs and bounds of the columns: b_h, s_h in [0, max], term epigraphs and R free, norms ≥ 0. */
function columnsOf(shape: ProgramShape, hedges: readonly PricedHedge[]): Pick<LinearProgram, 'cost' | 'colLower' | 'colUpper'> {
  const { H, T, requirement } = shape;
  const n = shape.columns;
  const cost = new Float64Array(n), colLower = new Float64Array(n), colUpper = new Float64Array(n);
  hedges.forEach((hedge, h) => {
    cost[h] = hedge.buyCost;
    cost[H + h] = hedge.sellCost;
    colUpper[h] = hedge.maxBuy;
    colUpper[H + h] = hedge.maxSell;
  });
  for (let t = 0; t < T; t++) {
    colLower[2 * H + t] = -Infinity;
    colUpper[2 * H + t] = Infinity;
  }
  for (const c of shape.normColumn) if (c >= 0) colUpper[c] = Infinity; // n ≥ 0
  colLower[requirement] = -Infinity;
  colUpper[requirement] = Infinity;
  return { cost, colLower, colUpper };
}

/** Each convex term's epigraph: y_t ≥ constant_k + slopes_k · x, one row per piece. */
function termRows(rows: RowBuilder, model: RequirementModel, shape: ProgramShape): void {
  const H = shape.H;
  model.terms.forEach((term, t) => {
    for (let k = 0; k < term.constants.length; k++) {
      rows.put(2 * H + t, 1);
      for (let h = 0; h < H; h++) rows.putX(h, -term.slopes[k * H + h]);
      rows.row(term.constants[k], Infinity);
    }
  });
}

/** A cutting plane of a norm bound: n ≥ g · v, with v the norm's vector of terms or affine in x. */
function cutRow(rows: RowBuilder, model: RequirementModel, shape: ProgramShape, cut: Cut): void {
  const H = shape.H;
  const norm = model.bounds[cut.bound].norm!;
  const g = cut.gradient;
  rows.put(shape.normColumn[cut.bound], 1);
  if (norm.vector.kind === 'terms') {
    const terms = norm.vector.terms;
    for (let i = 0; i < terms.length; i++) rows.put(2 * H + terms[i], -g[i]);
    rows.row(0, Infinity);
    return;
  }
  const { base, slopes } = norm.vector;
  let constant = 0;
  for (let i = 0; i < g.length; i++) constant += g[i] * base[i];
  for (let h = 0; h < H; h++) {
    let a = 0;
    for (let i = 0; i < g.length; i++) a += g[i] * slopes[i * H + h];
    rows.putX(h, -a);
  }
  rows.row(constant, Infinity);
}

/** R ≥ each bound: constant + Σ coef·y_t + scale·n. */
function boundRows(rows: RowBuilder, model: RequirementModel, shape: ProgramShape): void {
  model.bounds.forEach((b, bound) => {
    rows.put(shape.requirement, 1);
    for (const { term, coef } of b.terms) rows.put(2 * shape.H + term, -coef);
    if (b.norm) rows.put(shape.normColumn[bound], -b.norm.scale);
    rows.row(b.constant, Infinity);
  });
}

/** The constraint matrix in compressed rows, built a row at a time. */
class RowBuilder {
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly starts: number[] = [0];
  private readonly indices: number[] = [];
  private readonly values: number[] = [];

  /** `hedges`: H, the split columns b_h at h and s_h at H + h. */
  constructor(private readonly hedges: number) {}

  /** Ends the current row with its bounds. */
  row(lower: number, upper: number): void {
    this.lower.push(lower);
    this.upper.push(upper);
    this.starts.push(this.indices.length);
  }

  put(column: number, value: number): void {
    if (value !== 0) {
      this.indices.push(column);
      this.values.push(value);
    }
  }

  /** x_h·a written on the split columns: a·b_h − a·s_h. */
  putX(h: number, a: number): void {
    this.put(h, a);
    this.put(this.hedges + h, -a);
  }

  matrix(): Pick<LinearProgram, 'rowLower' | 'rowUpper' | 'starts' | 'indices' | 'values'> {
    return {
      rowLower: Float64Array.from(this.lower), rowUpper: Float64Array.from(this.upper),
      starts: Int32Array.from(this.starts), indices: Int32Array.from(this.indices), values: Float64Array.from(this.values),
    };
  }
}

/** x_h = b_h − s_h from a solution's columns. */
export function tradesOf(columns: Float64Array, H: number): Float64Array {
  const x = new Float64Array(H);
  for (let h = 0; h < H; h++) x[h] = columns[h] - columns[H + h];
  return x;
}
