/**
 * The coin-settled part of a sample (`generateSample({ coinAccounts })`, docs/coin-margined.md): Deribit-style BTC
 * instruments settled in BTC — BTC-PERPETUAL (inverse, 10 USD face), and coin-settled calls and puts around the money
 * of the first monthly expiry (premiums quoted in BTC, tick 0.0001) — and BTC-margined subaccounts holding them:
 * a BTC balance, an inverse perpetual (long or short), covered calls and protective puts. Drawn from streams of their
 * own, so a sample with them has every other instrument, mark and account of the sample without.
 */
import type { Account, Instrument, Position } from '../model/types.js';
import { roundTo } from './assets.js';
import { quoteOption } from './pricing.js';
import { Random } from './random.js';
import { impliedVol } from './smile.js';
import { significant, type Universe } from './universe.js';

/** Deribit's BTC inverse contract size: 10 USD of face value per contract. */
const BTC_FACE_USD = 10;
/** Coin option strikes each side of the forward, and their premium tick (BTC). */
const STRIKES_PER_SIDE = 2;
const PREMIUM_TICK = 0.0001;

/** The coin-settled instruments, their quoted marks and implied vols (to add to the universe's). */
export interface CoinListing {
  instruments: Instrument[];
  marks: Map<string, number>;
  impliedVols: Map<string, number>;
  /** The coin options' ids by right, strikes ascending. */
  calls: string[];
  puts: string[];
}

/** The coin listing of `universe` (its BTC state and first monthly option expiry), drawn from `seed`'s stream. */
export function coinListing(universe: Universe, seed: number): CoinListing {
  const rng = new Random(seed + 0x51ed270b);
  const btc = universe.assets.get('BTC')!;
  const instruments: Instrument[] = [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: BTC_FACE_USD, settlement: 'BTC' }];
  const marks = new Map<string, number>([['BTC-PERPETUAL', significant(btc.price * (1 + 0.0004 * rng.normal()), 6)]]);
  const impliedVols = new Map<string, number>();
  const chain = universe.chains.get('BTC')!;
  const expiry = chain.find((e) => e.years > 20 / 365) ?? chain[chain.length - 1];
  const center = expiry.strikes.reduce((best, k, i) => (Math.abs(k - expiry.forward) < Math.abs(expiry.strikes[best] - expiry.forward) ? i : best), 0);
  const strikes = expiry.strikes.slice(Math.max(0, center - STRIKES_PER_SIDE), center + STRIKES_PER_SIDE + 1);
  const calls: string[] = [], puts: string[] = [];
  for (const strike of strikes) {
    for (const right of ['call', 'put'] as const) {
      const id = `BTC-${expiry.code}-${strike}-${right === 'call' ? 'C' : 'P'}-BTC`;
      const vol = roundTo(impliedVol(expiry.smile, expiry.forward, strike), 4);
      instruments.push({ id, kind: 'option', underlying: 'BTC', right, strike, expiry: new Date(expiry.expiryMs).toISOString().replace('.000Z', 'Z'), settlement: 'BTC' });
      impliedVols.set(id, vol);
      // Deribit quotes the premium in BTC: the USD premium over the forward, to the tick
      const usd = quoteOption(right === 'call', btc.price, strike, expiry.years, vol, btc.rate, btc.carry).price;
      marks.set(id, Math.max(PREMIUM_TICK, roundTo(usd / expiry.forward, 4)));
      (right === 'call' ? calls : puts).push(id);
    }
  }
  return { instruments, marks, impliedVols, calls, puts };
}

/**
 * One BTC-margined subaccount: 0.5–8 BTC (log-normal), an inverse perpetual of up to ±1.5× the balance (at its mark
 * moved a few %), covered calls on part of the balance and, half the time, protective puts.
 */
export function coinAccount(listing: CoinListing, rng: Random, id: string): Account {
  const balance = roundTo(Math.min(8, Math.max(0.5, Math.exp(0.4 + 0.8 * rng.normal()))), 4);
  const positions: Position[] = [];
  const perp = listing.marks.get('BTC-PERPETUAL')!;
  const coins = balance * (rng.between(-1.5, 1.5));
  const contracts = Math.round((coins * perp) / BTC_FACE_USD) || 1;
  positions.push({ instrument: 'BTC-PERPETUAL', quantity: contracts, entryPrice: significant(perp * Math.exp(0.03 * rng.normal()), 6) });
  const written = roundTo(Math.max(0.1, balance * rng.between(0.2, 0.8)), 1);
  const call = listing.calls[Math.min(listing.calls.length - 1, Math.floor(listing.calls.length / 2) + rng.int(0, 2))];
  positions.push({ instrument: call, quantity: -written, entryPrice: premiumEntry(listing, call, rng) });
  if (rng.chance(0.5)) {
    const put = listing.puts[Math.max(0, Math.floor(listing.puts.length / 2) - rng.int(0, 2))];
    positions.push({ instrument: put, quantity: roundTo(Math.max(0.1, written / 2), 1), entryPrice: premiumEntry(listing, put, rng) });
  }
  return { id, marginCurrency: 'BTC', positions, collateral: [{ asset: 'BTC', amount: balance }] };
}

/** A premium entry in BTC: the mark moved by ~10%, to the tick. */
function premiumEntry(listing: CoinListing, id: string, rng: Random): number {
  return Math.max(PREMIUM_TICK, roundTo(listing.marks.get(id)! * Math.exp(0.1 * rng.normal()), 4));
}
