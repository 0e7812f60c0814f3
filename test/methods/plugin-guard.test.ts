/**
 * The engine's hold on a plug-in method (src/methods/plugin-guard.ts): whatever a method the library does not ship
 * writes, a report never shows a requirement out of its domain as figures, statuses follow the pooled rule, a throw
 * names the method, a failed live batch changes nothing, and the registry refuses names and sections that would
 * collide. The plug-ins here are the `flat` method (test/support/methods/flat/: IM = 0.1 × gross notional, MM = IM / 2)
 * broken one way each.
 *
 * The book: `one` long 0.1 BTC-PERP at 100,000 on 400 USDC (gross 10,000: flat IM 1,000, MM 500, so liquidatable; the
 * rule-based kernel alone says healthy, IM 80), `two` 50,000 USDC and nothing (IM 0, healthy).
 */
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { BUILT_IN_METHODS, type MarginMethodPlugin, MethodRegistrationError, MethodRunError, type MethodRun } from '../../src/plugin.js';
import { book, market } from '../support/margin-books.js';
import { type FlatParams, flatMethod } from '../support/methods/flat/index.js';

type Mode = 'negative' | 'nan' | 'infinite' | 'negative-gross' | 'no-restatus' | 'throw-run' | 'throw-remargin' | 'throw-remargin-once' | 'string-throw' | 'nan-large' | 'nan-small';

/** The flat method, broken by `mode` on account `one`. */
function broken(mode: Mode, name = mode): MarginMethodPlugin<FlatParams> {
  return {
    ...flatMethod,
    name,
    prepare(ctx, params): MethodRun {
      let throws = mode === 'throw-remargin' ? Infinity : mode === 'throw-remargin-once' ? 1 : 0;
      const require = (first: number, last: number) => {
        const gross = ctx.out.gross.array, im = ctx.out.im.array, mm = ctx.out.mm.array;
        for (let a = first; a < last; a++) {
          im[a] = params.k * gross[a];
          mm[a] = im[a] / 2;
          if (ctx.layout.accountIds[a] !== 'one') continue;
          if (mode === 'negative') [im[a], mm[a]] = [-100, -50];
          if (mode === 'nan') im[a] = Number.NaN;
          if (mode === 'infinite') im[a] = Infinity;
          if (mode === 'negative-gross') gross[a] = -3;
          if (mode === 'nan-large' && gross[a] > 15_000) im[a] = Number.NaN;
          if (mode === 'nan-small' && gross[a] < 10_000) mm[a] = Number.NaN;
        }
        if (mode !== 'no-restatus') ctx.restatus(first, last);
      };
      return {
        run() {
          if (mode === 'throw-run') throw new Error('run blew up');
          if (mode === 'string-throw') throw 'a string'; // eslint-disable-line no-throw-literal
          ctx.ruleBased(0);
          require(0, ctx.layout.accountCount);
        },
        remargin(a) {
          if (throws-- > 0) throw new Error('remargin blew up');
          ctx.ruleBased(0, { first: a, last: a + 1 });
          require(a, a + 1);
        },
        errorOf: () => undefined,
        explain: () => {},
        release: () => {},
      };
    },
  };
}

const BOOK = book(
  { id: 'one', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 400 }] },
  { id: 'two', collateral: [{ asset: 'USDC', amount: 50_000 }] },
);

async function engineWith(...methods: MarginMethodPlugin<FlatParams>[]): Promise<Engine> {
  return createEngine({ methods: [...BUILT_IN_METHODS, flatMethod, ...methods] as MarginMethodPlugin[] });
}

describe('a plug-in requirement out of its domain', () => {
  it.each([
    ['negative', 'IM -100: a requirement'], ['nan', 'IM NaN: a requirement'], ['infinite', 'IM Infinity: a requirement'], ['negative-gross', 'a gross notional of -3: a notional'],
  ] as const)('%s: status error naming the method, no figures, the totals incomplete', async (mode, gave) => {
    const engine = await engineWith(broken(mode));
    const r = engine.margin(BOOK, market(), { method: mode as string });
    const [one, two] = r.accounts;
    expect(one.status).toBe('error');
    expect(one.error).toBe(`method ${mode} gave ${gave} is a finite number ≥ 0`);
    for (const figure of [one.equity, one.im, one.mm, one.health, one.efficiency, one.excessOverMm]) expect(figure).toBeNaN();
    expect(two).toMatchObject({ status: 'healthy', im: 0, mm: 0 });
    expect(r.totals).toMatchObject({ complete: false, covered: 1, accounts: 2, im: 0 });
  });

  it('a liquidation plan and a stress run say which accounts they leave out', async () => {
    const engine = await engineWith(broken('nan'));
    const plan = engine.liquidate(BOOK, market(), { method: 'nan' as string });
    expect(plan.totals.accountsBreaching).toBe(0);
    expect(plan.warnings).toEqual([{ path: 'accounts', message: '1 account could not be margined (status error: the margin report says why), before the plan or after a close (its figures then none): "one"' }]);
    const stress = engine.stress(BOOK, market(), { name: 'drop', spot: { BTC: -0.1 } }, { method: 'nan' as string });
    expect(stress.warnings).toContainEqual({ path: 'accounts', message: '1 account could not be margined under nan (status error: the margin report says why) and is in no cascade or path: "one"' });
  });
});

describe('a live session on a plug-in whose requirement is out of its domain', () => {
  it('a what-if in error has no figures; a status event to error has no health', async () => {
    const engine = await engineWith(broken('negative'));
    const live = engine.live(BOOK, market(), { method: 'negative' as string });
    const w = live.whatIf('one', [{ instrument: 'BTC-PERP', quantity: 0.1 }]);
    for (const r of [w.before, w.after]) {
      expect(r.status).toBe('error');
      for (const figure of [r.equity, r.im, r.mm, r.health]) expect(figure).toBeNaN();
    }
    live.release();
    // `one` at 20,000 of gross (a fill of 0.1 more) gets a NaN IM: its status event goes to error with no health
    const large = await engineWith(broken('nan-large'));
    const session = large.live(BOOK, market(), { method: 'nan-large' as string });
    const events: { account: string; to: string; health: number }[] = [];
    session.onStatusChange((changes) => events.push(...changes));
    session.applyFills([{ account: 'one', instrument: 'BTC-PERP', quantity: 0.1, price: 100_000 }]);
    expect(events.map((e) => [e.account, e.to])).toEqual([['one', 'error']]);
    expect(events[0].health).toBeNaN();
    session.release();
  });
});

describe('a liquidation whose close leaves the account in error', () => {
  it('shows no figures after it, and names the account in the plan\'s warning', async () => {
    // `one` (flat MM 500 on equity 400) is liquidated; once a close takes its gross below 10,000 its MM is NaN
    const engine = await engineWith(broken('nan-small'));
    const plan = engine.liquidate(BOOK, market(), { method: 'nan-small' as string });
    const [one] = plan.accounts;
    expect(one.id).toBe('one');
    expect(one.steps.length).toBeGreaterThan(0);
    expect(one.after.status).toBe('error');
    for (const figure of [one.after.equity, one.after.im, one.after.mm]) expect(figure).toBeNaN();
    expect(plan.warnings).toEqual([{ path: 'accounts', message: '1 account could not be margined (status error: the margin report says why), before the plan or after a close (its figures then none): "one"' }]);
  });
});

describe('statuses are the pooled rule on the columns', () => {
  it('a plug-in that leaves the kernel\'s status (no ctx.restatus): one is liquidatable on its own IM, and liquidated', async () => {
    const engine = await engineWith(broken('no-restatus'));
    const [one, two] = engine.margin(BOOK, market(), { method: 'no-restatus' as string }).accounts;
    expect([one.status, one.im, one.mm, one.equity]).toEqual(['liquidatable', 1_000, 500, 400]);
    expect(two.status).toBe('healthy');
    expect(engine.liquidate(BOOK, market(), { method: 'no-restatus' as string }).totals.accountsBreaching).toBe(1);
  });
});

describe('a plug-in that throws', () => {
  it('is a MethodRunError naming the method and the call, its cause kept', async () => {
    const engine = await engineWith(broken('throw-run'), broken('string-throw'));
    const thrown = (method: string) => {
      try {
        engine.margin(BOOK, market(), { method });
      } catch (error) {
        return error as MethodRunError;
      }
      throw new Error('expected a MethodRunError');
    };
    const e = thrown('throw-run');
    expect(e).toBeInstanceOf(MethodRunError);
    expect([e.name, e.method, e.call, e.message]).toEqual(['MethodRunError', 'throw-run', 'run', 'margin method throw-run: run: run blew up']);
    expect((e.cause as Error).message).toBe('run blew up');
    expect(thrown('string-throw').message).toBe('margin method string-throw: run: threw "a string"');
  });

  it('in a live batch: the batch is taken back whole, the book and figures as before', async () => {
    const engine = await engineWith(broken('throw-remargin-once'), broken('throw-remargin'));
    const live = engine.live(BOOK, market(), { method: 'throw-remargin-once' as string });
    const before = live.account('one');
    expect(() => live.applyFills([{ account: 'one', instrument: 'BTC-PERP', quantity: 0.1, price: 100_000 }])).toThrow(MethodRunError);
    expect(live.book().accounts.find((a) => a.id === 'one')!.positions).toEqual([{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }]);
    expect(live.account('one')).toEqual(before);
    live.release();
    // a method that cannot margin the state put back either: the account is in error, with no figures
    const stuck = engine.live(BOOK, market(), { method: 'throw-remargin' as string });
    expect(() => stuck.applyFills([{ account: 'one', instrument: 'BTC-PERP', quantity: 0.1, price: 100_000 }])).toThrow(MethodRunError);
    expect(stuck.book().accounts.find((a) => a.id === 'one')!.positions).toEqual([{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }]);
    const one = stuck.account('one');
    expect([one.status, one.im, one.equity]).toEqual(['error', NaN, NaN]);
    stuck.release();
  });
});

describe('a pool margined by a plug-in', () => {
  it('whose figures are not finite: the pool is in error, not healthy', async () => {
    const cross = BUILT_IN_METHODS.find((m) => m.name === 'cross')!;
    const nanPools: MarginMethodPlugin = {
      ...cross,
      name: 'nan-pools',
      prepare(ctx, params) {
        const run = cross.prepare(ctx, params);
        return { ...run, pools: { unionMargin: (unions) => run.pools!.unionMargin(unions)?.map((f) => ({ ...f, im: Number.NaN })) } };
      },
    };
    const engine = await createEngine({ methods: [...BUILT_IN_METHODS, nanPools] });
    const family = {
      instruments: BOOK.instruments,
      accounts: [{ id: 'm', positions: [], collateral: [{ asset: 'USDC', amount: 500 }] }, { id: 's', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.1, entryPrice: 100_000 }], collateral: [] }],
    };
    const r = engine.margin(family, market(), { method: 'nan-pools' as string, params: { subaccounts: { policy: 'cross' } } });
    expect(r.subaccounts!.masters[0].combined.status).toBe('error');
    expect(r.subaccounts!.totals.complete).toBe(false);
  });
});

describe('the registry refuses what would collide', () => {
  it.each([
    ['all', undefined, /not "all"/],
    ['my method', undefined, /lowercase letters/],
    ['__proto__', undefined, /lowercase letters/],
    ['mine', 'linear', /the params section "linear" is the engine's/],
    ['mine', 'liquidation', /the params section "liquidation" is the engine's/],
    ['mine', 'portfolio', /the params section "portfolio" is method portfolio's already/],
  ] as const)('name %j, section %j', async (name, section, message) => {
    const plugin = { ...flatMethod, name, ...(section !== undefined ? { section, validateParams: () => ({ k: 0.1, baseVolAnnual: 0.5 }) } : {}) };
    await expect(createEngine({ methods: [...BUILT_IN_METHODS, plugin as MarginMethodPlugin] })).rejects.toThrow(MethodRegistrationError);
    await expect(createEngine({ methods: [...BUILT_IN_METHODS, plugin as MarginMethodPlugin] })).rejects.toThrow(message);
  });

  it('a variant that validates its section with the same function shares it', async () => {
    const engine = await createEngine({ methods: [...BUILT_IN_METHODS, flatMethod, { ...flatMethod, name: 'flat-variant' }] as MarginMethodPlugin[] });
    expect(engine.margin(BOOK, market(), { method: 'flat-variant' as string }).accounts[0].im).toBe(1_000);
  });
});
