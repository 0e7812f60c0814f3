/**
 * Account archetypes of a crypto derivatives venue. Each builder draws one account from the seeded
 * stream: what it holds, in what size, entered at what price. Sizes follow a log-normal equity
 * (median ~$25k) and each archetype's typical leverage.
 */

import type { Account, CollateralBalance, Position } from '../model/types.js';
import { decimalsOf, profileOf, roundTo, toLots } from './assets.js';
import { quoteOption } from './pricing.js';
import type { Random } from './random.js';
import { significant, type ChainExpiry, type Universe } from './universe.js';

export interface Archetype {
  /** Also the prefix of the account ids it builds, e.g. `covered-call-000042`. */
  readonly name: string;
  /** Relative frequency in a generated book. */
  readonly weight: number;
  build(ctx: AccountContext, id: string): Account;
}

export interface AccountContext {
  readonly rng: Random;
  readonly universe: Universe;
}

const DAY = 1 / 365;

/** Collects one account's holdings, pricing entries from the universe. */
class AccountBuilder {
  readonly positions: Position[] = [];
  private readonly balances = new Map<string, number>();

  constructor(private readonly ctx: AccountContext) {}

  deposit(asset: string, amount: number): void {
    this.balances.set(asset, (this.balances.get(asset) ?? 0) + amount);
  }

  /** Perpetual or future by id, entered at its mark moved by a few % (trades done earlier). */
  linear(id: string, asset: string, quantity: number, entryDrift = 0.03): void {
    const mark = this.ctx.universe.marks.get(id) as number;
    const entryPrice = significant(mark * Math.exp(entryDrift * this.ctx.rng.normal()), 6);
    this.positions.push({ instrument: id, quantity: toLots(quantity, profileOf(asset).linearLot), entryPrice });
  }

  /** Option on `asset` at the listed strike nearest `target`; returns its delta per contract. */
  option(asset: string, expiry: ChainExpiry, target: number, right: 'call' | 'put', quantity: number): { strike: number; delta: number } {
    const strike = nearest(expiry.strikes, target);
    const id = `${asset}-${expiry.code}-${strike}-${right === 'call' ? 'C' : 'P'}`;
    const state = this.ctx.universe.assets.get(asset)!;
    const vol = this.ctx.universe.impliedVols.get(id) as number;
    const quote = quoteOption(right === 'call', state.price, strike, expiry.years, vol, state.rate, state.carry);
    // Entered when vol was a little different: premium noise of ~10%, never below a cent.
    const entryPrice = Math.max(0.01, significant(quote.price * Math.exp(0.1 * this.ctx.rng.normal()), 4));
    const lot = profileOf(asset).optionLot;
    const lots = toLots(quantity, lot);
    const held = this.positions.findIndex((p) => p.instrument === id);
    if (held < 0) this.positions.push({ instrument: id, quantity: lots, entryPrice });
    else this.addTo(held, lots, entryPrice, decimalsOf(lot));
    return { strike, delta: quote.delta * lots * profileOf(asset).multiplier };
  }

  /** Trading an instrument already held nets into that position (venues keep one per instrument). */
  private addTo(index: number, lots: number, entryPrice: number, decimals: number): void {
    const held = this.positions[index];
    const quantity = roundTo(held.quantity + lots, decimals);
    if (quantity === 0) {
      this.positions.splice(index, 1);
      return;
    }
    // Adding keeps a size-weighted average entry; reducing keeps the old one; flipping takes the new one.
    const adding = Math.sign(lots) === Math.sign(held.quantity);
    const average = (held.entryPrice * Math.abs(held.quantity) + entryPrice * Math.abs(lots)) / (Math.abs(held.quantity) + Math.abs(lots));
    const flipped = Math.sign(quantity) !== Math.sign(held.quantity);
    const entry = adding ? significant(average, 4) : flipped ? entryPrice : held.entryPrice;
    this.positions[index] = { instrument: held.instrument, quantity, entryPrice: entry };
  }

  build(id: string): Account {
    const collateral: CollateralBalance[] = [...this.balances].map(([asset, amount]) => ({
      asset,
      amount: roundTo(amount, profileOf(asset).balanceDecimals),
    }));
    return { id, positions: this.positions, collateral };
  }
}

function nearest(values: readonly number[], target: number): number {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best));
}

/** An expiry of `asset` between `minDays` and `maxDays` away (the closest one if none is). */
function expiryBetween(ctx: AccountContext, asset: string, minDays: number, maxDays: number): ChainExpiry {
  const chain = ctx.universe.chains.get(asset) as readonly ChainExpiry[];
  const inRange = chain.filter((e) => e.years >= minDays * DAY && e.years <= maxDays * DAY);
  if (inRange.length > 0) return ctx.rng.pick(inRange);
  return chain.reduce((best, e) => (Math.abs(e.years - minDays * DAY) < Math.abs(best.years - minDays * DAY) ? e : best));
}

/** Strike `z` standard deviations from the forward (z > 0 above). */
function strikeAt(ctx: AccountContext, asset: string, expiry: ChainExpiry, z: number): number {
  const vol = ctx.universe.assets.get(asset)!.vol;
  return expiry.forward * Math.exp(z * vol * Math.sqrt(expiry.years));
}

/** Log-normal account equity in USD, median $25k, clipped to [$1k, $5M]. */
function equityUsd(rng: Random): number {
  return Math.min(5e6, Math.max(1e3, 25_000 * Math.exp(1.3 * rng.normal())));
}

function priceOf(ctx: AccountContext, asset: string): number {
  return ctx.universe.assets.get(asset)!.price;
}

function stablecoin(rng: Random): string {
  return rng.chance(0.65) ? 'USDC' : 'USDT';
}

/** Units of `asset` worth `usd`, in contracts of its derivatives. */
function contractsFor(ctx: AccountContext, asset: string, usd: number): number {
  return usd / (priceOf(ctx, asset) * profileOf(asset).multiplier);
}

export const ARCHETYPES: readonly Archetype[] = [
  {
    name: 'market-maker',
    weight: 5,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const equity = equityUsd(ctx.rng) * 8;
      const asset = ctx.rng.pick(['BTC', 'ETH']);
      b.deposit('USDC', equity * 0.8);
      const coins = ctx.rng.chance(0.5) ? roundTo((equity * 0.2) / priceOf(ctx, asset), profileOf(asset).balanceDecimals) : 0;
      if (coins > 0) b.deposit(asset, coins);
      const legs = ctx.rng.int(8, 18);
      let delta = 0;
      for (let k = 0; k < legs; k++) {
        const expiry = expiryBetween(ctx, asset, 1, 120);
        const right = ctx.rng.chance(0.5) ? 'call' : 'put';
        const size = contractsFor(ctx, asset, equity * ctx.rng.between(0.05, 0.4));
        delta += b.option(asset, expiry, strikeAt(ctx, asset, expiry, 1.2 * ctx.rng.normal()), right, ctx.rng.chance(0.5) ? size : -size).delta;
      }
      // Delta-hedged: the perp offsets the options and any coin balance (collateral is exposure too).
      delta += coins;
      if (Math.abs(delta) * priceOf(ctx, asset) > 1) b.linear(`${asset}-PERP`, asset, -delta, 0.01);
      return b.build(id);
    },
  },
  {
    name: 'covered-call',
    weight: 12,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH']);
      const coins = equityUsd(ctx.rng) / priceOf(ctx, asset);
      b.deposit(asset, coins);
      if (ctx.rng.chance(0.5)) b.deposit(stablecoin(ctx.rng), equityUsd(ctx.rng) * 0.1);
      const expiry = expiryBetween(ctx, asset, 3, 35);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, ctx.rng.between(0.5, 1.2)), 'call', -coins);
      return b.build(id);
    },
  },
  {
    name: 'protective-put',
    weight: 8,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH']);
      const coins = equityUsd(ctx.rng) / priceOf(ctx, asset);
      b.deposit(asset, coins);
      b.deposit(stablecoin(ctx.rng), equityUsd(ctx.rng) * 0.05);
      const expiry = expiryBetween(ctx, asset, 7, 100);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, -ctx.rng.between(0.5, 1.2)), 'put', coins);
      return b.build(id);
    },
  },
  {
    name: 'short-strangle',
    weight: 10,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH', 'SOL']);
      const equity = equityUsd(ctx.rng);
      b.deposit(stablecoin(ctx.rng), equity);
      const expiry = expiryBetween(ctx, asset, 3, 45);
      const size = -contractsFor(ctx, asset, equity * ctx.rng.between(0.5, 2));
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, 1), 'call', size);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, -1), 'put', size);
      return b.build(id);
    },
  },
  {
    name: 'vertical-spread',
    weight: 12,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH', 'SOL', 'XRP']);
      const equity = equityUsd(ctx.rng);
      b.deposit(stablecoin(ctx.rng), equity);
      const expiry = expiryBetween(ctx, asset, 7, 60);
      const size = contractsFor(ctx, asset, equity * ctx.rng.between(0.5, 3));
      const bullish = ctx.rng.chance(0.55);
      const right = bullish ? 'call' : 'put';
      const long = b.option(asset, expiry, strikeAt(ctx, asset, expiry, 0), right, size);
      const far = strikeAt(ctx, asset, expiry, bullish ? 0.9 : -0.9);
      // The short leg must be a different strike: step one rung further if the ladder is coarse.
      const strikes = expiry.strikes.filter((k) => (bullish ? k > long.strike : k < long.strike));
      b.option(asset, expiry, strikes.length > 0 ? nearest(strikes, far) : far, right, -size);
      return b.build(id);
    },
  },
  {
    name: 'iron-condor',
    weight: 8,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH']);
      const equity = equityUsd(ctx.rng);
      b.deposit(stablecoin(ctx.rng), equity);
      const expiry = expiryBetween(ctx, asset, 5, 45);
      const size = contractsFor(ctx, asset, equity * ctx.rng.between(1, 3));
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, -1.6), 'put', size);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, -0.7), 'put', -size);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, 0.7), 'call', -size);
      b.option(asset, expiry, strikeAt(ctx, asset, expiry, 1.6), 'call', size);
      return b.build(id);
    },
  },
  {
    name: 'calendar',
    weight: 7,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH', 'SOL']);
      const equity = equityUsd(ctx.rng);
      b.deposit(stablecoin(ctx.rng), equity);
      const near = expiryBetween(ctx, asset, 1, 10);
      const far = expiryBetween(ctx, asset, 25, 130);
      const right = ctx.rng.chance(0.5) ? 'call' : 'put';
      const size = contractsFor(ctx, asset, equity * ctx.rng.between(0.5, 2));
      const sold = b.option(asset, near, strikeAt(ctx, asset, near, 0), right, -size);
      b.option(asset, far, sold.strike, right, size);
      return b.build(id);
    },
  },
  {
    name: 'basis-trader',
    weight: 10,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH']);
      const coins = (equityUsd(ctx.rng) * 3) / priceOf(ctx, asset);
      b.deposit(asset, coins);
      b.deposit('USDT', coins * priceOf(ctx, asset) * 0.15);
      const futures = ctx.universe.futures.get(asset) ?? [];
      const hedge = ctx.rng.chance(0.6) || futures.length === 0 ? `${asset}-PERP` : ctx.rng.pick(futures).id;
      b.linear(hedge, asset, -coins, 0.01);
      return b.build(id);
    },
  },
  {
    name: 'directional-perp',
    weight: 20,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const equity = equityUsd(ctx.rng);
      b.deposit(stablecoin(ctx.rng), equity);
      const assets = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'AVAX'];
      const count = ctx.rng.int(1, 3);
      const leverage = ctx.rng.between(1, 8);
      for (let k = 0; k < count; k++) {
        const asset = assets.splice(ctx.rng.int(0, assets.length - 1), 1)[0];
        const futures = ctx.universe.futures.get(asset) ?? [];
        const instrument = ctx.rng.chance(0.85) || futures.length === 0 ? `${asset}-PERP` : ctx.rng.pick(futures).id;
        const size = contractsFor(ctx, asset, (equity * leverage) / count);
        b.linear(instrument, asset, ctx.rng.chance(0.6) ? size : -size);
      }
      return b.build(id);
    },
  },
  {
    name: 'distressed',
    weight: 8,
    build(ctx, id) {
      const b = new AccountBuilder(ctx);
      const asset = ctx.rng.pick(['BTC', 'ETH', 'SOL', 'DOGE']);
      const equity = equityUsd(ctx.rng);
      if (ctx.rng.chance(0.3)) {
        // Coins bought with borrowed stablecoins (negative balance), now worth about what is owed.
        const coin = asset === 'BTC' || asset === 'ETH' ? asset : 'ETH';
        const coins = (equity * ctx.rng.between(3, 6)) / priceOf(ctx, coin);
        b.deposit(coin, coins);
        b.deposit('USDC', -coins * priceOf(ctx, coin) * ctx.rng.between(0.85, 1.02));
        return b.build(id);
      }
      // Over-levered perp that moved against it: the loss eats ~70–110% of the deposit.
      const leverage = ctx.rng.between(15, 40);
      const long = ctx.rng.chance(0.5);
      const notional = equity * leverage;
      const lossFraction = (ctx.rng.between(0.7, 1.1) * equity) / notional;
      const mark = ctx.universe.marks.get(`${asset}-PERP`) as number;
      const entryPrice = significant(mark * (long ? 1 + lossFraction : 1 - lossFraction), 6);
      b.deposit(stablecoin(ctx.rng), equity);
      const quantity = toLots(contractsFor(ctx, asset, notional) * (long ? 1 : -1), profileOf(asset).linearLot);
      b.positions.push({ instrument: `${asset}-PERP`, quantity, entryPrice });
      return b.build(id);
    },
  },
];
