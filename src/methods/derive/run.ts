/**
 * One `derive` run over a laid-out book: the book's options grouped into expiries per underlying (terms.ts), every
 * option revalued once per (vol family, spot shock) on the risk-array kernel (revalue.ts), and each account's
 * requirements from that table (account.ts). Mapping of margin-core's book onto Derive's portfolio:
 *
 * - options → strike holdings of their (underlying, expiry), contracts × multiplier;
 * - perpetuals and futures → Derive's perp: linear exposure moving with spot, marked at the instrument's mark;
 * - spot positions → a risk-cancelling balance of their underlying (value = units × mark);
 * - balances of `cashAsset` (USDC) → Derive's cash: in equity, never in the requirement;
 * - other balances → collaterals valued amount × price / stablePrice, with `params.derive.collateral[asset]`'s terms
 *   (unlisted: no haircut, confidence 1, no scenario risk); a negative balance is charged on its absolute value;
 * - the forward, its settled part, the rate and the feed confidences of each expiry from `params.derive.feeds`
 *   (default: the market's rate and forward spot·e^((rate − carry)τ), confidence 1).
 * Equity is margin-core's (the rule-based kernel): the profile sets no collateral haircut there, as Derive charges
 * haircuts as contingencies, so equity − requirement is Derive's margin when the marks agree.
 */
import { RISK_ARRAY_COLUMNS, RISK_ARRAY_TYPES, type RiskArrayColumnName } from '../../kernels/abi.js';
import type { MarginKernels } from '../../kernels/backend.js';
import { KIND_FUTURE, KIND_OPTION, KIND_SPOT } from '../../layout/codes.js';
import { ProblemList } from '../../errors.js';
import { keyPath } from '../../model/checks.js';
import { Column } from '../../memory/columns.js';
import { exp } from '../../kernels/js/elementary.js';
import type { MethodContext } from '../method.js';
import { accountMargin, type DeriveAccountResult, type DeriveHoldings, type DeriveMarketState, type UnderlyingFeedTerms } from './account.js';
import type { DeriveParams } from './params.js';
import { type OptionSpec, type RiskArrayRunner, revalue, shockColumns } from './revalue.js';
import { type ExpiryTerms, expiryTerms } from './terms.js';

/** The risk-array kernel of `kernels` over columns allocated for one call in `ctx.allocator` (freed after). */
export function kernelRunner(ctx: MethodContext, kernels: MarginKernels): RiskArrayRunner {
  return (input, nScenarios) => {
    const n = input.kind.length, U = input.spot.length;
    const size = (k: RiskArrayColumnName): number => (k === 'logMove' ? U * nScenarios : k === 'riskArray' ? n * nScenarios : input[k].length);
    const cols = Object.fromEntries(RISK_ARRAY_COLUMNS.map((k) => [k, Column.allocate(ctx.allocator, RISK_ARRAY_TYPES[k], size(k))])) as Record<RiskArrayColumnName, Column>;
    const args = Column.allocate(ctx.allocator, 'i32', RISK_ARRAY_COLUMNS.length);
    try {
      // views after every allocation (a memory growth detaches earlier ones)
      for (const k of RISK_ARRAY_COLUMNS) if (k !== 'logMove' && k !== 'riskArray') (cols[k].array as Float64Array).set(input[k] as Float64Array);
      kernels.riskArrays(n, U, nScenarios, cols, args);
      return (cols.riskArray.array as Float64Array).slice();
    } finally {
      for (const c of Object.values(cols)) c.release();
      args.release();
    }
  };
}

export class DeriveRun {
  /** Option index of each instrument (−1: not an option). */
  private readonly optionOf: Int32Array;
  private state: DeriveMarketState | null = null;
  /** Per account after run / remargin: the breakdown (kept only with breakdown). */
  private readonly results = new Map<number, DeriveAccountResult>();

  constructor(private readonly ctx: MethodContext, readonly params: DeriveParams) {
    this.optionOf = new Int32Array(ctx.layout.instruments.count).fill(-1);
    checkFeedExpiries(ctx.layout, params);
  }

  /** Expiries, options and their value table on the current market. */
  private prepareMarket(): DeriveMarketState {
    const { layout, market, snapshot } = this.ctx;
    const p = this.params;
    const ins = layout.instruments;
    const kind = ins.kind.array, underlying = ins.underlying.array, expiryMs = ins.expiryMs.array;
    const price = market.price.array, rate = market.rate.array, carry = market.carry.array, impliedVol = market.impliedVol.array;
    const underlyings: UnderlyingFeedTerms[] = layout.assets.map((asset, u) => {
      const feed = Object.hasOwn(p.feeds, asset) ? p.feeds[asset] : undefined;
      return { spot: price[u], spotConfidence: feed?.spotConfidence ?? 1, perpConfidence: feed?.perpConfidence ?? 1 };
    });
    const expiries: ExpiryTerms[] = [];
    const expiryIndex = new Map<string, number>();
    const options: OptionSpec[] = [];
    const optionConfidence: number[] = [];
    for (let i = 0; i < ins.count; i++) {
      if (kind[i] !== KIND_OPTION) continue;
      const u = underlying[i];
      const key = `${u}:${expiryMs[i]}`;
      let e = expiryIndex.get(key);
      const feed = feedOf(p, layout.assets[u], expiryMs[i]);
      if (e === undefined) {
        const seconds = (expiryMs[i] - snapshot.valuationMs) / 1000;
        const years = Math.max(seconds, 0) / (365 * 86_400);
        const r = feed?.rate ?? rate[u];
        const forward = feed?.forward ?? price[u] * exp((r - carry[u]) * years);
        e = expiries.length;
        expiryIndex.set(key, e);
        expiries.push(expiryTerms({
          underlying: u, seconds, forward, forwardFixed: feed?.forwardFixed ?? 0, rate: r,
          confidence: Math.min(feed?.forwardConfidence ?? 1, feed?.rateConfidence ?? 1),
        }, p));
      }
      this.optionOf[i] = options.length;
      options.push({ expiry: e, strike: ins.strike.array[i], isCall: ins.isCall.array[i] !== 0, vol: impliedVol[i] });
      optionConfidence.push(feed?.volConfidence ?? 1);
    }
    const columns = shockColumns(p);
    const values = revalue(options, expiries, columns, p, kernelRunner(this.ctx, this.ctx.kernels()));
    return { params: p, columns, underlyings, expiries, options, optionConfidence: Float64Array.from(optionConfidence), values };
  }

  /** Account a's holdings in Derive's terms, from the layout as it is now. */
  holdings(a: number): DeriveHoldings {
    const { layout, market } = this.ctx;
    const ins = layout.instruments;
    const kind = ins.kind.array, underlying = ins.underlying.array, multiplier = ins.multiplier.array;
    const mark = this.ctx.out.value.array;
    const posStart = layout.positions.start.array, posEnd = layout.positions.end.array;
    const posInstrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
    const colStart = layout.collateral.start.array, colEnd = layout.collateral.end.array;
    const colAsset = layout.collateral.column<'i32'>('asset').array, amount = layout.collateral.column<'f64'>('amount').array;
    const price = market.price.array;
    const h = { options: [] as { option: number; amount: number }[], perps: [] as DeriveHoldings['perps'][number][], collaterals: [] as DeriveHoldings['collaterals'][number][] };
    const stable = this.params.stablePrice;
    for (let k = posStart[a]; k < posEnd[a]; k++) {
      const i = posInstrument[k];
      const units = quantity[k] * multiplier[i];
      if (units === 0) continue;
      if (kind[i] === KIND_OPTION) h.options.push({ option: this.optionOf[i], amount: units });
      else if (kind[i] === KIND_SPOT) h.collaterals.push({ value: (units * mark[i]) / stable, confidence: 1, riskCancelling: underlying[i], imHaircut: 0, mmHaircut: 0 });
      else h.perps.push({ underlying: underlying[i], position: units, price: mark[i] });
    }
    for (let k = colStart[a]; k < colEnd[a]; k++) {
      const asset = layout.assets[colAsset[k]];
      if (amount[k] === 0 || asset === this.params.cashAsset) continue;
      const terms = Object.hasOwn(this.params.collateral, asset) ? this.params.collateral[asset] : undefined;
      const rc = terms?.riskCancelling ?? null;
      const value = (amount[k] * price[colAsset[k]]) / stable;
      h.collaterals.push({
        // a borrowing is charged like a holding of its size: haircuts never reduce a requirement
        value, confidence: terms?.confidence ?? 1, riskCancelling: rc === null ? -1 : layout.assets.indexOf(rc),
        imHaircut: (terms?.imHaircut ?? 0) * Math.sign(value), mmHaircut: (terms?.mmHaircut ?? 0) * Math.sign(value),
      });
    }
    return h;
  }

  /** Revalues the book's options and writes IM and MM of every live account. */
  run(): void {
    this.state = this.prepareMarket();
    this.results.clear();
    const live = this.ctx.layout.live.array;
    for (let a = 0; a < this.ctx.layout.accountCount; a++) if (live[a] !== 0) this.margin(a);
  }

  /** Account a again, from the layout as it is now (the table stays: instruments did not change). */
  remargin(a: number): void {
    this.margin(a);
  }

  private margin(a: number): void {
    const r = accountMargin(this.state as DeriveMarketState, this.holdings(a));
    this.ctx.out.im.array[a] = r.im;
    this.ctx.out.mm.array[a] = r.mm;
    if (this.ctx.breakdown) this.results.set(a, r);
  }

  /** Account a's breakdown (after run or remargin). */
  resultOf(a: number): DeriveAccountResult {
    return this.results.get(a) ?? accountMargin(this.state as DeriveMarketState, this.holdings(a));
  }

  get market(): DeriveMarketState {
    return this.state as DeriveMarketState;
  }
}

/**
 * Refuses a feed entry keyed at an expiry none of the book's options or futures on its underlying has: its terms would
 * never be read, so a mistyped key (a day off, another hour) would drop its forward and confidence charge in silence.
 */
function checkFeedExpiries(layout: MethodContext['layout'], p: DeriveParams): void {
  const ins = layout.instruments, problems = new ProblemList();
  for (const [asset, feed] of Object.entries(p.feeds)) {
    const u = layout.assetIndex(asset), held = new Set<number>();
    for (let i = 0; i < ins.count; i++) if (ins.underlying.array[i] === u && (ins.kind.array[i] === KIND_OPTION || ins.kind.array[i] === KIND_FUTURE)) held.add(ins.expiryMs.array[i]);
    for (const key of Object.keys(feed.expiries)) {
      if (held.has(Date.parse(key))) continue;
      const listed = [...held].sort((x, y) => x - y).slice(0, 4).map((ms) => new Date(ms).toISOString().replace('.000Z', 'Z'));
      problems.add(keyPath(`${keyPath('params.derive.feeds', asset)}.expiries`, key), `no option or future on ${asset} in the book expires then${listed.length > 0 ? ` (its expiries: ${listed.join(', ')}${held.size > 4 ? ', …' : ''})` : ''}: the entry's terms would not be used`);
    }
  }
  problems.throwIfAny();
}

function feedOf(p: DeriveParams, asset: string, expiryMs: number) {
  const feed = Object.hasOwn(p.feeds, asset) ? p.feeds[asset] : undefined;
  if (!feed) return undefined;
  for (const [key, value] of Object.entries(feed.expiries)) if (Date.parse(key) === expiryMs) return value;
  return undefined;
}
