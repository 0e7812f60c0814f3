// A/B of a prepared margin run's kernels (`session.prepare(market, { method }).run()`) for two builds of margin-core in
// one process, calls alternating (docs/performance.md, "Measuring on shared machines"): the rule-based kernels, which
// every live tick and liquidation round re-margins through. The book: a book.arrow with its market.json beside it
// (`--book`; the CLI's `generate --format arrow` writes one), else the generated book of --accounts. Each call is timed
// by process.cpuUsage; prints per backend the medians and the median of the per-pair ratios new/old, and checks that
// both builds give the same totals.
// Usage: node scripts/perf/ab-margin.mjs NEW/dist/node/margin-core.js OLD/dist/node/margin-core.js
//          [--book DIR/book.arrow | --accounts 100000] [--pairs 15] [--method cross] [--backends wasm,js]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builds, cpuMs, median, option as optionOf, pairedRuns } from './paired.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => optionOf(argv, name, fallback);
const bookFile = option('book', undefined), accounts = Number(option('accounts', 100000));
const pairs = Number(option('pairs', 15)), method = option('method', 'cross'), backends = option('backends', 'wasm,js').split(',');
const paths = argv.slice(0, 2);
const [NEW, OLD] = await builds(argv);

/** Each build's validated book and market (a build brands its own), read from the Arrow file through its io entry. */
async function inputsOf(build, path) {
  if (bookFile === undefined) {
    const raw = NEW.generateSample({ accounts, seed: 7 });
    return build.validateInputs(raw.book, raw.market);
  }
  const io = await import(new URL('io.js', pathToFileURL(resolve(path))).href);
  const book = await io.readArrowBook(readFileSync(bookFile));
  return { book, market: build.validateMarket(JSON.parse(readFileSync(join(dirname(bookFile), 'market.json'), 'utf8')), book) };
}

const inputs = { new: await inputsOf(NEW, paths[0]), old: await inputsOf(OLD, paths[1]) };
for (const backend of backends) {
  const runs = {};
  for (const which of ['new', 'old']) {
    const engine = await (which === 'new' ? NEW : OLD).createEngine({ backend });
    runs[which] = { engine, run: engine.openBook(inputs[which].book).prepare(inputs[which].market, { method }) };
  }
  const timed = (which) => {
    const c0 = cpuMs();
    runs[which].run.run();
    const ms = cpuMs() - c0;
    return { ms, result: JSON.stringify(runs[which].run.report().totals) };
  };
  for (let k = 0; k < 3; k++) {
    timed('old');
    timed('new');
  }
  const { ratios, olds, news } = pairedRuns(pairs, timed);
  const what = bookFile ?? `${accounts} generated accounts`;
  console.log(`${runs.new.engine.backend} ${method}, ${what}: old ${median(olds).toFixed(2)} ms, new ${median(news).toFixed(2)} ms CPU; ` +
    `new/old median of ${pairs} paired ratios ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]; load ${loadavg()[0].toFixed(1)}`);
  for (const which of ['new', 'old']) runs[which].run.release();
}
