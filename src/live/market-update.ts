/**
 * A validated tick written into a live run's market, in place and only where it changes something: the
 * market JSON the live session keeps, the asset columns of the ticked assets, the instrument columns (implied
 * vol, mark and mark source) of the instruments on those assets or settled in them and of the ticked ones, their
 * values (`out.value`: options through the Greeks kernel, as src/margin/valuation.ts values them) and their
 * rule-based instrument terms (the kernel's JS twin, prepareInstruments: same bits). Every write has the
 * arithmetic of applyMarket and valueInstruments, so the columns equal those of a fresh session on the new
 * snapshot. An undo restores the previous columns exactly.
 */
import type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';
import { prepareInstruments } from '../kernels/js/margin.js';
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION, MARK_NONE } from '../layout/codes.js';
import { type MarketLayout, writeForwardGrowth, writeMark } from '../layout/market-layout.js';
import { valueRowInSettlement } from '../margin/coin-valuation.js';
import { marginColumnMap, marginViews, type MarginOutputs } from '../margin/outputs.js';
import type { ParamLayout } from '../margin/param-layout.js';
import type { Market } from '../model/types.js';
import type { ValidTick } from './tick.js';

/** The columns a tick writes: the live run's layout, market, parameters and outputs. */
export interface LiveColumns {
  readonly layout: BookLayout;
  readonly market: MarketLayout;
  readonly rules: ParamLayout;
  readonly out: MarginOutputs;
  greeks(input: GreeksInput): GreeksOutput;
}

/** What a tick changed, by layout index (ascending), and how to take it back. */
export interface AppliedTick {
  assets: Int32Array;
  volAssets: Int32Array;
  instruments: Int32Array;
  undo(): void;
}

/**
 * Instrument rows by asset (layout indices), for the rows a move of an asset touches: those on it as underlying, and
 * those settled in it (a linear contract's mark in its settlement asset is F / P_Y).
 */
export function instrumentsByAsset(layout: BookLayout): Int32Array[] {
  const lists: number[][] = layout.assets.map(() => []);
  const underlying = layout.instruments.underlying.array, settlement = layout.instruments.settlement.array;
  for (let i = 0; i < layout.instruments.count; i++) {
    lists[underlying[i]].push(i);
    if (settlement[i] >= 0 && settlement[i] !== underlying[i]) lists[settlement[i]].push(i);
  }
  return lists.map((l) => Int32Array.from(l));
}

export function applyTick(tick: ValidTick, market: Market, c: LiveColumns, byAsset: readonly Int32Array[]): AppliedTick {
  const { layout } = c;
  const m = c.market;
  const ins = layout.instruments;
  // ---- the JSON snapshot (kept for readers and for a fresh session), with its previous values for undo
  const jsonBefore = { assets: new Map<string, Market['assets'][string]>(), marks: new Map<string, number | undefined>(), impliedVols: new Map<string, number | undefined>() };
  market.marks ??= {};
  market.impliedVols ??= {};
  for (const [symbol, values] of tick.assets) {
    jsonBefore.assets.set(symbol, market.assets[symbol]);
    market.assets[symbol] = { ...market.assets[symbol], ...values };
  }
  for (const [id, mark] of tick.marks) {
    jsonBefore.marks.set(id, market.marks[id]);
    market.marks[id] = mark;
  }
  for (const [id, vol] of tick.impliedVols) {
    jsonBefore.impliedVols.set(id, market.impliedVols[id]);
    market.impliedVols[id] = vol;
  }
  // ---- asset columns
  const assets: number[] = [], volAssets: number[] = [];
  const assetBefore: { u: number; price: number; vol: number; rate: number; carry: number }[] = [];
  for (const [symbol, values] of tick.assets) {
    const u = layout.assetIndex(symbol);
    if (u < 0) continue; // priced by the market, not used by the book
    assetBefore.push({ u, price: m.price.array[u], vol: m.vol.array[u], rate: m.rate.array[u], carry: m.carry.array[u] });
    const a = market.assets[symbol];
    m.price.array[u] = a.price;
    m.vol.array[u] = a.vol;
    m.rate.array[u] = a.rate ?? 0;
    m.carry.array[u] = a.carry ?? 0;
    assets.push(u);
    if (values.vol !== undefined) volAssets.push(u);
  }
  assets.sort((x, y) => x - y);
  volAssets.sort((x, y) => x - y);
  // ---- instrument rows: every instrument on a moved asset, and the ticked ones
  const touched = new Uint8Array(ins.count);
  for (const u of assets) for (const i of byAsset[u]) touched[i] = 1;
  for (const id of tick.marks.keys()) touched[ins.indexById.get(id)!] = 1;
  for (const id of tick.impliedVols.keys()) touched[ins.indexById.get(id)!] = 1;
  const rows: number[] = [];
  for (let i = 0; i < ins.count; i++) if (touched[i]) rows.push(i);
  const value = c.out.value;
  const rowBefore = rows.map((i) => ({ i, impliedVol: m.impliedVol.array[i], mark: m.mark.array[i], markSource: m.markSource.array[i], value: value.array[i], forwardGrowth: m.forwardGrowth.array[i] }));
  writeRows(rows, tick, market, c);
  return {
    assets: Int32Array.from(assets),
    volAssets: Int32Array.from(volAssets),
    instruments: Int32Array.from(rows),
    undo() {
      for (const [symbol, before] of jsonBefore.assets) market.assets[symbol] = before;
      for (const [id, before] of jsonBefore.marks) if (before === undefined) delete market.marks![id]; else market.marks![id] = before;
      for (const [id, before] of jsonBefore.impliedVols) if (before === undefined) delete market.impliedVols![id]; else market.impliedVols![id] = before;
      for (const b of assetBefore) {
        m.price.array[b.u] = b.price;
        m.vol.array[b.u] = b.vol;
        m.rate.array[b.u] = b.rate;
        m.carry.array[b.u] = b.carry;
      }
      for (const b of rowBefore) {
        m.impliedVol.array[b.i] = b.impliedVol;
        m.mark.array[b.i] = b.mark;
        m.markSource.array[b.i] = b.markSource;
        m.forwardGrowth.array[b.i] = b.forwardGrowth;
        c.out.value.array[b.i] = b.value;
      }
      refreshTerms(rows, c);
    },
  };
}

/**
 * Implied vols, marks, values and rule-based terms of `rows`, as applyMarket and valueInstruments write them: the
 * mark by the same rule (market-layout.ts writeMark, from the live market's quoted mark), the value in the
 * instrument's settlement asset by the same formula (coin-valuation.ts: an inverse contract at −1/mark, a
 * coin-settled option at its model value over the forward).
 */
function writeRows(rows: readonly number[], tick: ValidTick, market: Market, c: LiveColumns): void {
  const { layout } = c;
  const m = c.market, ins = layout.instruments;
  const kind = ins.kind.array, underlying = ins.underlying.array;
  const price = m.price.array, rate = m.rate.array, carry = m.carry.array;
  const marks = market.marks ?? {};
  const options: number[] = [];
  for (const i of rows) {
    const id = ins.ids[i];
    const vol = tick.impliedVols.get(id);
    if (vol !== undefined) m.impliedVol.array[i] = vol;
    writeMark(layout, m, i, Object.hasOwn(marks, id) ? marks[id] : undefined);
    writeForwardGrowth(layout, m, i); // a tick may move the underlying's rate or carry
    if (kind[i] === KIND_OPTION && m.markSource.array[i] === MARK_NONE) options.push(i);
    else c.out.value.array[i] = m.mark.array[i];
  }
  if (options.length > 0) {
    const n = options.length;
    const input: Required<GreeksInput> = {
      isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiryYears: new Float64Array(n),
      vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
    };
    options.forEach((i, j) => {
      const u = underlying[i];
      input.isCall[j] = ins.isCall.array[i];
      input.spot[j] = price[u];
      input.strike[j] = ins.strike.array[i];
      input.expiryYears[j] = m.expiryYears.array[i];
      input.vol[j] = m.impliedVol.array[i];
      input.rate[j] = rate[u];
      input.carry[j] = carry[u];
    });
    const prices = c.greeks(input).price;
    const values = c.out.value.array; // after the Greeks call: it may have grown memory
    options.forEach((i, j) => (values[i] = prices[j]));
  }
  const value = c.out.value.array; // the Greeks call may have grown memory
  for (const i of rows) valueRowInSettlement(layout, m, value, i);
  refreshTerms(rows, c);
}

/** The rule-based kernel's per-instrument terms of `rows` from the current values and prices. */
function refreshTerms(rows: readonly number[], c: LiveColumns): void {
  const views = marginViews(marginColumnMap(c.layout, c.market, c.rules, c.out));
  for (const i of rows) prepareInstruments(views, i, i + 1);
}
