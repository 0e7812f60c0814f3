/**
 * A method is one folder and one line: the test-only `flat` method (test/support/methods/flat/: IM = k × gross
 * notional, MM = IM / 2, with its params section, schema fragment, report-row part and dynamic-margin hook) plugged in
 * by `createEngine({ methods: [...BUILT_IN_METHODS, flatMethod] })` runs through margin with breakdown, compareMethods,
 * re-margining, the live session (what-if, fills, ticks), liquidation, dynamic margin, the backtest and the schema
 * generation, with no change to the library. Every number below is worked from the method's rule by hand.
 *
 * The book (test/support/margin-books.ts: BTC at 100,000; USDC at 1, no haircut):
 * - a: long 0.1 BTC-PERP entered at 100,000, 600 USDC: gross 10,000, IM 0.1 × 10,000 = 1,000, MM 500, equity 600:
 *   margin call (MM ≤ equity < IM);
 * - b: long 0.2 BTC-PERP entered at 100,000, 900 USDC: gross 20,000, IM 2,000, MM 1,000, equity 900 < MM: liquidatable;
 * - c: 5,000 USDC alone: no requirement, healthy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, InputError, MARGIN_METHODS, syntheticHistoryFor, validateInputs } from '../../src/index.js';
import { BUILT_IN_METHODS } from '../../src/plugin.js';
import { paramsSchema, reportSchema } from '../../src/schemas/generate.js';
import { book, market } from '../support/margin-books.js';
import { flatMethod } from '../support/methods/flat/index.js';
import { ROOT } from '../support/cli.js';
import { SCHEMAS } from '../support/schemas.js';

const BOOK = book(
  { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 600 }] },
  { id: 'b', positions: [{ instrument: 'BTC-PERP', quantity: 0.2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 900 }] },
  { id: 'c', collateral: [{ asset: 'USDC', amount: 5_000 }] },
);
const FLAT = { flat: { k: 0.1 } };
const METHODS = [...BUILT_IN_METHODS, flatMethod];

let engines: Engine[];
let engine: Engine;
beforeAll(async () => {
  // the one line: the registry is the built-in methods and this one (on the JS twin, WASM scalar and WASM SIMD)
  engines = [await createEngine({ backend: 'js', methods: METHODS }), await createEngine({ backend: 'wasm', simd: false, methods: METHODS }), await createEngine({ backend: 'wasm', methods: METHODS })];
  engine = engines[0];
});

const figures = (r: { im: number; mm: number; equity: number; status: string }) => [r.im, r.mm, r.equity, r.status];

describe('a method plugged in by one folder and one registry line', () => {
  it('margins and explains on every backend, with the same bits', () => {
    expect(engine.methods).toEqual([...MARGIN_METHODS, 'flat']);
    const reports = engines.map((e) => e.margin(BOOK, market(), { method: 'flat', params: FLAT, breakdown: true }));
    for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
    const [a, b, c] = reports[0].accounts;
    expect(figures(a)).toEqual([1_000, 500, 600, 'margin_call']);
    expect(figures(b)).toEqual([2_000, 1_000, 900, 'liquidatable']);
    expect(figures(c)).toEqual([0, 0, 5_000, 'healthy']);
    expect(a.flat).toEqual({ k: 0.1, grossNotional: 10_000 });
    // its params are validated with paths, under every method (a params file is checked whole)
    expect(() => engine.margin(BOOK, market(), { method: 'flat', params: { flat: { k: 2 } } })).toThrow('params.flat.k: expected a number in (0, 1], got 2');
    expect(() => engine.margin(BOOK, market(), { method: 'cross', params: { flat: { kk: 1 } } })).toThrow('params.flat.kk: unknown field');
    expect(() => engine.margin(BOOK, market(), { method: 'flta' as string })).toThrow('options.method: unknown method "flta" (did you mean "flat"?)');
    // @ts-expect-error a misspelt method name is a compile error too (MarginMethodName)
    expect(() => engine.margin(BOOK, market(), { method: 'flta' })).toThrow(InputError);
    expect(() => engine.margin(BOOK, market(), { method: 'cross', params: { flta: {} } })).toThrow('params.flta: unknown field (did you mean "flat"?)');
  });

  it('is refused beside a method of the same name', async () => {
    await expect(createEngine({ methods: [...BUILT_IN_METHODS, { ...flatMethod, name: 'cross' }] })).rejects.toThrow('two margin methods are named "cross"');
  });

  it('takes part in compareMethods', () => {
    const comparison = engine.compareMethods(BOOK, market(), { params: FLAT });
    expect(comparison.methods).toEqual([...MARGIN_METHODS, 'flat']);
    expect(comparison.accounts.map((row) => row.im.flat)).toEqual([1_000, 2_000, 0]);
  });

  it('re-margins one account after its position changed in place', () => {
    const valid = validateInputs(BOOK, market());
    const session = engine.openBook(valid.book);
    const run = session.prepare(valid.market, { method: 'flat', params: FLAT });
    try {
      run.run();
      // a: 0.3 BTC → gross 30,000, IM 3,000, MM 1,500; equity still 600 (entered at the mark): liquidatable
      session.layout.positions.column<'f64'>('quantity').array[session.layout.positions.start.array[0]] = 0.3;
      run.remargin('a');
      expect(figures(run.account('a'))).toEqual([3_000, 1_500, 600, 'liquidatable']);
    } finally {
      run.release();
      session.release();
    }
  });

  it('answers a live session\'s what-if, fills and ticks', () => {
    const live = engine.live(BOOK, market(), { method: 'flat', params: FLAT });
    try {
      // buying 0.1 more at the mark: gross 20,000, IM 2,000 (+1,000), MM 1,000 > equity 600: liquidatable; nothing changes
      const w = live.whatIf('a', [{ instrument: 'BTC-PERP', quantity: 0.1 }]);
      expect([w.before.im, w.after.im, w.marginalIm, w.after.mm, w.after.equity, w.after.status]).toEqual([1_000, 2_000, 1_000, 1_000, 600, 'liquidatable']);
      expect(live.account('a').im).toBe(1_000);
      // selling 0.05 at 100,000: 0.05 BTC, gross 5,000, IM 500, MM 250, equity 600: healthy
      live.applyFills([{ account: 'a', instrument: 'BTC-PERP', quantity: -0.05, price: 100_000 }]);
      expect(figures(live.account('a'))).toEqual([500, 250, 600, 'healthy']);
      // BTC to 110,000: gross 0.05 × 110,000 = 5,500, IM 550, MM 275; equity 600 + 0.05 × 10,000 = 1,100
      live.applyTick({ assets: { BTC: { price: 110_000 } }, marks: { 'BTC-PERP': 110_000 } });
      expect(figures(live.account('a'))).toEqual([550, 275, 1_100, 'healthy']);
    } finally {
      live.release();
    }
  });

  it('is liquidated by its own requirement', () => {
    // b alone is below MM. No fee, no slippage, no step cap: closing q BTC at the mark leaves equity 900 and MM
    // 0.05 × 100,000 × (0.2 − q); the target 900 ≥ 1.02 × (1,000 − 5,000q) gives q = 120 / 5,100 = 0.0235294…
    const liquidation = { slippage: { default: { model: 'none' } }, feeRate: 0, maxFractionPerStep: 1, smallShortfallUsd: 0 };
    const reports = engines.map((e) => e.liquidate(BOOK, market(), { method: 'flat', params: { ...FLAT, liquidation } }));
    for (const r of reports) expect(JSON.stringify({ ...r, backend: '' })).toBe(JSON.stringify({ ...reports[0], backend: '' }));
    const r = reports[0];
    expect(r.accounts.map((x) => x.id)).toEqual(['b']);
    const closed = r.accounts[0].steps.reduce((q, s) => q + s.quantity, 0);
    expect(closed).toBeCloseTo(120 / 5_100, 6);
    expect(r.accounts[0].after.equity).toBeCloseTo(900, 9);
    expect(r.accounts[0].after.mm).toBeCloseTo(0.05 * 100_000 * (0.2 - 120 / 5_100), 3);
  });

  it('follows a volatility forecast through its dynamic-margin hook', () => {
    // the book's assets with a vol: BTC (0.5) and ETH (0.7). Forecast BTC 1.0, ETH 0.7: k × max(1, 1.0/0.5, 0.7/0.5) =
    // 0.1 × 2 = 0.2, so a's IM is 0.2 × 10,000 = 2,000; with BTC's breaker step-up 1.5: k = 0.1 × 3 = 0.3, IM 3,000
    const dynamic = { methods: ['flat'], volAnnual: { BTC: 1.0, ETH: 0.7 } };
    expect(engine.margin(BOOK, market(), { method: 'flat', params: { ...FLAT, dynamic } }).accounts[0].im).toBe(2_000);
    expect(engine.margin(BOOK, market(), { method: 'flat', params: { ...FLAT, dynamic: { ...dynamic, multipliers: { BTC: 1.5 } } } }).accounts[0].im).toBeCloseTo(3_000, 9);
    expect(() => engine.margin(BOOK, market(), { method: 'flat', params: { dynamic: { methods: ['flat'], volAnnual: { BTC: 1 } } } })).toThrow('params.dynamic.volAnnual: no forecast for "ETH"');
    // an engine without the method does not know it as a dynamic one
    return createEngine({ backend: 'js' }).then((builtIn) => {
      expect(() => builtIn.margin(BOOK, market(), { params: { dynamic } })).toThrow('params.dynamic.methods[0]: expected one of isolated, cross, portfolio, var (the methods a forecast can drive), got "flat"');
    });
  });

  it('is backtested: the circuit breaker measures moves against its MM rate k / 2', () => {
    const history = syntheticHistoryFor(validateInputs(BOOK, market()).market, { days: 320, seed: 1 });
    const r = engine.backtest(BOOK, market(), history, { method: 'flat', params: FLAT });
    expect(r.method).toBe('flat');
    expect(r.circuitBreaker.mmRate.BTC).toBe(0.05);
    // static margin: a's 1,000 + b's 2,000 every day (c holds no position and is not tested)
    expect(r.accounts).toBe(2);
    expect(new Set(r.series.static.totalMargin)).toEqual(new Set([3_000]));
  });

  it('is in the JSON Schemas generated from its registry', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    const params = paramsSchema(METHODS) as { properties: Record<string, { properties: Record<string, unknown> }> & { dynamic: { properties: { methods: { items: { enum: string[] } } } } } };
    // its fragment, with the params bound written in as for every method: k ≤ 1 kept, and no nonzero number below 1e-12
    expect(params.properties.flat.properties.k).toMatchObject({ type: 'number', exclusiveMinimum: 0, maximum: 1, not: { exclusiveMinimum: -1e-12, exclusiveMaximum: 1e-12 } });
    expect(params.properties.dynamic.properties.methods.items.enum).toEqual(['isolated', 'cross', 'portfolio', 'var', 'flat']);
    const validParams = ajv.compile(params);
    expect(validParams({ flat: { k: 0.2, baseVolAnnual: 0.6 }, dynamic: { methods: ['flat'] } })).toBe(true);
    expect(validParams({ flat: { kk: 0.2 } })).toBe(false);
    expect(validParams({ flat: { k: 0 } })).toBe(false);
    expect(SCHEMAS.params({ flat: { k: 0.2 } })).toBe(false); // the published schema (built-in methods) does not know it
    // a report with its breakdown conforms to the report schema of its registry, not to the built-in one
    const report = JSON.parse(JSON.stringify(engine.margin(BOOK, market(), { method: 'flat', params: FLAT, breakdown: true })));
    const validReport = ajv.compile(reportSchema(METHODS));
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    expect(SCHEMAS.report(report)).toBe(false);
  });

  it('is the worked example of docs/adding-a-method.md, which shows its folder\'s files as they are', () => {
    const page = readFileSync(join(ROOT, 'docs', 'adding-a-method.md'), 'utf8');
    for (const file of ['index.ts', 'schema.ts']) {
      const text = readFileSync(join(ROOT, 'test', 'support', 'methods', 'flat', file), 'utf8');
      expect(page.includes(`\`\`\`ts\n${text}\`\`\``), `docs/adding-a-method.md does not show test/support/methods/flat/${file} as it is`).toBe(true);
    }
  });
});
