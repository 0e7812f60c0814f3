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
    isolated: '6a5e14f382b22f85e1005a5b341fc6f4',
    cross: 'fa8d85817f2d10c3da5e9f1b12b9dae4',
    portfolio: 'c97cdaff827aeaaed55f94902e914482',
    var: '0ce5eadeee2ff20dfe499195ecc1d8ec',
    'var delta-gamma es': '4e85cfe08a21363245f203d25c812078',
    'var monte-carlo': '144b2475f3af8dc6981633b35c44c878',
    'var historical': '2ea22619d08b7243d5d2ca664c8572fb',
    'var ewma': 'e8b1bd83d8a03c4237a2ed922b1b2092',
    derive: 'd9956d07d87261c61b84bd84deb614cf',
    'portfolio correlation': '84018694be7220cc682f2e870238dc2c',
    span: '582f9cd4c8378fc0f5740e2f84791659',
    'span profile': '6a71162ab0e3d20ce6c7970f32a7f059',
    deribit: '7cfe3c765bbd9b3866d9ddbb7e5d4273',
  },
  generated10k: {
    isolated: '7f49fa86d41b6b617536d02c4c971a16',
    cross: '90b2c9ac5cf97c518729a3959987d7b0',
    portfolio: '26e05b7b2f10c9b0104069ef937031eb',
    var: 'b136edf9634a842a5abd6621125592d9',
    'var delta-gamma es': '2bd39a953f52f09b760fb016ca9a1c26',
    'var monte-carlo': 'e2afe68c59fa4b8455f35b0378e5f5a3',
    'var historical': '2fb9a023a963406f431649bbd9097f70',
    'var ewma': 'fbb7814048385f63ed61a2769d1a0ba3',
    derive: 'ffc2c2b85d8f89ffd8f684bb05787155',
    'portfolio correlation': 'd65e4e092324f4ccc362d28c4306921c',
    span: '09407e9e5bb229f82c845c9ea0bd4f97',
    'span profile': '02ada06da5671b4f4f882a151a0a1d69',
    deribit: 'e4f9ad621d597bd7c579727b78787668',
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
