/**
 * Risk-kernel benchmark (issue #6): delta-normal quadratic forms, Cholesky, Monte Carlo correlated
 * draws, and scenario P&L + VaR/ES, each on WASM SIMD, WASM scalar and the JS twin side by side (and
 * ml-matrix for the quadratic form). WASM runs on data already in its memory (the kernels' floor: the
 * façade lays data in place once per batch). Reports the best and the median of tinybench samples.
 * Timings on shared machines drift: compare ratios within one run.
 */
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { choleskyJs } from '../src/kernels/js/risk/cholesky.js';
import { correlateJs, normalDrawsJs } from '../src/kernels/js/risk/normal-draws.js';
import { quadFormsJs } from '../src/kernels/js/risk/quadratic.js';
import { accountPnlJs, tailRiskJs } from '../src/kernels/js/risk/quantile.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { tailCount } from '../src/kernels/risk.js';
import type { KernelExports } from '../src/kernels/wasm/exports.js';
import { Column } from '../src/memory/columns.js';
import { type BenchTable, fixed, times } from './harness.js';

const require = createRequire(import.meta.url);
const { Matrix } = require('ml-matrix') as typeof import('ml-matrix');

export interface RiskBenchRow {
  kernel: string;
  contender: string;
  work: string;
  bestMs: number;
  medianMs: number;
  samples: number;
}

export interface RiskBenchResult {
  rows: RiskBenchRow[];
  /** JS twin time / WASM SIMD time, per kernel (best of samples). */
  jsOverSimd: Record<string, number>;
}

/** Deterministic inputs (LCG) so runs compare. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Σ = diag(σ)·R·diag(σ), R = B·Bᵀ normalised, daily vols 1%–6%: a realistic, exactly symmetric SPD matrix. */
function covariance(m: number, rnd: () => number): Float64Array {
  const b = Float64Array.from({ length: m * m }, () => 2 * rnd() - 1);
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += b[i * m + k] * b[j * m + k];
      a[i * m + j] = a[j * m + i] = s / m + (i === j ? 0.2 : 0);
    }
  }
  const vol = Float64Array.from({ length: m }, () => 0.01 + 0.05 * rnd());
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = (vol[i] * vol[j] * a[i * m + j]) / Math.sqrt(a[i * m + i] * a[j * m + j]);
  return out;
}

interface Sizes {
  varAccounts: number; varAssets: number; cholM: number; mcScenarios: number; mcAssets: number;
  instruments: number; scenarios: number; accounts: number; positionsPerAccount: number;
}

const DEFAULT_SIZES: Sizes = {
  varAccounts: 100_000, varAssets: 50, cholM: 500, mcScenarios: 10_000, mcAssets: 50,
  instruments: 2_000, scenarios: 1_000, accounts: 10_000, positionsPerAccount: 20,
};

/** Accounts per P&L chunk: the chunk's P&L rows (256 × M f64) stay in L2 for the VaR/ES pass. */
const PNL_CHUNK = 256;

export async function riskBench(sizes: Sizes = DEFAULT_SIZES, time = 1500): Promise<RiskBenchResult> {
  const rnd = lcg(6);
  const { varAccounts: n, varAssets: m } = sizes;
  const sigma = covariance(m, rnd);
  const exposures = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 2e5);
  const cholA = covariance(sizes.cholM, rnd);
  const mcSigma = covariance(sizes.mcAssets, rnd);
  const mcL = Float64Array.from(mcSigma);
  if (choleskyJs(sizes.mcAssets, mcL) >= 0) throw new Error('bench covariance not SPD');
  const mcLt = new Float64Array(sizes.mcAssets ** 2);
  for (let i = 0; i < sizes.mcAssets; i++) for (let j = 0; j <= i; j++) mcLt[j * sizes.mcAssets + i] = mcL[i * sizes.mcAssets + j];
  const M = sizes.scenarios;
  const risk = Float64Array.from({ length: sizes.instruments * M }, () => (rnd() - 0.5) * 50);
  const nAcc = sizes.accounts, ppa = sizes.positionsPerAccount;
  const start = Int32Array.from({ length: nAcc }, (_, a) => a * ppa);
  const end = Int32Array.from({ length: nAcc }, (_, a) => (a + 1) * ppa);
  const inst = Int32Array.from({ length: nAcc * ppa }, () => Math.floor(rnd() * sizes.instruments));
  const qty = Float64Array.from({ length: nAcc * ppa }, () => Math.round((rnd() - 0.5) * 40));
  const k = tailCount(0.99, M);

  const bench = new Bench({ time, iterations: 5, warmupIterations: 2 });
  const work = {
    quad: `${n.toLocaleString('en-US')} accounts × ${m} underlyings`,
    chol: `${sizes.cholM} × ${sizes.cholM}`,
    mc: `${sizes.mcScenarios.toLocaleString('en-US')} × ${sizes.mcAssets} correlated normals`,
    pnl: `${nAcc.toLocaleString('en-US')} accounts × ${ppa} positions × ${M.toLocaleString('en-US')} scenarios, VaR/ES 99%`,
  };
  const tasks: { name: string; kernel: string; contender: string; work: string }[] = [];
  const add = (kernel: keyof typeof work, label: string, contender: string, fn: () => void) => {
    const name = `${label} · ${contender}`;
    tasks.push({ name, kernel: label, contender, work: work[kernel] });
    bench.add(name, fn);
  };

  for (const flavour of ['simd', 'scalar'] as const) {
    const kernels = await WasmKernels.create(flavour);
    const raw = kernels.raw;
    const f64 = (x: Float64Array | number) => {
      const c = Column.allocate(kernels.allocator, 'f64', typeof x === 'number' ? x : x.length);
      if (typeof x !== 'number') c.array.set(x);
      return c;
    };
    const i32 = (x: Int32Array) => {
      const c = Column.allocate(kernels.allocator, 'i32', x.length);
      c.array.set(x);
      return c;
    };
    const contender = `wasm-${flavour}`;
    const s = f64(sigma), d = f64(exposures), q = f64(n), g = f64(n * m), w = f64(m * m + 2 * m);
    add('quad', 'VaR quadratic form q = dᵀΣd', contender, () => raw.quadForms(n, m, s.ptr, d.ptr, q.ptr, 0, w.ptr));
    add('quad', 'VaR q + Euler gradient Σd', contender, () => raw.quadForms(n, m, s.ptr, d.ptr, q.ptr, g.ptr, w.ptr));
    const a0 = f64(cholA), a = f64(cholA.length);
    add('chol', 'Cholesky (incl. copying A in)', contender, () => {
      a.array.set(a0.array);
      if (raw.cholesky(sizes.cholM, a.ptr) >= 0) throw new Error('not SPD');
    });
    const nz = sizes.mcScenarios * sizes.mcAssets;
    const z = f64(nz), x = f64(nz), lt = f64(mcLt);
    add('mc', 'MC draws: Philox normals + Z·Lᵀ', contender, () => {
      raw.normalDraws(z.ptr, nz, 42, 1, 0, 0);
      raw.correlate(sizes.mcScenarios, sizes.mcAssets, z.ptr, lt.ptr, x.ptr);
    });
    add('mc', 'MC draws: Philox normals only', contender, () => raw.normalDraws(z.ptr, nz, 42, 1, 0, 0));
    const r = f64(risk), st = i32(start), en = i32(end), ins = i32(inst), qy = f64(qty);
    const pnl = f64(PNL_CHUNK * M), scratch = f64(M), vr = f64(nAcc), es = f64(nAcc);
    add('pnl', 'Scenario P&L + VaR/ES', contender, () => {
      for (let a0 = 0; a0 < nAcc; a0 += PNL_CHUNK) {
        const c = Math.min(PNL_CHUNK, nAcc - a0);
        raw.accountPnl(c, M, r.ptr, st.ptr + 4 * a0, en.ptr + 4 * a0, ins.ptr, qy.ptr, pnl.ptr);
        raw.tailRisk(c, M, pnl.ptr, k, scratch.ptr, vr.ptr + 8 * a0, es.ptr + 8 * a0);
      }
    });
  }

  const q = new Float64Array(n), g = new Float64Array(n * m);
  add('quad', 'VaR quadratic form q = dᵀΣd', 'js twin', () => quadFormsJs(n, m, sigma, exposures, q, null));
  add('quad', 'VaR q + Euler gradient Σd', 'js twin', () => quadFormsJs(n, m, sigma, exposures, q, g));
  const sigmaM = new Matrix(Array.from({ length: m }, (_, i) => Array.from(sigma.subarray(i * m, (i + 1) * m))));
  const dM = new Matrix(Array.from({ length: n }, (_, a) => Array.from(exposures.subarray(a * m, (a + 1) * m))));
  add('quad', 'VaR quadratic form q = dᵀΣd', 'ml-matrix (D·Σ, then row dots)', () => {
    const gm = dM.mmul(sigmaM);
    for (let a = 0; a < n; a++) {
      let t = 0;
      for (let j = 0; j < m; j++) t += gm.get(a, j) * dM.get(a, j);
      q[a] = t;
    }
  });
  const aJs = new Float64Array(cholA.length);
  add('chol', 'Cholesky (incl. copying A in)', 'js twin', () => {
    aJs.set(cholA);
    if (choleskyJs(sizes.cholM, aJs) >= 0) throw new Error('not SPD');
  });
  const nz = sizes.mcScenarios * sizes.mcAssets;
  const zJs = new Float64Array(nz), xJs = new Float64Array(nz);
  add('mc', 'MC draws: Philox normals + Z·Lᵀ', 'js twin', () => {
    normalDrawsJs(zJs, nz, 42, 1, 0, 0);
    correlateJs(sizes.mcScenarios, sizes.mcAssets, zJs, mcLt, xJs);
  });
  add('mc', 'MC draws: Philox normals only', 'js twin', () => normalDrawsJs(zJs, nz, 42, 1, 0, 0));
  const pnlJs = new Float64Array(PNL_CHUNK * M), scratchJs = new Float64Array(M);
  const vJs = new Float64Array(nAcc), esJs = new Float64Array(nAcc);
  add('pnl', 'Scenario P&L + VaR/ES', 'js twin', () => {
    for (let a0 = 0; a0 < nAcc; a0 += PNL_CHUNK) {
      const c = Math.min(PNL_CHUNK, nAcc - a0);
      accountPnlJs(c, M, risk, start.subarray(a0), end.subarray(a0), inst, qty, pnlJs);
      tailRiskJs(c, M, pnlJs, k, scratchJs, vJs.subarray(a0), esJs.subarray(a0));
    }
  });

  await bench.run();
  const rows: RiskBenchRow[] = tasks.map((t) => {
    const task = bench.tasks.find((x) => x.name === t.name)!;
    const r = task.result;
    const ok = r?.state === 'completed';
    return {
      kernel: t.kernel, contender: t.contender, work: t.work,
      bestMs: ok ? r.latency.min : NaN, medianMs: ok ? r.latency.p50 : NaN, samples: ok ? r.latency.samplesCount : 0,
    };
  });
  rows.sort((x, y) => (x.kernel < y.kernel ? -1 : x.kernel > y.kernel ? 1 : 0));
  const jsOverSimd: Record<string, number> = {};
  for (const kernel of new Set(rows.map((r) => r.kernel))) {
    const simd = rows.find((r) => r.kernel === kernel && r.contender === 'wasm-simd')!.bestMs;
    const js = rows.find((r) => r.kernel === kernel && r.contender === 'js twin')!.bestMs;
    jsOverSimd[kernel] = js / simd;
  }
  return { rows, jsOverSimd };
}

export function riskTables(result: RiskBenchResult): BenchTable[] {
  const { rows } = result;
  return [{
    caption: 'Risk kernels (best / median of tinybench samples; WASM on data in its memory)',
    rows: rows.map((r) => {
      const simd = rows.find((x) => x.kernel === r.kernel && x.contender === 'wasm-simd')!.bestMs;
      return { kernel: r.kernel, contender: r.contender, 'best ms': fixed(r.bestMs, 2), 'median ms': fixed(r.medianMs, 2), 'vs wasm-simd': times(r.bestMs / simd, 1), work: r.work };
    }),
  }];
}
