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
 * - issue 39: the deribit method (Deribit's 2024 model, its defaults) added; recorded as first computed, after its
 *   conformance cases (test/conformance/deribit/: Deribit's two pme/simulate responses, the hand-derived cases)
 *   matched; settlement currencies and coin-margined accounts added with every earlier digest unchanged.
 * - issue 39: the bundled sample gained two BTC-margined accounts (btc-margined-000300, -000301) and 11 BTC-settled
 *   instruments (BTC-PERPETUAL and coin options): every sample digest changed. Checked: under every method, with
 *   breakdown, the 300 earlier accounts' rows are byte-identical to the previous sample's; what changed is the two new
 *   rows (status error, set aside, under var, span and derive) and the totals (the new accounts in USD). The
 *   generated10k digests (no coin accounts) are unchanged.
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
    isolated: 'c096f5929bd42e2aba59393695b0aac1',
    cross: 'bd629a9cf196ee676191299bc99df1de',
    portfolio: 'cd71e31b8822584f307f050d5658e36c',
    var: '276107db62eaaaff32d7db3330c28908',
    'var delta-gamma es': '41befa8886dcbe057b63943db52e2d8d',
    'var monte-carlo': '61b3e0fc34d97a40cd707b267bc050dd',
    'var historical': 'fb55cbd6b671a319760b4f7b4c37b6cc',
    'var ewma': '9cb89906c0771146c054fb3c58bac843',
    derive: '425e11c8a7e76f1e3057110e4686a2bf',
    'portfolio correlation': 'c5bd39740ab78ee3569e84266c532f9d',
    span: '6406f5e72eb13e5cb548c2522aa0c9ac',
    'span profile': '18db89323df8884d77930c11af14b60b',
    deribit: '5debd0d2ded1b8086190a94c55ba78c6',
  },
  generated10k: {
    isolated: 'fcc9cd4a74d7e6e1400081c8fe49262c',
    cross: '56906c7402b05e339b3b55f9d0a2b055',
    portfolio: '4a533b396beadf4d5f86d539c932d338',
    var: 'ce9a817f8a05ec2e7a54dd8beabc89c4',
    'var delta-gamma es': '71fbf0f2de40eb987fff6b355c3cc6b0',
    'var monte-carlo': '027615251f4e2926be1f253c721a6378',
    'var historical': '28e910496685a502bad592af020b88dc',
    'var ewma': 'b8ad1275821efe9c86d155bb9e64a8a0',
    derive: '19064e794d4a442005be6faa3147f0e9',
    'portfolio correlation': '3dd60c625989936e56652eb397f96fd5',
    span: '9574558434d7b85f6924ad825df11501',
    'span profile': '651807581140ee46fe1258f1931a51d2',
    deribit: 'da3f9a31d5b7b874ed86f83058b81be0',
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
