/**
 * `engine.margin` from JSON, end to end, on the generated 100,000-account book (issue 13 item 10): the whole call
 * and its phases (validation, layout, prepare: market + valuation, the method's run, report building), median of
 * several warm rounds, cold first call reported apart; WASM SIMD and the JS twin in the same run.
 */
import { createEngine } from '../src/engine.js';
import { generateSample } from '../src/sample/generate.js';
import { validateInputs } from '../src/model/validate.js';

export interface EndToEndRow {
  backend: string;
  method: string;
  /** ms, medians over the warm rounds. */
  validate: number;
  layout: number;
  prepare: number;
  run: number;
  report: number;
  /** engine.margin(bookJson, marketJson) as one call. */
  whole: number;
  /** The first engine.margin call of the process on this backend (JIT and memory growth included). */
  coldWhole: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function endToEndBench(accounts = 100_000, rounds = 7, methods: readonly string[] = ['cross', 'portfolio']): Promise<EndToEndRow[]> {
  const { book, market } = generateSample({ accounts, seed: 7 });
  const rows: EndToEndRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    for (const method of methods) {
      let t = performance.now();
      void engine.margin(book, market, { method }).accounts; // report rows are built on first read: timed here
      const coldWhole = performance.now() - t;
      const phases: Record<'validate' | 'layout' | 'prepare' | 'run' | 'report' | 'whole', number[]> = { validate: [], layout: [], prepare: [], run: [], report: [], whole: [] };
      for (let r = 0; r < rounds; r++) {
        t = performance.now();
        const valid = validateInputs(book, market);
        const t1 = performance.now();
        const session = engine.openBook(valid.book);
        const t2 = performance.now();
        const run = session.prepare(valid.market, { method });
        const t3 = performance.now();
        run.run();
        const t4 = performance.now();
        void run.report().accounts;
        const t5 = performance.now();
        run.release();
        session.release();
        phases.validate.push(t1 - t);
        phases.layout.push(t2 - t1);
        phases.prepare.push(t3 - t2);
        phases.run.push(t4 - t3);
        phases.report.push(t5 - t4);
        t = performance.now();
        void engine.margin(book, market, { method }).accounts;
        phases.whole.push(performance.now() - t);
      }
      rows.push({
        backend: engine.backend, method,
        validate: median(phases.validate), layout: median(phases.layout), prepare: median(phases.prepare), run: median(phases.run),
        report: median(phases.report), whole: median(phases.whole), coldWhole,
      });
    }
  }
  return rows;
}
