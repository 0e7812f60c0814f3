/**
 * The demo's timings: every method's kernels and whole call on a generated book, and the Greeks of the sample's option
 * chain tiled to ~200,000 options, on each engine in the same run (compare the ratios, not the absolute times).
 */
import type { Engine } from '../../engine.js';
import type { BookOptions } from '../../greeks/book-options.js';
import { allocateGreeksOutput } from '../../model/greeks-types.js';
import type { MarginMethod } from '../../margin/report.js';
import { MARGIN_METHODS } from '../../methods/registry.js';
import type { ValidatedBook, ValidatedMarket } from '../../model/types.js';
import { table } from '../../report/format.js';
import type { MarginSession } from '../../session/session.js';
import type { Progress } from '../progress.js';

/** Whole-call runs per timing (best of: the minimum is the least noisy figure on a shared machine). */
const CALL_RUNS = 7;
/** Kernel-only runs per timing (best of). */
const KERNEL_RUNS = 10;
/** Time spent timing one method on one backend, at most (ms, after the first run). */
const TIMING_BUDGET_MS = 250;
/** Options priced per Greeks timing sample: enough to time the kernel, not the call overhead. */
const GREEKS_OPTIONS = 200_000;

export interface MethodTiming {
  method: MarginMethod;
  /** Best-of time of the margin kernels alone per engine (ms): inputs already in place (`prepare().run()`). */
  kernelMs: number[];
  /** Best-of wall time per engine (ms): options valued, kernels run, report built, on a laid-out book. */
  callMs: number[];
}

/** Steps {@link timeMethods} and {@link greeksTiming} advance the progress bar by. */
export function timingSteps(engines: number): number {
  return MARGIN_METHODS.length * engines + engines * 3;
}

export function timeMethods(book: ValidatedBook, market: ValidatedMarket, engines: Engine[], bar: Progress): MethodTiming[] {
  const sessions = engines.map((e) => e.openBook(book));
  try {
    // Warm-up pass over every method and engine first: the JS around the kernels (valuation, report
    // building) is shared, so whichever pair was timed first would otherwise pay for its JIT compilation.
    for (const method of MARGIN_METHODS) for (const session of sessions) session.margin(market, { method });
    return MARGIN_METHODS.map((method) => {
      const timing: MethodTiming = { method, kernelMs: [], callMs: [] };
      sessions.forEach((session, k) => {
        bar.note(`timing ${method} on ${engines[k].backend}`);
        timing.kernelMs.push(kernelTime(session, market, method));
        timing.callMs.push(bestOf(CALL_RUNS, () => session.margin(market, { method })));
        bar.advance();
      });
      return timing;
    });
  } finally {
    for (const s of sessions) s.release();
  }
}

/**
 * The fastest of up to `runs` timed calls (ms), stopping early once they have taken TIMING_BUDGET_MS
 * together: slow methods are timed fewer times, so the demo still ends in seconds.
 */
function bestOf(runs: number, call: () => unknown): number {
  let best = Infinity;
  let spent = 0;
  for (let i = 0; i < runs && spent < TIMING_BUDGET_MS; i++) {
    const t0 = performance.now();
    call();
    const ms = performance.now() - t0;
    best = Math.min(best, ms);
    spent += ms;
  }
  return best;
}

/** The kernels alone, re-run on prepared inputs: the part WASM accelerates. */
function kernelTime(session: MarginSession, market: ValidatedMarket, method: MarginMethod): number {
  const prepared = session.prepare(market, { method });
  try {
    return bestOf(KERNEL_RUNS, () => prepared.run());
  } finally {
    prepared.release();
  }
}

export function timingSection(accounts: number, timings: MethodTiming[], engines: Engine[]): string {
  const js = engines.findIndex((e) => e.backend === 'js');
  const ms = (x: number) => x.toFixed(x < 1 ? 3 : 2);
  const rows = timings.flatMap((t) => [
    [`${t.method} kernels`, ...t.kernelMs.map(ms), `${(t.kernelMs[js] / t.kernelMs[0]).toFixed(1)}×`],
    [`${t.method} whole call`, ...t.callMs.map(ms), `${(t.callMs[js] / t.callMs[0]).toFixed(1)}×`],
  ]);
  return `Timings on this run, ms, on a generated book of ${accounts.toLocaleString('en-US')} accounts (seed 7):\n` +
    `the margin kernels alone (best of ${KERNEL_RUNS} runs) and the whole call (value options, run kernels, build the report;\n` +
    `best of ${CALL_RUNS}); fewer runs for a method slower than ${TIMING_BUDGET_MS} ms in all. Compare the ratios, not the times.\n` +
    table(['method', ...engines.map((e) => e.backend), `js / ${engines[0].backend}`], rows);
}

/** The book's option chain tiled to ~GREEKS_OPTIONS and priced on each backend, best of 3. */
export function greeksTiming(chain: BookOptions, engines: Engine[], bar: Progress): string {
  const copies = Math.max(1, Math.round(GREEKS_OPTIONS / Math.max(chain.ids.length, 1)));
  const n = copies * chain.ids.length;
  if (n === 0) return 'Greeks: the book has no options.';
  const tile = (a: Float64Array | Uint8Array) => {
    const big = new (a.constructor as typeof Float64Array)(n);
    for (let c = 0; c < copies; c++) big.set(a as Float64Array, c * a.length);
    return big;
  };
  const input = Object.fromEntries(Object.entries(chain.input).map(([k, v]) => [k, tile(v)])) as unknown as typeof chain.input;
  const out = allocateGreeksOutput(n);
  const results = engines.map((e) => {
    bar.note(`Greeks on ${e.backend}`);
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      e.greeksInto(input, out);
      best = Math.min(best, performance.now() - t0);
      bar.advance();
    }
    return { backend: e.backend, ns: (best * 1e6) / n, price: out.price.slice() };
  });
  const identical = results.every((r) => r.price.every((x, i) => Object.is(x, results[0].price[i])));
  return `Greeks of the option chain tiled to ${n.toLocaleString('en-US')} options, best of 3, ns/option:\n  ` +
    `${results.map((r) => `${r.backend} ${r.ns.toFixed(1)}`).join(', ')} (${identical ? 'bit-identical' : 'DIFFER'}).`;
}
