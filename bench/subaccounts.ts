/**
 * Subaccount roll-ups (issue 20): the generated 100,000-account book in 10,000 master groups (accountsPerMaster 10),
 * cross margin. For each backend in one run, tinybench medians of:
 *   - the margin run alone (session.marginAlone: today's report, no roll-up),
 *   - margin with the roll-up under each policy (session.margin): independent (sums per group), backstop (covers paid
 *     to the rows), cross (the pooled book margined too: a second run on 10,000 pooled accounts).
 * The target: the roll-up adds < 20% to the margin run (independent and backstop; cross is a second margin run by
 * definition and is reported beside them).
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';

export interface SubaccountBenchRow {
  backend: string;
  run: string;
  ms: number;
  /** ms / the margin run alone's ms − 1. */
  overhead: number;
}

export async function subaccountBench(accounts = 100_000, perMaster = 10): Promise<SubaccountBenchRow[]> {
  const sample = generateSample({ accounts, seed: 20, accountsPerMaster: perMaster });
  const { book, market } = validateInputs(sample.book, sample.market);
  const rows: SubaccountBenchRow[] = [];
  for (const engine of [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'js' })]) {
    const session = engine.openBook(book);
    const bench = new Bench({ time: 2000, iterations: 5, warmupIterations: 2 });
    const params = (policy: string) => ({ method: 'cross', params: { subaccounts: { policy } } });
    bench.add('margin run alone', () => session.marginAlone(market, { method: 'cross' }));
    for (const policy of ['independent', 'backstop', 'cross']) bench.add(`with roll-up, ${policy}`, () => session.margin(market, params(policy)));
    await bench.run();
    const ms = bench.tasks.map((t) => (t.result?.state === 'completed' ? t.result.latency.p50 : NaN));
    bench.tasks.forEach((t, k) => rows.push({ backend: engine.backend, run: t.name, ms: ms[k], overhead: ms[k] / ms[0] - 1 }));
    session.release();
  }
  return rows;
}

export function printSubaccounts(rows: readonly SubaccountBenchRow[]): void {
  console.table(rows.map((r) => ({ backend: r.backend, run: r.run, 'median ms': +r.ms.toFixed(1), 'vs margin run': r.run === 'margin run alone' ? '' : `${r.overhead >= 0 ? '+' : ''}${(r.overhead * 100).toFixed(1)}%` })));
}
