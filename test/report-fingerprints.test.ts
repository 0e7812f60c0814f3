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
 * - issue 39: the deribit method (Deribit's 2024 model, its defaults) added; recorded as first computed, after its
 *   conformance cases (test/conformance/deribit/: Deribit's two pme/simulate responses, the hand-derived cases)
 *   matched; settlement currencies and coin-margined accounts added with every earlier digest unchanged.
 * - issue 39: the bundled sample gained two BTC-margined accounts (btc-margined-000300, -000301) and 11 BTC-settled
 *   instruments (BTC-PERPETUAL and coin options): every sample digest changed. Checked: under every method, with
 *   breakdown, the 300 earlier accounts' rows are byte-identical to the previous sample's; what changed is the two new
 *   rows (status error, set aside, under var, span and derive) and the totals (the new accounts in USD). The
 *   generated10k digests (no coin accounts) are unchanged.
 * - issue 39 on exact totals (merged after issue 36): the sample's digests re-recorded with its two BTC-margined
 *   accounts counted in USD at the index by the exact sums. Checked: on the sample without those two accounts and the
 *   BTC-settled instruments (byte-identical to the previous sample), every earlier method gives the digest above it
 *   in this history (issue 36's), and generated10k's are unchanged; deribit's two digests recorded as first computed.
 * - first contact (one display formatter), after issues 36 and 39: every digest changed, and only through `statusReason`, whose figures are
 *   now written like the tables' money (grouped, cents: "equity for MM 655.31 < MM 567,970.00" instead of
 *   "655.314 < 567970"); checked: with `statusReason` left out, each method's report on the sample and on this 10k
 *   book is the same bytes as on main before the merge (no number moved).
 * - an account in error holds no figure at all: its health and efficiency NaN (they were −Infinity and +Infinity,
 *   derived from NaN figures; null in JSON either way). Moved: the sample's derive, span, span profile and every var
 *   digest, whose methods set the two BTC-margined accounts aside; the JSON reports are byte-identical.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, type MarginMethodName as MarginMethod, MARGIN_METHODS, validateInputs } from '../src/index.js';
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
    isolated: '267d6f91ba67ece6f5c3b3088d0b1992',
    cross: 'd64840413333d3719c4afebd6af7acce',
    portfolio: 'f853e0fbdabda8e72147daf616812214',
    var: 'cc3d12fe51a70857bdc4903ccd788e63',
    'var delta-gamma es': 'f24fc2154ea3bc864ba0697a79a05d64',
    'var monte-carlo': '5d2d9ba60bbe886ae25b47119ca426b4',
    'var historical': '3c97c236451eed7ba9cdf1edb68a13be',
    'var ewma': '7d285ffdad6a3222e6d960c88364c3c3',
    derive: 'd4bc8a35fd11b851131f60da7c6cf068',
    'portfolio correlation': 'c417a5a84f8f51e379e88aec7d29277f',
    span: '96e821553b1d6b6f7e4ca600c22156a1',
    'span profile': '80ce600d5b8a9b188bbfdd02dd1b70ff',
    deribit: '0da7c8d664c45160827a78e83b8fe6fd',
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
    deribit: '1f30c6c9f762d7cf866a27832981af6c',
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
