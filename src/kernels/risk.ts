/**
 * Typed access to the correlation-matrix VaR / ES kernels (assembly/risk/, docs/risk-kernels.md), with
 * one interface and two backends: {@link wasmRisk} lays inputs into a {@link WasmKernels} instance's
 * memory and calls its exports; {@link jsRisk} runs the JS twins (src/kernels/js/risk/). Both give the
 * same bits for the same inputs.
 *
 * These functions check shapes and index ranges (RangeError: a programming error in the caller), not
 * domain rules such as symmetry or finiteness of a covariance matrix: the VaR method validates those
 * first and raises InputError. A non-positive-definite matrix is a result here ({ ok: false, pivot }),
 * which the method turns into an InputError naming the asset.
 */
import { choleskyJs } from './js/risk/cholesky.js';
import { correlateJs, normalDrawsJs } from './js/risk/normal-draws.js';
import { philox4x32Js } from './js/risk/philox.js';
import { quadFormsJs } from './js/risk/quadratic.js';
import { accountPnlJs, tailRiskJs } from './js/risk/quantile.js';
import { Column, type ColumnType } from '../memory/columns.js';
import { ScratchColumns } from '../memory/scratch-columns.js';
import type { BackendName } from './backend-name.js';
import type { WasmKernels } from './wasm/instance.js';

export interface QuadFormsResult {
  /** q[a] = dₐᵀΣdₐ: the P&L variance of account a over Σ's horizon. */
  readonly q: Float64Array;
  /** n×m row-major dₐᵀΣ (= Σdₐ), when requested: Euler component j is d[j]·grad[j]/√q. */
  readonly grad: Float64Array | null;
}

export type CholeskyResult =
  | { readonly ok: true; /** m×m row-major, lower triangular (zeros above the diagonal). */ readonly l: Float64Array }
  | { readonly ok: false; /** Index of the first pivot that is not > 0. */ readonly pivot: number };

/** Key and counter origin of a Philox stream (all u32). */
export interface RngStream {
  readonly seed: number;
  readonly stream: number;
  /** Counter word 0 of the first block (default 0); block i uses firstBlock + i. */
  readonly firstBlock?: number | undefined;
  /** Counter word 1 (default 0): a further namespace when 2^32 blocks per (seed, stream) are not enough. */
  readonly counterHi?: number | undefined;
}

/** Positions by account, CSR-style: account a owns slots [start[a], end[a]). */
export interface PositionsCsr {
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Instrument (row of the risk array) per slot. */
  readonly instrument: Int32Array;
  /** Signed quantity per slot. */
  readonly quantity: Float64Array;
}

export interface TailRiskResult {
  /** K-th largest loss per account (a loss quantile; may be negative). NaN: non-finite P&L. */
  readonly var: Float64Array;
  /** Mean of the K largest losses per account. NaN: non-finite P&L. */
  readonly es: Float64Array;
}

/** The risk kernels behind one interface; every method allocates its outputs. */
export interface RiskKernels {
  readonly backend: BackendName;
  /**
   * Σ: m×m row-major, exactly symmetric; exposures: n×m row-major (n = exposures.length / m). Exposures
   * that are a column of the kernels' own memory are read in place (no copy).
   */
  quadForms(sigma: Float64Array, m: number, exposures: Float64Array | Column<'f64'>, withGradient?: boolean): QuadFormsResult;
  /** Cholesky of the m×m SPD matrix `a` (row-major; lower triangle read). `a` is not modified. */
  cholesky(a: Float64Array, m: number): CholeskyResult;
  /** Raw Philox4x32-10 words: nBlocks × 4 u32, counters counter + i (128-bit), key (k0, k1). */
  philox(nBlocks: number, counter: readonly [number, number, number, number], key: readonly [number, number]): Uint32Array;
  /** n standard normals of the stream (Box–Muller; two per block). */
  normals(n: number, rng: RngStream): Float64Array;
  /**
   * nScenarios × m correlated normals, row-major: rows Z (normals of `rng`, row-major) times Lᵀ, where
   * `l` is the m×m lower Cholesky factor (row-major, as {@link cholesky} returns it). Row covariance L·Lᵀ.
   */
  correlatedDraws(l: Float64Array, m: number, nScenarios: number, rng: RngStream): Float64Array;
  /** nAccounts × nScenarios P&L rows from the instruments × nScenarios risk array. */
  accountPnl(risk: Float64Array, nScenarios: number, positions: PositionsCsr): Float64Array;
  /** VaR / ES per P&L row (nAccounts × nScenarios, row-major) at tail count K (see {@link tailCount}). */
  tailRisk(pnl: Float64Array, nScenarios: number, tailCount: number): TailRiskResult;
  /**
   * {@link accountPnl} then {@link tailRisk}, {@link SCENARIO_CHUNK} accounts at a time (their P&L
   * rows stay in cache between the two passes and all accounts' rows never exist at once). A risk
   * array that is a column of the kernels' own memory is read in place (no copy).
   */
  scenarioTailRisk(risk: Float64Array | Column<'f64'>, nScenarios: number, positions: PositionsCsr, tailCount: number): TailRiskResult;
}

/** Accounts per P&L chunk in {@link RiskKernels.scenarioTailRisk}: 256 rows × 1,000 scenarios = 2 MB. */
export const SCENARIO_CHUNK = 256;

/**
 * K = ⌈(1 − α)·M⌉, the number of tail scenarios at confidence α, clamped to [1, M], with (1 − α)·M
 * rounded to 1e-9 before the ceiling. In binary, α = 0.95 is 0.94999999999999995559, so the literal
 * product is 0.05000000000000004441·60 = 3.0000000000000027 and its ceiling 4, not the intended 3.
 * The error is at most M·2⁻⁵⁴ + one rounding of the product (1 − α is exact for α ≥ 0.5), far below
 * 5e-10 for M ≤ 10⁶, so for every α written with up to 9 decimals the result is the exact K.
 * Docs: docs/var-margin.md (Historical and Monte Carlo).
 */
export function tailCount(alpha: number, nScenarios: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`confidence must be in (0, 1), got ${alpha}`);
  checkCount('nScenarios', nScenarios, 1);
  const billionths = Math.round((1 - alpha) * nScenarios * 1e9); // (1 − α)·M in units of 1e-9
  return Math.min(nScenarios, Math.max(1, Math.ceil(billionths / 1e9)));
}

// ---- shape checks (shared by both backends) -------------------------------------------------------

function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be a u32, got ${v}`);
}

function rowsOf(name: string, length: number, width: number): number {
  if (length % width !== 0) throw new RangeError(`${name}: length ${length} is not a multiple of ${width}`);
  return length / width;
}

function checkSquare(name: string, a: Float64Array, m: number): void {
  checkCount('m', m, 1);
  if (a.length !== m * m) throw new RangeError(`${name}: expected ${m * m} entries for ${m}×${m}, got ${a.length}`);
}

function checkRng(n: number, rng: RngStream): void {
  for (const key of ['seed', 'stream', 'firstBlock', 'counterHi'] as const) checkU32(`rng.${key}`, rng[key] ?? 0);
  if ((rng.firstBlock ?? 0) + Math.ceil(n / 2) > 2 ** 32) throw new RangeError('rng: firstBlock + blocks needed exceeds 2^32 (use counterHi)');
}

function checkPositions(positions: PositionsCsr, nInstruments: number): number {
  const { start, end, instrument, quantity } = positions;
  if (start.length !== end.length) throw new RangeError('positions: start and end differ in length');
  if (instrument.length !== quantity.length) throw new RangeError('positions: instrument and quantity differ in length');
  for (let a = 0; a < start.length; a++) {
    if (!(start[a] >= 0 && start[a] <= end[a] && end[a] <= instrument.length)) {
      throw new RangeError(`positions: account ${a} has slots [${start[a]}, ${end[a]}) outside [0, ${instrument.length}]`);
    }
    for (let p = start[a]; p < end[a]; p++) {
      if (!(instrument[p] >= 0 && instrument[p] < nInstruments)) throw new RangeError(`positions: slot ${p} names instrument ${instrument[p]} of ${nInstruments}`);
    }
  }
  return start.length;
}

function checkTail(nScenarios: number, k: number): void {
  checkCount('nScenarios', nScenarios, 1);
  if (!Number.isInteger(k) || k < 1 || k > nScenarios) throw new RangeError(`tailCount must be an integer in [1, ${nScenarios}], got ${k}`);
}

/** Lᵀ with exact zeros below its diagonal (what the correlate kernels read). */
function transposeLower(l: Float64Array, m: number, out: Float64Array): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[j * m + i] = j <= i ? l[i * m + j] : 0;
}

// ---- WASM backend ---------------------------------------------------------------------------------

/** The risk kernels of one WASM instance (SIMD or scalar build, per `kernels.flavour`). */
export function wasmRisk(kernels: WasmKernels): RiskKernels {
  return new WasmRisk(kernels);
}

/** Each call copies its inputs into scratch columns of the instance's memory, runs the kernel, copies out, frees them. */
class WasmRisk implements RiskKernels {
  readonly backend: RiskKernels['backend'];
  private readonly raw: WasmKernels['raw'];
  private readonly scratch: ScratchColumns;

  constructor(private readonly kernels: WasmKernels) {
    this.raw = kernels.raw;
    this.backend = kernels.flavour === 'simd' ? 'wasm-simd' : 'wasm-scalar';
    this.scratch = new ScratchColumns(kernels.allocator);
  }

  private alloc<K extends ColumnType>(type: K, n: number): Column<K> {
    return this.scratch.take(type, n);
  }

  /** Runs `body` with scratch columns that are released afterwards, whatever happens. */
  private scoped<T>(body: () => T): T {
    try {
      return body();
    } finally {
      this.scratch.release();
    }
  }

  private from(x: Float64Array): Column<'f64'> {
    const c = this.alloc('f64', x.length);
    c.array.set(x);
    return c;
  }

  /** A column of this instance's memory as it is; anything else copied in. */
  private inPlace(x: Float64Array | Column<'f64'>): Column<'f64'> {
    return x instanceof Column ? (x.allocator === this.kernels.allocator ? x : this.from(x.array)) : this.from(x);
  }

  private fromI32(x: Int32Array): Column<'i32'> {
    const c = this.alloc('i32', x.length);
    c.array.set(x);
    return c;
  }

  quadForms(sigma: Float64Array, m: number, exposures: Float64Array | Column<'f64'>, withGradient = false): QuadFormsResult {
    return this.scoped(() => {
      checkSquare('sigma', sigma, m);
      const n = rowsOf('exposures', exposures.length, m);
      const s = this.from(sigma), d = this.inPlace(exposures);
      const q = this.alloc('f64', n);
      const g = withGradient ? this.alloc('f64', n * m) : null;
      const work = this.alloc('f64', m * m + 2 * m);
      this.raw.quadForms(n, m, s.ptr, d.ptr, q.ptr, g ? g.ptr : 0, work.ptr);
      return { q: q.array.slice(), grad: g ? g.array.slice() : null };
    });
  }

  cholesky(a: Float64Array, m: number): CholeskyResult {
    return this.scoped(() => {
      checkSquare('a', a, m);
      const c = this.from(a);
      const pivot = this.raw.cholesky(m, c.ptr);
      return pivot < 0 ? { ok: true, l: c.array.slice() } : { ok: false, pivot };
    });
  }

  philox(nBlocks: number, counter: readonly [number, number, number, number], key: readonly [number, number]) {
    return this.scoped(() => {
      checkCount('nBlocks', nBlocks, 0);
      counter.forEach((c, i) => checkU32(`counter[${i}]`, c));
      key.forEach((k, i) => checkU32(`key[${i}]`, k));
      const out = this.alloc('i32', 4 * nBlocks);
      this.raw.philox4x32(out.ptr, nBlocks, counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
      return new Uint32Array(out.array.slice().buffer);
    });
  }

  normals(n: number, rng: RngStream) {
    return this.scoped(() => {
      checkCount('n', n, 0);
      checkRng(n, rng);
      const out = this.alloc('f64', n);
      this.raw.normalDraws(out.ptr, n, rng.seed, rng.stream, rng.firstBlock ?? 0, rng.counterHi ?? 0);
      return out.array.slice();
    });
  }

  correlatedDraws(l: Float64Array, m: number, nScenarios: number, rng: RngStream) {
    return this.scoped(() => {
      checkSquare('l', l, m);
      checkCount('nScenarios', nScenarios, 0);
      checkRng(nScenarios * m, rng);
      const lt = this.alloc('f64', m * m);
      transposeLower(l, m, lt.array);
      const z = this.alloc('f64', nScenarios * m), x = this.alloc('f64', nScenarios * m);
      this.raw.normalDraws(z.ptr, nScenarios * m, rng.seed, rng.stream, rng.firstBlock ?? 0, rng.counterHi ?? 0);
      this.raw.correlate(nScenarios, m, z.ptr, lt.ptr, x.ptr);
      return x.array.slice();
    });
  }

  accountPnl(risk: Float64Array, nScenarios: number, positions: PositionsCsr) {
    return this.scoped(() => {
      checkCount('nScenarios', nScenarios, 1);
      const nAccounts = checkPositions(positions, rowsOf('risk', risk.length, nScenarios));
      const r = this.from(risk), st = this.fromI32(positions.start), en = this.fromI32(positions.end);
      const inst = this.fromI32(positions.instrument), qty = this.from(positions.quantity);
      const out = this.alloc('f64', nAccounts * nScenarios);
      this.raw.accountPnl(nAccounts, nScenarios, r.ptr, st.ptr, en.ptr, inst.ptr, qty.ptr, out.ptr);
      return out.array.slice();
    });
  }

  tailRisk(pnl: Float64Array, nScenarios: number, k: number) {
    return this.scoped(() => {
      checkTail(nScenarios, k);
      const nAccounts = rowsOf('pnl', pnl.length, nScenarios);
      const p = this.from(pnl), work = this.alloc('f64', nScenarios);
      const v = this.alloc('f64', nAccounts), es = this.alloc('f64', nAccounts);
      this.raw.tailRisk(nAccounts, nScenarios, p.ptr, k, work.ptr, v.ptr, es.ptr);
      return { var: v.array.slice(), es: es.array.slice() };
    });
  }

  scenarioTailRisk(risk: Float64Array | Column<'f64'>, nScenarios: number, positions: PositionsCsr, k: number) {
    return this.scoped(() => {
      checkTail(nScenarios, k);
      const nAccounts = checkPositions(positions, rowsOf('risk', risk.length, nScenarios));
      const r = this.inPlace(risk), st = this.fromI32(positions.start), en = this.fromI32(positions.end);
      const inst = this.fromI32(positions.instrument), qty = this.from(positions.quantity);
      const chunk = Math.min(SCENARIO_CHUNK, nAccounts);
      const pnl = this.alloc('f64', chunk * nScenarios), work = this.alloc('f64', nScenarios);
      const v = this.alloc('f64', nAccounts), es = this.alloc('f64', nAccounts);
      for (let a0 = 0; a0 < nAccounts; a0 += chunk) {
        const c = Math.min(chunk, nAccounts - a0);
        this.raw.accountPnl(c, nScenarios, r.ptr, st.ptr + 4 * a0, en.ptr + 4 * a0, inst.ptr, qty.ptr, pnl.ptr);
        this.raw.tailRisk(c, nScenarios, pnl.ptr, k, work.ptr, v.ptr + 8 * a0, es.ptr + 8 * a0);
      }
      return { var: v.array.slice(), es: es.array.slice() };
    });
  }
}

// ---- JS backend -----------------------------------------------------------------------------------

/** The JS twins behind the same interface. */
export function jsRisk(): RiskKernels {
  return JS_RISK;
}

const JS_RISK: RiskKernels = {
  backend: 'js',

  quadForms(sigma, m, exposuresIn, withGradient = false) {
    checkSquare('sigma', sigma, m);
    const exposures = exposuresIn instanceof Column ? exposuresIn.array : exposuresIn;
    const n = rowsOf('exposures', exposures.length, m);
    const q = new Float64Array(n);
    const grad = withGradient ? new Float64Array(n * m) : null;
    quadFormsJs(n, m, sigma, exposures, q, grad);
    return { q, grad };
  },

  cholesky(a, m) {
    checkSquare('a', a, m);
    const l = Float64Array.from(a);
    const pivot = choleskyJs(m, l);
    return pivot < 0 ? { ok: true, l } : { ok: false, pivot };
  },

  philox(nBlocks, counter, key) {
    checkCount('nBlocks', nBlocks, 0);
    counter.forEach((c, i) => checkU32(`counter[${i}]`, c));
    key.forEach((k, i) => checkU32(`key[${i}]`, k));
    const out = new Uint32Array(4 * nBlocks);
    philox4x32Js(out, nBlocks, counter[0], counter[1], counter[2], counter[3], key[0], key[1]);
    return out;
  },

  normals(n, rng) {
    checkCount('n', n, 0);
    checkRng(n, rng);
    const out = new Float64Array(n);
    normalDrawsJs(out, n, rng.seed, rng.stream, rng.firstBlock ?? 0, rng.counterHi ?? 0);
    return out;
  },

  correlatedDraws(l, m, nScenarios, rng) {
    checkSquare('l', l, m);
    checkCount('nScenarios', nScenarios, 0);
    checkRng(nScenarios * m, rng);
    const lt = new Float64Array(m * m);
    transposeLower(l, m, lt);
    const z = new Float64Array(nScenarios * m), x = new Float64Array(nScenarios * m);
    normalDrawsJs(z, nScenarios * m, rng.seed, rng.stream, rng.firstBlock ?? 0, rng.counterHi ?? 0);
    correlateJs(nScenarios, m, z, lt, x);
    return x;
  },

  accountPnl(risk, nScenarios, positions) {
    checkCount('nScenarios', nScenarios, 1);
    const nAccounts = checkPositions(positions, rowsOf('risk', risk.length, nScenarios));
    const out = new Float64Array(nAccounts * nScenarios);
    accountPnlJs(nAccounts, nScenarios, risk, positions.start, positions.end, positions.instrument, positions.quantity, out);
    return out;
  },

  tailRisk(pnl, nScenarios, k) {
    checkTail(nScenarios, k);
    const nAccounts = rowsOf('pnl', pnl.length, nScenarios);
    const v = new Float64Array(nAccounts), es = new Float64Array(nAccounts);
    tailRiskJs(nAccounts, nScenarios, pnl, k, new Float64Array(nScenarios), v, es);
    return { var: v, es };
  },

  scenarioTailRisk(riskIn, nScenarios, positions, k) {
    checkTail(nScenarios, k);
    const risk = riskIn instanceof Column ? riskIn.array : riskIn;
    const nAccounts = checkPositions(positions, rowsOf('risk', risk.length, nScenarios));
    const chunk = Math.min(SCENARIO_CHUNK, nAccounts);
    const pnl = new Float64Array(chunk * nScenarios), work = new Float64Array(nScenarios);
    const v = new Float64Array(nAccounts), es = new Float64Array(nAccounts);
    for (let a0 = 0; a0 < nAccounts; a0 += chunk) {
      const c = Math.min(chunk, nAccounts - a0);
      accountPnlJs(c, nScenarios, risk, positions.start.subarray(a0), positions.end.subarray(a0), positions.instrument, positions.quantity, pnl);
      tailRiskJs(c, nScenarios, pnl, k, work, v.subarray(a0), es.subarray(a0));
    }
    return { var: v, es };
  },
};
