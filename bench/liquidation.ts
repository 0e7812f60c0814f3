/**
 * Liquidation benchmark (issue 14), tinybench, WASM SIMD against the JS twin in the same run:
 *  - the generated 100,000-account book (seed 7; at its own marks 5.9% of the accounts are below MM under cross margin
 *    and 9.9% under portfolio margin), liquidated under cross and portfolio margin: `engine.liquidate(session, …)` (prepare, the
 *    margin run, every plan, the report) beside the margin run alone (`prepare().run()`) on a fresh layout each time;
 *    the report builds its accounts, steps and ADL fills on first read (src/liquidation/plan-columns.ts), so the call
 *    is also timed with every step and fill read (`liquidate + read`: what a caller that walks the plan pays);
 *  - one account of 20 positions (16 perpetuals and futures, 4 options) at health 0.9, liquidated alone under cross margin,
 *    beside preparing and running cross margin alone on the same one-account book (what the whole call spends before
 *    the plan: the plan part is the difference of the two medians), in a process of its own per backend (this bundle,
 *    `liquidation-one BACKEND`), as JMH forks one per benchmark: after the 100,000-account runs, whose portfolio plans
 *    leave the shared code's call sites polymorphic, the same call read up to twice as long.
 * Medians of tinybench samples (the book: five after three warm-up runs); a fresh session per iteration (liquidation
 * changes the layout), opened outside the timing.
 */
import { spawn } from 'node:child_process';
import { referenceNow, type SpeedSummary, type SpeedWindow, summarise, windowsWithReference } from './machine-speed.js';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { createEngine, type Engine } from '../src/engine.js';
import type { LiquidationReport } from '../src/liquidation/report.js';
import type { Book, Market } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import type { MarginSession } from '../src/session/session.js';
import { liquidateSession } from '../src/liquidation/liquidate-session.js';

export interface LiquidationBenchRow {
  backend: string;
  method: string;
  accounts: number;
  /** Accounts below MM at the start, and the steps of the plan. */
  breaching: number;
  steps: number;
  adlFills: number;
  /** The margin run alone, the whole liquidation, and the liquidation with every step and fill read (ms, tinybench medians). */
  marginMs: number;
  liquidateMs: number;
  liquidateReadMs: number;
  /** The liquidate call again, one call per window bracketed by the machine's reference loop (bench/machine-speed.ts). */
  speed: SpeedSummary;
}

export interface OneAccountRow {
  backend: string;
  positions: number;
  steps: number;
  /** `engine.liquidate(session, …)` on the one-account book, µs (tinybench median). */
  microseconds: number;
  /** `prepare` + margin run (cross) alone on the same book, µs (tinybench median): the part of the whole call before the plan. */
  marginMicroseconds: number;
  /** The whole call again in windows of calls, each beside the machine's reference loop (bench/machine-speed.ts), µs. */
  speed: SpeedSummary;
}

/** A bench whose every iteration gets a fresh session on `book`, released after. */
function sessionTask(bench: Bench, name: string, open: () => MarginSession, fn: (s: MarginSession) => void): void {
  let session: MarginSession | undefined;
  bench.add(name, () => fn(session!), {
    beforeEach: () => {
      session = open();
    },
    afterEach: () => {
      session?.release();
      session = undefined;
    },
  });
}

/** Reads every account's steps and every ADL fill of a report (a number of each: the objects are built); returns a sum. */
function readAll(report: LiquidationReport): number {
  let sum = 0;
  for (const a of report.accounts) for (const s of a.steps) sum += s.quantity;
  for (const f of report.adl) sum += f.quantity;
  return sum;
}

/** 100,000-account calls timed again beside the machine's reference loop, per method and backend. */
const SPEED_CALLS = 8;

const median = (bench: Bench, name: string) => {
  const r = bench.getTask(name)?.result;
  return r?.state === 'completed' ? r.latency.p50 : NaN;
};

export async function liquidationBench(accounts = 100_000): Promise<{ rows: LiquidationBenchRow[]; oneAccount: OneAccountRow[] }> {
  const sample = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(sample.book, sample.market);
  const rows: LiquidationBenchRow[] = [];
  const oneAccount: OneAccountRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    // steady state: the plan's code is optimised by the JIT over its first few runs (the first takes several times
    // longer), so three warm-up runs, then five timed
    const bench = new Bench({ time: 0, iterations: 5, warmup: true, warmupIterations: 3, warmupTime: 0 });
    for (const method of ['cross', 'portfolio']) {
      sessionTask(bench, `${method} margin`, () => engine.openBook(book), (s) => {
        const run = s.prepare(market, { method });
        run.run();
        run.release();
      });
      sessionTask(bench, `${method} liquidate`, () => engine.openBook(book), (s) => void liquidateSession(s, market, { method }));
      sessionTask(bench, `${method} liquidate + read`, () => engine.openBook(book), (s) => void readAll(liquidateSession(s, market, { method })));
    }
    await bench.run();
    for (const method of ['cross', 'portfolio']) {
      const session = engine.openBook(book);
      const report = liquidateSession(session, market, { method });
      session.release();
      // the call again, each a window of its own between two readings of the machine's speed
      const windows: SpeedWindow[] = [];
      for (let k = 0; k < SPEED_CALLS; k++) {
        const s = engine.openBook(book);
        const before = referenceNow();
        const t0 = performance.now();
        liquidateSession(s, market, { method });
        const ms = performance.now() - t0;
        windows.push({ median: ms, referenceUs: (before + referenceNow()) / 2 });
        s.release();
      }
      rows.push({
        backend: engine.backend, method, accounts, breaching: report.totals.accountsBreaching, steps: report.accounts.reduce((n, a) => n + a.steps.length, 0),
        adlFills: report.adl.length, marginMs: median(bench, `${method} margin`), liquidateMs: median(bench, `${method} liquidate`),
        liquidateReadMs: median(bench, `${method} liquidate + read`), speed: summarise(windows),
      });
    }
    // steady state: the call's code settles over its first ~2,000–3,500 calls (a fresh session each), so a second of
    // calls warms it (tinybench counts the timed part only) before half a second is measured
    oneAccount.push(await oneAccountInOwnProcess(backend));
  }
  return { rows, oneAccount };
}

/** {@link oneAccountBench} in a process of its own (this bundle, `liquidation-one BACKEND`): its row, read from its output. */
function oneAccountInOwnProcess(backend: 'wasm' | 'js'): Promise<OneAccountRow> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'liquidation-one', backend], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as OneAccountRow) : reject(new Error(`liquidation-one ${backend} exited with ${code}`))));
  });
}

/** The one-account bench on `backend`: the whole `engine.liquidate(session, …)` call and the prepare + margin run alone. */
export async function oneAccountBench(backend: 'wasm' | 'js'): Promise<OneAccountRow> {
  const engine = await createEngine({ backend });
  const one = oneAccountBook(engine);
  // steady state: the call's code settles over its first ~2,000–3,500 calls (a fresh session each), so a second of
  // calls warms it (tinybench counts the timed part only) before half a second is measured
  const small = new Bench({ time: 500, iterations: 50, warmupTime: 1000, warmupIterations: 20 });
  sessionTask(small, 'one account', () => engine.openBook(one.book), (s) => void liquidateSession(s, one.market, { method: 'cross' }));
  sessionTask(small, 'one account margin', () => engine.openBook(one.book), (s) => {
    const run = s.prepare(one.market, { method: 'cross' });
    run.run();
    run.release();
  });
  await small.run();
  // the whole call again in windows of 400, a reference run after each call (bench/machine-speed.ts)
  const speed = windowsWithReference(40, 400, () => {
    const s = engine.openBook(one.book);
    const t0 = performance.now();
    liquidateSession(s, one.market, { method: 'cross' });
    const us = (performance.now() - t0) * 1000;
    s.release();
    return us;
  });
  const session = engine.openBook(one.book);
  const report = liquidateSession(session, one.market, { method: 'cross' });
  session.release();
  return {
    backend: engine.backend, positions: one.book.accounts[0].positions.length, steps: report.accounts[0]?.steps.length ?? 0, microseconds: median(small, 'one account') * 1000,
    marginMicroseconds: median(small, 'one account margin') * 1000, speed,
  };
}

/**
 * One account of 20 positions: the 16 perpetuals and futures of the generated market, long and short, and 4 options,
 * with USDC enough for health 0.9 (equity for MM = 0.9 × MM): a typical liquidation, a few partial closes.
 */
function oneAccountBook(engine: Engine): { book: ReturnType<typeof validateInputs>['book']; market: ReturnType<typeof validateInputs>['market'] } {
  const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 20 });
  const book: Book = structuredClone(sample.book);
  const market: Market = sample.market;
  const linear = book.instruments.filter((i) => i.kind !== 'option');
  const options = book.instruments.filter((i) => i.kind === 'option').slice(0, 20 - linear.length);
  const marks = market.marks as Record<string, number>;
  book.instruments = [...linear, ...options];
  const positions = [
    ...linear.map((i, k) => ({ instrument: i.id, quantity: (k % 2 ? -1 : 1) * 2 * (1 + (k % 3)), entryPrice: marks[i.id] * (k % 2 ? 0.995 : 1.005) })),
    ...options.map((i, k) => ({ instrument: i.id, quantity: k % 2 ? -1 : 1, entryPrice: 0 })),
  ];
  book.accounts = [{ id: 'twenty', collateral: [], positions }];
  const bare = engine.margin(book, market, { method: 'cross' }).accounts[0];
  book.accounts[0].collateral = [{ asset: 'USDC', amount: 0.9 * bare.mm - bare.equityMm }];
  const valid = validateInputs(book, market);
  if (valid.book.accounts[0].positions.length !== 20) throw new Error('the one-account bench book must hold 20 positions');
  return valid;
}
