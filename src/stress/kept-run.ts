/**
 * Incremental cascade rounds: one margin run kept for a whole cascade and brought to each round's market in place,
 * re-margining only the accounts whose inputs changed. A round's market differs from the last one's in the assets
 * the impact (or the shock step) moved: their prices, vols and the marks and implied vols of their instruments are
 * written into the run's columns (the live layer's tick, src/live/market-update.ts) and the accounts exposed to them
 * (src/live/exposure-index.ts) are re-margined by the method's own `marketMoved`. The accounts a liquidation changed
 * (liquidated, or deleveraged by ADL) were already re-margined by the liquidation itself, and hold no asset they did
 * not hold before (a step only reduces a position or balance it already has and moves USD cash; ADL only reduces the
 * counterparties' positions), so the index built once at the start still names every account a move reaches. Every
 * other account keeps its figures: the same bits a fresh run on the round's market gives it, none of its inputs changed.
 *
 * Only where that holds is the run kept ({@link keptRunApplies}): a method with `marketMoved`, one method for every
 * account, no parameters calibrated to the market (params.dynamic) and no collateral by location (its adjustment
 * is applied after the kernel, not by marketMoved), no instrument settled in an asset and no coin-margined account
 * (the live tick does not revalue those yet). Otherwise each round prepares and runs the method afresh, as before.
 */
import type { ValidatedMarket } from '../model/types.js';
import { isRecord } from '../model/checks.js';
import type { PreparedRun } from '../session/prepared-run.js';
import type { MarginSession } from '../session/session.js';
import type { MarginOptions } from '../session/types.js';
import type { Market } from '../model/types.js';
import { ExposureIndex } from '../live/exposure-index.js';
import { applyTick, instrumentsByAsset, type LiveColumns } from '../live/market-update.js';
import type { ValidTick } from '../live/tick.js';

/** True when a run of `method` under `margin` can be kept across rounds with the bits of a fresh run each round. */
export function keptRunApplies(session: MarginSession, method: string, margin: MarginOptions): boolean {
  if ((margin.frozenLocations?.length ?? 0) > 0) return false;
  // The live tick values instruments in USD and exposes accounts by underlying and balance only: an instrument settled
  // in an asset (inverse, coin-settled options, linear settled in a stablecoin) and a coin-margined account are
  // valued and exposed through their settlement or margin asset too, which it does not follow yet.
  const layout = session.layout;
  if (layout.instruments.anySettled()) return false;
  const marginAsset = layout.marginAsset.array;
  for (let a = 0; a < layout.accountCount; a++) if (marginAsset[a] >= 0) return false;
  const params = isRecord(margin.params) ? margin.params : {};
  if (params.dynamic !== undefined || params.locations !== undefined) return false;
  // an account of another method is margined by its own method in a fresh run; marketMoved runs one method (as live)
  return session.book.accounts.every((a) => a.method === undefined || a.method === method);
}

/** A prepared run kept at the cascade's current market. Release it when the cascade ends. */
export class KeptRun {
  /** Built at the first move (a cascade whose first round liquidates nothing never moves). */
  private exposure: ExposureIndex | null = null;
  private byAsset: Int32Array[] = [];
  private readonly columns: LiveColumns;
  /** The live layer's market JSON the tick writes into (only its assets are read: every tick gives all four fields). */
  private readonly json: Market;
  private market: ValidatedMarket;
  /** Accounts re-margined by market moves (for the benchmark's account of where the time goes). */
  remargined = 0;

  /** Prepares `options` (the options `liquidate` prepares with) at `market` and margins every account once. */
  constructor(private readonly session: MarginSession, readonly run: PreparedRun, market: ValidatedMarket) {
    const ctx = run.context;
    this.market = market;
    run.run();
    this.columns = { layout: ctx.layout, market: ctx.market, rules: ctx.rules, out: ctx.out, greeks: (input) => ctx.kernels().greeks(input) };
    this.json = { valuationTime: market.valuationTime, assets: {} } as Market;
    for (const [symbol, a] of market.assets) this.json.assets[symbol] = { price: a.price, vol: a.vol, rate: a.rate, carry: a.carry };
  }

  /** Brings the run to `next` (a move of the current market: same valuation time, same instruments). */
  moveTo(next: ValidatedMarket): void {
    const run = this.run;
    run.trial.settle(); // a trial left written by the liquidation goes back before the market moves
    const layout = this.session.layout;
    if (this.exposure === null) {
      this.exposure = new ExposureIndex(layout);
      this.byAsset = instrumentsByAsset(layout);
    }
    const tick = tickBetween(this.market, next, layout.instruments.indexById);
    this.market = next;
    const applied = applyTick(tick, this.json, this.columns, this.byAsset);
    if (applied.assets.length === 0 && applied.instruments.length === 0) return;
    const moved = new Set<number>(applied.assets);
    const underlying = layout.instruments.underlying.array;
    for (const i of applied.instruments) moved.add(underlying[i]);
    const accounts = this.exposure.accountsOf([...moved].sort((x, y) => x - y));
    const live = run.methodRun.live;
    if (live) {
      live.marketMoved({ assets: applied.assets, volAssets: applied.volAssets, instruments: applied.instruments, accounts });
      this.remargined += accounts.length;
    } else {
      run.reprepare();
      this.remargined += layout.accountCount;
    }
  }

  release(): void {
    this.run.release();
  }
}

/** What moved from `before` to `after`: every field of a moved asset, and the marks and implied vols that changed. */
function tickBetween(before: ValidatedMarket, after: ValidatedMarket, instruments: ReadonlyMap<string, number>): ValidTick {
  const tick: ValidTick = { assets: new Map(), marks: new Map(), impliedVols: new Map() };
  for (const [symbol, a] of after.assets) {
    const b = before.assets.get(symbol);
    if (b === a) continue; // moveMarket keeps an unmoved asset's record
    if (b && Object.is(b.price, a.price) && Object.is(b.vol, a.vol) && Object.is(b.rate, a.rate) && Object.is(b.carry, a.carry)) continue;
    // vol only when it moved: the methods that follow vols (portfolio, VaR) redo their work for those assets
    tick.assets.set(symbol, b !== undefined && Object.is(b.vol, a.vol) ? { price: a.price, rate: a.rate, carry: a.carry } : { price: a.price, vol: a.vol, rate: a.rate, carry: a.carry });
  }
  for (const [id, mark] of after.marks) if (instruments.has(id) && !Object.is(before.marks.get(id), mark)) tick.marks.set(id, mark);
  for (const [id, vol] of after.impliedVols) if (instruments.has(id) && !Object.is(before.impliedVols.get(id), vol)) tick.impliedVols.set(id, vol);
  return tick;
}
