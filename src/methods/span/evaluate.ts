/**
 * One account's SPAN requirement from its scanned groups (one per combined commodity, worst weighted loss and scenario
 * from the reduction kernel) and its positions: first the scanning-based spreads (a share of each leg's commodity
 * scanned together, gains credited), then per commodity the scan risk of the rest, the intra-commodity spread charge
 * on the tier deltas, the short option minimum; across commodities the inter-commodity credits; then
 * requirement = Σ_commodity max((1 − scanned share)·scan + scanning-spread charge + intra − inter credit, SOM).
 * Algorithm and sources: docs/span-margin.md.
 */
import { groupPnlJs, type ReduceColumns } from '../../kernels/js/portfolio/reduce.js';
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_OPTION } from '../../layout/codes.js';
import { type SpanCommodity, type SpanParams, SPAN_SCENARIO_COUNT } from './params.js';
import { type FormLeg, formSpreads, scanSpreadRisk } from './spreads.js';
import type { SpanCommodityExplain, SpanExplain } from './types.js';

/** An account's groups: groups [first, last) of `reduce`, one per commodity, ascending by asset. */
export interface AccountGroups {
  readonly reduce: ReduceColumns;
  readonly first: number;
  readonly last: number;
}

/** What the evaluation reads of the run, per asset and per instrument. */
export interface SpanInputs {
  readonly layout: BookLayout;
  readonly params: SpanParams;
  /** Per asset: its commodity parameters and price scan range (USD per unit). */
  readonly commodity: readonly SpanCommodity[];
  readonly scanRange: Float64Array;
  /** Per asset × scenario: the fraction of the scenario's loss that counts. */
  readonly cover: Float64Array;
  /** Per instrument: composite delta per unit, and its tier (0-based) in its commodity. */
  readonly compositeDelta: Float64Array;
  readonly tier: Int32Array;
  /** Per instrument: its scan group; per scan group (an asset's months contiguous, in order): its asset and price scan range. */
  readonly groupOf: Int32Array;
  readonly groupAsset: Int32Array;
  readonly groupRange: Float64Array;
}

export class SpanEvaluator {
  /** Per asset: where its tiers start in {@link tierDelta}. */
  private readonly tierBase: Int32Array;
  /** Scratch, per asset: the account's local commodity index (−1: none), net delta, short call and put units. */
  private readonly local: Int32Array;
  private readonly netDelta: Float64Array;
  private readonly shortCalls: Float64Array;
  private readonly shortPuts: Float64Array;
  /** Scratch, per asset: delta left after intra spreading (0 outside the account), intra charge, inter credit, weighted price risk. */
  private readonly remaining: Float64Array;
  private readonly intra: Float64Array;
  private readonly credit: Float64Array;
  private readonly wpr: Float64Array;
  /** Scratch, per (asset, tier): delta, then what intra spreading leaves. */
  private readonly tierDelta: Float64Array;
  /** Scratch, per asset: delta left for scanning-based spreads, the share of the commodity they took, the charge. */
  private readonly scanDelta: Float64Array;
  private readonly scanShare: Float64Array;
  private readonly scanCharge: Float64Array;
  private readonly scanLegs: FormLeg[][];
  private readonly pnl = new Float64Array(SPAN_SCENARIO_COUNT);
  /** Per asset, its intra spreads' legs on {@link tierDelta}; per inter spread, its legs on assets (−1: not in the book). */
  private readonly intraLegs: FormLeg[][][];
  private readonly interLegs: FormLeg[][];

  constructor(private readonly inputs: SpanInputs) {
    const U = inputs.layout.assets.length;
    this.tierBase = new Int32Array(U + 1);
    for (let u = 0; u < U; u++) this.tierBase[u + 1] = this.tierBase[u] + inputs.commodity[u].tiers.length;
    this.local = new Int32Array(U).fill(-1);
    this.netDelta = new Float64Array(U);
    this.shortCalls = new Float64Array(U);
    this.shortPuts = new Float64Array(U);
    this.remaining = new Float64Array(U);
    this.intra = new Float64Array(U);
    this.credit = new Float64Array(U);
    this.wpr = new Float64Array(U);
    this.tierDelta = new Float64Array(this.tierBase[U]);
    this.scanDelta = new Float64Array(U);
    this.scanShare = new Float64Array(U);
    this.scanCharge = new Float64Array(U);
    this.intraLegs = inputs.commodity.map((c, u) => c.intraSpreads.map((s) => s.legs.map((leg) => ({ at: this.tierBase[u] + leg.tier - 1, side: leg.side, deltaPerSpread: leg.deltaPerSpread }))));
    const assetIndex = new Map(inputs.layout.assets.map((s, u) => [s, u]));
    const onAssets = (s: { legs: readonly { commodity: string; side: 'A' | 'B'; deltaPerSpread: number }[] }): FormLeg[] =>
      s.legs.map((leg) => ({ at: assetIndex.get(leg.commodity) ?? -1, side: leg.side, deltaPerSpread: leg.deltaPerSpread }));
    this.interLegs = inputs.params.interSpreads.map(onAssets);
    this.scanLegs = inputs.params.scanSpreads.map(onAssets);
  }

  /** The layout's columns, read once per run (and again after an in-place change: a remargin may have moved them). */
  private columns!: {
    underlying: Int32Array; kind: Uint8Array; multiplier: Float64Array; isCall: Uint8Array;
    posStart: Int32Array; posEnd: Int32Array; posInstrument: Int32Array; quantity: Float64Array;
  };

  /** Reads the layout's columns: before a run's accounts, and before each re-margined account. */
  bind(): void {
    const { layout } = this.inputs;
    const ins = layout.instruments;
    this.columns = {
      underlying: ins.underlying.array, kind: ins.kind.array, multiplier: ins.multiplier.array, isCall: ins.isCall.array,
      posStart: layout.positions.start.array, posEnd: layout.positions.end.array,
      posInstrument: layout.positions.column<'i32'>('instrument').array, quantity: layout.positions.column<'f64'>('quantity').array,
    };
  }

  /**
   * Account a's maintenance requirement (USD; NaN when a scan is not finite), on the columns of the last {@link bind}.
   * `value`: each instrument's mark per unit (the NOV of the explain). With `detail`, fills it (the breakdown): the
   * same arithmetic, in the same order.
   */
  requirement(a: number, groups: AccountGroups, value: Float64Array, detail?: SpanExplain): number {
    const { commodity, compositeDelta, tier } = this.inputs;
    const { local, netDelta, shortCalls, shortPuts, tierDelta, tierBase, remaining, intra, credit, wpr, scanShare, scanCharge } = this;
    const { underlying, kind, multiplier, isCall, posStart, posEnd, posInstrument, quantity } = this.columns;
    const { reduce, first, last } = groups;
    const gu = reduce.groupUnderlying;
    this.resetCommodities(groups);
    // deltas per tier, short option units, option values
    let longValue = 0, shortValue = 0;
    for (let p = posStart[a], end = posEnd[a]; p < end; p++) {
      const i = posInstrument[p], u = underlying[i];
      const units = quantity[p] * multiplier[i];
      const d = units * compositeDelta[i];
      tierDelta[tierBase[u] + tier[i]] += d;
      netDelta[u] += d;
      if (kind[i] === KIND_OPTION) {
        if (units < 0) {
          if (isCall[i] !== 0) shortCalls[u] -= units;
          else shortPuts[u] -= units;
          shortValue -= units * value[i];
        } else longValue += units * value[i];
      }
    }
    const tiersBefore = detail ? Float64Array.from(tierDelta) : undefined;
    if (this.scanLegs.length > 0) this.scanSpreads(groups, detail);
    this.intraSpreads(groups, detail);
    this.interSpreads(groups, detail);
    // per commodity requirement, summed in asset order
    let total = 0;
    for (let g = first; g < last; g++) {
      const u = gu[g];
      const scan = reduce.worstLoss[g];
      const som = commodity[u].shortOptionMinimum * Math.max(shortCalls[u], shortPuts[u]);
      // the share taken by scanning-based spreads is charged there (scanCharge on the first leg's commodity)
      const own = scanShare[u] > 0 ? (1 - scanShare[u]) * scan + scanCharge[u] : scan + scanCharge[u];
      const req = Math.max(own + intra[u] - credit[u], som);
      total += req;
      if (detail) {
        const row = this.commodityExplain(groups, g, tiersBefore!, intra[u], credit[u], som, req);
        if (commodity[u].monthScanRanges.length > 0) this.monthRanges(a, u, row);
        if (scanShare[u] > 0) row.scannedShare = scanShare[u];
        if (scanCharge[u] > 0) row.scanSpreadRisk = scanCharge[u];
        detail.commodities.push(row);
      }
    }
    for (let g = first; g < last; g++) {
      local[gu[g]] = -1;
      remaining[gu[g]] = 0;
    }
    if (detail) {
      detail.maintenance = total;
      detail.initial = this.inputs.params.initialToMaintenance * total;
      detail.longOptionValue = longValue;
      detail.shortOptionValue = shortValue;
      detail.netOptionValue = longValue - shortValue;
      detail.totalRequirement = total - (longValue - shortValue);
    }
    return total;
  }

  /** The scratch of the account's commodities (groups) zeroed, and each one's group recorded in `local`. */
  private resetCommodities(groups: AccountGroups): void {
    const { local, netDelta, shortCalls, shortPuts, tierDelta, tierBase, credit, wpr, scanShare, scanCharge } = this;
    const { reduce, first, last } = groups;
    const gu = reduce.groupUnderlying;
  for (let g = first; g < last; g++) {
    const u = gu[g];
    local[u] = g;
    netDelta[u] = 0;
    shortCalls[u] = 0;
    shortPuts[u] = 0;
    credit[u] = 0;
    scanShare[u] = 0;
    scanCharge[u] = 0;
    wpr[u] = NaN; // weighted price risk per delta, computed when a spread needs it
    for (let t = tierBase[u]; t < tierBase[u + 1]; t++) tierDelta[t] = 0;
  }
  }

  /** Intra-commodity spreads of the account's commodities: each one's charge (`intra`) and the delta left (`remaining`). */
  private intraSpreads(groups: AccountGroups, detail?: SpanExplain): void {
    const { commodity } = this.inputs;
    const { tierDelta, tierBase, remaining, intra } = this;
    const { reduce, first, last } = groups;
    const gu = reduce.groupUnderlying;
  // intra-commodity spreads, per commodity: charge, and the delta each commodity has left for inter spreads
  for (let g = first; g < last; g++) {
    const u = gu[g];
    const spreads = commodity[u].intraSpreads, legs = this.intraLegs[u];
    let charge = 0;
    for (let k = 0; k < spreads.length; k++) {
      const n = formSpreads(legs[k], tierDelta);
      if (n > 0) {
        charge += n * spreads[k].chargePerSpread;
        detail?.spreads.push({ kind: 'intra', commodity: this.inputs.layout.assets[u], priority: k, spreads: n, amount: n * spreads[k].chargePerSpread });
      }
    }
    intra[u] = charge;
    let left = 0;
    for (let t = tierBase[u]; t < tierBase[u + 1]; t++) left += tierDelta[t];
    remaining[u] = left;
  }
  }

  /** Inter-commodity spread credits (`credit`) formed from the deltas left after the intra spreads. */
  private interSpreads(groups: AccountGroups, detail?: SpanExplain): void {
    const { remaining, credit, wpr, local } = this;
  // inter-commodity spreads in priority order; a commodity the account does not hold has remaining 0: no spread
  const inter = this.inputs.params.interSpreads;
  for (let k = 0; k < inter.length; k++) {
    const legs = this.interLegs[k];
    const n = formSpreads(legs, remaining);
    if (!(n > 0)) continue;
    let amount = 0;
    for (const leg of legs) {
      const u = leg.at;
      if (Number.isNaN(wpr[u])) wpr[u] = this.weightedPriceRisk(groups, local[u]);
      const c = n * leg.deltaPerSpread * wpr[u] * inter[k].creditRate;
      credit[u] += c;
      amount += c;
    }
    detail?.spreads.push({ kind: 'inter', priority: k, spreads: n, amount });
  }
  }

  /**
   * Scanning-based spreads in priority order on the commodities' net deltas: each formed spread takes the share
   * spreads × deltaPerSpread / |net delta| of every leg's commodity (its tier deltas shrink by that share) and scans it
   * with the other legs' shares, gains credited at the spread's rate; the charge goes to the first leg's commodity.
   */
  private scanSpreads(groups: AccountGroups, detail?: SpanExplain): void {
    const { local, netDelta, scanDelta, scanShare, scanCharge, tierDelta, tierBase } = this;
    const gu = groups.reduce.groupUnderlying;
    scanDelta.fill(0);
    for (let g = groups.first; g < groups.last; g++) scanDelta[gu[g]] = netDelta[gu[g]];
    const spreads = this.inputs.params.scanSpreads, cover = this.inputs.cover;
    for (let k = 0; k < spreads.length; k++) {
      const legs = this.scanLegs[k];
      const n = formSpreads(legs, scanDelta);
      if (!(n > 0)) continue;
      const legLosses = legs.map((leg) => {
        const u = leg.at, share = (n * leg.deltaPerSpread) / Math.abs(netDelta[u]);
        scanShare[u] += share;
        const loss = this.losses(groups, local[u]);
        for (let s = 0; s < SPAN_SCENARIO_COUNT; s++) loss[s] = share * loss[s] * cover[u * SPAN_SCENARIO_COUNT + s];
        return loss;
      });
      const { risk, scenario } = scanSpreadRisk(legLosses, spreads[k].creditRate, SPAN_SCENARIO_COUNT);
      scanCharge[legs[0].at] += risk;
      detail?.spreads.push({ kind: 'scan', priority: k, spreads: n, amount: risk, scenario: scenario + 1 });
    }
    for (let g = groups.first; g < groups.last; g++) {
      const u = gu[g];
      if (scanShare[u] > 0) for (let t = tierBase[u]; t < tierBase[u + 1]; t++) tierDelta[t] *= 1 - scanShare[u];
    }
  }

  /** Losses of group g at every scenario (USD, loss > 0; unweighted), summed as the reduction kernel sums them. */
  private losses(groups: AccountGroups, g: number): Float64Array {
    groupPnlJs(groups.reduce, g, SPAN_SCENARIO_COUNT, this.pnl);
    const loss = new Float64Array(SPAN_SCENARIO_COUNT);
    for (let s = 0; s < SPAN_SCENARIO_COUNT; s++) loss[s] = -this.pnl[s];
    return loss;
  }

  /** Time, volatility and price risk of group g (docs/span-margin.md, "Inter-commodity credits"). */
  private riskParts(groups: AccountGroups, g: number): { time: number; vol: number; price: number } {
    const loss = this.losses(groups, g);
    const scan = groups.reduce.worstLoss[g];
    const s = groups.reduce.worstScenario[g];
    const time = (loss[0] + loss[1]) / 2;
    const vol = s >= 0 && s < 14 ? Math.abs(loss[s & ~1] - loss[s | 1]) / 2 : 0;
    return { time, vol, price: Math.max(scan - time - vol, 0) };
  }

  /** Price risk per unit of net delta (USD per unit of underlying); 0 without net delta. */
  private weightedPriceRisk(groups: AccountGroups, g: number): number {
    const u = groups.reduce.groupUnderlying[g];
    const d = Math.abs(this.netDelta[u]);
    return d > 0 ? this.riskParts(groups, g).price / d : 0;
  }

  /**
   * A commodity scanned by month: the ranges of the months account a holds (in month order), and the widest of them
   * as the row's `priceScanRange` (the commodity's own range is not used).
   */
  private monthRanges(a: number, u: number, row: SpanCommodityExplain): void {
    const { groupOf, groupAsset, groupRange } = this.inputs;
    const { underlying, posStart, posEnd, posInstrument } = this.columns;
    const held = new Set<number>();
    for (let p = posStart[a], end = posEnd[a]; p < end; p++) if (underlying[posInstrument[p]] === u) held.add(groupOf[posInstrument[p]]);
    const months = [...held].sort((x, y) => x - y);
    const base = groupAsset.indexOf(u); // the commodity's first month's group
    row.monthScanRanges = months.map((g) => ({ upToDays: this.inputs.commodity[u].monthScanRanges[g - base].upToDays, priceScanRange: groupRange[g] }));
    row.priceScanRange = Math.max(...months.map((g) => groupRange[g]));
  }

  private commodityExplain(groups: AccountGroups, g: number, tiersBefore: Float64Array, intra: number, credit: number, som: number, req: number): SpanCommodityExplain {
    const u = groups.reduce.groupUnderlying[g];
    const parts = this.riskParts(groups, g);
    const base = this.tierBase[u];
    const tiers = this.inputs.commodity[u].tiers.map((_, t) => ({ tier: t + 1, delta: tiersBefore[base + t], remaining: this.tierDelta[base + t] }));
    return {
      commodity: this.inputs.layout.assets[u], priceScanRange: this.inputs.scanRange[u],
      scanRisk: groups.reduce.worstLoss[g], scenario: groups.reduce.worstScenario[g] + 1,
      timeRisk: parts.time, volatilityRisk: parts.vol, priceRisk: parts.price, netDelta: this.netDelta[u], tiers,
      intraCharge: intra, interCredit: credit, shortOptionMinimum: som, requirement: req,
    };
  }
}
