/**
 * Margin optimisation (issue 20): "restore health at least cost" for one account of 20 positions under portfolio
 * margin with 10 candidate hedges (target: < 20 ms). The account holds 20 positions (short options, perpetuals and
 * futures) on BTC, ETH and SOL of the generated sample's instruments, with USDC such that its equity for IM is 90% of its IM under the method; the candidates are
 * perpetuals, futures and options on those underlyings, both sides, with spreads and fees. One optimise call (hedges
 * validated, the method's requirement model built from the risk arrays, HiGHS on the LP, the engine's what-if on
 * the trades) on a prepared run, WASM SIMD against the JS twin in the same run; and the same with correlation
 * aggregation (cutting planes), under delta-normal VaR, and under isolated margin (reductions of its own positions and
 * allocations: src/optimize/isolated.ts). tinybench median and fastest sample, ms.
 *
 * Run alone: `node dist/bench.js optimize`.
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { restoreHealth } from '../src/optimize/restore.js';
import { loadSolver } from '../src/optimize/solver.js';
import { generateSample } from '../src/sample/generate.js';
import type { PreparedRun } from '../src/session/prepared-run.js';
import type { BenchTable } from './harness.js';

export interface OptimizeBenchRow {
  name: string;
  backend: string;
  ms: number;
  minMs: number;
  programmes: number;
  trades: number;
  cost: number;
}

/** The benchmark account and its candidates, on the generated sample's instruments and market. */
export function optimizeCase(usdc = 20_000): { book: { instruments: unknown[]; accounts: unknown[] }; market: unknown; hedges: unknown[] } {
  const { book, market } = generateSample({ accounts: 10, seed: 7 });
  const ins = book.instruments as { id: string; kind: string; underlying: string; right?: string; strike?: number; expiry?: string }[];
  const prices = market.assets as Record<string, { price: number }>;
  const pick = (u: string, kind: string, n: number, near = 1) => ins
    .filter((i) => i.underlying === u && i.kind === kind)
    .sort((x, y) => Math.abs((x.strike ?? 0) / prices[u].price - near) - Math.abs((y.strike ?? 0) / prices[u].price - near))
    .slice(0, n);
  const positions: { instrument: string; quantity: number; entryPrice: number }[] = [];
  const add = (list: typeof ins, quantity: (k: number) => number) => list.forEach((i, k) => positions.push({ instrument: i.id, quantity: quantity(k), entryPrice: i.kind === 'option' ? 0 : prices[i.underlying].price }));
  add(pick('BTC', 'option', 8, 1.05), (k) => -(1 + (k % 3)));
  add(pick('ETH', 'option', 6, 1.05), (k) => -(5 + k));
  add(pick('SOL', 'option', 3, 1.1), () => -50);
  add(pick('BTC', 'perpetual', 1), () => 2);
  add(pick('ETH', 'future', 1), () => 20);
  add(pick('SOL', 'perpetual', 1), () => 200);
  const account = { id: 'bench', positions, collateral: [{ asset: 'USDC', amount: usdc }] };
  const hedgeIds = [
    ...pick('BTC', 'future', 2), ...pick('ETH', 'perpetual', 1), ...pick('SOL', 'future', 1),
    ...pick('BTC', 'option', 12, 0.9).slice(8, 11), ...pick('ETH', 'option', 12, 0.9).slice(6, 8), ...pick('SOL', 'option', 6, 0.9).slice(3, 4),
  ].slice(0, 10);
  const hedges = hedgeIds.map((i) => ({ instrument: i.id, spread: i.kind === 'option' ? 0.002 * prices[i.underlying].price : 0.0002 * prices[i.underlying].price, fee: 0.5, maxQuantity: i.kind === 'option' ? 20 : 200 }));
  return { book: { ...book, accounts: [account] }, market, hedges };
}

export async function optimizeBench(): Promise<OptimizeBenchRow[]> {
  const solver = await loadSolver();
  const rows: OptimizeBenchRow[] = [];
  const cases = [
    { name: 'portfolio (sum), 20 positions, 10 hedges', method: 'portfolio', params: undefined, funded: 0.9 },
    { name: 'portfolio (correlation: cutting planes)', method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } }, funded: 0.9 },
    { name: 'delta-normal VaR (cone: cutting planes)', method: 'var', params: { var: { floorRate: 0 } }, funded: 0.9 }, // the VaR binds, not the notional floor
    // isolated: reductions of 10 of its own positions and allocations of the pool (src/optimize/isolated.ts)
    { name: 'isolated: 20 positions, 10 reducible', method: 'isolated', params: undefined, funded: 0.9, own: true },
  ];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    for (const c of cases) {
      // USDC such that equity for IM is 90% of IM under the case's method: below IM, within reach of the hedges
      const probe = optimizeCase();
      const row = engine.margin(probe.book, probe.market, { method: c.method, params: c.params }).accounts[0];
      const { book, market, hedges: candidates } = optimizeCase(20_000 + c.funded * row.im - row.equityIm); // equity for IM = funded × IM
      const hedges = 'own' in c ? ownHedges(book.accounts[0] as { positions: { instrument: string }[] }, market) : candidates;

      const valid = validateInputs(book, market);
      const session = engine.openBook(valid.book);
      const run = session.prepare(valid.market, { method: c.method, params: c.params }) as PreparedRun;
      try {
        run.run();
        const first = restoreHealth(run, solver, 'bench', hedges);
        if (first.outcome !== 'restored' || !first.confirmed) throw new Error(`${c.name}: ${first.outcome}, ${first.reason}`);
        const bench = new Bench({ time: 1_000, warmupIterations: 5 });
        bench.add(c.name, () => {
          restoreHealth(run, solver, 'bench', hedges);
        });
        await bench.run();
        const latency = bench.tasks[0].result?.state === 'completed' ? bench.tasks[0].result.latency : undefined;
        rows.push({ name: c.name, backend: engine.backend, ms: latency?.p50 ?? NaN, minMs: latency?.min ?? NaN, programmes: first.solver.programmes, trades: first.trades.length, cost: first.cost });
      } finally {
        run.release();
        session.release();
      }
    }
  }
  return rows;
}

/** Candidates that reduce the account's own positions: the first 10, at the spreads and fees of optimizeCase. */
function ownHedges(account: { positions: { instrument: string }[] }, market: unknown): unknown[] {
  const { book } = generateSample({ accounts: 10, seed: 7 });
  const byId = new Map((book.instruments as { id: string; kind: string; underlying: string }[]).map((i) => [i.id, i]));
  const prices = (market as { assets: Record<string, { price: number }> }).assets;
  return account.positions.slice(0, 10).map((p) => {
    const i = byId.get(p.instrument)!;
    return { instrument: i.id, spread: (i.kind === 'option' ? 0.002 : 0.0002) * prices[i.underlying].price, fee: 0.5, maxQuantity: 1_000 };
  });
}

export function optimizeTables(rows: readonly OptimizeBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ run: r.name, backend: r.backend, 'median ms': +r.ms.toFixed(2), 'min ms': +r.minMs.toFixed(2), LPs: r.programmes, trades: r.trades, 'cost USD': +r.cost.toFixed(2) })) }];
}
