// A/B CPU time of the portfolio method's prepare (session.prepare: scenario groups, add-on plan, risk-array inputs) for
// two builds of margin-core in one process, calls alternating so that load from a shared machine hits both alike
// (docs/performance.md, "Measuring on shared machines"). The generated book (seed 7, 20 positions an account) is cut
// into chunks of accounts over the same instruments, each laid out fresh and prepared once per call, as the CLI margins
// a big book (src/cli/margin-chunks.ts). One thread, timed by process.cpuUsage; prints the medians and the median of
// the per-pair ratios new/old, and checks that both builds give the same requirements (each chunk's IM and MM totals: exact sums).
// Usage: node scripts/perf/ab-portfolio.mjs NEW/dist/node/margin-core.js OLD/dist/node/margin-core.js
//          [--accounts 300000] [--chunk 65536] [--pairs 9] [--backend wasm]
// (an old build: git archive REV | tar -x -C DIR, node_modules linked, node scripts/build.mjs in DIR)
import { loadavg } from 'node:os';
import { builds, cpuMs, median, option as optionOf, pairedRuns } from './paired.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => optionOf(argv, name, fallback);
const accounts = Number(option('accounts', 300000)), chunk = Number(option('chunk', 65536));
const pairs = Number(option('pairs', 9)), backend = option('backend', 'wasm');
const [NEW, OLD] = await builds(argv);
const raw = NEW.generateSample({ accounts, seed: 7, positionsPerAccount: 20 });
const parts = [];
for (let a = 0; a < accounts; a += chunk) parts.push({ instruments: raw.book.instruments, accounts: raw.book.accounts.slice(a, a + chunk) });
// each build brands its own validated inputs
const inputs = { new: parts.map((b) => NEW.validateInputs(b, raw.market)), old: parts.map((b) => OLD.validateInputs(b, raw.market)) };
const engines = { new: await NEW.createEngine({ backend }), old: await OLD.createEngine({ backend }) };
const layout = { positionSlack: 0, collateralSlack: 0, headroom: 0 };
/** One call of one build: the CPU ms of its prepares, and the requirements the runs then give. */
const timed = (which) => {
  let ms = 0;
  const im = [];
  for (const { book, market } of inputs[which]) {
    const session = engines[which].openBook(book, layout);
    const c0 = cpuMs();
    const run = session.prepare(market, { method: 'portfolio' });
    ms += cpuMs() - c0;
    run.run();
    const totals = run.totals();
    im.push(totals.im, totals.mm);
    run.release();
    session.release();
  }
  return { ms, result: JSON.stringify(im) };
};
timed('old');
timed('new');
const { ratios, olds, news } = pairedRuns(pairs, timed);
console.log(`${engines.new.backend} portfolio prepare, ${accounts} accounts × 20 in chunks of ${chunk}: old ${median(olds).toFixed(0)} ms, new ${median(news).toFixed(0)} ms CPU; ` +
  `new/old median of ${pairs} paired ratios ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]; load ${loadavg()[0].toFixed(1)}`);
