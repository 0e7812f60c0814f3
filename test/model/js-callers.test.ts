/**
 * The public API from plain JavaScript, where no compiler stops a wrong argument: the mistakes a caller makes are
 * refused with a typed error naming what was wrong, never taken as "no options", read as NaN, or left to change every
 * later call (exported tables frozen).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DERIBIT_PARAMS, DEFAULT_DERIVE_PARAMS, DEFAULT_PORTFOLIO_PARAMS, DEFAULT_RULE_BASED_PARAMS, DEFAULT_SPAN_PARAMS, DEFAULT_VAR_PARAMS } from '../../src/plugin.js';
import { BUILT_IN_PROFILES, createEngine, type Engine, InputError, MARGIN_METHODS, STATUS, validateBook, validateInputs, validateMarket } from '../../src/index.js';
import { GREEKS_LIMITS } from '../../src/greeks/index.js';
import { BUILT_IN_METHODS } from '../../src/plugin.js';
import { accountColumns } from '../../src/margin/account-columns.js';
import { columnarReport } from '../../src/margin/columnar-report.js';
import { writeArrowReport } from '../../src/io/arrow/write-report.js';
import { marginReportJson } from '../../src/io/report-json.js';

const book = JSON.parse(readFileSync('data/sample/book.json', 'utf8'));
const market = JSON.parse(readFileSync('data/sample/market.json', 'utf8'));
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

/** The `path: message` lines of the InputError `fn` throws (anything else rethrown). */
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('exported tables are frozen', () => {
  it('STATUS, MARGIN_METHODS, BUILT_IN_METHODS, BUILT_IN_PROFILES (deeply) and GREEKS_LIMITS: a sort or a write throws, and reports keep their labels', () => {
    const before = engine.margin(book, market, { method: 'cross' }).totals.byStatus;
    expect(() => (STATUS as unknown as string[]).sort()).toThrow(TypeError);
    expect(() => ((STATUS as unknown as string[])[0] = 'ok')).toThrow(TypeError);
    expect(() => (MARGIN_METHODS as unknown as string[]).push('x')).toThrow(TypeError);
    expect(() => ((BUILT_IN_METHODS[0] as { name: string }).name = 'x')).toThrow(TypeError);
    const derive = BUILT_IN_PROFILES.find((p) => p.name === 'derive')!;
    expect(() => ((derive as { params: unknown }).params = {})).toThrow(TypeError);
    expect(Object.isFrozen(derive.params)).toBe(true);
    expect(() => ((GREEKS_LIMITS as { volMax: number }).volMax = 1)).toThrow(TypeError);
    expect(engine.margin(book, market, { method: 'cross' }).totals.byStatus).toEqual(before);
  });

  it('the methods\' defaults of margin-core/plugin, deeply: a top-level write had succeeded beside a nested one that threw', () => {
    const defaults = [DEFAULT_RULE_BASED_PARAMS, DEFAULT_PORTFOLIO_PARAMS, DEFAULT_VAR_PARAMS, DEFAULT_SPAN_PARAMS, DEFAULT_DERIVE_PARAMS, DEFAULT_DERIBIT_PARAMS];
    for (const d of defaults) expect(() => ((d as Record<string, unknown>).extra = 1)).toThrow(TypeError);
    expect(() => ((DEFAULT_PORTFOLIO_PARAMS as { mmFactor: number }).mmFactor = 0.1)).toThrow(TypeError);
    expect(() => ((DEFAULT_RULE_BASED_PARAMS as { linear: unknown }).linear = null)).toThrow(TypeError);
    expect(() => (DEFAULT_RULE_BASED_PARAMS.linear.default as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('options that are not a plain object', () => {
  it('a Map, a Promise or a Date as options, or as params, is refused (it had been read as none: cross, no params)', () => {
    for (const options of [new Map([['method', 'portfolio']]), Promise.resolve({ method: 'portfolio' }), new Date(0)]) {
      expect(problems(() => engine.margin(book, market, options as never)), String(options)).toEqual([expect.stringMatching(/^options: expected an object of options, or none, got an? (Map|Promise|Date)$/)]);
    }
    expect(problems(() => engine.margin(book, market, { method: 'cross', params: new Map() as never }))).toEqual([expect.stringMatching(/^params: expected an object/)]);
  });
});

describe('a session\'s own calls check their options, as engine.margin does', () => {
  it('margin, marginInto and prepare refuse a misspelt option and a flag that is no boolean (a misspelt method had run cross)', () => {
    const session = engine.openBook(book);
    try {
      expect(problems(() => session.margin(market, { methd: 'portfolio' } as never))).toEqual(['options.methd: unknown option (did you mean "method"?)']);
      expect(problems(() => session.margin(market, { method: 'portfolio', breakdown: 'yes' } as never))).toEqual(['options.breakdown: expected true or false, got "yes"']);
      expect(problems(() => session.margin(market, null as never))).toEqual(['options: expected an object of options, or none, got null']);
      const first = session.margin(market, { method: 'cross' });
      expect(problems(() => session.marginInto(first, market, { methd: 'portfolio' } as never))).toEqual(['options.methd: unknown option (did you mean "method"?)']);
      expect(problems(() => session.prepare(market, 'cross' as never))).toEqual(['options: expected an object of options, or none, got "cross"']);
      expect(session.margin(market, { method: 'portfolio' }).totals.im).toBe(engine.margin(book, market, { method: 'portfolio' }).totals.im);
    } finally {
      session.release();
    }
  });

  it('a prepared run read before run() throws, not a report of every account healthy at 0', () => {
    const session = engine.openBook(book);
    try {
      const run = session.prepare(market, { method: 'cross' });
      expect(() => run.totals()).toThrow('margin-core: this prepared run has not run: call run() before reading its figures');
      expect(() => run.report()).toThrow(/has not run/);
      run.run();
      expect(run.totals().im).toBe(engine.margin(book, market, { method: 'cross' }).totals.im);
      run.release();
    } finally {
      session.release();
    }
  });

  it.each(['js', 'wasm'] as const)('a released run refuses to run or be read (%s): it had run its kernels into columns given back (a WASM trap) or read them', async (backend) => {
    const engine = await createEngine({ backend });
    const session = engine.openBook(book);
    try {
      const released = session.prepare(market, { method: 'cross' });
      released.run();
      const id = book.accounts[0].id;
      expect(released.whatIf(id, [{ cashUsd: 1 }]).im).toBeGreaterThan(0);
      released.release();
      const other = session.prepare(market, { method: 'isolated' });
      other.run();
      const im = other.totals().im;
      const message = 'margin-core: this prepared run was released: prepare another (session.prepare) to run or read it';
      for (const call of [() => released.run(), () => released.remargin(id), () => released.whatIf(id, []), () => released.report(), () => released.totals(), () => released.account(id)]) {
        expect(call).toThrow(message);
      }
      expect(other.totals().im).toBe(im);
      expect(other.totals().im).toBe(engine.margin(book, market, { method: 'isolated' }).totals.im);
      expect(other.backend).toBe(engine.backend); // no trap sent the engine to its JS twin
      other.release();
    } finally {
      session.release();
    }
  });

  it.each(['js', 'wasm'] as const)('a run whose session was released refuses to run or be read (%s), and its own release is quiet', async (backend) => {
    const engine = await createEngine({ backend });
    const session = engine.openBook(book);
    const run = session.prepare(market, { method: 'cross' });
    run.run();
    const id = book.accounts[0].id;
    run.whatIf(id, [{ cashUsd: 1 }]);
    session.release();
    const message = 'margin-core: this prepared run\'s session was released (session.release()): open another with engine.openBook';
    for (const call of [() => run.run(), () => run.remargin(id), () => run.whatIf(id, []), () => run.totals(), () => run.account(id)]) expect(call).toThrow(message);
    expect(() => run.release()).not.toThrow();
    expect(run.backend).toBe(engine.backend);
  });
});

describe('the report readers take a margin report only', () => {
  it('a liquidation report or a book: a TypeError naming the reader, not NaN columns or a crash inside', async () => {
    const liquidation = engine.liquidate(book, market, { method: 'cross' });
    expect(() => accountColumns(liquidation as never)).toThrow(/^accountColumns: expected a margin report/);
    expect(() => columnarReport(book as never)).toThrow(new TypeError('columnarReport takes a margin report (engine.margin\'s), got an Object'));
    await expect(writeArrowReport(liquidation as never)).rejects.toThrow(/^writeArrowReport takes a margin report/);
    expect(() => [...marginReportJson(liquidation as never)]).toThrow(/^marginReportJson takes a margin report/);
  });
});

describe('the validators check what they are given', () => {
  it('validateMarket with a book not validated, and the validators\' options, are refused at their paths', () => {
    expect(problems(() => validateMarket(market, book))).toEqual([expect.stringMatching(/^book: expected a book validateBook\(\) returned, or none, got an Object/)]);
    expect(problems(() => validateBook(book, { lenent: true } as never))).toEqual(['options.lenent: unknown option (did you mean "lenient"?)']);
    expect(problems(() => validateBook(book, { lenient: 'yes' } as never))).toEqual(['options.lenient: expected true or false, got "yes"']);
    expect(problems(() => validateInputs(book, market, 'lenient' as never))).toEqual(['options: expected an object of options, or none, got "lenient"']);
    expect(validateMarket(market, validateBook(book)).valuationTime).toBe(market.valuationTime);
  });
});

describe('columnarBook checks the shape of the columns it is given', () => {
  it('an empty object, null, lengths that disagree, a row out of range and a NaN: an InputError at columns.<field>, not a book that crashes later', async () => {
    const { columnarBook } = await import('../../src/model/book-columns.js');
    const lines = (columns: unknown) => problems(() => columnarBook(columns as never));
    expect(lines(null)).toEqual(['columns: expected a book\'s columns (BookColumns), got null']);
    expect(lines({})).toContain('columns.instruments: expected an array, got undefined');
    const good = {
      instruments: validateBook(book).instruments, accountIds: ['a'], cashUsd: new Float64Array([100]),
      positionStart: new Int32Array([0, 1]), positionInstrument: new Int32Array([0]), quantity: new Float64Array([1]), entryPrice: new Float64Array([90_000]),
      balanceStart: new Int32Array([0, 0]), balanceAsset: new Int32Array(0), balanceAssets: [], amount: new Float64Array(0),
    };
    expect(columnarBook(good as never).instruments.length).toBe(good.instruments.length);
    expect(lines({ ...good, quantity: new Float64Array(2) })).toEqual(['columns.quantity: expected one per position (1), got 2']);
    expect(lines({ ...good, positionInstrument: new Int32Array([99_999]) })).toEqual([expect.stringMatching(/^columns\.positionInstrument: expected rows of instruments/)]);
    expect(lines({ ...good, entryPrice: new Float64Array([Number.NaN]) })).toEqual(['columns.entryPrice: expected finite numbers']);
    expect(lines({ ...good, positionStart: new Int32Array([0, 2]) })).toEqual(['columns.positionStart: expected offsets from 0 to 1, got 0 to 2']);
  });
});

describe('the writers\' own arguments', () => {
  it('a format that is neither file nor stream, and a piece size that is no whole number ≥ 1: refused by name', async () => {
    const { marginReportJson } = await import('../../src/io/report-json.js');
    const report = engine.margin(book, market, { method: 'cross' });
    await expect(writeArrowReport(report, 'json' as never)).rejects.toThrow(new TypeError("writeArrowReport: format is 'file' or 'stream', got \"json\""));
    for (const bad of [-5, Number.NaN, '100', 1.5]) expect(() => [...marginReportJson(report, bad as never)], String(bad)).toThrow(/^marginReportJson: pieceBytes is a whole number of bytes ≥ 1, got /);
  });
});

describe('a prepared run\'s what-if takes changes by layout row', () => {
  it('an id for a row, a row out of range, no array, a change of no kind and a number that is no number: refused at their paths', () => {
    const session = engine.openBook(book);
    try {
      const run = session.prepare(market, { method: 'cross' });
      run.run();
      const id = book.accounts[0].id, eth = session.layout.instruments.indexById.get('ETH-PERP')!;
      const whatIf = (changes: unknown) => problems(() => run.whatIf(id, changes as never));
      expect(whatIf([{ instrument: 'ETH-PERP', quantity: 1, price: 3_000 }])).toEqual([`changes[0].instrument: expected a layout row from 0 to ${session.layout.instruments.count - 1}, got "ETH-PERP" (an id: a prepared run takes the row, layout.instruments.indexById.get("ETH-PERP"); a live session's whatIf takes ids)`]);
      expect(whatIf([{ instrument: 1.5, quantity: 1, price: 1 }, { asset: 99, amount: 1 }])).toEqual([
        expect.stringMatching(/^changes\[0\]\.instrument: expected a layout row from 0 to \d+, got 1\.5$/),
        expect.stringMatching(/^changes\[1\]\.asset: expected a layout row from 0 to \d+, got 99$/),
      ]);
      expect(whatIf(null)).toEqual([expect.stringMatching(/^changes: expected an array of changes/)]);
      expect(whatIf([{}])).toEqual(['changes[0]: expected { instrument, quantity, price }, { asset, amount } or { cashUsd }']);
      expect(whatIf([{ cashUsd: '100' }])).toEqual(['changes[0].cashUsd: expected a finite number, got "100"']);
      expect(run.whatIf(id, [{ instrument: eth, quantity: 1, price: market.marks['ETH-PERP'] }]).im).toBeGreaterThan(0);
      // a price as a live session's fill is held to it: a negative one at its path (it had read "changes: changes[0]:
      // its average entry would leave the domain: -2.5 …"), an option's above what it can be worth (it was taken)
      expect(whatIf([{ instrument: eth, quantity: 1, price: -5 }])).toEqual(['changes[0].price: -5 is negative (a trade price must be 0 or at least 1e-12)']);
      const call = session.layout.instruments.indexById.get('BTC-21NOV26-80000-C')!, btc = market.assets.BTC.price;
      expect(whatIf([{ instrument: call, quantity: 1, price: 1e9 }])).toEqual([expect.stringMatching(new RegExp(`^changes\\[0\\]\\.price: 1000000000 is more than the call is worth \\(at most [0-9.]+ USD per unit at BTC ${btc}; a price above [0-9.]+ is refused\\)$`))]);
      run.release();
    } finally {
      session.release();
    }
  });
});

describe('histories from JavaScript', () => {
  it('readHistory and syntheticHistoryFor name a misspelt option, a count given as text and missing options', async () => {
    const { readHistory } = await import('../../src/dynamic/history.js');
    const { syntheticHistoryFor } = await import('../../src/dynamic/synthetic-history.js');
    const csv = 'timestamp,BTC\n2026-01-01T00:00:00Z,100\n2026-01-02T00:00:00Z,101\n';
    expect(problems(() => readHistory(csv, { minObs: 2 } as never))).toEqual(['options.minObs: unknown option (expected minObservations, allowGaps or name)']);
    expect(problems(() => readHistory(csv, { allowGaps: 'yes' } as never))).toEqual(['options.allowGaps: expected true or false, got "yes"']);
    expect(readHistory(csv).assets).toEqual(['BTC']);
    expect(problems(() => syntheticHistoryFor(market, undefined as never))).toEqual(['options: missing: expected { days, seed, start? }']);
    expect(problems(() => syntheticHistoryFor(market, { dys: 10, seed: 1 } as never))).toEqual(['options.dys: unknown option (did you mean "days"?)']);
    expect(problems(() => syntheticHistoryFor(market, { days: '10', seed: 1 } as never))).toEqual(['options.days: expected a whole number of days ≥ 2, got "10"']);
    expect(syntheticHistoryFor(market, { days: 10, seed: 1 }).times.length).toBe(10);
  });
});
