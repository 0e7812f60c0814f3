/**
 * Liquidation and stress fingerprints: the SHA-256 of liquidation reports and stress cascades (their JSON, the
 * `backend` fields left out) under every method, both ADL policies and several non-default parameter sets, on the
 * bundled sample and on a generated book shocked below MM, for every backend. They pin the plans to the bit: a
 * refactoring must leave them unchanged, and a deliberate change of results updates them in a commit that says which
 * numbers changed and why.
 *
 * History of deliberate changes (newest last):
 * - initial: recorded before the liquidation engine was split into modules, which must not change a byte.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, MARGIN_METHODS } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { SAMPLE } from '../support/cli.js';

/** Liquidation parameter sets run under every method. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  queue: {},
  'pro-rata': { adl: 'pro-rata' },
  'dry queue': { insuranceFund: { balanceUsd: 0 } },
  'dry pro-rata': { adl: 'pro-rata', insuranceFund: { balanceUsd: 0 } },
  'im linear-first capped': { target: 'im', order: 'linear-first', maxNotionalPerStep: 50_000, insuranceFund: { balanceUsd: 20_000, maxPerStepUsd: 1_000 } },
  'largest-notional linear fee': {
    order: 'largest-notional', feeRate: 0.01, smallShortfallUsd: 0, maxFractionPerStep: 0.5,
    slippage: { default: { model: 'linear', pricePerUnit: 0.5 }, BTC: { model: 'sqrt', y: 2, advUsd: 1e8 } }, insuranceFund: { balanceUsd: 5_000 },
  },
};

function fingerprint(report: unknown): string {
  const text = JSON.stringify(report, (key, v: unknown) => (key === 'backend' ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

/** A generated book with every non-stable asset moved by `shock` (linear marks with it, options repriced). */
function shocked(accounts: number, seed: number, shock: number) {
  const { book, market } = generateSample({ accounts, seed });
  const m = structuredClone(market);
  const under = new Map(book.instruments.map((i) => [i.id, i]));
  for (const [symbol, a] of Object.entries(m.assets)) if (a.vol > 0) a.price *= 1 + shock * (symbol === 'BTC' ? 1 : 1.3);
  for (const id of Object.keys(m.marks ?? {})) {
    const ins = under.get(id)!;
    if (ins.kind === 'option') delete m.marks![id];
    else m.marks![id] *= 1 + shock * (ins.underlying === 'BTC' ? 1 : 1.3);
  }
  return { book, market: m };
}

const EXPECTED: Record<string, Record<string, string>> = {
  sample: {
    'cross dry pro-rata': 'fb6ac2a14d67ebf92ee50dd2',
    'cross dry queue': '0f945c15ee586de3c4d2fe29',
    'cross im linear-first capped': '825d4194088db185abf6d173',
    'cross largest-notional linear fee': '4c594294def2f294d8542fea',
    'cross pro-rata': '424c58509f2a2158ea18efa6',
    'cross queue': '59369a2749edeabff6ed28ab',
    'derive dry pro-rata': '6accfd53cd60d10e475eda9d',
    'derive dry queue': 'ef8bb241ecf398472a02d63b',
    'derive im linear-first capped': 'ebfba4168aa4b2a2a7676cc2',
    'derive largest-notional linear fee': 'e09d928781247612d6dd8bc5',
    'derive pro-rata': '0f471b70a412a20a5bca0b99',
    'derive queue': '8bbbf6be74115dbe55a57c37',
    'isolated dry pro-rata': '074da1a926be042fdaa211e0',
    'isolated dry queue': '8ad18ee32af04dc43743a0c8',
    'isolated im linear-first capped': '95dd81557c18fee2e50f7f17',
    'isolated largest-notional linear fee': 'fc989c0a666d0fcdc0fef041',
    'isolated pro-rata': 'c7bd9d3aefc7c71cc3ab8f75',
    'isolated queue': 'ab5d793db90521802d28ccf9',
    'portfolio dry pro-rata': '1efb0b17563cd3c4b7d308ae',
    'portfolio dry queue': '2ed56d3a3454cac1c3748861',
    'portfolio im linear-first capped': '69058f52adf4891727602407',
    'portfolio largest-notional linear fee': '1297c6388d645a1351ceaa41',
    'portfolio pro-rata': '3ef69d7dc18be255cd01abca',
    'portfolio queue': '3835f9a1e2d73f7bb28de66f',
    'span dry pro-rata': 'aff31ce94d2db940d0574be5',
    'span dry queue': '6927e5eae9a3701528d5af58',
    'span im linear-first capped': '819873cc3ae24d388f4732b6',
    'span largest-notional linear fee': '03c66003fc808dcf8aa64036',
    'span pro-rata': 'c121c79f2b2406e088659e21',
    'span queue': '7268b7d898896b9d0744941d',
    'var dry pro-rata': 'e030e5df4d8d543d681c851f',
    'var dry queue': '191b8fa43fc2dd9f2f6f3059',
    'var im linear-first capped': '326332c1ecb8820464b1357e',
    'var largest-notional linear fee': 'f9dae8069fbcfb23d3d278f9',
    'var pro-rata': '7e0e7da4835b5a9b793a0076',
    'var queue': 'a8b7b32e0471f7733c7c8338',
  },
  shocked: {
    'cross dry pro-rata': 'fd59c9d8072c242bb8536040',
    'cross dry queue': '2f64aac4f76b5d07a96a9dbc',
    'cross im linear-first capped': '4645f164c63d3aa6cfdc6f9c',
    'cross largest-notional linear fee': '5854645dec11344bda55d450',
    'cross pro-rata': '93bd049a1fbe5ca4df53a1c5',
    'cross queue': '8bb0b27b216efbcd7fd401b4',
    'derive dry pro-rata': 'c270e0bec33182e93ce6ef33',
    'derive dry queue': 'f007344d71284aa327f6181f',
    'derive im linear-first capped': 'ab5cb51f4f629e376028bd6c',
    'derive largest-notional linear fee': '387b04c2ca6736190ee4ecaf',
    'derive pro-rata': '93abc03941ac1a70a34663c7',
    'derive queue': '5f9c2ec3b6d44d1923fe8d8a',
    'isolated dry pro-rata': '47e9371b3c870c481ed4fafd',
    'isolated dry queue': 'dea7b604c9132f8ee32f3a5d',
    'isolated im linear-first capped': '69bf07b5ad6441a57f44a3b7',
    'isolated largest-notional linear fee': '8fe53221ed2f92710bb66e32',
    'isolated pro-rata': '760bd87f7f179e45ef3b9d0b',
    'isolated queue': '2e5cabe883872b7546146f82',
    'portfolio dry pro-rata': 'c2c2acfd12a16490a9d7645c',
    'portfolio dry queue': '38b16151193c96b857dfb670',
    'portfolio im linear-first capped': '201602742b1285c10aa70bfb',
    'portfolio largest-notional linear fee': '5383404598bdc69d2831f5f4',
    'portfolio pro-rata': '62d366389f8c6131f1c6bede',
    'portfolio queue': '27f715cdd72680b952145832',
    'span dry pro-rata': '189d879c2a15c619fc58550e',
    'span dry queue': '60caef47602d4f21146bf3e7',
    'span im linear-first capped': 'ceae88dd74d7537bc8fa8850',
    'span largest-notional linear fee': '50d2988bdc9a27d211698255',
    'span pro-rata': 'a3bf5cf701bc1af52ef84cec',
    'span queue': '37b82d16a4018738d67d9811',
    'var dry pro-rata': '7d2bdb63f6e976f0c9a10712',
    'var dry queue': 'f6fef266dabc792a6df2bb12',
    'var im linear-first capped': '0cdcf3f85a5b11b2c67489aa',
    'var largest-notional linear fee': 'e7e6d63b97284f3cc068decf',
    'var pro-rata': '68a43c143d969b077a18609c',
    'var queue': '9c82b8413eb903665c7030ac',
  },
  stress: {
    'btc-crash': '25c10c38f55699028f8bb914',
    'crash-path': 'b6333132d4b606aa7fa02d91',
    'reverse': 'a6e40f5135855a5f1b3f59be',
  },
};

let engines: Engine[];
const books: Record<string, { book: unknown; market: unknown }> = {};
beforeAll(async () => {
  engines = await allEngines();
  const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));
  books.sample = { book: read('book.json'), market: read('market.json') };
  books.shocked = shocked(1_000, 7, -0.12);
});

/** The digest every backend gives (they must agree). */
function agreed(run: (e: Engine) => unknown, label: string): string {
  const prints = engines.map((e) => fingerprint(run(e)));
  expect(new Set(prints).size, `${label}: backends disagree`).toBe(1);
  return prints[0];
}

describe('liquidation fingerprints (every method, both ADL policies, every backend)', () => {
  for (const dataset of ['sample', 'shocked']) {
    it(`${dataset}: liquidation reports are the recorded bytes on js, wasm-scalar and wasm-simd`, () => {
      const { book, market } = books[dataset];
      const seen: Record<string, string> = {};
      for (const method of MARGIN_METHODS) {
        for (const [name, liquidation] of Object.entries(VARIANTS)) {
          seen[`${method} ${name}`] = agreed((e) => e.liquidate(book, market, { method, liquidation }), `${method} ${name}`);
        }
      }
      expect(seen).toEqual(EXPECTED[dataset]);
    });
  }

  it('stress: cascades under every method are the recorded bytes on every backend', () => {
    const shock = (name: string) => JSON.parse(readFileSync(join(SAMPLE, '..', 'shocks', `${name}.json`), 'utf8'));
    const { book, market } = books.sample;
    const seen: Record<string, string> = {};
    for (const name of ['btc-crash', 'crash-path']) {
      seen[name] = agreed((e) => e.stress(book, market, shock(name), { method: 'all' }), name);
    }
    const small = shocked(200, 3, 0);
    seen.reverse = agreed((e) => e.stress(small.book, small.market, { spot: { BTC: -0.1, ETH: -0.12 } }, { method: 'cross', reverse: { thresholdUsd: 50_000 }, params: { liquidation: { insuranceFund: { balanceUsd: 10_000 } } } }), 'reverse');
    expect(seen).toEqual(EXPECTED.stress);
  });
});
