/**
 * VaR / ES margin method benchmark (issue 6), end to end through a prepared session's run() (the cross
 * kernel for equity, then the VaR model, then restatus), on WASM SIMD, WASM scalar and JS:
 * - Monte Carlo VaR/ES: 10,000 accounts × 20 positions over 2,000 instruments (options on 50
 *   underlyings), 1,000 scenarios: Cholesky + correlated draws, full revaluation of every instrument
 *   per scenario, account P&L as sparse sums, VaR/ES by selection.
 * - Delta-normal VaR: 100,000 accounts × 50 underlyings (exposures from the Greeks kernel, quadratic
 *   forms). The kernel-only figure (data already in WASM memory) is bench/risk.ts's.
 * Reports the best and the median of the samples (shared machines: compare within a run).
 */
import { createEngine, type Engine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { type BenchTable, fixed } from './harness.js';

export interface VarBenchRow {
  task: string;
  backend: string;
  bestMs: number;
  medianMs: number;
  samples: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** nUnderlyings assets (vols 40–100%, one-factor correlation 0.3–0.8), options and perps on them, nAccounts × perAccount positions. */
export function varBook(nUnderlyings: number, nInstruments: number, nAccounts: number, perAccount: number, seed = 1): { book: unknown; market: unknown } {
  const rnd = lcg(seed);
  const assets: Record<string, { price: number; vol: number }> = { USDC: { price: 1, vol: 0 } };
  const names = Array.from({ length: nUnderlyings }, (_, u) => `A${u}`);
  const beta = names.map(() => 0.55 + 0.35 * rnd());
  names.forEach((n) => (assets[n] = { price: 10 + 1000 * rnd(), vol: 0.4 + 0.6 * rnd() }));
  const matrix = names.map((_, i) => names.map((_, j) => (i === j ? 1 : beta[i] * beta[j])));
  const instruments: unknown[] = [];
  const impliedVols: Record<string, number> = {};
  for (let i = 0; i < nInstruments; i++) {
    const u = i % nUnderlyings, name = names[u];
    if (i < nUnderlyings) {
      instruments.push({ id: `${name}-PERP`, kind: 'perpetual', underlying: name });
      continue;
    }
    const id = `${name}-O${i}`;
    const strike = assets[name].price * (0.7 + 0.6 * rnd());
    const days = 7 + Math.floor(rnd() * 180);
    instruments.push({ id, kind: 'option', underlying: name, right: rnd() < 0.5 ? 'call' : 'put', strike, expiry: new Date(Date.UTC(2026, 10, 20, 8) + days * 86_400_000).toISOString() });
    impliedVols[id] = assets[name].vol * (0.9 + 0.3 * rnd());
  }
  const accounts = Array.from({ length: nAccounts }, (_, a) => ({
    id: `acct-${a}`,
    positions: Array.from({ length: perAccount }, (_, p) => ({
      instrument: (instruments[(a * 7919 + p * 104_729 + Math.floor(rnd() * nInstruments)) % nInstruments] as { id: string }).id,
      quantity: Math.round((rnd() - 0.5) * 40) || 1,
      entryPrice: 0,
    })).filter((p, i, all) => all.findIndex((q) => q.instrument === p.instrument) === i),
    collateral: [{ asset: 'USDC', amount: 1e6 }],
  }));
  const market = { valuationTime: '2026-11-20T08:00:00Z', assets, impliedVols, correlation: { assets: names, matrix } };
  return { book: { instruments, accounts }, market };
}

function time(fn: () => void, samples: number): { best: number; median: number } {
  const t: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((x, y) => x - y);
  return { best: t[0], median: t[t.length >> 1] };
}

export async function varBench(): Promise<VarBenchRow[]> {
  const engines: Engine[] = [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
  const rows: VarBenchRow[] = [];
  const tasks = [
    { task: 'Monte Carlo VaR/ES 99%, 1,000 scenarios: 10,000 accounts × 20 positions, 2,000 instruments', data: varBook(50, 2_000, 10_000, 20), params: { model: 'monte-carlo', scenarios: 1000, measure: 'es' }, samples: [5, 3, 2] },
    { task: 'delta-normal VaR 99%: 100,000 accounts × 50 underlyings (method end to end)', data: varBook(50, 50, 100_000, 20, 2), params: { model: 'delta-normal' }, samples: [5, 3, 2] },
  ];
  for (const t of tasks) {
    const { book, market } = validateInputs(t.data.book, t.data.market);
    engines.forEach((engine, e) => {
      const session = engine.openBook(book);
      const run = session.prepare(market, { method: 'var', params: { var: t.params } });
      run.run(); // warm-up
      const r = time(() => run.run(), t.samples[e]);
      rows.push({ task: t.task, backend: engine.backend, bestMs: r.best, medianMs: r.median, samples: t.samples[e] });
      run.release();
      session.release();
    });
  }
  return rows;
}

export function varTables(rows: readonly VarBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ task: r.task, backend: r.backend, 'best ms': fixed(r.bestMs, 1), 'median ms': fixed(r.medianMs, 1) })) }];
}
