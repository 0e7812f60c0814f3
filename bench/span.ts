/**
 * The SPAN profile (issue 19) on the generated 100,000-account book (generateSample, seed 7): a prepared session's
 * run() = the cross kernel for equity, option base values and composite deltas (Greeks kernel), risk arrays of every
 * instrument under the 16 scenarios, the reduction of every (account, commodity), then spreads, short option minimums
 * and statuses; WASM SIMD, WASM scalar and the JS twins on the same work in one run (tinybench median and fastest).
 * Also the prepare (the risk-array inputs) and the deribit profile's run on the same book, for scale.
 * `node dist/bench.js span [accounts]` runs it alone.
 */
import { Bench } from 'tinybench';
import { createEngine } from '../src/engine.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';
import type { BenchTable } from './harness.js';

export interface SpanBenchRow {
  name: string;
  backend: string;
  medianMs: number;
  minMs: number;
}

export async function spanBench(accounts = 100_000): Promise<SpanBenchRow[]> {
  const sample = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(sample.book, sample.market);
  const engines = [await createEngine({ backend: 'wasm' }), await createEngine({ backend: 'wasm', simd: false }), await createEngine({ backend: 'js' })];
  const b = new Bench({ time: 2000, iterations: 5, warmupIterations: 2 });
  const held: { release(): void }[] = [];
  const label = new Map<string, string>();
  for (const engine of engines) {
    const session = engine.openBook(book);
    const span = session.prepare(market, { profile: 'span' });
    const deribit = session.prepare(market, { profile: 'deribit' });
    const name = (what: string) => {
      const n = `${what}, ${engine.backend}`;
      label.set(n, engine.backend);
      return n;
    };
    b.add(name(`span profile: session run, ${accounts.toLocaleString('en-US')} accounts`), () => span.run());
    b.add(name('span profile: prepare (risk-array inputs, scan ranges, tiers)'), () => session.prepare(market, { profile: 'span' }).release());
    b.add(name('deribit profile (portfolio method): session run, same book'), () => deribit.run());
    held.push(span, deribit, session);
  }
  await b.run();
  for (const h of held) h.release();
  return b.tasks.map((t) => ({
    name: t.name.replace(/, [^,]+$/, ''),
    backend: label.get(t.name)!,
    medianMs: t.result?.state === 'completed' ? t.result.latency.p50 : NaN,
    minMs: t.result?.state === 'completed' ? t.result.latency.min : NaN,
  }));
}

export function spanTables(rows: SpanBenchRow[]): BenchTable[] {
  const js = new Map(rows.filter((r) => r.backend === 'js').map((r) => [r.name, r.medianMs]));
  return [{ rows: rows.map((r) => ({
    run: r.name, backend: r.backend, 'median ms': +r.medianMs.toFixed(1), 'min ms': +r.minMs.toFixed(1),
    'js / this': `${((js.get(r.name) ?? NaN) / r.medianMs).toFixed(1)}×`,
  })) }];
}
