/**
 * The scale-out speed-up measured in pairs (README "Scale-out numbers"): one engine with 1 worker and one with 2 open
 * side by side on the generated 100,000-account book (seed 7), their calls alternated 1, 2, 2, 1, … so that each
 * call of one is timed within a call of the other. On a VM whose cores change speed from second to second (a fixed
 * reference loop moved by 1.9× here: bench/machine-speed.ts), two separate runs compare two speeds of the machine;
 * two calls a few ms apart compare the code. The speed-up reported is the median over the pairs of (1-worker ms /
 * 2-worker ms), beside each side's median; WASM SIMD, then the JS twin on the same book. Then cross margin on the same
 * generated book in groups of 10 (a master and 9 subaccounts) under the `cross` subaccount policy: each group whole in
 * its master's shard, the roll-up merged on the coordinator.
 * `node dist/bench.js scale-paired [pairs]`.
 */
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import type { ValidatedMarket } from '../src/model/types.js';
import { generateSample } from '../src/sample/generate.js';
import type { ShardedBook } from '../src/scale/sharded-book.js';
import type { MarginOptions } from '../src/session/types.js';
import { quantile } from './stats.js';
import type { BenchTable } from './harness.js';

export interface PairedRow {
  backend: string;
  method: string;
  /** The book: 'plain', or 'groups of 10, cross policy'. */
  book: string;
  pairs: number;
  /** Medians, ms. */
  oneWorkerMs: number;
  twoWorkersMs: number;
  /** Median over the pairs of oneWorkerMs / twoWorkersMs (each pair's two calls a few ms apart). */
  pairSpeedUp: number;
  /** The pairs' speed-ups at the 25th and 75th percentiles. */
  pairSpeedUpQ1: number;
  pairSpeedUpQ3: number;
}

/** Warm calls per engine and method first: each worker thread's isolate compiles its own code (bench/scale.ts). */
const WARM_CALLS = 10;

export async function scalePaired(pairs = 40, accounts = 100_000): Promise<PairedRow[]> {
  const books = [
    { name: 'plain', json: generateSample({ accounts, seed: 7 }), runs: [{ method: 'portfolio' }, { method: 'cross' }] },
    { name: 'groups of 10, cross policy', json: generateSample({ accounts, seed: 7, accountsPerMaster: 10 }), runs: [{ method: 'cross', params: { subaccounts: { policy: 'cross' } } }] },
  ];
  const rows: PairedRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const one = await createEngine({ backend, workers: 1 }), two = await createEngine({ backend, workers: 2 });
    try {
      for (const b of books) {
        const { book, market } = validateInputs(b.json.book, b.json.market);
        const sharded = [await one.openShardedBook(book), await two.openShardedBook(book)];
        for (const options of b.runs) rows.push({ backend: one.backend, book: b.name, ...(await pairedCalls(sharded, market, options, pairs)) });
        await Promise.all(sharded.map((s) => s.release()));
      }
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  }
  return rows;
}

/** `pairs` alternated calls with `options` on books[0] (1 worker) and books[1] (2 workers), after warm ones. */
async function pairedCalls(books: ShardedBook[], market: ValidatedMarket, options: MarginOptions & { method: string }, pairs: number): Promise<Omit<PairedRow, 'backend' | 'book'>> {
  const method = options.method;
  const timed = async (b: number): Promise<number> => {
    const t0 = performance.now();
    await books[b].margin(market, options);
    return performance.now() - t0;
  };
  for (let i = 0; i < WARM_CALLS; i++) for (const b of [0, 1]) await timed(b);
  const ones: number[] = [], twos: number[] = [], ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    // alternate which goes first: neither side always follows the other's garbage
    const [first, second] = p % 2 === 0 ? [0, 1] : [1, 0];
    const t = [0, 0];
    t[first] = await timed(first);
    t[second] = await timed(second);
    ones.push(t[0]);
    twos.push(t[1]);
    ratios.push(t[0] / t[1]);
  }
  return {
    method, pairs, oneWorkerMs: quantile(ones, 0.5), twoWorkersMs: quantile(twos, 0.5),
    pairSpeedUp: quantile(ratios, 0.5), pairSpeedUpQ1: quantile(ratios, 0.25), pairSpeedUpQ3: quantile(ratios, 0.75),
  };
}

export function scalePairedTables(rows: readonly PairedRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({
    backend: r.backend, work: `${r.method} margin${r.book === 'plain' ? '' : `, ${r.book}`}`, pairs: r.pairs, '1 worker ms': +r.oneWorkerMs.toFixed(1), '2 workers ms': +r.twoWorkersMs.toFixed(1),
    'speed-up (median of pairs)': `${r.pairSpeedUp.toFixed(2)}×`, 'pairs Q1–Q3': `${r.pairSpeedUpQ1.toFixed(2)}–${r.pairSpeedUpQ3.toFixed(2)}×`,
  })) }];
}
