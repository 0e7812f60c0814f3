/**
 * A venue's whole book for the live-equals-fresh properties (test/live/every-venue.test.ts, test/service/agree.test.ts):
 * USD accounts (linear perpetuals and futures, USD options, multi-asset collateral, USD cash), USDC-margined accounts
 * (linear contracts settled in USDC), BTC- and ETH-margined accounts (inverse perpetuals and futures, coin-settled
 * options), masters with subaccounts. Some marks quoted (they follow their index by the tick rule), some derived.
 * Drawn from `rnd`, so a property's seed gives the same book.
 */
import type { BookLayout } from '../../src/layout/book-layout.js';
import { type Engine, type Fill, type LiveSession, type MarginMethodName, type Tick, type Transfer, validateInputs } from '../../src/index.js';
import { layoutToBook } from '../../src/layout/to-book.js';
import type { MarginReport } from '../../src/margin/report.js';

export const VALUATION = '2026-11-20T08:00:00Z';
const DEC = '2026-12-25T08:00:00Z';
const MAR = '2027-03-26T08:00:00Z';

export const VENUE_INSTRUMENTS = [
  // USD: linear, USD options
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' },
  { id: 'BTC-DEC', kind: 'future', underlying: 'BTC', expiry: DEC },
  { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' },
  { id: 'ETH-MAR', kind: 'future', underlying: 'ETH', expiry: MAR },
  { id: 'BTC-DEC-100000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100_000, expiry: DEC },
  { id: 'BTC-DEC-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: DEC },
  { id: 'ETH-MAR-3000-C', kind: 'option', underlying: 'ETH', right: 'call', strike: 3_000, expiry: MAR },
  // USDC-linear
  { id: 'BTC-USDC-PERP', kind: 'perpetual', underlying: 'BTC', settlement: 'USDC' },
  { id: 'ETH-USDC-DEC', kind: 'future', underlying: 'ETH', settlement: 'USDC', expiry: DEC },
  // coin-settled: inverse (10 USD face) and coin options
  { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
  { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', multiplier: 10, settlement: 'BTC', expiry: DEC },
  { id: 'BTC-25DEC26-110000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: DEC, settlement: 'BTC' },
  { id: 'BTC-25DEC26-90000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: DEC, settlement: 'BTC' },
  { id: 'ETH-PERPETUAL', kind: 'perpetual', underlying: 'ETH', multiplier: 1, settlement: 'ETH' },
] as const;

type Id = (typeof VENUE_INSTRUMENTS)[number]['id'];

/** The instruments an account margined in `currency` (undefined: USD) may hold. */
export function instrumentsFor(currency: string | undefined): Id[] {
  return VENUE_INSTRUMENTS.filter((i) => ('settlement' in i ? i.settlement : undefined) === currency).map((i) => i.id);
}

/** The venue's market: BTC 100,000, ETH 3,000, USDC at 1 (vol 0), some marks quoted off their index. */
export function venueMarket() {
  return {
    valuationTime: VALUATION,
    assets: {
      BTC: { price: 100_000, vol: 0.5, rate: 0.03, carry: 0.01 },
      ETH: { price: 3_000, vol: 0.7, rate: 0.03, carry: 0.01 },
      USDC: { price: 1, vol: 0 },
      USDT: { price: 1.0002, vol: 0 },
    },
    // quoted: a perpetual at a premium, a future at a discount, an inverse perpetual and future, a coin option; the
    // rest derived from the index (cost of carry)
    marks: { 'BTC-PERP': 100_050, 'ETH-MAR': 3_010, 'BTC-USDC-PERP': 100_020, 'BTC-PERPETUAL': 99_980, 'BTC-25DEC26': 100_400, 'BTC-25DEC26-110000-C': 0.021 },
    impliedVols: { 'BTC-DEC-100000-C': 0.5, 'BTC-DEC-90000-P': 0.55, 'ETH-MAR-3000-C': 0.7, 'BTC-25DEC26-110000-C': 0.5, 'BTC-25DEC26-90000-P': 0.56 },
    correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
  };
}

const round = (x: number, step: number) => Math.round(x / step) * step;

/** A plausible entry (or fill) price of instrument `id` in its quote: coin premium, USD per coin, USDC or USD. */
export function entryOf(id: string, rnd: () => number): number {
  const move = 0.9 + 0.2 * rnd();
  const m = venueMarket();
  const quoted = (m.marks as Record<string, number>)[id];
  if (quoted !== undefined) return Number((quoted * move).toPrecision(6));
  if (id.endsWith('-BTC') || id.startsWith('BTC-25DEC26-')) return round(0.01 + 0.05 * rnd(), 0.0001);
  if (id.includes('-C') || id.includes('-P')) return round((id.startsWith('ETH') ? 150 : 4_000) * move, 0.5);
  return Number(((id.startsWith('ETH') ? 3_000 : 100_000) * move).toPrecision(6));
}

/** A size in contracts of `id` near a few thousand USD (an inverse contract is 10 USD, a linear one a coin). */
export function sizeOf(id: string, rnd: () => number): number {
  const sign = rnd() < 0.5 ? -1 : 1;
  if (id === 'BTC-PERPETUAL' || id === 'BTC-25DEC26') return sign * (100 + Math.round(rnd() * 3_000));
  if (id === 'ETH-PERPETUAL') return sign * (200 + Math.round(rnd() * 3_000));
  if (id.startsWith('ETH')) return sign * round(0.5 + rnd() * 10, 0.1);
  return sign * round(0.05 + rnd() * 1.5, 0.01);
}

interface VenueAccount {
  id: string;
  master?: string;
  marginCurrency?: string;
  positions: { instrument: string; quantity: number; entryPrice: number }[];
  collateral: { asset: string; amount: number }[];
  cashUsd?: number;
}

/** One account margined in `currency` (undefined: USD) with 1–3 positions it may hold and a balance. */
function account(id: string, currency: string | undefined, rnd: () => number, master?: string): VenueAccount {
  const allowed = instrumentsFor(currency);
  const held = new Set<string>();
  for (let k = 0, n = 1 + Math.floor(rnd() * 3); k < n; k++) held.add(allowed[Math.floor(rnd() * allowed.length)]);
  const positions = [...held].map((instrument) => ({ instrument, quantity: sizeOf(instrument, rnd), entryPrice: entryOf(instrument, rnd) }));
  const a: VenueAccount = { id, ...(master ? { master } : {}), ...(currency ? { marginCurrency: currency } : {}), positions, collateral: [] };
  if (currency === 'BTC') a.collateral.push({ asset: 'BTC', amount: round(0.05 + rnd() * 2, 0.0001) });
  else if (currency === 'ETH') a.collateral.push({ asset: 'ETH', amount: round(1 + rnd() * 30, 0.001) });
  else if (currency === 'USDC') a.collateral.push({ asset: 'USDC', amount: round(2_000 + rnd() * 60_000, 0.01) });
  else {
    a.collateral.push({ asset: 'USDC', amount: round(rnd() * 80_000, 0.01) });
    if (rnd() < 0.4) a.collateral.push({ asset: 'BTC', amount: round(rnd() * 0.8, 0.0001) });
    if (rnd() < 0.3) a.collateral.push({ asset: 'USDT', amount: round(rnd() * 20_000, 0.01) });
    if (rnd() < 0.3) a.cashUsd = round((rnd() - 0.3) * 10_000, 0.01);
  }
  return a;
}

/**
 * A book of `size` accounts of every kind (USD, USDC, BTC, ETH margined) and, with `masters`, two masters with USD
 * subaccounts (a live session and a pool are one method; a master's group is margined in USD).
 */
export function venueBook(rnd: () => number, size = 12, masters = true) {
  const currencies = [undefined, undefined, 'USDC', 'BTC', 'ETH', undefined];
  const accounts: VenueAccount[] = [];
  for (let k = 0; k < size; k++) accounts.push(account(`a${k}`, currencies[k % currencies.length], rnd));
  if (masters) {
    for (const m of ['m0', 'm1']) {
      accounts.push(account(m, undefined, rnd));
      for (let s = 0; s < 2; s++) accounts.push(account(`${m}-s${s}`, undefined, rnd, m));
    }
  }
  return { instruments: VENUE_INSTRUMENTS.map((i) => ({ ...i })), accounts };
}

/** The live account ids and their margin currency (undefined: USD), from the layout. */
export function accountsOf(layout: BookLayout): { id: string; currency: string | undefined; index: number }[] {
  const out: { id: string; currency: string | undefined; index: number }[] = [];
  for (let a = 0; a < layout.accountCount; a++) {
    const id = layout.accountIds[a];
    if (id === null || layout.live.array[a] === 0) continue;
    const m = layout.marginAsset.array[a];
    out.push({ id, currency: m < 0 ? undefined : layout.assets[m], index: a });
  }
  return out;
}

/** A random tick of kind `kind` on the live market: price moves ±8 %, vols ×0.7–1.3, marks ±3 %, implied vols. */
export function venueTick(live: LiveSession, kind: 'price' | 'vol' | 'marks' | 'all', rnd: () => number): Tick {
  const market = live.marketJson;
  const risky = ['BTC', 'ETH'];
  const tick: { assets?: Record<string, { price?: number; vol?: number }>; marks?: Record<string, number>; impliedVols?: Record<string, number> } = {};
  if (kind === 'price' || kind === 'vol' || kind === 'all') {
    tick.assets = {};
    const symbols = rnd() < 0.5 ? risky : [risky[Math.floor(rnd() * 2)]];
    if (kind !== 'vol' && rnd() < 0.2) symbols.push('USDC');
    for (const s of symbols) {
      const a = market.assets[s];
      tick.assets[s] = {
        ...(kind !== 'vol' ? { price: Number((a.price * (s === 'USDC' ? 1 + (rnd() - 0.5) * 0.004 : 0.92 + 0.16 * rnd())).toPrecision(8)) } : {}),
        ...(kind !== 'price' && a.vol > 0 ? { vol: Number((a.vol * (0.7 + 0.6 * rnd())).toFixed(4)) } : {}),
      };
    }
  }
  if (kind === 'marks' || kind === 'all') {
    tick.marks = {};
    const ids = VENUE_INSTRUMENTS.map((i) => i.id as string);
    for (let k = 0; k < 1 + Math.floor(rnd() * 2); k++) {
      const id = ids[Math.floor(rnd() * ids.length)];
      const row = live.layout.instruments.indexById.get(id)!;
      const now = live.reportParts.context.market.mark.array[row];
      const base = now > 0 ? now : entryOf(id, rnd);
      tick.marks[id] = Number((base * (0.97 + 0.06 * rnd())).toPrecision(7));
    }
    if (rnd() < 0.5) tick.impliedVols = { 'BTC-25DEC26-90000-P': Number((0.3 + 0.5 * rnd()).toFixed(4)), 'ETH-MAR-3000-C': Number((0.4 + 0.6 * rnd()).toFixed(4)) };
  }
  return tick;
}

/** 1–2 random fills on instruments each account may hold, at plausible prices in the instrument's quote. */
export function venueFills(live: LiveSession, rnd: () => number): Fill[] {
  const accounts = accountsOf(live.layout);
  return Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
    const a = accounts[Math.floor(rnd() * accounts.length)];
    const allowed = instrumentsFor(a.currency);
    const instrument = allowed[Math.floor(rnd() * allowed.length)];
    return { account: a.id, instrument, quantity: sizeOf(instrument, rnd), price: entryOf(instrument, rnd) };
  });
}

/** A deposit or withdrawal an account may make: its margin asset (coin, USDC), or a USD account's asset or cash. */
export function venueTransfer(live: LiveSession, rnd: () => number): Transfer {
  const accounts = accountsOf(live.layout);
  const a = accounts[Math.floor(rnd() * accounts.length)];
  const sign = rnd() < 0.6 ? 1 : -1;
  if (a.currency === 'BTC') return { account: a.id, asset: 'BTC', amount: sign * round(0.01 + rnd() * 0.3, 0.0001) };
  if (a.currency === 'ETH') return { account: a.id, asset: 'ETH', amount: sign * round(0.1 + rnd() * 3, 0.001) };
  if (a.currency === 'USDC') return { account: a.id, asset: 'USDC', amount: sign * round(100 + rnd() * 5_000, 0.01) };
  const r = rnd();
  if (r < 0.3) return { account: a.id, cashUsd: sign * round(100 + rnd() * 5_000, 0.01) };
  return { account: a.id, asset: r < 0.6 ? 'USDC' : r < 0.8 ? 'BTC' : 'ETH', amount: sign * (r < 0.6 ? round(100 + rnd() * 5_000, 0.01) : round(0.01 + rnd() * 0.5, 0.0001)) };
}

/** `engine.margin` on the live session's book and market (`naming`: accounts that name the run's method). */
export function freshReport(engine: Engine, live: LiveSession, method: MarginMethodName, params: unknown, naming: ReadonlySet<string> = new Set()): MarginReport {
  const json = layoutToBook(live.layout);
  // the layout keeps no account's own method: `naming` lists the accounts that name the run's
  for (const a of json.accounts) if (naming.has(a.id)) (a as { method?: string }).method = method;
  // the layout keeps no masters: the run's (by layout index) are the book's
  const masters = live.reportParts.accountMasters;
  if (masters) json.accounts.forEach((a) => {
    const m = masters[live.layout.accountIndex(a.id)];
    if (m !== undefined) a.master = m;
  });
  const { book, market } = validateInputs(json, live.marketJson);
  return engine.margin(book, market, { method, params } as never);
}
