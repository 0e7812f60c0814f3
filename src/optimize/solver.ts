/**
 * The linear-programming solver behind margin optimisation: HiGHS (https://highs.dev, MIT), compiled to WebAssembly by
 * the npm package `highs`, through its stateless C entry point Highs_lpCall (sparse rows in, dense solution out).
 * It is loaded once, asynchronously (the WASM module compiles on first use), and then solves synchronously.
 *
 * Node finds highs.wasm beside the package. Bundles for a browser pass `locateFile` (where highs.wasm is served) or
 * `wasmBinary` (its bytes): margin-core's own bundles keep `highs` an external import, so the page or the application
 * bundler decides where the 3.5 MB solver comes from, and pages that never optimise never download it.
 */

import { loadOptional } from '../optional-dependency.js';

/** minimize cᵀx subject to rowLower ≤ A x ≤ rowUpper, colLower ≤ x ≤ colUpper; A as sparse rows (CSR). */
export interface LinearProgram {
  cost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** CSR: row r's entries are [starts[r], starts[r + 1]) of indices (columns) and values. */
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'failed';

export interface LpSolution {
  status: LpStatus;
  /** Column values (empty unless optimal). */
  x: Float64Array;
  objective: number;
  /** HiGHS's own status name, for messages. */
  detail: string;
}

export interface LpSolver {
  solve(lp: LinearProgram): LpSolution;
}

/** Where the solver's WASM comes from, when not beside the `highs` package (browsers). */
export interface SolverLoadOptions {
  /** highs.wasm's URL from its file name (as Emscripten's locateFile). */
  locateFile?: ((file: string) => string) | undefined;
  /** highs.wasm's bytes. */
  wasmBinary?: ArrayBuffer | Uint8Array | undefined;
}

interface HighsRaw {
  raw: { lpCall(model: unknown): { status: number; value?: { modelStatus: number; solution: { colValue: Float64Array } } | undefined } };
  constants: { modelStatus: Record<string, number> };
}

let shared: Promise<LpSolver> | null = null;

/** The HiGHS solver (loaded once per process with default options; pass options to load another instance). */
export function loadSolver(options?: SolverLoadOptions): Promise<LpSolver> {
  if (options === undefined) return (shared ??= load(undefined).catch((error) => {
    shared = null;
    throw error;
  }));
  return load(options);
}

/**
 * HiGHS's module options for `options`: its Emscripten build reads no `wasmBinary` option, so given bytes are
 * instantiated through the `instantiateWasm` hook (the module's imports in, the instance handed back); `onError`
 * hears a failed instantiation, which would otherwise leave the module's promise pending for ever.
 */
export function highsModuleOptions(options: SolverLoadOptions | undefined, onError: (error: unknown) => void): object | undefined {
  if (options?.wasmBinary === undefined) return options;
  const bytes = options.wasmBinary;
  return {
    ...(options.locateFile ? { locateFile: options.locateFile } : { locateFile: (file: string) => file }), // no URL is resolved: the bytes are given
    instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
      WebAssembly.instantiate(bytes as BufferSource, imports).then((r) => done(r.instance, r.module), onError);
      return {}; // asynchronous: the exports arrive through `done`
    },
  };
}

async function load(options: SolverLoadOptions | undefined): Promise<LpSolver> {
  const module = (await loadOptional('highs', 'the LP solver (margin optimisation, collateral allocation)', () => import('highs'))) as unknown as { default: (o?: unknown) => Promise<HighsRaw> };
  const highs = await new Promise<HighsRaw>((resolve, reject) => module.default(highsModuleOptions(options, reject)).then(resolve, reject));
  const codes = highs.constants.modelStatus;
  return {
    solve(lp) {
      const numCols = lp.cost.length, numRows = lp.rowLower.length;
      const result = highs.raw.lpCall({
        numCols, numRows, colCost: lp.cost, colLower: lp.colLower, colUpper: lp.colUpper, rowLower: lp.rowLower, rowUpper: lp.rowUpper,
        matrix: { format: 'csr', numRows, numCols, starts: lp.starts, indices: lp.indices, values: lp.values },
      });
      const code = result.value?.modelStatus ?? -1;
      const detail = Object.keys(codes).find((k) => codes[k] === code) ?? `status ${result.status}`;
      const status: LpStatus =
        // every hedge is bounded and costs are ≥ 0, so "infeasible or unbounded" can only be infeasible
        code === codes.optimal ? 'optimal' : code === codes.infeasible || code === codes.unboundedOrInfeasible ? 'infeasible' : code === codes.unbounded ? 'unbounded' : 'failed';
      const x = status === 'optimal' ? Float64Array.from(result.value!.solution.colValue) : new Float64Array(0);
      let objective = 0;
      for (let j = 0; j < x.length; j++) objective += lp.cost[j] * x[j];
      return { status, x, objective, detail };
    },
  };
}
