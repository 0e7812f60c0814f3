/**
 * The domain's promise as a property (issue 36 item 3): on inputs drawn across the whole domain, its edges and a
 * little beyond (src/model/domain.ts), USD- and coin-margined accounts and contracts, every public call — margin under
 * each method, a session margined on a later
 * snapshot, liquidate, stress, whatIf, check — either returns a report whose every number is finite, or throws an
 * InputError whose every problem has a path. The only infinities a report may hold are the documented ones: health
 * with no maintenance margin (mm = 0) and efficiency with no initial margin (im = 0), written null in JSON; an account
 * the run set aside (status error, with why) holds no figure at all (NaN, null in JSON), never one that looks computed.
 *
 * Shared by test/fuzz/finite.test.ts (a short run in `npm test`) and scripts/fuzz.mjs (the long run: FUZZ_RUNS).
 */
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';
import type { Engine } from '../../src/engine.js';
import { DOMAIN, type MagnitudeBound } from '../../src/model/domain.js';
import { MARGIN_METHODS } from '../../src/methods/registry.js';

type Json = any;

/** Uniform in [lo, hi] on a grid of a million points (fc.double leans to its extremes, subnormals included). */
function uniform(lo: number, hi: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 1_000_000 }).map((i) => lo + ((hi - lo) * i) / 1_000_000);
}

/** A value of `bound`'s magnitude: typical, log-uniform over the domain, its edges, and now and then outside it or not a number. */
function magnitude(bound: MagnitudeBound, typical: [number, number]): fc.Arbitrary<number> {
  const lo = Math.max(bound.min, 1e-300), hi = bound.max;
  const sign = bound.sign === 'signed' ? fc.constantFrom(1, -1) : fc.constant(1);
  const logUniform = uniform(Math.log10(lo), Math.log10(hi)).map((e) => Math.min(hi, Math.max(lo, 10 ** e)));
  const edges = [bound.min, bound.max, ...(bound.zero ? [0] : [])].filter((x) => x > 0 || bound.zero);
  const inside = fc.oneof(
    { weight: 12, arbitrary: uniform(typical[0], typical[1]) },
    { weight: 3, arbitrary: logUniform },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
  const outside = fc.constantFrom(bound.max * 1.5, bound.min / 3, 5e-324, 1e-300, 1e300, -1, Number.NaN, Number.POSITIVE_INFINITY);
  return fc.oneof({ weight: 200, arbitrary: fc.tuple(sign, inside).map(([s, x]) => s * x) }, { weight: 1, arbitrary: outside });
}

const quantity = magnitude(DOMAIN.quantity, [0.01, 100]);
const price = magnitude(DOMAIN.price, [0.5, 2e5]);
const entry = magnitude(DOMAIN.entryPrice, [0.5, 2e5]);
const amount = magnitude(DOMAIN.amount, [1, 1e6]);
const cash = magnitude(DOMAIN.cashUsd, [-1e5, 1e6]);
const vol = magnitude(DOMAIN.vol, [0.05, 3]);
const rate = magnitude(DOMAIN.rate, [-0.1, 0.1]);
const multiplier = magnitude(DOMAIN.multiplier, [0.01, 100]);
const isolated = magnitude(DOMAIN.isolatedMargin, [0, 1e5]);
const move = magnitude(DOMAIN.move, [-0.5, 0.5]);

const ASSETS = ['BTC', 'ETH', 'USDC'] as const;
const EXPIRIES = ['2026-11-20T08:00:01Z', '2026-11-27T08:00:00Z', '2027-06-25T08:00:00Z', '2076-11-01T00:00:00Z'];

/** The instruments: a perp, a future, a spot, two options; their multipliers and option terms drawn. */
export const instrumentsArb = fc.record({
  perpMultiplier: multiplier,
  futureExpiry: fc.constantFrom(...EXPIRIES),
  callStrike: price,
  putStrike: price,
  optionExpiry: fc.constantFrom(...EXPIRIES),
}).map((t) => [
  { id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: t.perpMultiplier },
  { id: 'ETH-FUT', kind: 'future', underlying: 'ETH', expiry: t.futureExpiry },
  { id: 'ETH-SPOT', kind: 'spot', underlying: 'ETH' },
  { id: 'BTC-C', kind: 'option', underlying: 'BTC', right: 'call', strike: t.callStrike, expiry: t.optionExpiry },
  { id: 'BTC-P', kind: 'option', underlying: 'BTC', right: 'put', strike: t.putStrike, expiry: t.optionExpiry },
  // coin-settled: an inverse perpetual of 10 USD face and a BTC-settled put (docs/coin-margined.md)
  { id: 'BTC-INV', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
  { id: 'BTC-CP', kind: 'option', underlying: 'BTC', right: 'put', strike: t.putStrike, expiry: t.optionExpiry, settlement: 'BTC' },
]);

const USD_IDS = ['BTC-PERP', 'ETH-FUT', 'ETH-SPOT', 'BTC-C', 'BTC-P'];
const COIN_IDS = ['BTC-INV', 'BTC-CP'];
const INSTRUMENT_IDS = [...USD_IDS, ...COIN_IDS];

const positionArb = (ids: string[]) => fc.record({ instrument: fc.constantFrom(...ids), quantity, entryPrice: entry, isolatedMargin: fc.option(isolated, { nil: undefined }) })
  .map((p) => (p.isolatedMargin === undefined ? { instrument: p.instrument, quantity: p.quantity, entryPrice: p.entryPrice } : p));
/** A USD-margined account (USD contracts, any balances, USD cash), or one in four margined in BTC (coin contracts, its cash a BTC balance). */
export const accountArb = (k: number) => fc.oneof(
  { weight: 3, arbitrary: fc.record({
    positions: fc.uniqueArray(positionArb(USD_IDS), { maxLength: 4, selector: (p) => p.instrument }),
    collateral: fc.uniqueArray(fc.record({ asset: fc.constantFrom(...ASSETS), amount }), { maxLength: 3, selector: (b) => b.asset }),
    cashUsd: fc.option(cash, { nil: undefined }),
  }).map((a) => ({ id: `acct-${k}`, ...a, ...(a.cashUsd === undefined ? {} : { cashUsd: a.cashUsd }) })) },
  { weight: 1, arbitrary: fc.record({
    positions: fc.uniqueArray(positionArb(COIN_IDS), { maxLength: 2, selector: (p) => p.instrument }),
    btc: fc.option(amount, { nil: undefined }),
  }).map((a) => ({ id: `acct-${k}`, marginCurrency: 'BTC', positions: a.positions, collateral: a.btc === undefined ? [] : [{ asset: 'BTC', amount: a.btc }] })) },
);

export const bookArb: fc.Arbitrary<Json> = fc.record({
  instruments: instrumentsArb,
  accounts: fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => accountArb(k)))),
}).map(({ instruments, accounts }) => ({ instruments, accounts: accounts.map((a) => (a.positions.length + a.collateral.length === 0 ? { ...a, collateral: [{ asset: 'USDC', amount: 1 }] } : a)) }));

export const marketArb: fc.Arbitrary<Json> = fc.record({
  btc: fc.record({ price, vol, rate, carry: rate }),
  eth: fc.record({ price, vol, rate, carry: rate }),
  usdc: price,
  marks: fc.record({ 'BTC-PERP': fc.option(price, { nil: undefined }), 'ETH-FUT': fc.option(price, { nil: undefined }) }),
  callVol: vol,
  putVol: vol,
  rho: uniform(-1, 1),
  correlation: fc.boolean(),
}).map((m) => ({
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: m.btc, ETH: m.eth, USDC: { price: m.usdc, vol: 0 } },
  marks: Object.fromEntries(Object.entries(m.marks).filter(([, v]) => v !== undefined)),
  impliedVols: { 'BTC-C': m.callVol, 'BTC-P': m.putVol, 'BTC-CP': m.putVol },
  ...(m.correlation ? { correlation: { assets: ['BTC', 'ETH'], matrix: [[1, m.rho], [m.rho, 1]] } } : {}),
}));

/** Params: none, or sections of every kind with values drawn at the params bound's edges too. */
const param = (typical: [number, number]) => magnitude({ ...DOMAIN.param, sign: 'nonNegative' }, typical);
export const paramsArb: fc.Arbitrary<Json> = fc.option(fc.record({
  options: fc.record({ default: fc.record({ imBase: uniform(0, 1), imFloor: fc.constant(0), mmRate: fc.constant(0) }) }),
  liquidation: fc.record({
    feeRate: uniform(0, 1),
    maxFractionPerStep: fc.constantFrom(1, 0.25, 1e-12),
    slippage: fc.record({ default: fc.record({ model: fc.constant('sqrt'), y: param([0.1, 2]), advUsd: param([1e3, 1e12]) }) }),
    insuranceFund: fc.record({ balanceUsd: param([0, 1e9]) }),
  }),
  stress: fc.record({ impact: fc.record({ default: fc.record({ model: fc.constant('linear'), pricePerUnit: param([0, 10]), permanent: uniform(0, 1) }) }) }),
}), { nil: undefined });

export const shockArb: fc.Arbitrary<Json> = fc.record({ spot: fc.record({ BTC: move, ETH: move }, { requiredKeys: [] }) })
  .map((s) => (Object.keys(s.spot).length === 0 ? { spot: { BTC: -0.1 } } : s));

export const tradeArb: fc.Arbitrary<Json> = fc.record({ instrument: fc.constantFrom(...INSTRUMENT_IDS), quantity, price: fc.option(entry, { nil: undefined }) })
  .map((t) => (t.price === undefined ? { instrument: t.instrument, quantity: t.quantity } : t));

export const inputsArb = fc.record({ book: bookArb, market: marketArb, params: paramsArb, shock: shockArb, trade: tradeArb, account: fc.nat(3) });
export type Inputs = typeof inputsArb extends fc.Arbitrary<infer T> ? T : never;

/** Where a report holds a number that is not finite and not one of the documented infinities. */
export function nonFinite(value: unknown, path = 'report', out: string[] = [], seen = new Set<object>()): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
    return out;
  }
  if (typeof value !== 'object' || value === null || seen.has(value) || out.length > 10) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const array = value as unknown as ArrayLike<number>;
    for (let i = 0; i < array.length; i++) nonFinite(array[i], `${path}[${i}]`, out, seen);
    return out;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) nonFinite(v, `${path}.${String(k)}`, out, seen);
    return out;
  }
  const record = value as Record<string, unknown>;
  // an account set aside: status error with why, and no figure (null in JSON): never a number that looks computed
  if (record.status === 'error' && typeof record.error === 'string' && record.error !== '') {
    for (const key of Object.keys(record)) if (typeof record[key] === 'number' && !Number.isNaN(record[key])) out.push(`${path}.${key} = ${record[key]} on an account in error`);
    return out;
  }
  for (const key of Object.keys(record)) {
    const v = record[key];
    // the documented infinities: health (healthBefore, healthAfter) with its mm (mmBefore, mmAfter) 0, efficiency with
    // im 0 (null in JSON)
    if (key.startsWith('health') && typeof v === 'number' && !Number.isNaN(v) && record[`mm${key.slice(6)}`] === 0) continue;
    if (key === 'efficiency' && v === Infinity && record.im === 0) continue;
    nonFinite(v, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, out, seen);
  }
  return out;
}

/** The calls the property runs, by name. Each returns what it reports (checked for finiteness). */
export const CALLS: Record<string, (engine: Engine, x: Inputs) => unknown> = {
  ...Object.fromEntries(MARGIN_METHODS.map((method) => [
    `margin ${method}`, (engine: Engine, x: Inputs) => engine.margin(x.book, x.market, { method, params: x.params, breakdown: true }),
  ])),
  // a book margined on a market validated on its own: only each number's bound applies, no notional bound
  'session margin': (engine, x) => {
    const session = engine.openBook(x.book);
    try {
      return session.margin(x.market, { method: 'cross', params: x.params });
    } finally {
      session.release();
    }
  },
  liquidate: (engine, x) => engine.liquidate(x.book, x.market, { params: x.params }),
  stress: (engine, x) => engine.stress(x.book, x.market, x.shock, { params: x.params }),
  whatIf: (engine, x) => withLive(engine, x, (live, id) => live.whatIf(id, [x.trade])),
  check: (engine, x) => withLive(engine, x, (live, id) => live.check(id, x.trade)),
};

function withLive<T>(engine: Engine, x: Inputs, f: (live: ReturnType<Engine['live']>, id: string) => T): T {
  const live = engine.live(x.book, x.market, { params: x.params });
  try {
    return f(live, x.book.accounts[x.account % x.book.accounts.length].id);
  } finally {
    live.release();
  }
}

/** One run of the property: `report` or `refused` when it holds (a finite report, an InputError with paths), else what broke it. */
export function outcome(call: (engine: Engine, x: Inputs) => unknown, engine: Engine, x: Inputs): 'report' | 'refused' | string {
  let result: unknown;
  try {
    result = call(engine, x);
  } catch (error) {
    if (!(error instanceof InputError)) return `threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`;
    const pathless = error.problems.filter((p) => typeof p.path !== 'string' || p.path === '' || p.message === '');
    return error.problems.length === 0 || pathless.length > 0 ? `an InputError without paths: ${error.message}` : 'refused';
  }
  const bad = nonFinite(result);
  return bad.length === 0 ? 'report' : `not finite: ${bad.join('; ')}`;
}
