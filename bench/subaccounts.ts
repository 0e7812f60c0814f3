/**
 * Subaccount roll-ups (issue 20): the generated 100,000-account book in 10,000 master groups (accountsPerMaster 10),
 * by cross margin and by portfolio margin. For each backend and method in one run, medians over interleaved rounds of:
 *   - today's margin run on the same accounts without masters (session.margin on that book),
 *   - margin with the roll-up under each policy (session.margin): independent (sums per group), backstop (covers paid
 *     to the rows), cross (each pool margined from the standalone run's state, MethodRun.unionMargin).
 * The target: each roll-up adds < 20% to the margin run.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';

/** A full garbage collection (the `gc` that --expose-gc gives, obtained at run time: `node dist/bench.js` has no flags). */
function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const collect = gcFunction();

export interface SubaccountBenchRow {
  backend: string;
  method: string;
  run: string;
  ms: number;
  /** ms / today's margin run's ms − 1. */
  overhead: number;
}

export async function subaccountBench(accounts = 100_000, perMaster = 10, rounds = 15, methods: readonly string[] = ['cross', 'portfolio']): Promise<SubaccountBenchRow[]> {
  const grouped = generateSample({ accounts, seed: 20, accountsPerMaster: perMaster });
  const plain = generateSample({ accounts, seed: 20 }); // the same accounts, no masters: today's margin run
  const { book, market } = validateInputs(grouped.book, grouped.market);
  const plainBook = validateInputs(plain.book, plain.market).book;
  const rows: SubaccountBenchRow[] = [];
  for (const engine of [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'js' })]) for (const method of methods) {
    const session = engine.openBook(book);
    const today = engine.openBook(plainBook);
    const params = (policy: string) => ({ method, params: { subaccounts: { policy } } });
    const tasks: [string, () => unknown][] = [
      ['margin run (the book without masters)', () => today.margin(market, { method })],
      ...['independent', 'backstop', 'cross'].map((policy): [string, () => unknown] => [`with roll-up, ${policy}`, () => session.margin(market, params(policy))]),
    ];
    // Interleaved rounds (each task once per round, medians over rounds): the ratio is what is measured, and on a
    // shared machine load drifts over seconds, which one task after another (tinybench's order) would charge to one task.
    // A full collection before each timed call, outside the timing: each call leaves a 100,000-row report behind, and
    // the major collection it causes every other call otherwise lands on the same task of every round (measured: an
    // independent roll-up +186% while backstop, which does more, +37%).
    const samples = tasks.map(() => [] as number[]);
    for (let round = 0; round < rounds + 2; round++) {
      tasks.forEach(([, fn], k) => {
        collect();
        const t0 = performance.now();
        fn();
        if (round >= 2) samples[k].push(performance.now() - t0); // two warm-up rounds
      });
    }
    const ms = samples.map((s) => s.sort((x, y) => x - y)[s.length >> 1]);
    tasks.forEach(([name], k) => rows.push({ backend: engine.backend, method, run: name, ms: ms[k], overhead: ms[k] / ms[0] - 1 }));
    session.release();
    today.release();
  }
  return rows;
}

export function printSubaccounts(rows: readonly SubaccountBenchRow[]): void {
  console.table(rows.map((r) => ({ backend: r.backend, method: r.method, run: r.run, 'median ms': +r.ms.toFixed(1), 'vs margin run': r.run.startsWith('margin run') ? '' : `${r.overhead >= 0 ? '+' : ''}${(r.overhead * 100).toFixed(1)}%` })));
}
