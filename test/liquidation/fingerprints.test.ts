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
 * - the mm-buffer target with the buffer on the MM haircuts too (src/methods/target-slack.ts): 25 liquidation digests
 *   (cross, portfolio, var, deribit) and btc-crash / crash-path moved; isolated, span and derive did not. Checked by
 *   diffing the reports' JSON before and after: only accounts holding haircut collateral changed, each closing a
 *   little more (the sample under cross: one account, closed notional 20,830,073 → 20,830,077; portfolio: four,
 *   25,110,213 → 25,111,836; var: three); every state unchanged, bad debt too but for its last bit in one report
 *   (shocked cross largest-notional); the cascades' bad debt and rounds unchanged.
 * - no dust steps, and bankruptcyPrice null where no finite price reaches 0 (docs/liquidation.md): 70 of the 84
 *   liquidation digests and the three stress digests moved. A capped step that would leave ≤ 1e-12 of the starting size
 *   takes the holding whole: the sample loses one step of ~1e-16 units under every method (cross 92 → 91), the
 *   shocked book 10 to 19 (cross 414 → 398, isolated 785 → 775); every state unchanged, bad debt to its last bit
 *   (4,246,938.068367662 → …663 on shocked cross), other totals within 5e-4 relative (the largest: shocked portfolio
 *   `im linear-first capped`, where the dust steps had changed the order of later steps: fees 13,460.62 → 13,465.20).
 * - issue 49, a short option's mark counted once in the rule-based requirement (test/report-fingerprints.test.ts
 *   says how): the 24 cross and isolated digests of the sample and the shocked book and the three stress digests moved;
 *   portfolio, var, span, derive and deribit did not. The sample under cross: the same 20 accounts below MM, closed
 *   notional 20,830,076.95 → 20,802,299.72, bad debt unchanged (5,776.48); the btc-crash cascade under cross: 29 → 20
 *   accounts liquidated, 6 → 5 rounds, bad debt unchanged (308,838.77) (docs/liquidation.md, docs/stress.md).
 * - isolated margin and ADL at their edges (issue 48, docs/liquidation.md): 36 liquidation digests and the three stress
 *   digests moved, for two reasons, each checked by diffing the reports' totals and account rows before and after.
 *   (1) An isolated allocation takes its position's whole realized P&L (it was clamped at 0, the excess charged to the
 *   rest of the account) and a bucket with nothing left to close has its deficit settled while the others go on: the
 *   sample's isolated digests but one by two accounts' last bits (`largest-notional linear fee`: seven accounts, totals
 *   unchanged); shocked isolated queue 775 → 798 steps, fund paid 1,008,101.57 → 1,008,101.25, bad debt
 *   5,359,912.05 → 5,359,908.06, fees 16,203.13 → 16,202.49.
 *   (2) ADL fills at or better than the mark reach counterparties whose cap is used up, and such gains no longer raise
 *   a cap: every shocked queue digest of the pooled methods (their pro-rata digests did not move): deribit queue
 *   resolved 77 → 84, bankrupt 28 → 21, uncovered 549,844.72 → 340,205.28 (70 of its 79 fills better than the mark
 *   went to counterparties an earlier fill had used up); derive queue uncovered 348,609.82 → 343,843.21; cross queue
 *   40 → 39 deleveraged accounts; portfolio, var and span queue: account rows moved, totals equal to the cent.
 *   The smallest-root search (breakpoints and concave pieces, no quarter scan) moved no pooled method's digest by
 *   itself (their pro-rata digests kept their bytes): it searches the whole step first, as the scan's refinement did,
 *   and the pieces below the root only to prove there is no smaller one.
 *   Stress: the isolated cascade's bad debt 711,589.46 → 711,587.66 (btc-crash), 741,220.83 → 741,170.27 in 5 rounds
 *   instead of 6 (crash-path); the reverse search (cross, queue) with its liquidations.
 * - both of the above at once: the 16 digests both rules move (the sample's six isolated ones, the shocked book's six
 *   isolated ones and its cross queue, dry queue, im linear-first capped and largest-notional linear fee) and the three
 *   stress digests are those of the two rules together; every other digest is the one its own rule's entry recorded.
 * - pro-rata ADL's write-off valued at each bankrupt account's own step, as the queue books a step's uncovered part
 *   (docs/liquidation.md): each contract no cap took at |bankruptcy price − fill| of its own step, its fill's slippage
 *   to the market. The book's average price against the mark had been applied to every account's contracts, so one
 *   that owed little showed a negative waterfall.adl and a write-off above its deficit, and with slippage on the
 *   uncovered contracts' slippage stayed in adlAbsorbed. The sample's seven `dry pro-rata` digests moved (one account
 *   routed to the capped book: distressed-000280 writes off 31.86 instead of 30.47; adlAbsorbed 1,567.12 → 1,565.73,
 *   uncovered and marketSlippage +1.39, bad debt and the residual unchanged); the shocked book's deribit and derive
 *   `pro-rata` and `dry pro-rata` moved: their bankrupt accounts' waterfall.adl and writtenOff are shared out anew.
 *   Checked by diffing the reports' JSON.
 * - an account with no surplus over bankruptcy is closed out at equity exactly 0 too (docs/liquidation.md, sizing rule
 *   4), not only below it: one the fund brought to 0 whose holdings hedge each other had been left below MM, then
 *   liquidated by slivers at every move. Only the crash-path stress digest moved: its var cascade ends in 3 rounds at
 *   a fixed point instead of 21 (19 of its last step's rounds liquidating one account by a sliver, stopped by the
 *   price tolerance); bad debt 475,282.79 → 475,323.96 (the fund pays the close-out), 26 accounts liquidated as before.
 *   No liquidation digest moved.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, MARGIN_METHODS } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { shockedSample } from '../support/shocked-sample.js';
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

const EXPECTED: Record<string, Record<string, string>> = {
  sample: {
    'cross dry pro-rata': '2e4260867dbe4658ea6944ac',
    'cross dry queue': '99a1f83b8e1e31bc23e5ec5c',
    'cross im linear-first capped': '6d1cf7d6999d9e1b42cd1469',
    'cross largest-notional linear fee': '3a12a682ed29270794b8d5ec',
    'cross pro-rata': 'd8278cab480620a1170340ce',
    'cross queue': '498cbb4271a45a640bf5fddb',
    'deribit dry pro-rata': '916d317d5e42df8a8f3aa666',
    'deribit dry queue': 'fc5795230ff128cb0d1abeb8',
    'deribit im linear-first capped': 'a939bea1e2186a91c80cb918',
    'deribit largest-notional linear fee': 'e5afd2b2fe6c51ccb22b136e',
    'deribit pro-rata': '900c83f16d557beeccdac88a',
    'deribit queue': '20ad3fea45f42a1657fe11d1',
    'derive dry pro-rata': 'b9d0e33a0121069b5d3f3468',
    'derive dry queue': '1f69373828325e165a0e7f72',
    'derive im linear-first capped': '6893ba4a93c7811ac6b2d23b',
    'derive largest-notional linear fee': 'cbad404481436f903f7daa88',
    'derive pro-rata': '3b4d78d5a5a1cebae56c62d4',
    'derive queue': '71ae07278a57f09a3c8aef6c',
    'isolated dry pro-rata': '7332faa34db0f6c6f091529b',
    'isolated dry queue': '83275c792136ff2e4f21464c',
    'isolated im linear-first capped': '88ee828103d631243e46c295',
    'isolated largest-notional linear fee': 'dc9bffb7fe11d82679467395',
    'isolated pro-rata': '4d808fcdbe63036ddbc05617',
    'isolated queue': '097a673a7be94e18bc7915e5',
    'portfolio dry pro-rata': '3dac41fdc2ae90adf0e65480',
    'portfolio dry queue': 'e61b0279c91989cfb03fcf2f',
    'portfolio im linear-first capped': '9cab62e6649d4def434f9453',
    'portfolio largest-notional linear fee': 'ca1b60d659b017168ace4bf1',
    'portfolio pro-rata': 'b83a2dbf0b210bfed27a3a0c',
    'portfolio queue': '8e1a00974cb1e78aacc35155',
    'span dry pro-rata': '4270b1429ec51980e1fd2353',
    'span dry queue': '067e83b19aeeab7499a012fb',
    'span im linear-first capped': '0952a5d519c174800477950a',
    'span largest-notional linear fee': '867b5e81e37cc4f5ee636e5c',
    'span pro-rata': '76b7601e1a9cbf68061d1b98',
    'span queue': '1b3ada7002f31900f48d93e4',
    'var dry pro-rata': 'ac06b5c395636be8dc843382',
    'var dry queue': '1d9be0e8dc7214c48a3b6a4a',
    'var im linear-first capped': 'e2a6779241976eb55df3a54a',
    'var largest-notional linear fee': 'ceed18d914ee3c3b20677211',
    'var pro-rata': '66016957c68a672447de50e3',
    'var queue': '4016cb27350842dd7539f00c',
  },
  shocked: {
    'cross dry pro-rata': 'b3f2ca2e15980e02cee023dc',
    'cross dry queue': '9cbf419fd715286d28722f3b',
    'cross im linear-first capped': 'a9a26da7b1167eec790b8874',
    'cross largest-notional linear fee': '35abdb57b49e6619fc92e67b',
    'cross pro-rata': '64821561ec4cb5a42cc50be3',
    'cross queue': 'daee6cd7018b134db4f11dd7',
    'deribit dry pro-rata': 'f11157331ae0e0e646c37c8c',
    'deribit dry queue': '44f84949e77cf0c65043a5ee',
    'deribit im linear-first capped': '1678ec43966b87fca0293187',
    'deribit largest-notional linear fee': '121f237ef8a42f862f9843f5',
    'deribit pro-rata': '663fdc9448d0f51a04a3fcc0',
    'deribit queue': '52ff5f731a9b66160768608c',
    'derive dry pro-rata': '70ae4aab988c11c411486227',
    'derive dry queue': 'cd4fdd2ee01a5d5929bd5b9e',
    'derive im linear-first capped': 'd7c1342a3b14db5bb99a1f7a',
    'derive largest-notional linear fee': '3b3864777f20cd73e3ac8b3f',
    'derive pro-rata': 'e40c8d5dcbb96e1dcd6676ef',
    'derive queue': '069471a04fa658cd41e98670',
    'isolated dry pro-rata': '52b4f1d447e43c6b29c01e29',
    'isolated dry queue': '49cc832d9d287277750e6300',
    'isolated im linear-first capped': '7ddf9f5b3736b653d498b28d',
    'isolated largest-notional linear fee': 'e15e3d9b8c8d7032009345d2',
    'isolated pro-rata': '426a6a705d977df28a1fafdc',
    'isolated queue': '135ad6c9c5e9eef974d2bce1',
    'portfolio dry pro-rata': '4a4213b902c91971fa8bede0',
    'portfolio dry queue': '071580506a79cbf22dbd89d9',
    'portfolio im linear-first capped': '54a173813cf46218810d74a0',
    'portfolio largest-notional linear fee': '6fa97b095e6678084f8354dd',
    'portfolio pro-rata': 'acff4453bcc9673fc341c344',
    'portfolio queue': '553b4d0981e4ff69e64fc22c',
    'span dry pro-rata': 'baa8e5e7a578bdca0c0cc4be',
    'span dry queue': '14f34cd12e1c81a1e3016e67',
    'span im linear-first capped': '57f95867eb337d0f265acc10',
    'span largest-notional linear fee': 'f8fb57096dacac5c84d8d3f5',
    'span pro-rata': '1b26b9372671b0748b98e564',
    'span queue': '72508c1470a8b0387ea6e8c7',
    'var dry pro-rata': '40d2a28966f22c35b6ba1b4c',
    'var dry queue': '49c459e413ab5f1fac527e9e',
    'var im linear-first capped': 'df3da7a6545056f5aaf3e051',
    'var largest-notional linear fee': 'e5572ceb0557c071b053a795',
    'var pro-rata': '861ffd2970c070e8e07bbf52',
    'var queue': '6ed1d011426d220cba0297a2',
  },
  stress: {
    'btc-crash': 'bf0d57afb778cef7542500dc',
    'crash-path': '42c5333f2af791c8b76ac709',
    'reverse': '7acabd43d01ce53c94e3d24b',
  },
};

let engines: Engine[];
const books: Record<string, { book: unknown; market: unknown }> = {};
beforeAll(async () => {
  engines = await allEngines();
  const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));
  books.sample = { book: read('book.json'), market: read('market.json') };
  books.shocked = shockedSample(1_000, 7, -0.12);
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
    const small = shockedSample(200, 3, 0);
    seen.reverse = agreed((e) => e.stress(small.book, small.market, { spot: { BTC: -0.1, ETH: -0.12 } }, { method: 'cross', reverse: { thresholdUsd: 50_000 }, params: { liquidation: { insuranceFund: { balanceUsd: 10_000 } } } }), 'reverse');
    expect(seen).toEqual(EXPECTED.stress);
  });
});
