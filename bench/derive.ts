/**
 * The `derive` profile (Derive portfolio margin, PMRM_2) on the generated 100,000-account book: (a) the option
 * revaluation alone (every option × 5 vol families × the distinct spot shocks, the risk-array kernel) on WASM SIMD,
 * WASM scalar and the JS twin; (b) a prepared session's run (equity, revaluation, every account's scenarios and
 * contingencies, status) on WASM and JS; (c) engine.margin end to end, once each. tinybench medians, ms.
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { jsScenario, wasmScenario } from '../src/kernels/scenario.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { DEFAULT_DERIVE_PARAMS } from '../src/methods/derive/params.js';
import { type OptionSpec, revaluationInput, shockColumns } from '../src/methods/derive/revalue.js';
import { expiryTerms } from '../src/methods/derive/terms.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import type { BenchTable } from './harness.js';

export interface DeriveBenchRow {
  name: string;
  /** Median (or the single run), ms. */
  ms: number;
  minMs?: number;
}

const completed = (t: Bench['tasks'][number]) => (t.result?.state === 'completed' ? t.result.latency : undefined);

export async function deriveBench(accounts = 100_000): Promise<DeriveBenchRow[]> {
  const { book: bookJson, market: marketJson } = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(bookJson, marketJson);
  const rows: DeriveBenchRow[] = [];

  // (a) the book's options, revalued as the method does
  const p = DEFAULT_DERIVE_PARAMS;
  const valuation = Date.parse(market.valuationTime);
  const expiryIndex = new Map<string, number>();
  const expiries = [], options: OptionSpec[] = [];
  for (const ins of book.instruments) {
    if (ins.kind !== 'option') continue;
    const key = `${ins.underlying}:${ins.expiry}`;
    let e = expiryIndex.get(key);
    const a = market.assets.get(ins.underlying)!;
    if (e === undefined) {
      const seconds = (Date.parse(ins.expiry) - valuation) / 1000;
      e = expiries.length;
      expiryIndex.set(key, e);
      expiries.push(expiryTerms({ underlying: 0, seconds, forward: a.price * Math.exp(((a.rate - a.carry) * Math.max(seconds, 0)) / (365 * 86_400)), forwardFixed: 0, rate: a.rate, confidence: 1 }, p));
    }
    options.push({ expiry: e, strike: ins.strike, isCall: ins.right === 'call', vol: market.impliedVols.get(ins.id) ?? 0.5 });
  }
  const columns = shockColumns(p);
  const input = revaluationInput(options, expiries, columns, p);
  const label = `(a) revaluation ${options.length.toLocaleString('en-US')} options × 5 vol families × ${columns.shocks.length} shocks`;
  const a = new Bench({ time: 1500, warmupIterations: 3 });
  const simd = wasmScenario(await WasmKernels.create('simd')), scalar = wasmScenario(await WasmKernels.create('scalar')), js = jsScenario();
  a.add(`${label}, wasm-simd`, () => simd.riskArrays(input, columns.shocks.length));
  a.add(`${label}, wasm-scalar`, () => scalar.riskArrays(input, columns.shocks.length));
  a.add(`${label}, js`, () => js.riskArrays(input, columns.shocks.length));
  await a.run();
  for (const t of a.tasks) rows.push({ name: t.name, ms: completed(t)?.p50 ?? NaN, minMs: completed(t)?.min });

  // (b) a prepared session's run; (c) end to end
  const b = new Bench({ time: 2000, iterations: 3, warmupIterations: 1 });
  const runs = [];
  for (const engine of [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'js' })]) {
    const session = engine.openBook(book);
    const run = session.prepare(market, { profile: 'derive' });
    b.add(`(b) session run ${accounts.toLocaleString('en-US')} accounts (equity, revaluation, scenarios and contingencies, status), ${engine.backend}`, () => run.run());
    runs.push({ engine, session, run });
  }
  await b.run();
  for (const t of b.tasks) rows.push({ name: t.name, ms: completed(t)?.p50 ?? NaN, minMs: completed(t)?.min });
  for (const { engine, session, run } of runs) {
    run.release();
    session.release();
    const t0 = performance.now();
    void engine.margin(book, market, { profile: 'derive' }).accounts; // rows built on first read: timed too
    rows.push({ name: `(c) engine.margin end to end (layout, prepare, run, report), ${engine.backend}`, ms: performance.now() - t0 });
  }
  return rows;
}

export function deriveTables(rows: readonly DeriveBenchRow[]): BenchTable[] {
  return [{ rows: rows.map((r) => ({ task: r.name, 'median ms': +r.ms.toFixed(2), ...(r.minMs !== undefined ? { 'min ms': +r.minMs.toFixed(2) } : {}) })) }];
}
