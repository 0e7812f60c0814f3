/**
 * Portfolio margin benchmark (issue 5).
 *
 * (a) Kernels, in place: risk arrays for 2,000 options × 63 scenarios (the default grid: 17 spot
 *     moves × 3 vol shocks + 12 tails; run as 64, padded with a copy of scenario 0 as the session
 *     does, see kernelScenarioCount), then the reduction of 10,000 accounts × 20 positions (each
 *     account on 1–3 of 4 underlyings, grouped by underlying as the session does at prepare).
 *     WASM SIMD, WASM scalar and the JS twin on the same inputs in one run; tinybench median.
 * (b) The session on 100,000 accounts × 20 positions (bench/layout.ts syntheticBook): prepare once,
 *     then run() = cross kernel (equity), option base prices, risk arrays, reduction, aggregation,
 *     add-ons and status; tinybench median. Plus one full engine.margin() (validation excluded,
 *     layout, prepare, run and report included).
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { portfolioReduceJs } from '../src/kernels/js/portfolio/reduce.js';
import { type RiskArrayColumns, riskArraysJs } from '../src/kernels/js/scenario/risk-arrays.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { PORTFOLIO_REDUCE_COLUMNS, PORTFOLIO_REDUCE_TYPES, RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES } from '../src/kernels/abi.js';
import { KIND_OPTION } from '../src/kernels/scenario.js';
import type { KernelExports } from '../src/kernels/wasm/exports.js';
import { Column } from '../src/memory/columns.js';
import { validateInputs } from '../src/model/validate.js';
import { DEFAULT_PORTFOLIO_RULE, scenarioCount } from '../src/methods/engines/scenario-grid/params.js';
import { kernelScenarioCount, scenariosOf, volScaleOf } from '../src/methods/engines/scenario-grid/scenarios.js';
import { Random } from '../src/sample/random.js';
import { syntheticBook } from './layout.js';

export interface PortfolioBenchRow {
  name: string;
  /** Median of the tinybench samples (or the single run), ms. */
  ms: number;
  /** Fastest sample, ms: on a loaded shared VM the least disturbed run. */
  minMs?: number;
}

export const N_OPTIONS = 2_000;
export const N_UNDERLYINGS = 4;
const N_ACCOUNTS = 10_000;
const POSITIONS = 20;

export interface KernelInputs {
  risk: Record<keyof RiskArrayColumns, ArrayLike<number>>;
  reduce: Record<(typeof PORTFOLIO_REDUCE_COLUMNS)[number], ArrayLike<number>>;
  nGroups: number;
  S: number;
}

/** The (a) inputs; `pad: false` keeps S = 63 (for A/B runs against builds that predate the padding). */
export function kernelInputs(pad = true): KernelInputs {
  const rng = new Random(5);
  const rule = DEFAULT_PORTFOLIO_RULE;
  const scenarios = scenariosOf(rule);
  // padded as the session pads (63 → 64, copies of scenario 0: same results as the 63)
  const S = pad ? kernelScenarioCount(scenarioCount(rule)) : scenarioCount(rule);
  while (scenarios.length < S) scenarios.push(scenarios[0]);
  const U = N_UNDERLYINGS, n = N_OPTIONS;
  const spot = Float64Array.from({ length: U }, (_, u) => [100_000, 3_000, 150, 0.5][u]);
  const risk = {
    kind: new Uint8Array(n).fill(KIND_OPTION), underlying: Int32Array.from({ length: n }, (_, i) => i % U),
    isCall: Uint8Array.from({ length: n }, (_, i) => (i >> 2) & 1), strike: new Float64Array(n), expiryYears: new Float64Array(n),
    vol: new Float64Array(n), volScale: new Float64Array(n), baseValue: new Float64Array(n),
    spot, rate: new Float64Array(U).fill(0.04), carry: new Float64Array(U).fill(0.04), volFloor: new Float64Array(U).fill(rule.volFloor),
    spotMove: new Float64Array(U * S), volShock: new Float64Array(U * S), logMove: new Float64Array(U * S), riskArray: new Float64Array(n * S),
  };
  for (let i = 0; i < n; i++) {
    const u = i % U;
    risk.strike[i] = spot[u] * rng.between(0.6, 1.5);
    risk.expiryYears[i] = rng.between(1, 365) / 365;
    risk.vol[i] = rng.between(0.3, 1.2);
    risk.volScale[i] = volScaleOf(rule, risk.expiryYears[i]);
    risk.baseValue[i] = spot[u] * 0.05;
  }
  for (let u = 0; u < U; u++) {
    scenarios.forEach((sc, s) => {
      risk.spotMove[u * S + s] = sc.spotMove;
      risk.volShock[u * S + s] = sc.volShockValue;
    });
  }
  // accounts: 20 positions on 1–3 underlyings, grouped by underlying
  const groupStart: number[] = [], groupEnd: number[] = [], groupUnderlying: number[] = [];
  const slotRow = new Int32Array(N_ACCOUNTS * POSITIONS), slotScale = new Float64Array(N_ACCOUNTS * POSITIONS);
  let top = 0;
  for (let a = 0; a < N_ACCOUNTS; a++) {
    const held = Array.from({ length: rng.int(1, 3) }, () => rng.int(0, U - 1));
    const unique = [...new Set(held)].sort((x, y) => x - y);
    const perUnderlying = unique.map(() => [] as number[]);
    for (let p = 0; p < POSITIONS; p++) {
      const k = p % unique.length;
      perUnderlying[k].push(unique[k] + U * rng.int(0, n / U - 1)); // an option on that underlying
    }
    unique.forEach((u, k) => {
      groupStart.push(top);
      for (const row of perUnderlying[k]) {
        slotRow[top] = row;
        slotScale[top++] = rng.int(-20, 20) || 1;
      }
      groupEnd.push(top);
      groupUnderlying.push(u);
    });
  }
  const weight = new Float64Array(U * S);
  for (let u = 0; u < U; u++) scenarios.forEach((sc, s) => (weight[u * S + s] = sc.weight));
  const G = groupStart.length;
  const reduce = {
    groupStart: Int32Array.from(groupStart), groupEnd: Int32Array.from(groupEnd), groupUnderlying: Int32Array.from(groupUnderlying),
    slotRow, slotScale, riskArray: risk.riskArray, weight, worstLoss: new Float64Array(G), worstScenario: new Int32Array(G), pnl: new Float64Array(S),
  };
  return { risk, reduce, nGroups: G, S };
}

/** The kernels' columns copied once into a WASM instance's memory; returns the in-place runner. */
export function wasmRunner(kernels: WasmKernels, input: KernelInputs): () => void;
export function wasmRunner(kernels: WasmKernels, input: KernelInputs, parts: true): { risk: () => void; reduce: () => void; worstLoss: () => Float64Array; worstScenario: () => Int32Array };
export function wasmRunner(kernels: WasmKernels, input: KernelInputs, parts = false): (() => void) | { risk: () => void; reduce: () => void; worstLoss: () => Float64Array; worstScenario: () => Int32Array } {
  const alloc = kernels.allocator;
  const riskCols = RISK_ARRAY_COLUMNS.map((k) => {
    const c = Column.allocate(alloc, RISK_ARRAY_TYPES[k], input.risk[k].length);
    (c.array as Float64Array).set(input.risk[k] as Float64Array);
    return c;
  });
  const riskArray = riskCols[RISK_ARRAY_COLUMNS.indexOf('riskArray')];
  const reduceCols = PORTFOLIO_REDUCE_COLUMNS.map((k) => {
    if (k === 'riskArray') return riskArray;
    const c = Column.allocate(alloc, PORTFOLIO_REDUCE_TYPES[k], input.reduce[k].length);
    (c.array as Float64Array).set(input.reduce[k] as Float64Array);
    return c;
  });
  const riskArgs = Column.allocate(alloc, 'i32', riskCols.length);
  riskArgs.array.set(riskCols.map((c) => c.ptr));
  const reduceArgs = Column.allocate(alloc, 'i32', reduceCols.length);
  reduceArgs.array.set(reduceCols.map((c) => c.ptr));
  const raw = kernels.raw as unknown as KernelExports;
  if (parts) {
    return {
      risk: () => raw.riskArrays(N_OPTIONS, N_UNDERLYINGS, input.S, riskArgs.ptr),
      reduce: () => raw.portfolioReduce(input.nGroups, input.S, reduceArgs.ptr),
      // the outputs as fresh views (the memory does not grow while running)
      worstLoss: () => reduceCols[PORTFOLIO_REDUCE_COLUMNS.indexOf('worstLoss')].array as Float64Array,
      worstScenario: () => reduceCols[PORTFOLIO_REDUCE_COLUMNS.indexOf('worstScenario')].array as Int32Array,
    };
  }
  return () => {
    raw.riskArrays(N_OPTIONS, N_UNDERLYINGS, input.S, riskArgs.ptr);
    raw.portfolioReduce(input.nGroups, input.S, reduceArgs.ptr);
  };
}

export async function portfolioBench(accounts = 100_000): Promise<PortfolioBenchRow[]> {
  const input = kernelInputs();
  const simd = await WasmKernels.create('simd');
  const scalar = await WasmKernels.create('scalar');
  const a = new Bench({ time: 1500, warmupIterations: 5 });
  a.add('(a) risk arrays 2,000×63 + reduction 10,000×20, wasm-simd', wasmRunner(simd, input));
  a.add('(a) risk arrays 2,000×63 + reduction 10,000×20, wasm-scalar', wasmRunner(scalar, input));
  a.add('(a) risk arrays 2,000×63 + reduction 10,000×20, js', () => {
    riskArraysJs(N_OPTIONS, N_UNDERLYINGS, input.S, input.risk as unknown as RiskArrayColumns);
    portfolioReduceJs(input.nGroups, input.S, input.reduce as unknown as Parameters<typeof portfolioReduceJs>[2]);
  });
  // the two kernels separately, to show where the time goes
  const simdParts = wasmRunner(simd, input, true);
  a.add('(a) risk arrays only, wasm-simd', simdParts.risk);
  a.add('(a) reduction only, wasm-simd', simdParts.reduce);
  a.add('(a) risk arrays only, js', () => riskArraysJs(N_OPTIONS, N_UNDERLYINGS, input.S, input.risk as unknown as RiskArrayColumns));
  a.add('(a) reduction only, js', () => portfolioReduceJs(input.nGroups, input.S, input.reduce as unknown as Parameters<typeof portfolioReduceJs>[2]));
  await a.run();
  const rows: PortfolioBenchRow[] = a.tasks.map((t) => ({
    name: t.name,
    ms: t.result?.state === 'completed' ? t.result.latency.p50 : NaN,
    minMs: t.result?.state === 'completed' ? t.result.latency.min : NaN,
  }));

  const { book: bookJson, market: marketJson } = syntheticBook(accounts, 7);
  const { book, market } = validateInputs(bookJson, marketJson);
  const b = new Bench({ time: 2000, iterations: 5, warmupIterations: 2 });
  const runs = [];
  for (const engine of [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'js' })]) {
    const session = engine.openBook(book);
    const run = session.prepare(market, { method: 'portfolio' });
    b.add(`(b) session run ${accounts.toLocaleString('en-US')} accounts × 20 (cross equity, prices, risk arrays, reduction, status), ${engine.backend}`, () => run.run());
    runs.push({ engine, session, run });
  }
  await b.run();
  for (const t of b.tasks) {
    rows.push({ name: t.name, ms: t.result?.state === 'completed' ? t.result.latency.p50 : NaN, minMs: t.result?.state === 'completed' ? t.result.latency.min : NaN });
  }
  for (const { engine, session, run } of runs) {
    run.release();
    session.release();
    const t0 = performance.now();
    void engine.margin(book, market, { method: 'portfolio' }).accounts; // rows built on first read: timed too
    rows.push({ name: `(b) engine.margin end to end (layout, prepare, run, report), ${engine.backend}`, ms: performance.now() - t0 });
  }
  return rows;
}
