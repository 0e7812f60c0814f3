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
 * - rounding below zero paid, not reported bankrupt (docs/liquidation.md, the waterfall): a close at the bankruptcy
 *   price, a deficit's credit or a capped fee could leave the equity behind it −1e-13 to −1e-11, and under isolated
 *   margin the credit had gone to the account's cash but not to the position's allocation. The fund now pays that
 *   rounding (else it is booked uncovered), to the position's allocation and the cash together, until the equity is
 *   ≥ 0; and the isolated rest's rounding allowance is 1e-12 × (amounts + 1), so a denormal allocation on an empty
 *   account is no debt. 18 sample and 42 shocked digests and the three stress digests moved. Checked by diffing the
 *   reports' JSON before and after: resolved accounts whose after-status was `bankrupt` at −1e-12 are now healthy (the
 *   sample under isolated queue: 9 of 22 resolved; shocked isolated queue: 48 of 152) and bankrupt ones end at 0,
 *   not −1e-12 (after-status healthy); fundPaid of the dry funds 5e-10 → 0 (that rounding is uncovered); every other
 *   total within 1e-9 relative but two decisions a rounding below zero had moved: shocked derive `im linear-first
 *   capped` directional-perp-000663 resolved instead of bankrupt (its last close had a bankruptcy price above the mark
 *   from −1e-11 of equity, no ADL took it, and 0.31 USD was written off), and shocked deribit `im linear-first capped`
 *   one deleveraged account fewer (95 → 94, the queue's caps met a rounding apart). The cascades' bad debt to its last
 *   bit (isolated btc-crash 711,587.6551215767 → …766), rounds unchanged.
 * - explicit isolated allocations at most what the account holds (docs/rule-based-margin.md): above its balances and
 *   cash above zero they are scaled down pro rata (a book allocating 1,000,000 on 1,000 USDC had the fund pay the
 *   999,000), and a liquidation fixes every allocation as the margin run capped it. The six shocked isolated digests
 *   moved by last bits only (a rounding credit that takes the allocations a rounding above the holdings); states,
 *   steps and totals unchanged. The crash-path cascade under isolated margin: bad debt 717,076.70 → 708,588.60 in the
 *   same 7 rounds (allocations fixed in an earlier round above the BTC collateral left after the crash no longer have
 *   the fund pay the rest of the account's gap); btc-crash by last bits, reverse unchanged.
 * - the same cap at the IM-weighted collateral and cash (net of what the account owes), as the pro-rata pool: a solvent
 *   account that borrowed, or whose collateral is haircut, was reported bankrupt or liquidatable by its own allocation
 *   and paid by the fund. The sample's and the shocked book's six isolated digests moved by last bits (allocations a
 *   liquidation fixed from the pool, a rounding above it, scaled by 1 − 1e-16: totals within 5e-11 relative, states
 *   and steps unchanged); crash-path under isolated margin: bad debt 708,588.60 → 708,506.81, the same 7 rounds;
 *   btc-crash by last bits.
 * - rounding below zero paid on the ADL side too (docs/liquidation.md, ADL): a fill capped at a counterparty's equity
 *   (or an isolated position's own) takes it to 0, which the margin run's sum could round to −4e-12 (a cross
 *   counterparty reported bankrupt by ADL). The fund pays that rounding at the run's end (else it is uncovered), as for
 *   a liquidated account. Three sample and six shocked isolated digests moved. Checked by diffing the reports' JSON:
 *   only deleveraged rows changed, their equity after by last bits with waterfall.insuranceFund or writtenOff of
 *   4.5e-13 to 3.6e-12, and fundPaid, fundEnd, uncovered and badDebt by those amounts; states and steps unchanged.
 *   No pooled method's digest and no stress digest moved.
 * - under isolated margin an account whose position's deficit was written off at its close is `bankrupt`, as the
 *   states are defined (docs/liquidation.md): it had stayed `resolved` when the write-off came at a bankrupt close
 *   rather than at a settlement, and a cascade's `accountsBankrupt` missed it. A write-off counts when it is above the
 *   account's rounding tolerance (roundings the empty fund could not pay make no one bankrupt). Three sample and six
 *   shocked isolated digests moved: only account states and notes, and totals.resolved / totals.bankrupt (the sample's
 *   dry queue 19/3 → 17/5, largest-notional linear fee 22/0 → 12/10; shocked queue 152/0 → 147/5, dry queue
 *   122/30 → 117/35); every amount kept its bits. No pooled method's digest and no stress digest moved.
 * - a write-off's own rounding covered, and the fund never below zero (docs/liquidation.md, the waterfall): crediting a
 *   deficit of 1e12 to cash of −1e12 is exact to an ulp of it, which the rounding cover's tolerance (the account's size
 *   after its closes) did not reach: such accounts ended `bankrupt` at −0.0022 (the sample's largest-notional linear fee
 *   variant, every pooled method) or −7.6e-8 (shocked); now 0, after-status healthy. A payment sized as balance / index
 *   × index could take the fund an ulp below 0 (fundEnd −1.8e-15; mid-run, refilled by later fees, 5.8e-11 lower at the
 *   end of shocked deribit queue and pro-rata): the balance stops at 0. Six sample and seven shocked digests moved;
 *   checked by diffing the reports' JSON: those after-figures, fundEnd, and the fund's later per-step changes and capped
 *   routes by last bits (shocked isolated im linear-first capped); states and every other total unchanged.
 * - pro-rata ADL beyond a book's open interest (docs/liquidation.md, `adl: 'pro-rata'`): 21 of the 28 pro-rata
 *   digests moved (the sample's seven `dry pro-rata`, the shocked book's fourteen); the queue variants and the stress
 *   digests did not. Every contract a bankrupt account routes to a book now counts, beyond the positions the book
 *   holds too, so the average bankruptcy price is every routed contract's and each bankrupt account writes off the same
 *   fraction (the first accounts liquidated took the whole open interest, and the later ones wrote their contracts off
 *   whole). Checked by diffing the reports' JSON before and after: bad debt unchanged but for its last bit, money
 *   conserved; what moved is the split between ADL and uncovered (the sample under cross, dry: ADL absorbed
 *   1,565.73 → 1,738.75, uncovered 4,210.75 → 4,037.74; the shocked book under cross: uncovered 4.67 → 1,995.32, one
 *   account resolved → bankrupt; derive: four, 188 rows changed), the counterparties' fills and the market's slippage.
 * - a small shortfall keeps maxNotionalPerStep (docs/liquidation.md, "Small shortfalls": it lifts the fraction cap
 *   only): the shocked book's `var im linear-first capped` digest moved, no other. Checked by diffing the report's JSON
 *   before and after: one account, directional-perp-000998, whose small-shortfall step is now searched within the
 *   50,000 USD cap instead of the whole holding: its step 2.4143334745718725 → 2.4143318670032006 contracts (the root
 *   found on the narrower interval; both within the slack's tolerance), fees 6,827.9030555719 → …031, closed notional
 *   35,089,159.39633 → …159.39612 USD, every state, the fund's payments and bad debt unchanged.
 * - fees come out of the close-out's surplus (docs/liquidation.md, Fees): a close that would take the equity behind it
 *   below zero first takes back the fees and discounts its close-out paid earlier in the run. Five sample digests
 *   (cross and isolated `im linear-first capped`, portfolio, derive and deribit `largest-notional linear fee`) and six
 *   shocked `largest-notional linear fee` digests (cross, portfolio, var, span, derive, deribit) moved; no stress
 *   digest. Checked by diffing the reports' JSON before and after: 1 to 7 accounts per report take fees back (the
 *   bankrupt step's feeToLiquidator and feeToFund negative), and the fund pays that much less, so ADL and the
 *   deleveraged counterparties their share less where it was empty: the sample under cross `im linear-first capped`
 *   fees to liquidators 37,094.68 → 37,054.53, fund paid 2,634.56 → 2,554.25; shocked cross `largest-notional linear
 *   fee` 604.35 → 64.97 and 5,604.35 → 5,064.97, ADL absorbed 18,911,279.46 → 18,910,740.07. Every state and
 *   resolved/bankrupt count unchanged; totals.uncovered too, but where the sqrt impact on BTC writes off 6e12 to 8e13
 *   (the sample's portfolio, derive and deribit, the shocked derive), whose write-offs move by up to 2,257 as the fund
 *   and ADL reach other accounts.
 * - a coin-settled option's premium held in its coin when a stress moves the coin (docs/stress.md, `spot`): it had been
 *   multiplied by the coin's factor, its USD value by the factor squared. The btc-crash and crash-path digests moved,
 *   through the sample's two BTC-margined accounts, liquidated only under isolated margin: btc-crash isolated bad debt
 *   711,587.66 → 712,625.94, crash-path isolated 708,506.81 → 708,030.64, rounds and accounts liquidated unchanged;
 *   every other method's cascade unchanged (checked by diffing the reports). No liquidation digest moved.
 * - a bankrupt account's deficit shared out over its closes (docs/liquidation.md, "Fill prices and the bankruptcy
 *   price"): a close of an account already below zero takes the share of the deficit that its share of the MM gives it
 *   (dYdX v4's bankruptcy quote, as its fee cap), not the whole deficit, so each quarter of a position closes at the
 *   position's own bankruptcy price; it had put the whole deficit on the first quarter (up to four times the loss a
 *   contract, floored at 0) and closed the rest at the mark. Every digest moved (84 liquidation, 3 stress). Checked by
 *   diffing the reports' JSON before and after: bad debt unchanged to the cent (but last bits where the sqrt impact
 *   writes off 8e13); the fund pays the same but under a per-step cap (`im linear-first capped`: the sample's
 *   2,554.25 → 2,702.73, the deficit now over more steps); what ADL and
 *   write-offs take moves both ways: the sample's uncovered +0 to +154, the shocked book's −10,240 to +101,888
 *   (derive queue 343,843.21 → 442,252.01: its fills' largest gap to the mark 43,685 → 10,921 a contract, so the
 *   counterparties give their contracts before their profit is used up, and ADL absorbs 2,887,691 → 2,786,084).
 *   States unchanged but shocked derive and deribit `im linear-first capped`, one account bankrupt instead of
 *   resolved. Stress: the btc-crash and crash-path rounds move in their fund and ADL figures, their metrics to the
 *   cent unchanged; the reverse search's scale unchanged, its cascade's ADL notional 7,045,234 → 6,995,259.
 * - an account with no surplus over bankruptcy closed out in the order of the book's instrument rows (then balances by
 *   asset), not the order it lists its positions (src/liquidation/next-step.ts firstInRowOrder): no liquidation digest
 *   moved; crash-path did, by one round's bad debt under var in its last bit (round 5: 26,210.07766969934 →
 *   …9353, checked by diffing the reports before and after: the cascade's totals, states and every other round kept
 *   their bits).
 * - a quoted option mark moved with its model value when a stress moves its market (docs/stress.md, "Option marks
 *   under a move"), not held in its coin: the sample's coin-settled puts gain in coin as BTC falls. The btc-crash and
 *   crash-path digests moved, through the BTC-margined accounts under isolated margin only: btc-crash isolated bad
 *   debt 712,625.94 → 717,596.94, crash-path isolated 708,030.64 → 709,335.32, rounds and accounts liquidated per
 *   round unchanged; every other method's cascade unchanged (checked by comparing each cascade's metrics and rounds
 *   before and after). No liquidation digest moved.
 * - an isolated position ADL takes whole gives what is left of its allocation back to the account, as a fill closing
 *   it does (src/margin/account-changes.ts allocationOfClosed): it had stayed on the flat row, backing nothing. Three
 *   sample and five shocked isolated digests moved, through the deleveraged accounts' rows only (checked by diffing
 *   the reports' JSON before and after): their equity after by a last bit, and the dust a flat row's rounding below 0
 *   had drawn from the fund or written off (9.1e-13, 5.8e-11 USD) is gone, with totals.fundPaid / uncovered / badDebt
 *   by their last bits; every state, step and ADL fill kept its bits. No pooled method's digest and no stress digest
 *   moved.
 * - a stress round's bad debt split into fundPaid, adlAbsorbed and uncovered, with the fund's share of the fees
 *   (docs/stress.md, Metrics): the three stress digests moved by the new keys alone. Checked by the digests of the new
 *   reports with those keys left out of every round and of the metrics (metrics.fundPaid kept): the recorded ones,
 *   87e3bb75…, aefa5973… and 20be84bd…. No liquidation digest moved.
 * - two display rules of a step, together: an option's `bankruptcyPrice` above what the option can be worth (a call
 *   its underlying, 1 coin when coin-settled; a put its strike) is null, as no price it can fill at reaches it; and
 *   under pro-rata a closing step part of which the settlement wrote off reads healthAfter −∞ (it read +∞). 16 sample
 *   and 25 shocked digests moved. Checked on js against the previous tree, every variant of both books: 143 steps'
 *   bankruptcyPrice went to null (each above its option's bound, e.g. 285,971.79 for a short USD call bought back at
 *   spot 88,034.5) and 66 steps' healthAfter from +∞ to −∞; with those two fields left out every report is the same
 *   bytes. No stress digest moved.
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
    'cross dry pro-rata': '8433b54179641c33885467fa',
    'cross dry queue': '17e7cfdf82262bfd29dd5c88',
    'cross im linear-first capped': 'fd4daf76c98b3b45882eb0ea',
    'cross largest-notional linear fee': 'bbdb1af8a46213ff9570649f',
    'cross pro-rata': 'e60e0ad95e69d68738921979',
    'cross queue': '57dc3a14e2867e53c2e9fc02',
    'deribit dry pro-rata': '64b535e8390d562b02ddc779',
    'deribit dry queue': '91a52265bdee14a65523162a',
    'deribit im linear-first capped': '2cbc64211e9a49f49ae73f8d',
    'deribit largest-notional linear fee': '86ba0bcd56dc6d6321c9db62',
    'deribit pro-rata': 'af4b2bac0cd035c4770830eb',
    'deribit queue': '451669dce0d5a6fcab57b7a8',
    'derive dry pro-rata': '4fa17d3c27e9252d77c35e71',
    'derive dry queue': '28426b324a4a6cab6e77ff84',
    'derive im linear-first capped': '312fc70432a36d090813818a',
    'derive largest-notional linear fee': '609d00b7515f24bb705caf34',
    'derive pro-rata': 'e520b663371476cebc7f6ea1',
    'derive queue': 'cf59d093a48bfb3b77882544',
    'isolated dry pro-rata': '04ff1621791f22978683b6f0',
    'isolated dry queue': '432a72cb490d6dd10c9e07e1',
    'isolated im linear-first capped': 'b4ec7fb4ca65c84b79e1cf5e',
    'isolated largest-notional linear fee': '9c0b070dacb27e5d6b87df7f',
    'isolated pro-rata': 'c280b7e939ea6908b9aecfb2',
    'isolated queue': '3344bbcba080aaef40d8c9ed',
    'portfolio dry pro-rata': '6ce16e231c74248a6e81b1c7',
    'portfolio dry queue': '2a08f442ba028ce341041a10',
    'portfolio im linear-first capped': 'eca8a1717ff8fb237d04e920',
    'portfolio largest-notional linear fee': '2a312caa1b4e5a0758dd267f',
    'portfolio pro-rata': '4336bd26e5d62a6c9edcfdfa',
    'portfolio queue': '86859fafa752982349f7b3f8',
    'span dry pro-rata': '8d8cfd4322942aac26d5b84a',
    'span dry queue': 'fd6247698c12cff68eca407a',
    'span im linear-first capped': '64bca9ef508e6b2bf9f173bd',
    'span largest-notional linear fee': 'adaa5e5d3506956cb86d2531',
    'span pro-rata': '972235f7e454548e0daf5be0',
    'span queue': '4828ddbf0af88907b50ed156',
    'var dry pro-rata': 'cb65a2651cbfb18b262e5151',
    'var dry queue': '692a41cfa046fd3a8769918e',
    'var im linear-first capped': 'b5b950d381bc493e8e2eecf6',
    'var largest-notional linear fee': 'dc0bddfb61e3b8a799566903',
    'var pro-rata': '5e05a14e6eff9558c8d3f117',
    'var queue': 'e5f4c1e1746d9440ced1b048',
  },
  shocked: {
    'cross dry pro-rata': '047219d05ee6f70fb329f1ad',
    'cross dry queue': '8daa69476bed97084713be83',
    'cross im linear-first capped': 'fd0d42ddff217c0c5ccafdde',
    'cross largest-notional linear fee': '5034c252a19607ebda1b8310',
    'cross pro-rata': '194b3bb2b06b6ce0f33b2a19',
    'cross queue': '6b49e2cd2d7f4c4c94e8f6cc',
    'deribit dry pro-rata': '03cd45f2b9982e8d93845786',
    'deribit dry queue': '903e3945d64019417c9d05ea',
    'deribit im linear-first capped': 'b322150c67e725262c8eca3a',
    'deribit largest-notional linear fee': 'e79ef7a0fd97d6c4465c5f0d',
    'deribit pro-rata': '172ae973eaaec01ac26ae6cf',
    'deribit queue': '22394fe50d19d4c720803c97',
    'derive dry pro-rata': '1254cefdc49601598b99b6c8',
    'derive dry queue': '41da8eaba30f521d87a82dbc',
    'derive im linear-first capped': '68fd864983fb4813955b3a88',
    'derive largest-notional linear fee': '93d82891d4778639c75bf402',
    'derive pro-rata': 'edff695d8b23df7e9aad4404',
    'derive queue': '249d97f4b6e24c8fae88f46d',
    'isolated dry pro-rata': '9cbc85042ad31b14ac8ff6a9',
    'isolated dry queue': 'b7888a90dbce68d37043321e',
    'isolated im linear-first capped': 'f0f3a6cdd6bb8217a7750d6f',
    'isolated largest-notional linear fee': '74a833930e0863845b10f721',
    'isolated pro-rata': '174bf6821525669a760144ad',
    'isolated queue': 'fb4dcef6c2e33f73164b3893',
    'portfolio dry pro-rata': 'ca4f669ccdac175bd9d848e9',
    'portfolio dry queue': 'da54f55382ac4bf19034e2bd',
    'portfolio im linear-first capped': 'a79fae27abb61a5194d81c77',
    'portfolio largest-notional linear fee': '029f1fd72732d0e2602e9d67',
    'portfolio pro-rata': '6b3d3bffb77fc996c736bcea',
    'portfolio queue': '41bdb052228b7e51d80dd6d1',
    'span dry pro-rata': '5ca78589427b772663487459',
    'span dry queue': 'c6e324d7230d40d685a146b3',
    'span im linear-first capped': 'e794a470631dff9f2a81b6ab',
    'span largest-notional linear fee': '97ebcd831b383a9728f7cc6c',
    'span pro-rata': '0afe8606fade42054fe9b5fd',
    'span queue': 'dd9e37e880ef5162dd225696',
    'var dry pro-rata': '7e4a268e081aa8e5ff20d2ee',
    'var dry queue': '9b920dc7c04890902e638fc4',
    'var im linear-first capped': 'aee2136e21799de31e259805',
    'var largest-notional linear fee': '9e05112a2824dcedd4eb74f7',
    'var pro-rata': 'e3618b2f7834472a6620d4f2',
    'var queue': '8fc104d228d9ef97df8ef9e4',
  },
  stress: {
    'btc-crash': 'a9cb80a3094e6dd31419cc06',
    'crash-path': '852f282a8db0cb732bd2a18b',
    'reverse': '199148fd6147f035bef53bf7',
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
