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
 * Only where that holds is the run kept ({@link keptRunApplies}): a method with `marketMoved`, no parameters
 * calibrated to the market (params.dynamic) and no collateral by location (its adjustment
 * is applied after the kernel, not by marketMoved). Coin-margined accounts and instruments settled in an asset are
 * kept too: the live tick values them as a fresh market does (src/live/market-update.ts) and the index exposes an
 * account to its settlement and margin assets. Otherwise each round prepares and runs the method afresh, as before.
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

/**
 * True when a run under `margin` can be kept across rounds with the bits of a fresh run each round. Accounts' own
 * methods do not matter: a stress margins every account by the run's method (src/session/session.ts prepare: one
 * method over every account), fresh or kept.
 */
export function keptRunApplies(margin: MarginOptions): boolean {
  if ((margin.frozenLocations?.length ?? 0) > 0) return false;
  const params = isRecord(margin.params) ? margin.params : {};
  return params.dynamic === undefined && params.locations === undefined;
}

/**
 * What the kept runs of one session share from cascade to cascade (a reverse search's, Monte Carlo paths'): the
 * exposure index and the instruments by asset, built at the first move of the first cascade that moves. The cascades
 * start from the same holdings put back, and a cascade gives no account an asset it did not hold, so the index stays
 * true for all of them.
 */
export interface ExposureCache {
  index?: ExposureIndex | undefined;
  byAsset?: Int32Array[] | undefined;
  /** Per layout asset, 1 when an instrument of the book is on it. */
  underlies?: Uint8Array | undefined;
}

/**
 * A move reaching more than this share of the accounts is followed by a fresh run at the new market instead (the
 * same bits: it is what the kept run stands for). perf: threshold (docs/performance.md): moving the run in place
 * (the tick, its options' values and terms, the exposure lists, the listed re-margin) measured about the cost of a
 * fresh prepare and run when it reaches every account, so only a narrower move is worth it.
 */
export const FRESH_RUN_SHARE = 0.9;

/** A prepared run kept at the cascade's current market. Release it when the cascade ends. */
export class KeptRun {
  private current: PreparedRun | null = null;
  private columns!: LiveColumns;
  /** The live layer's market JSON the tick writes into (only its assets are read: every tick gives all four fields). */
  private json!: Market;
  private market!: ValidatedMarket;
  /** Accounts margined since the start (every account at each fresh run), and the fresh runs (for the benchmarks). */
  margined = 0;
  freshRuns = 0;

  /**
   * Prepares a run at `market` with `prepare` (the options `liquidate` prepares with) and margins every account.
   * `exposure`: the cache shared with the session's other cascades.
   */
  constructor(
    private readonly session: MarginSession,
    private readonly prepare: (market: ValidatedMarket) => PreparedRun,
    market: ValidatedMarket,
    private readonly exposure: ExposureCache = {},
    /** {@link FRESH_RUN_SHARE} unless given (tests give 1 to move the run in place whatever a move reaches). */
    private readonly freshRunShare = FRESH_RUN_SHARE,
  ) {
    this.start(market);
  }

  get run(): PreparedRun {
    if (this.current === null) throw new Error('margin-core: the kept run was released');
    return this.current;
  }

  /** Brings the run to `next` (a move of the current market: same valuation time, same instruments). */
  moveTo(next: ValidatedMarket): void {
    const run = this.run;
    run.trial.settle(); // a trial left written by the liquidation goes back before the market moves
    const layout = this.session.layout;
    const moved = movedAssets(this.market, next, layout);
    if (moved.length === 0) {
      this.market = next;
      return;
    }
    // the cheap test first: a move of every asset the book's instruments are on reaches (nearly) every account
    const underlies = (this.exposure.underlies ??= underlyingFlags(layout));
    let unmoved = 0;
    for (let u = 0; u < underlies.length; u++) unmoved += underlies[u];
    for (const u of moved) unmoved -= underlies[u];
    const live = run.methodRun.live;
    let accounts: Int32Array | null = null;
    if (live && (unmoved > 0 || this.freshRunShare >= 1)) {
      accounts = (this.exposure.index ??= new ExposureIndex(layout)).accountsOf(moved);
      if (accounts.length > this.freshRunShare * layout.accountCount) accounts = null;
    }
    if (!live || accounts === null) {
      // (the session's market columns are the run's: the old run goes before the new one is prepared)
      this.release();
      this.start(next);
      return;
    }
    const byAsset = (this.exposure.byAsset ??= instrumentsByAsset(layout));
    const tick = tickBetween(this.market, next, layout, byAsset);
    this.market = next;
    const applied = applyTick(tick, this.json, this.columns, byAsset);
    live.marketMoved({ assets: applied.assets, volAssets: applied.volAssets, instruments: applied.instruments, accounts });
    this.margined += accounts.length;
  }

  release(): void {
    this.current?.release();
    this.current = null;
  }

  private start(market: ValidatedMarket): void {
    const run = this.prepare(market);
    try {
      run.run();
    } catch (error) {
      run.release();
      throw error;
    }
    this.current = run;
    this.market = market;
    const ctx = run.context;
    this.columns = { layout: ctx.layout, market: ctx.market, rules: ctx.rules, out: ctx.out, greeks: (input) => ctx.kernels().greeks(input) };
    this.json = { valuationTime: market.valuationTime, assets: {} } as Market;
    for (const [symbol, a] of market.assets) this.json.assets[symbol] = { price: a.price, vol: a.vol, rate: a.rate, carry: a.carry };
    this.margined += this.session.layout.accountCount;
    this.freshRuns++;
  }
}

/**
 * The layout assets whose record `after` replaced, ascending: a move (src/model/move-market.ts) keeps an unmoved
 * asset's record, and changes an instrument's mark or implied vol only with its underlying's record.
 */
function movedAssets(before: ValidatedMarket, after: ValidatedMarket, layout: MarginSession['layout']): number[] {
  const moved: number[] = [];
  for (const [symbol, a] of after.assets) {
    if (before.assets.get(symbol) === a) continue;
    const u = layout.assetIndex(symbol);
    if (u >= 0) moved.push(u);
  }
  return moved.sort((x, y) => x - y);
}

/** Per layout asset, 1 when an instrument of the book is on it. */
function underlyingFlags(layout: MarginSession['layout']): Uint8Array {
  const flags = new Uint8Array(layout.assets.length), underlying = layout.instruments.underlying.array;
  for (let i = 0; i < layout.instruments.count; i++) flags[underlying[i]] = 1;
  return flags;
}

/**
 * What moved from `before` to `after`: every field of a moved asset, and the book's marks and implied vols that
 * changed. A move (src/model/move-market.ts) changes an instrument's mark and implied vol only when its underlying
 * moved, so only the instruments on moved assets are compared.
 */
function tickBetween(before: ValidatedMarket, after: ValidatedMarket, layout: MarginSession['layout'], byAsset: readonly Int32Array[]): ValidTick {
  const tick: ValidTick = { assets: new Map(), marks: new Map(), impliedVols: new Map() };
  const ids = layout.instruments.ids;
  for (const [symbol, a] of after.assets) {
    const b = before.assets.get(symbol);
    if (b === a) continue; // moveMarket keeps an unmoved asset's record (and its instruments' marks and vols)
    // its instruments: a clamped vol can leave the asset's vol as it was and still shift its options' implied vols
    const u = layout.assetIndex(symbol);
    for (const i of u < 0 ? [] : byAsset[u]) {
      const id = ids[i], mark = after.marks.get(id), vol = after.impliedVols.get(id);
      if (mark !== undefined && !Object.is(before.marks.get(id), mark)) tick.marks.set(id, mark);
      if (vol !== undefined && !Object.is(before.impliedVols.get(id), vol)) tick.impliedVols.set(id, vol);
    }
    if (b && Object.is(b.price, a.price) && Object.is(b.vol, a.vol) && Object.is(b.rate, a.rate) && Object.is(b.carry, a.carry)) continue;
    // vol only when it moved: the methods that follow vols (portfolio, VaR) redo their work for those assets
    tick.assets.set(symbol, b !== undefined && Object.is(b.vol, a.vol) ? { price: a.price, rate: a.rate, carry: a.carry } : { price: a.price, vol: a.vol, rate: a.rate, carry: a.carry });
  }
  return tick;
}
