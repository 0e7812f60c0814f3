/**
 * Report fingerprints: the SHA-256 of every method's report (its JSON, the `backend` field left out) on the bundled
 * sample (breakdown on) and on a generated 10,000-account book, for every backend. They pin the numbers to the bit:
 * a refactoring must leave them unchanged, and a deliberate change of results must update them in a commit that says
 * which numbers changed and why.
 *
 * History of deliberate changes (newest last):
 * - initial: recorded before the method plug-in restructuring (issue 12), which must not change a byte.
 * - statusReason added to every account row (issue 13 item 13); checked: with that field left out, the digests are the
 *   previous ones (no number moved).
 * - issue 21 (vol floor never above an option's own vol, exact VaR tail count, totals.efficiency over accounts with
 *   IM > 0): no digest changed. Checked after the fact, per account, against a build of this tree with the three old
 *   rules put back, every variant below on js, wasm-scalar and wasm-simd: the sample, this 10k book and the benchmark
 *   book (bench/layout.ts syntheticBook, 100,000 × 20) are identical account by account and in totals, since none of
 *   their options is quoted below the 0.10 floor (implied vols 0.43 and up). Where options are below it, only
 *   portfolio accounts holding one change: with every implied vol of the sample × 0.2, 76 of 300 accounts (exactly
 *   the 76 holding one of its 82 options below 0.10) and 0 under isolated, cross and every VaR variant; with
 *   portfolio volFloor 0.5, 76 / 1,213 / 47,344 accounts of the sample / 10k / benchmark book, each holding an option
 *   below 0.5.
 * - issue 19: the span method (defaults, and the span profile's parameters) added; recorded as first computed, after
 *   its conformance cases (test/conformance/span/) matched the hand-derived figures; every earlier digest unchanged.
 * - issue 36: totals summed exactly (src/margin/exact-totals.ts: each the exact sum rounded once, no longer the sum
 *   in book order) and `totals.complete` / `totals.covered` added. Every digest changed; only `totals` moved: with
 *   the two new fields left out and totals.equity, im, mm, grossNotional and efficiency summed in book order as
 *   before, every digest is the previous one, on every backend. The moves are the ordered sums' rounding: e.g. on the
 *   sample, equity 27435089.996158853 → 27435089.99615888, cross IM 9271030.563783718 → 9271030.563783716, gross
 *   notional 99963976.36655009 → 99963976.36655 (a few ulps each, efficiency by ~1e-14).
 * - first contact (one display formatter), after issue 36: every digest changed, and only through `statusReason`, whose figures are
 *   now written like the tables' money (grouped, cents: "equity for MM 655.31 < MM 567,970.00" instead of
 *   "655.314 < 567970"); checked: with `statusReason` left out, each method's report on the sample and on this 10k
 *   book is the same bytes as on main before the merge (no number moved).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, type MarginMethod, MARGIN_METHODS, validateInputs } from '../src/index.js';
import { SPAN_PROFILE } from '../src/profiles/span.js';
import { allEngines } from './support/engines.js';
import { SAMPLE } from './support/cli.js';
import { expectValidReport } from './support/schemas.js';

/** Variants run besides each method's defaults: the VaR models other than delta-normal. */
const VARIANTS: { name: string; method: MarginMethod; params: Record<string, unknown> }[] = [
  ...MARGIN_METHODS.map((method) => ({ name: method, method, params: {} })),
  { name: 'var delta-gamma es', method: 'var', params: { var: { model: 'delta-gamma', measure: 'es' } } },
  { name: 'var monte-carlo', method: 'var', params: { var: { model: 'monte-carlo', scenarios: 500, seed: 11 } } },
  { name: 'var historical', method: 'var', params: { var: { model: 'historical', returns: returnsMatrix() } } },
  { name: 'var ewma', method: 'var', params: { var: { covariance: 'ewma', returns: returnsMatrix() } } },
  { name: 'portfolio correlation', method: 'portfolio', params: { portfolio: { aggregation: 'correlation' } } },
  { name: 'span profile', method: 'span', params: SPAN_PROFILE.params },
];

/** 120 days of deterministic returns for the sample's six assets (an LCG; the numbers only need to be fixed). */
function returnsMatrix(): { assets: string[]; matrix: number[][] } {
  const assets = ['AVAX', 'BTC', 'DOGE', 'ETH', 'SOL', 'XRP'];
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.12;
  return { assets, matrix: Array.from({ length: 120 }, () => assets.map(() => next())) };
}

const EXPECTED: Record<string, Record<string, string>> = {
  sample: {
    isolated: 'bb838059294235de2fc0ebe053ef56e9',
    cross: '5eab3363e235cb68615eab7845ca9afa',
    portfolio: 'c79713d38b8104eb5719b743a8d31d0e',
    var: '36f3a21c014e0902223566e4f17fe6d4',
    'var delta-gamma es': '13392ef0a0f4d3482c4bdab12ea01666',
    'var monte-carlo': 'f6fb91e0b43625974fa7f7cfc5acbe89',
    'var historical': 'af9af4ee247567a9b14f2da028e3414b',
    'var ewma': '6eb08108f5abe7805aa439df558d40fb',
    derive: '589911dd63326f840fc4f8a0ba61e279',
    'portfolio correlation': 'bd1b5e2734ffa5a4ed9279cd829a6251',
    span: '0946d53e588421d90bf37c72f8ee49df',
    'span profile': '6fb8566644d35a5161468f58ebcdac9d',
  },
  generated10k: {
    isolated: 'c2309e7a2ef6b6fdc2c641d650586d58',
    cross: '745af3a5e6990b0d01bd999c31e68e6e',
    portfolio: '836b438e5a8e2414d7f1514ea834de21',
    var: 'c3148a9476b87ba2437e852926d0b608',
    'var delta-gamma es': 'd76e34d726f7c5204165a4048ec5b3b9',
    'var monte-carlo': '7fb26a09408494901666059da648386a',
    'var historical': '4ba173a0c5f57a856453d0bcbaf7340e',
    'var ewma': '8d88c3aef80baa38364da6a1e1cf80a5',
    derive: 'bacca938904588e1c691f43b07b5b4bd',
    'portfolio correlation': '3d760562910cc3c2ed83e2a80925ff84',
    span: 'aaa5cb8ca61ddaec49c92cea0fcc9787',
    'span profile': 'fa51e01f657373b88ba4cc733c4f2d57',
  },
};

function fingerprint(report: object): string {
  const { backend: _backend, ...rest } = report as { backend: string };
  // Shortest round-trip decimals identify every double; non-finite numbers are spelled out.
  const text = JSON.stringify(rest, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

describe('report fingerprints (every method, every backend)', () => {
  let engines: Engine[];
  const books: Record<string, ReturnType<typeof validateInputs>> = {};
  beforeAll(async () => {
    engines = await allEngines();
    const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));
    books.sample = validateInputs(read('book.json'), read('market.json'));
    const generated = generateSample({ accounts: 10_000, seed: 7 });
    books.generated10k = validateInputs(generated.book, generated.market);
  });

  for (const dataset of Object.keys(EXPECTED)) {
    it(`${dataset}: reports are the recorded bytes on js, wasm-scalar and wasm-simd`, () => {
      const { book, market } = books[dataset];
      const breakdown = dataset === 'sample';
      const seen: Record<string, string> = {};
      for (const variant of VARIANTS) {
        const prints = engines.map((engine) => {
          const report = engine.margin(book, market, { method: variant.method, params: variant.params, breakdown });
          expectValidReport(report); // every report the suite fingerprints also conforms to schemas/report.schema.json
          return fingerprint(report);
        });
        expect(new Set(prints).size, `${variant.name}: backends disagree`).toBe(1);
        seen[variant.name] = prints[0];
      }
      expect(seen).toEqual(EXPECTED[dataset]);
    });
  }
});
