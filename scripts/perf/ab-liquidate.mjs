// A/B CPU time of a session's liquidation (engine.liquidate(session, …); session.liquidate in builds before it) for two builds of margin-core in one process, calls alternating so that load
// from a shared machine hits both alike (docs/performance.md, "Measuring on shared machines"). The book: the
// generated one of bench/liquidation.ts (seed 7), or with --one the one-account book of N positions. Each call opens
// a fresh session (outside the timing) and is timed by process.cpuUsage; prints per backend the medians and the
// median of the per-pair ratios new/old, and checks that both builds give the same totals.
// Usage: node scripts/perf/ab-liquidate.mjs NEW/dist/node/margin-core.js OLD/dist/node/margin-core.js
//          [--accounts 100000] [--pairs 15] [--method cross] [--one 20] [--calls 300]
// (an old build: git archive REV | tar -x -C DIR, node_modules linked, node scripts/build.mjs in DIR)
import { loadavg } from 'node:os';
import { builds, cpuMs, median, option as optionOf, pairedRuns } from './paired.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => optionOf(argv, name, fallback);
const accounts = Number(option('accounts', 100000)), pairs = Number(option('pairs', 15)), method = option('method', 'cross');
const one = Number(option('one', 0)), calls = one > 0 ? Number(option('calls', 300)) : 1;
const [NEW, OLD] = await builds(argv);

/** bench/liquidation.ts's one-account book: the generated market's perpetuals and futures, then options, at health 0.9. */
async function oneAccountBook(positions) {
  const sample = NEW.generateSample({ accounts: 1, seed: 3, positionsPerAccount: 20 });
  const book = structuredClone(sample.book), market = sample.market;
  const linear = book.instruments.filter((i) => i.kind !== 'option').slice(0, positions);
  const options = book.instruments.filter((i) => i.kind === 'option').slice(0, Math.max(0, positions - linear.length));
  book.instruments = [...linear, ...options];
  book.accounts = [{ id: 'one', collateral: [], positions: [
    ...linear.map((i, k) => ({ instrument: i.id, quantity: (k % 2 ? -1 : 1) * 2 * (1 + (k % 3)), entryPrice: market.marks[i.id] * (k % 2 ? 0.995 : 1.005) })),
    ...options.map((i, k) => ({ instrument: i.id, quantity: k % 2 ? -1 : 1, entryPrice: 0 })),
  ] }];
  const bare = (await NEW.createEngine({ backend: 'js' })).margin(book, market, { method }).accounts[0];
  book.accounts[0].collateral = [{ asset: 'USDC', amount: 0.9 * bare.mm - bare.equityMm }];
  return { book, market };
}

const raw = one > 0 ? await oneAccountBook(one) : NEW.generateSample({ accounts, seed: 7 });
// each build brands its own validated inputs
const inputs = { new: NEW.validateInputs(raw.book, raw.market), old: OLD.validateInputs(raw.book, raw.market) };
for (const backend of ['wasm', 'js']) {
  const engines = { new: await NEW.createEngine({ backend }), old: await OLD.createEngine({ backend }) };
  /** The mean CPU ms of `calls` calls of one build, and its totals. */
  const timed = (which) => {
    let ms = 0, totals = '';
    for (let k = 0; k < calls; k++) {
      const session = engines[which].openBook(inputs[which].book);
      const c0 = cpuMs();
      // builds before the session became a run factory liquidate through the session itself
      const report = typeof session.liquidate === 'function' ? session.liquidate(inputs[which].market, { method }) : engines[which].liquidate(session, inputs[which].market, { method });
      ms += cpuMs() - c0;
      totals = JSON.stringify(report.totals);
      session.release();
    }
    return { ms: ms / calls, result: totals };
  };
  for (let k = 0; k < 3; k++) {
    timed('old');
    timed('new');
  }
  const { ratios, olds, news } = pairedRuns(pairs, timed);
  const what = one > 0 ? `one account of ${one} positions (${calls} calls a sample)` : `${accounts} accounts`;
  console.log(`${engines.new.backend} ${method}, ${what}: old ${median(olds).toFixed(3)} ms, new ${median(news).toFixed(3)} ms CPU; ` +
    `new/old median of ${pairs} paired ratios ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]; load ${loadavg()[0].toFixed(1)}`);
}
