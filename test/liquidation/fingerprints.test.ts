/**
 * Liquidation and stress fingerprints: the SHA-256 of liquidation reports and stress cascades (their JSON, the
 * `backend` fields left out) under every method, both ADL policies and several non-default parameter sets, on the
 * bundled sample and on a generated book shocked below MM, for every backend. They pin the plans to the bit: a
 * refactoring must leave them unchanged, and a deliberate change of results updates them in a commit that says which
 * numbers changed and why.
 *
 * History of deliberate changes (newest last):
 * - initial: recorded before the liquidation engine was split into modules, which must not change a byte.
 * - the money rules (docs/liquidation.md, docs/stress.md): every digest moved. Every report's shape: params gain
 *   optionFeeCap, totals gain accountsDeleveraged and lose writtenOff (folded into uncovered), deleveraged accounts
 *   join report.accounts. Numbers: fees capped by the part closed and options' fees on their value (the sample under
 *   cross: fees 63,853 → 61,616, bad debt 7,948 → 5,776; portfolio 89,856 → 87,685, bad debt 7,948 → 5,776); sizing
 *   to the smallest root with small shortfalls sized to the shortfall (cross: 87 → 92 steps on the sample, 387 → 414
 *   on the shocked book); isolated positions liquidated alone on fixed allocations (shocked isolated: 682 → 785 steps,
 *   bad debt 6,503,510 → 5,359,912); ADL capped at each counterparty's profit and equity (the rest uncovered) and
 *   uncovered deficits written off; the cascades and the reverse search (grid scan) follow.
 * - exact report totals (docs/domain.md): the stress digests moved, by the last bits of the margin reports' totals
 *   inside each round (IM 9,271,030.563783718 → …716 and efficiency 10.782401770634712 → …703 on btc-crash under
 *   cross, the same kind of change under every method); checked by diffing the reports' JSON before and after: no
 *   other field moved. Liquidation reports carry no margin totals and did not move.
 * - coin-margined accounts (docs/coin-margined.md): no digest of the earlier methods moved. The sample and the
 *   shocked book gain the deribit method's six digests (a new method of the registry); the two stress cascades moved,
 *   as `method: 'all'` now runs deribit too and the bundled sample gained two BTC-margined accounts. Without those two
 *   accounts and the deribit cascade, both cascades give the earlier digests byte for byte (845d4d2c…, 02bc9b1e…
 *   before exact totals; a1bdd86d…, a5eac50c… after).
 * - pro-rata ADL's uncovered part written off the bankrupt accounts (docs/liquidation.md, the waterfall): the sample's
 *   seven `dry pro-rata` digests and the shocked book's derive and deribit `pro-rata` and `dry pro-rata` moved.
 *   Checked by diffing the reports' JSON before and after: only the bankrupt accounts that routed contracts to a
 *   capped book changed (their steps' routes.adl → routes.uncovered, waterfall.adl → writtenOff, note, and under
 *   pooled methods state resolved → bankrupt where nothing had been written off before) and totals.resolved /
 *   totals.bankrupt with them (shocked derive 111/8 → 109/10, dry 81/38 → 79/40; deribit 84/21 → 72/33, dry
 *   74/31 → 62/43; under isolated margin the state stays, as at a queue step); totals.uncovered and every other total
 *   kept their bits. Queue variants and the stress digests did not move.
 * - a cascade's flow of an inverse contract in coin (USD face / fill price, not face in coin units) and its notional
 *   the face: the sample's two BTC-margined accounts, liquidated in btc-crash and crash-path under isolated margin,
 *   had sent 11.4 billion "USD" of notional and a 6% extra BTC move into round 1 (50 rounds, bad debt 741,874); now
 *   24.4 million and 5 rounds (bad debt 711,589). Other methods' cascades do not liquidate those accounts.
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
    'cross dry pro-rata': 'afaff107595df19f95592eb6',
    'cross dry queue': 'd389fcb4cb53eb2c3ffb627a',
    'cross im linear-first capped': '156f0fc13d21be21a733b390',
    'cross largest-notional linear fee': 'b9fc42830df867a47ebbe4eb',
    'cross pro-rata': '917ceb6e766363753ed6ad24',
    'cross queue': '0711a36d569c75fdf1d0f082',
    'deribit dry pro-rata': '7b424621da4546903baec886',
    'deribit dry queue': 'bab2ae6e63c8cdb492987b47',
    'deribit im linear-first capped': '80028767929ffd95d3619dbc',
    'deribit largest-notional linear fee': 'cdc96de75ce1d358446a7f94',
    'deribit pro-rata': 'b97eab7f6441ff384e2dcf83',
    'deribit queue': '0e091d79c25142ae88040dc8',
    'derive dry pro-rata': 'c9f43a4a844a2ca1188c3776',
    'derive dry queue': 'cac4192b78fff24244900a25',
    'derive im linear-first capped': '38ae2ce867effda63fb7cd29',
    'derive largest-notional linear fee': 'cbad404481436f903f7daa88',
    'derive pro-rata': 'a0114af51087bc8a171bb860',
    'derive queue': '8781c8ff758bf0c49a62600b',
    'isolated dry pro-rata': 'c0a4e489ba556c6678b0874d',
    'isolated dry queue': '26e36c3e067093f9a7c9937f',
    'isolated im linear-first capped': '5fdc2db2f729b84ab1e8fcd2',
    'isolated largest-notional linear fee': '6f918e6a7499fc15db31e598',
    'isolated pro-rata': '8acc01ad9ee13e054c6fa788',
    'isolated queue': '1ad24a20db397418dec1fa0b',
    'portfolio dry pro-rata': 'b6f1eeb2473ae6a748bc723a',
    'portfolio dry queue': '93bc77eff5c8ccebda326459',
    'portfolio im linear-first capped': '99c7047b384f5b5e3424ecb7',
    'portfolio largest-notional linear fee': '65197d2418cfd2d74e44d08b',
    'portfolio pro-rata': '39ae161bc9a53509b093d1d2',
    'portfolio queue': 'b98b1b10a7cc0b2c85a9209c',
    'span dry pro-rata': 'b8e8963fa6fa72164ca3d06c',
    'span dry queue': '316daf86f212c87c424c1a0c',
    'span im linear-first capped': '90beca97f5fde0509d0bedcc',
    'span largest-notional linear fee': '867b5e81e37cc4f5ee636e5c',
    'span pro-rata': 'b04e6c18be2c63dcb9718917',
    'span queue': '896150296f3f6506be744080',
    'var dry pro-rata': '7c1edac20b0f5ca00ec04c82',
    'var dry queue': 'a218018c6ec0d31dc7d71203',
    'var im linear-first capped': '48df1440a34251ebf622bfb3',
    'var largest-notional linear fee': '99ca7eede961b21b502fd3ca',
    'var pro-rata': 'd480ce4290b1939d5064c8dd',
    'var queue': 'bc8dd1b8424329b96888cb5d',
  },
  shocked: {
    'cross dry pro-rata': '6189c4ab64cd77fe011f8235',
    'cross dry queue': 'edcd1c749862f928b18db000',
    'cross im linear-first capped': 'e22387770e4e57d1880b6919',
    'cross largest-notional linear fee': 'c63dd7dec2589ea777553f30',
    'cross pro-rata': 'dd2af04404fdaee51be90245',
    'cross queue': '12543fa9b632b724e1fa5ae0',
    'deribit dry pro-rata': 'bfaa973508f0ac77d2c2d38a',
    'deribit dry queue': 'c36485782dd54b4adbe0fdf5',
    'deribit im linear-first capped': '9945ebde9b91be2fe226e69e',
    'deribit largest-notional linear fee': '8e11942ed16ecafa78e31a99',
    'deribit pro-rata': 'a9a6f4bf37a613459f2aeb51',
    'deribit queue': '43a536c2c55edf6ded5d7a9c',
    'derive dry pro-rata': '938c77586328ee1ee8f829f7',
    'derive dry queue': 'f299793f46017cf5152c9e4f',
    'derive im linear-first capped': '6f5dc84753cfd689aed31652',
    'derive largest-notional linear fee': 'aadd7ce9c9014a6b41392706',
    'derive pro-rata': '649eb7db6b646ea208cac865',
    'derive queue': 'faef62c8e4d1cf126e456ad0',
    'isolated dry pro-rata': 'fa16a282417cb03e982541fe',
    'isolated dry queue': '4ff4c33a01d81f9b3e89db5f',
    'isolated im linear-first capped': '711d4996c8d53300bc71d72e',
    'isolated largest-notional linear fee': '2098173373a68d2c64df33a9',
    'isolated pro-rata': 'b74306ce1057cb3b1bf2731f',
    'isolated queue': '3bf825a1137fc887240b96ff',
    'portfolio dry pro-rata': '709d2b08336bdbaeac8b7e71',
    'portfolio dry queue': '938d93ddc1f0c69e53d9b4f3',
    'portfolio im linear-first capped': '5b0f9a9a3ad7a199ab11947a',
    'portfolio largest-notional linear fee': 'e16baec2e30093a382ce10ee',
    'portfolio pro-rata': '9353899d5006f895d9226a16',
    'portfolio queue': '90a15c7ebc3a8c8157c9083e',
    'span dry pro-rata': 'f9a0801f155decb34022ea35',
    'span dry queue': '6d92a279455235c3c8b18298',
    'span im linear-first capped': '98328d7692841b13222e38af',
    'span largest-notional linear fee': 'cc238f227735ee5120180ee2',
    'span pro-rata': '7859871327d5d60e50e8bc1a',
    'span queue': '8530f540c3c1739885227b31',
    'var dry pro-rata': '2f9eaeeb8d95fe469ed404a4',
    'var dry queue': '959825a1c5c0ab83c4aaa634',
    'var im linear-first capped': '3b583cfbbdae3e58a5eacfbd',
    'var largest-notional linear fee': '7ae94308515692af58170208',
    'var pro-rata': 'cbb4336779a672b3ed061030',
    'var queue': '695861ce46552f30fbb1526d',
  },
  stress: {
    'btc-crash': '0c8150224ad2be95fcfc3d73',
    'crash-path': '397b4a2b46cca883d6d2fe76',
    'reverse': '3310e130abff698ced905c68',
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
