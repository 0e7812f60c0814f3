/**
 * Subaccount roll-ups (issue 20): the generated 100,000-account book in 10,000 master groups (accountsPerMaster 10),
 * by cross margin and by portfolio margin. For each backend and method in one run, medians over interleaved rounds of:
 *   - today's margin run on the same accounts without masters (session.margin on that book),
 *   - margin with the roll-up under each policy (session.margin): independent (sums per group), backstop (covers paid
 *     to the rows), cross (each pool margined from the standalone run's state, MethodRun.pools.unionMargin).
 * Every task reads `report.accounts` (rows are built on first read). The target: each roll-up adds < 20% to the margin
 * run. Besides the task-to-task ratios, each task with masters measures its own roll-up against its own margin runs
 * and the reading of its rows (`rollupShare`): the figure load and garbage collection disturb least.
 */
import { createEngine } from '../src/engine.js';
import { marginWithPolicy, type PolicyHost } from '../src/subaccounts/policy.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import { Random } from '../src/sample/random.js';
import type { BenchTable } from './harness.js';


export interface SubaccountBenchRow {
  backend: string;
  method: string;
  run: string;
  ms: number;
  /** ms / today's margin run's ms − 1. */
  overhead: number;
  /** The fastest round (ms), and the overhead from the fastest rounds: what contention spares least. */
  minMs: number;
  minOverhead: number;
  /**
   * Measured inside each task, so neither load drift nor garbage collection between tasks can move it: the time the
   * call spent outside its margin runs (the roll-up, the pools' unionMargin included) over the time in its margin runs
   * plus reading the report's rows (what the task without masters times as the margin run; median over rounds).
   * Absent for the run without masters.
   */
  rollupShare?: number;
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
    // The grouped session as the policy layer's host, with its margin runs timed apart from the hook that margins pools.
    let inRuns = 0;
    const host: PolicyHost = {
      book: session.book, registry: session.registry, layout: session.layout,
      marginAlone: (m, o, after) => {
        const t0 = performance.now();
        let hook = 0;
        const report = session.marginAlone(m, o, after && ((run) => {
          const t = performance.now();
          after(run);
          hook += performance.now() - t;
        }));
        inRuns += performance.now() - t0 - hook;
        return report;
      },
      openBook: (b) => session.openBook(b),
    };
    const policies = ['independent', 'backstop', 'cross'] as const;
    const shares = policies.map(() => [] as number[]);
    const tasks: [string, () => unknown][] = [
      ['margin run (the book without masters)', () => today.margin(market, { method }).accounts], // rows built on first read, as the roll-ups read them
      ...policies.map((policy, p): [string, () => unknown] => [`with roll-up, ${policy}`, () => {
        inRuns = 0;
        const t0 = performance.now();
        const report = marginWithPolicy(host, market, params(policy), method, policy); // what session.margin calls for a book with masters
        const t1 = performance.now();
        void report.accounts; // rows built on first read, as the margin run's task reads them
        // the margin run it adds to: the runs and their rows, as the task without masters times them
        shares[p].push((t1 - t0 - inRuns) / (inRuns + performance.now() - t1));
      }]),
    ];
    // Interleaved rounds (each task once per round, in an order shuffled per round by a seeded generator; medians over
    // rounds): the ratio is what is measured, and on a shared machine load drifts over seconds, which one task after
    // another (tinybench's order) would charge to one task. The shuffle matters too: each call leaves a 100,000-row
    // report behind, and the major collection that causes every other call landed, in a fixed order, on the same task
    // of every round (measured: an independent roll-up +186% while backstop, which does more, +37%).
    const samples = tasks.map(() => [] as number[]);
    const random = new Random(20);
    for (let round = 0; round < rounds + 2; round++) {
      const order = tasks.map((_, k) => k);
      for (let i = order.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (const k of order) {
        const t0 = performance.now();
        tasks[k][1]();
        if (round >= 2) samples[k].push(performance.now() - t0); // two warm-up rounds
      }
    }
    const ms = samples.map((s) => s.sort((x, y) => x - y)[s.length >> 1]);
    const min = samples.map((s) => s[0]);
    const median = (x: number[]) => x.slice(2).sort((a, b) => a - b)[(x.length - 2) >> 1]; // warm-up rounds dropped
    tasks.forEach(([name], k) => rows.push({
      backend: engine.backend, method, run: name, ms: ms[k], overhead: ms[k] / ms[0] - 1, minMs: min[k], minOverhead: min[k] / min[0] - 1,
      ...(k > 0 ? { rollupShare: median(shares[k - 1]) } : {}),
    }));
    session.release();
    today.release();
  }
  return rows;
}

export function subaccountTables(rows: readonly SubaccountBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ backend: r.backend, method: r.method, run: r.run, 'median ms': +r.ms.toFixed(1), 'vs margin run': r.run.startsWith('margin run') ? '' : pct(r.overhead), 'min ms': +r.minMs.toFixed(1), 'min vs min': r.run.startsWith('margin run') ? '' : pct(r.minOverhead), 'roll-up in the call': r.rollupShare === undefined ? '' : pct(r.rollupShare) })) }];
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
}

export interface PoolTrialRow {
  backend: string;
  method: string;
  /** `independent`: each account judged alone; `cross`: a member judged by its pool (src/live/pool-trial.ts). */
  policy: string;
  /** A what-if, a pre-trade check (per member), or a price tick of BTC (−1% to −7%, the median of 7). */
  call: 'whatIf' | 'check' | 'tick BTC';
  calls: number;
  p50: number;
  p99: number;
}

/**
 * Live what-ifs and pre-trade checks judged by the pool (src/live/pool-trial.ts) beside the same calls judged by the
 * account alone: the generated book in groups of `perMaster` (accountsPerMaster), live sessions of cross and portfolio
 * margin under the `independent` and the `cross` subaccount policy, WASM and the JS twin in one run. Per member (spread
 * over the book), one session.whatIf of a BTC-PERP buy of 0.1 at the mark and one session.check of the same order;
 * p50 / p99 in µs (performance.now around each call), after `warm` calls of each. Then 7 BTC ticks (−1% … −7%), which
 * reach most groups: their median and slowest, µs (under cross the pools' status events are worked out too).
 */
export async function poolTrialBench(accounts = 100_000, perMaster = 10, count = 1_000, warm = 50): Promise<PoolTrialRow[]> {
  const sample = generateSample({ accounts, seed: 20, accountsPerMaster: perMaster });
  const { book, market } = validateInputs(sample.book, sample.market);
  const ids = book.accounts.map((a) => a.id);
  const rows: PoolTrialRow[] = [];
  for (const engine of [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'js' })]) {
    for (const method of ['cross', 'portfolio']) {
      for (const policy of ['independent', 'cross']) {
        const live = engine.live(book, market, { method, params: { subaccounts: { policy } } });
        try {
          const trade = { instrument: 'BTC-PERP', quantity: 0.1 };
          const calls = { whatIf: (id: string) => live.whatIf(id, [trade]), check: (id: string) => live.check(id, trade) };
          for (const [call, run] of Object.entries(calls) as ['whatIf' | 'check', (id: string) => unknown][]) {
            for (let k = 0; k < warm; k++) run(ids[(k * 7919) % ids.length]);
            const times: number[] = [];
            for (let k = 0; k < count; k++) {
              const id = ids[(k * 104_729 + 13) % ids.length];
              const t0 = performance.now();
              run(id);
              times.push((performance.now() - t0) * 1000);
            }
            times.sort((x, y) => x - y);
            rows.push({ backend: live.backend, method, policy, call, calls: count, p50: times[count >> 1], p99: times[Math.min(count - 1, Math.floor(count * 0.99))] });
          }
          // ticks reach most groups: under cross their pools' statuses are worked out too (pool status events)
          const btc = live.marketJson.assets.BTC.price, ticks: number[] = [];
          live.applyTick({ assets: { BTC: { price: btc * 1.001 } } }); // the first tick builds what ticks reuse
          for (let k = 1; k <= 7; k++) {
            const t0 = performance.now();
            live.applyTick({ assets: { BTC: { price: btc * (1 - 0.01 * k) } } });
            ticks.push((performance.now() - t0) * 1000);
          }
          ticks.sort((x, y) => x - y);
          rows.push({ backend: live.backend, method, policy, call: 'tick BTC', calls: 7, p50: ticks[3], p99: ticks[6] });
        } finally {
          live.release();
        }
      }
    }
  }
  return rows;
}

export function poolTrialTables(rows: readonly PoolTrialRow[]): BenchTable[] {
  const alone = (r: PoolTrialRow) => rows.find((x) => x.backend === r.backend && x.method === r.method && x.call === r.call && x.policy === 'independent');
  return [{
    rows: rows.map((r) => ({
      backend: r.backend, method: r.method, call: r.call, policy: r.policy, 'p50 µs': +r.p50.toFixed(1), 'p99 µs': +r.p99.toFixed(1),
      'p50 vs alone': r.policy === 'independent' ? '' : `${(r.p50 / alone(r)!.p50).toFixed(1)}×`,
    })),
  }];
}
