/**
 * Report fingerprints: the SHA-256 of every method's report (its JSON, the `backend` field left out) on the bundled
 * sample (breakdown on) and on a generated 10,000-account book, for every backend. They pin the numbers to the bit:
 * a refactoring must leave them unchanged, and a deliberate change of results must update them in a commit that says
 * which numbers changed and why.
 *
 * History of deliberate changes (newest last):
 * - initial: recorded before the method plug-in restructuring (issue 12), which must not change a byte.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, type MarginMethod, MARGIN_METHODS, validateInputs } from '../src/index.js';
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
    isolated: '5691b0d8621c772ee4840e91d4e5bb29',
    cross: '411ff32b4a6aa97b9197e64741f537b9',
    portfolio: '0c7f5469c7c547be0e6cec60815bcd4a',
    var: '8c6751b25d5ff2b77148cd89f7b597c5',
    'var delta-gamma es': '09e0f60b6ab6a50dc44468aeb6fde1ea',
    'var monte-carlo': '1c30445f932c99db4b7e84bfe212a7d3',
    'var historical': 'cd43d40c7bc62b7ea98c5ef5fdf2e7b5',
    'var ewma': '467fdd6609a92935cccc4140aac042db',
    'portfolio correlation': 'a74e2a0b1957641821ccfcca261687e7',
  },
  generated10k: {
    isolated: '822268130a474130ce9754633f2207e1',
    cross: '4a30e9e9667939e4d17266a32f538538',
    portfolio: '87143b1cf8681a70cd97afd260979778',
    var: '1e08ef64d821e659115807748f331126',
    'var delta-gamma es': '72948db8677216d77f377052ef6774a7',
    'var monte-carlo': '5b131ee3de4c6e3a5dc34a8bda4cc9dd',
    'var historical': '4977bf85c49566be21e369e52cd150e8',
    'var ewma': '827822dc63b842a9be6f8803a21b00f1',
    'portfolio correlation': 'f324d093c5a4074fc6c8789f47f9084d',
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
