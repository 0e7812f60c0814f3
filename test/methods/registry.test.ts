/**
 * The method seam end to end with a method the library does not ship: a toy "gross" method (IM = rate × gross
 * notional, MM = half of it) plugged in through createEngine({ methods }) runs through engine.margin, breakdown
 * explains, compareMethods, parameter validation with paths and re-margining, with no change to the library.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InputError, MARGIN_METHODS } from '../../src/index.js';
import { BUILT_IN_METHODS, type MarginMethodPlugin } from '../../src/plugin.js';
import { book, market } from '../support/margin-books.js';

interface GrossParams { rate: number }

declare module '../../src/margin/report.js' {
  interface MarginMethods { gross: GrossParams }
  interface AccountMargin { gross?: { rate: number; grossNotional: number } }
}

const grossMethod: MarginMethodPlugin<GrossParams> = {
  name: 'gross',
  description: 'toy: IM = rate × gross notional',
  section: 'gross',
  validateParams(section) {
    const rate = (section as { rate?: unknown } | undefined)?.rate ?? 0.1;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new InputError([{ path: 'params.gross.rate', message: `must be in [0, 1], got ${String(rate)}` }]);
    return { rate };
  },
  prepare(ctx, params) {
    const require = (first: number, last: number) => {
      const gross = ctx.out.gross.array, im = ctx.out.im.array, mm = ctx.out.mm.array;
      for (let a = first; a < last; a++) {
        im[a] = params.rate * gross[a];
        mm[a] = 0.5 * im[a];
      }
      ctx.restatus(first, last);
    };
    return {
      run() {
        ctx.ruleBased(0);
        require(0, ctx.layout.accountCount);
      },
      remargin(a) {
        ctx.ruleBased(0, { first: a, last: a + 1 });
        require(a, a + 1);
      },
      errorOf: () => undefined,
      explain: (row, a) => (row.gross = { rate: params.rate, grossNotional: ctx.out.gross.array[a] }),
      release: () => {},
    };
  },
};

const BOOK = book(
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'short-put', positions: [{ instrument: 'BTC-90000-P', quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
);

describe('a margin method plugged in from outside', () => {
  it('margins, explains and validates through the registry', async () => {
    const engine = await createEngine({ backend: 'js', methods: [...BUILT_IN_METHODS, grossMethod] });
    expect(engine.methods).toEqual([...MARGIN_METHODS, 'gross']);
    const report = engine.margin(BOOK, market(), { method: 'gross', params: { gross: { rate: 0.05 } }, breakdown: true });
    expect(report.method).toBe('gross');
    // long 2 BTC-PERP at 100,000: notional 200,000 → IM 10,000, MM 5,000; equity 30,000 + 2·5,000 = 40,000
    const long = report.accounts[0];
    expect([long.im, long.mm, long.equity, long.status]).toEqual([10_000, 5_000, 40_000, 'healthy']);
    expect(long.gross).toEqual({ rate: 0.05, grossNotional: 200_000 });
    // short 1 put: notional = 1 × spot 100,000 → IM 5,000 > equity 1,000 − 800 = 200; MM 2,500 → liquidatable
    expect([report.accounts[1].im, report.accounts[1].status]).toEqual([5_000, 'liquidatable']);
    expect(() => engine.margin(BOOK, market(), { method: 'gross', params: { gross: { rate: 2 } } })).toThrow(/params\.gross\.rate: must be in \[0, 1\], got 2/);
    // its section is known to the registry, and validated under every method: a params file is checked whole
    expect(engine.margin(BOOK, market(), { method: 'cross', params: { gross: { rate: 0.5 } } }).method).toBe('cross');
    expect(() => engine.margin(BOOK, market(), { method: 'cross', params: { gross: { rate: 2 } } })).toThrow(/params\.gross\.rate: must be in \[0, 1\], got 2/);
    expect(() => engine.margin(BOOK, market(), { method: 'cross', params: { grosss: {} } })).toThrow('params.grosss: unknown field (did you mean "gross"?)');
  });

  it('takes part in compareMethods and re-margins one account', async () => {
    const engine = await createEngine({ methods: [...BUILT_IN_METHODS, grossMethod] });
    const comparison = engine.compareMethods(BOOK, market(), { params: { gross: { rate: 0.05 } } });
    expect(comparison.methods).toEqual([...MARGIN_METHODS, 'gross']);
    expect(comparison.accounts[0].im.gross).toBe(10_000);
    expect(comparison.accounts[0].freed.gross?.vsCross?.usd).toBe(comparison.accounts[0].im.cross! - 10_000);

    const { validateInputs } = await import('../../src/index.js');
    const valid = validateInputs(BOOK, market());
    const session = engine.openBook(valid.book);
    const run = session.prepare(valid.market, { method: 'gross', params: { gross: { rate: 0.05 } } });
    run.run();
    session.layout.positions.column<'f64'>('quantity').array[session.layout.positions.start.array[0]] = 3;
    run.remargin('long');
    expect(run.account('long').im).toBe(15_000);
    run.release();
    session.release();
  });

  it('rejects an unknown method name with the list, and two methods of one name', async () => {
    const engine = await createEngine({ backend: 'js', methods: [...BUILT_IN_METHODS, grossMethod] });
    // @ts-expect-error a misspelt method name is a compile error too (MethodName)
    expect(() => engine.margin(BOOK, market(), { method: 'grosss' })).toThrow(InputError);
    expect(() => engine.margin(BOOK, market(), { method: 'grosss' as string })).toThrow('options.method: unknown method "grosss" (did you mean "gross"?); expected isolated, cross, portfolio, var, span, derive, deribit or gross');
    await expect(createEngine({ methods: [...BUILT_IN_METHODS, { ...grossMethod, name: 'cross' }] })).rejects.toThrow('two margin methods are named "cross"');
  });
});
