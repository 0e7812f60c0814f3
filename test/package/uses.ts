/**
 * Every public entry's documented calls, as a TypeScript user writes them against the published types: compiled with
 * `tsc --strict` by test/package/types.test.ts (against dist/types, through the package's `exports`) and by
 * test/package/installed.test.ts (in a project where the packed tarball is installed). It never runs: each line is a
 * claim about a type, and a published type that loses a member the docs use fails the compile. A `@ts-expect-error`
 * line is a call the types must refuse (a misspelt method name would otherwise compile as any string).
 */
import {
  createEngine, createPricer, generateSample, InputError, MARGIN_METHODS, STATUS, validateInputs,
  type AccountMargin, type Book, type LiquidationReport, type MarginMethodName, type MarginReport, type Market, type StressReport, type Tick, type Fill,
} from 'margin-core';
import { BUILT_IN_METHODS, DEFAULT_PORTFOLIO_PARAMS, DEFAULT_VAR_PARAMS, type MarginMethodPlugin } from 'margin-core/plugin';
import { shardOf, type ShardTransport } from 'margin-core/scale';
import { nearestCorrelation, normalQuantile, normCdf } from 'margin-core/math';
import { columnarReport, importDeribit, readArrowBook, writeArrowBook } from 'margin-core/io';
import { createPricer as pricerAlone, GREEKS_LIMITS } from 'margin-core/greeks';

declare const book: Book;
declare const market: Market;

const engine = await createEngine({ backend: 'auto' });
const backend: 'wasm-simd' | 'wasm-scalar' | 'js' = engine.backend;

// every method by name, with its own params section
const methods: MarginMethodName[] = ['isolated', 'cross', 'portfolio', 'var', 'span', 'derive', 'deribit'];
const listed: readonly MarginMethodName[] = MARGIN_METHODS;
const portfolio: MarginReport = engine.margin(book, market, { method: 'portfolio', breakdown: true, params: { portfolio: { mmFactor: 0.8 } } });
engine.margin(book, market, { method: 'cross' });
engine.margin(book, market, { method: 'var', params: { var: { confidence: 0.99 } } });
engine.margin(book, market, { method: 'span' });
engine.margin(book, market, { method: 'derive', profile: 'derive' });
engine.margin(book, market, { method: 'deribit', profile: 'deribit' });
engine.margin(book, market, { method: 'isolated', lenient: true, repairCorrelation: true });
// @ts-expect-error a method name the library does not have
engine.margin(book, market, { method: 'portfolo' });
// a book opened once, each report written into the last one's columns
const session = engine.openBook(book);
const again: MarginReport = session.marginInto(session.margin(market, { method: 'cross' }), market, { method: 'cross' });
// @ts-expect-error a method name the library does not have
session.marginInto(again, market, { method: 'portfolo' });
session.release();

// the report's fields as the docs read them
const totals: { im: number; mm: number; equity: number; accounts: number; complete: boolean } = portfolio.totals;
const byStatus: Record<string, number> = portfolio.totals.byStatus;
const account: AccountMargin = portfolio.accounts[0];
const figures: [string, string, number, number, number, number, number] = [account.id, account.status, account.equity, account.im, account.mm, account.health, account.excessOverMm];
const reason: string = account.statusReason;
const scenarios: number | undefined = account.portfolio?.underlyings[0].worstLoss;
const status: (typeof STATUS)[number] = account.status;

// acting on it
const plan: LiquidationReport = engine.liquidate(book, market, { method: 'cross', liquidation: { target: 'mm-buffer' } });
const closed: number = plan.totals.closedNotional;
const stressed: StressReport = engine.stress(book, market, 'btc-crash', { method: 'all' });
engine.stress(book, market, { spot: { BTC: -0.3 } }, { method: 'portfolio' });
const live = engine.live(book, market, { method: 'cross' });
const accepted: boolean = live.check(account.id, { instrument: 'BTC-PERP', quantity: 1, price: 91_500 }).accepted;
const tick: Tick = { assets: { BTC: { price: 91_000 } } };
live.applyTick(tick);
const fills: Fill[] = [{ account: account.id, instrument: 'BTC-PERP', quantity: 1, price: 91_000 }];
live.applyFills(fills);
live.whatIf(account.id, [{ instrument: 'BTC-PERP', quantity: 2 }, { asset: 'USDC', amount: 1_000 }]);
// @ts-expect-error a live request's misspelt field (the session also refuses it at run time)
live.applyTick({ assets: { BTC: { prise: 91_000 } } });
// @ts-expect-error a fill without its price
live.applyFills([{ account: account.id, instrument: 'BTC-PERP', quantity: 1 }]);
// @ts-expect-error an order's quantity as text
live.check(account.id, { instrument: 'BTC-PERP', quantity: '1' });
live.release();
const restored = await engine.optimize(book, market, { method: 'portfolio', account: 'alice', hedges: [{ instrument: 'BTC-PERP', maxQuantity: 10 }] });
const outcome: string = restored.outcome;
const efficiency = await engine.capitalEfficiency(book, market, { method: 'cross' });
const comparison: readonly string[] = engine.compareMethods(book, market, { methods: ['cross', 'portfolio'] }).methods;
const greeks = engine.greeks({ isCall: Uint8Array.of(1), spot: Float64Array.of(60), strike: Float64Array.of(65), expiryYears: Float64Array.of(0.25), vol: Float64Array.of(0.3), rate: Float64Array.of(0.08) });
const price: Float64Array = greeks.price;

// validation fails closed with the problems listed
try {
  validateInputs(book, market);
} catch (error) {
  if (error instanceof InputError) for (const p of error.problems) console.log(p.path, p.message);
}
const sample: { book: Book; market: Market } = generateSample({ accounts: 100, seed: 7 });

// margin-core/plugin
const house = await createEngine({ methods: BUILT_IN_METHODS.filter((m: MarginMethodPlugin) => m.name !== 'var') });
const confidence: number = DEFAULT_VAR_PARAMS.confidence;
const mmFactor: number = DEFAULT_PORTFOLIO_PARAMS.mmFactor;

// margin-core/scale
const sharded = await engine.openShardedBook(book);
const shardReport: MarginReport = await sharded.margin(market, { method: 'cross' });
await sharded.stress(market, 'btc-crash', { method: 'all' });
// @ts-expect-error a method name the library does not have, as on the engine's own calls
await sharded.margin(market, { method: 'portfolo' });
// @ts-expect-error the same on a sharded book's liquidation
await sharded.liquidate(market, { method: 'crosss' });
// @ts-expect-error and on a master's collateral allocation
await engine.allocateCollateral(book, market, 'm', { method: 'portfolo' });
const transport: ShardTransport = engine.shardTransport;
const shard: number = shardOf('acct-0001', 4);
await sharded.release();

// margin-core/math
const p: number = normCdf(0) + normalQuantile(0.99);
const { matrix, converged } = nearestCorrelation(new Float64Array([1, 0.9, 0.9, 1]), 2);

// margin-core/io
const bytes: Uint8Array = await writeArrowBook(sample.book);
const columns = columnarReport(engine.margin(await readArrowBook(bytes), sample.market, { method: 'cross' }));
const im: Float64Array = columns.columns.im;
const imported = importDeribit({ positions: {}, accountSummary: {}, indexPrice: {} });
const venueEquity: number = imported.venueEquity[0].equity;

// margin-core/greeks
const pricer = await pricerAlone();
const same: typeof createPricer = pricerAlone;
const limits = GREEKS_LIMITS;

await house.close();
await engine.close();
export const used = [backend, methods, listed, totals, byStatus, figures, reason, scenarios, status, closed, stressed, accepted, outcome, efficiency, comparison, price, confidence, mmFactor, shardReport, transport, shard, p, matrix, converged, im, venueEquity, pricer, same, limits];
