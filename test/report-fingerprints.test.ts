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
 * - issue 49, a short option's mark counted once (docs/coin-margined.md, "Deribit's margin balance"): a short option
 *   requires its rate alone (its mark is a loss in equity already; Deribit's MM = c + mark against its margin balance
 *   = equity − options value), a short put max(c·S, c·mark), IM floored at MM; an isolated pool shared pro rata to IM
 *   plus a short option's mark value. Moved: every sample digest (the breakdown's per-position rule-based IM/MM of
 *   short options, under every method; checked on js: only `positions` moved under portfolio, var, span, derive and
 *   deribit, no account figure or total) and generated10k's cross and isolated (IM/MM/health of the 5,431 accounts
 *   holding a short option; 47 cross and 118 isolated statuses moved, every one to a better status; bankrupt counts
 *   unchanged). Sample totals: cross and isolated IM 9,294,010.57 → 8,163,360.82, MM 6,445,529.24 → 5,314,879.49.
 * - issue 49, coin accounts on the live paths: the two BTC-margined rows that var, span and derive set aside carry every
 *   error row's statusReason ("margin could not be computed (see error)") in the breakdown report too (it had another
 *   text there than without breakdown). Moved: the sample's var (5), span (2) and derive digests; with both issue 49
 *   changes at once those eight are recorded as the two together, every other digest as the mark rule's entry says.
 * - a coin-margined account's pooled statusReason writes its figures in its coin, to the satoshi with its symbol, as its
 *   row's columns ("equity for IM 0.49857550 BTC ≥ IM 0.02390790 BTC"; it read "0.50 ≥ 0.02", as USD). Moved: the
 *   sample's cross, portfolio, portfolio correlation and deribit digests; checked on js: only the two BTC-margined rows'
 *   statusReason changed, every other byte of the four reports is the same (isolated's reasons are its positions',
 *   var, span and derive set the two rows aside).
 * - an error row keeps the account's identity: the two BTC-margined rows that var, span and derive set aside now carry
 *   `marginCurrency` and their `usd` view (the BTC index price, no figures), as a coin row in error computed by the
 *   method does. Moved: the sample's var (5), span, span profile and derive digests; checked on every backend: with
 *   those two keys deleted from the rows in error, each of the eight is the previous digest (no other byte moved).
 * - a set-aside row's error names its currency ("BTC-margined accounts are margined by …"; it said "coin-margined",
 *   wrong for a USDC-margined account). Moved: the sample's var (5), span, span profile and derive digests; checked on
 *   js: with the old words put back in the report's text, each of the eight is the previous digest.
 * - an isolated account's liquidation price is where its first position (or the rest of the account) reaches its own
 *   MM, as its status reads it, not where the pooled equity for MM meets the summed MM. Moved: the sample's isolated
 *   digest; checked on js against the previous tree: only `liquidationPrice` moved (200 of 302 rows, 18 sides found
 *   where there were none), every other byte the same; the search reads the kernel's status, and each price shown
 *   turns the status of a from-scratch margin (test/liquidation-price-flips.test.ts). Cross and generated10k (no
 *   breakdown) unchanged.
 * - an isolated coin-margined account's statusReason writes its position's figures in its coin, to the satoshi with
 *   its symbol ("allocated 0.07565270 BTC + P&L 0.00049550 BTC = …"; it read "0.08 + P&L 4.96e-4 = 0.08", as USD).
 *   Moved: the sample's isolated digest; checked on js against the previous tree: only the two BTC-margined rows'
 *   statusReason changed, every figure and the totals the same.
 * - a cross liquidation price's sides are the status's (surplus ≥ 0 is not liquidatable; it read > 0): an account at
 *   MM exactly is on the safe side. Moved: the sample's cross digest; checked on js against the previous tree: 62 of
 *   302 rows' `liquidationPrice` moved, by at most 4.2e-15 relative (the bisection's last midpoints, where a surplus
 *   of exactly 0 now counts as safe); their status and figures the same. Isolated (read from the status) and
 *   generated10k unchanged.
 * - a liquidation price keeps a quoted option's premium over the model as the underlying moves (the stress rule,
 *   coin-valuation.ts quoteMoved), and a coin-settled option's OTM is measured against its forward (Deribit's
 *   underlying price of an option). Moved: the sample's cross and isolated digests; checked on js against the previous
 *   tree: only the `liquidationPrice` of the two BTC-margined rows (the sample's only accounts on one underlying with a
 *   quoted option) moved (cross 35,747.13 → 35,748.82, isolated 74,054.15 → 74,052.02, by < 4e-5 relative), every
 *   other byte and the totals the same: the sample's short coin calls are far enough out of the money that the floor
 *   0.1 binds at the index and at the forward alike. Every other method and generated10k (no coin options) unchanged.
 * - a derive breakdown's `worstScenario` label writes its multipliers to 12 significant digits ("spot ×0.82 / vol up
 *   ×1"; it read "spot ×0.8200000000000001"). Moved: the sample's derive digest; checked on js against the previous
 *   tree: with `worstScenario` left out the report is the same bytes, and that label is the only one that changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, type MarginMethodName as MarginMethod, validateInputs } from '../src/index.js';
import { BUILT_IN_MANIFESTS } from '../src/methods/registry.js';
import { SPAN_PROFILE } from '../src/profiles/span.js';
import { allEngines } from './support/engines.js';
import { SAMPLE } from './support/cli.js';
import { expectValidReport } from './support/schemas.js';

/**
 * The cases: every registered method's (its manifest's `fingerprints`, src/methods/<name>/manifest.ts: its defaults and
 * the variants it records), then the span profile's parameters. MARGIN_CORE_FINGERPRINT_METHODS (comma-separated names)
 * runs only those methods' cases: test/methods/add-a-method.test.ts runs a new method's alone.
 */
const ONLY = process.env.MARGIN_CORE_FINGERPRINT_METHODS?.split(',');
const CASES: { name: string; method: MarginMethod; params: Record<string, unknown>; digests: Record<string, string> }[] = [
  ...BUILT_IN_MANIFESTS.flatMap((m) => m.fingerprints.map((c) => ({ name: c.name, method: m.plugin.name as MarginMethod, params: c.params(), digests: c.digests }))),
  { name: 'span profile', method: 'span' as MarginMethod, params: SPAN_PROFILE.params, digests: { sample: 'be2456de9954da85dc4eb410c685bf59', generated10k: 'fa51e01f657373b88ba4cc733c4f2d57' } },
].filter((c) => ONLY === undefined || ONLY.includes(c.method));
const BOOKS = ['sample', 'generated10k'] as const;

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

  for (const dataset of BOOKS) {
    it(`${dataset}: reports are the recorded bytes on js, wasm-scalar and wasm-simd`, () => {
      const { book, market } = books[dataset];
      const breakdown = dataset === 'sample';
      const seen: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const variant of CASES) {
        expected[variant.name] = variant.digests[dataset];
        const prints = engines.map((engine) => {
          const report = engine.margin(book, market, { method: variant.method, params: variant.params, breakdown });
          expectValidReport(report); // every report the suite fingerprints also conforms to schemas/report.schema.json
          return fingerprint(report);
        });
        expect(new Set(prints).size, `${variant.name}: backends disagree`).toBe(1);
        seen[variant.name] = prints[0];
      }
      expect(seen).toEqual(expected);
    });
  }
});
