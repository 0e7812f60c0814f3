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
 * - first contact (one display formatter): every digest changed, and only through `statusReason`, whose figures are
 *   now written like the tables' money (grouped, cents: "equity for MM 655.31 < MM 567,970.00" instead of
 *   "655.314 < 567970"); checked: with `statusReason` left out, each method's report on the sample and on this 10k
 *   book is the same bytes as before (no number moved).
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
    isolated: '1edfa947411871ed4762312a1c09c7f1',
    cross: '31d6e865d60a68050598d321ec9f4a89',
    portfolio: '4b23595d440b9143d3f9dd9f35dca004',
    var: '3a3b8e6a40fdd7c05ff9571a02d1273b',
    'var delta-gamma es': 'a7fd1966ea6704ac97274a7445386d95',
    'var monte-carlo': 'ce209c52aef51fb44205d96a5bbb194b',
    'var historical': 'b057c2196b4364bd440ec4f94361fbba',
    'var ewma': '09806b17fa5e54cc217d4a1af439b671',
    derive: '83f9470111d82398f4142598cc3614ad',
    'portfolio correlation': '4d49cfe223a4e03545348c0dc70f1deb',
    span: '8b52b647f59655f61d26c8132b7b6f77',
    'span profile': 'cf75b99473ca49e7c006d2c6246d345d',
  },
  generated10k: {
    isolated: '9cbf4d32777b9886c0d43aa943f1eb35',
    cross: 'fd65ec14a8a51f9236cf8ba9bbb08518',
    portfolio: 'ffa9a6df49bc03052bc4ff4b58f18f6d',
    var: '4233db0d0cb2d17e32a02a25b036e2f9',
    'var delta-gamma es': '8cf5d3b3df90bde3e0f4cfa578d44c22',
    'var monte-carlo': '1bd8fc884e943c5740fbd677ef857eff',
    'var historical': '35dad0bf07099bf48ce3155054a461c5',
    'var ewma': 'bbb4a67b1138ad7c63af3a771c88af7c',
    derive: '3a10b502312cc132c35e6f9670b987ec',
    'portfolio correlation': 'bc71ca16727f009c8211738ec339efbf',
    span: '90251741182b2a646c557a507f4c1666',
    'span profile': 'd5c7aa3b863bbbc210f1a30a96ee41f3',
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
