/**
 * The three master-level policies on a hand-computed book (default rule-based params, cross margin, BTC at 100,000).
 * BTC-PERP brackets are marginal (src/margin/params.ts): 0.8% IM / 0.4% MM up to 50,000 USD of notional, then
 * 1% / 0.5% up to 600,000. So
 *   long 1 BTC-PERP   (notional 100,000): IM = 50,000·0.8% + 50,000·1% = 900,  MM = 200 + 250 = 450
 *   short 0.5 BTC-PERP (notional 50,000): IM = 400, MM = 200
 * Entries at the mark: no P&L. USDC has no haircut, so every equity is the USDC held.
 *   m  (master): 10,000 USDC, no positions: IM 0, MM 0.
 *   s1: long 1, 2,000 USDC: healthy.      s2: short 0.5, 150 USDC: 150 < MM 200, liquidatable, shortfall 50.
 */
import { describe, expect, it } from 'vitest';
import { validateBook } from '../../src/model/validate.js';
import { generateSample } from '../../src/sample/generate.js';
import { stressBook } from '../../src/subaccounts/stress-book.js';
import { BUILT_IN_REGISTRY } from '../../src/methods/registry.js';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { expectOneProblem, problemLines } from '../support/problems.js';
import { expectValidReport } from '../support/schemas.js';

const engines = await allEngines();

function group(masterUsdc = 10_000, extra: object[] = []) {
  return {
    instruments: INSTRUMENTS,
    accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: masterUsdc }] },
      { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
      ...extra,
    ],
  };
}

const policy = (p: string) => ({ params: { subaccounts: { policy: p } } });

describe.each(engines.map((e) => [e.backend, e] as const))('master policies (%s)', (_name, engine) => {
  it('independent: every account alone, the roll-up sums the group', () => {
    const r = engine.margin(group(), market());
    expect(r.accounts.map((a) => [a.id, a.im, a.mm, a.status])).toEqual([
      ['m', 0, 0, 'healthy'], ['s1', 900, 450, 'healthy'], ['s2', 400, 200, 'liquidatable'],
    ]);
    expect(r.accounts[1].master).toBe('m');
    const m = r.subaccounts!.masters[0];
    expect(r.subaccounts!.policy).toBe('independent');
    expect(m).toMatchObject({ id: 'm', subaccounts: ['s1', 's2'], method: 'cross', imFreed: 0, imFreedShare: 0 });
    expect(m.combined).toEqual(m.standalone);
    expect(m.standalone).toMatchObject({ equity: 12_150, im: 1_300, mm: 650, status: 'liquidatable' });
  });

  it('cross: the pool nets the long and the short; IM freed = 1,300 − 400', () => {
    const r = engine.margin(group(), market(), policy('cross'));
    const m = r.subaccounts!.masters[0];
    // the pool holds +1 − 0.5 = +0.5 BTC-PERP (notional 50,000): IM 400, MM 200, on 12,150 USDC
    expect(m.combined).toMatchObject({ equity: 12_150, equityIm: 12_150, im: 400, mm: 200, status: 'healthy' });
    expect(m.combined.health).toBeCloseTo(12_150 / 200, 12);
    expect(m.imFreed).toBe(900);
    expect(m.imFreedShare).toBeCloseTo(900 / 1_300, 15);
    expect(r.subaccounts!.totals).toMatchObject({ masters: 1, subaccounts: 2, standaloneIm: 1_300, im: 400, imFreed: 900 });
    expect(r.accounts[2].status).toBe('liquidatable'); // the row keeps the account's standalone figures for comparison
  });

  it('backstop: the master covers s2 to MM (50 USD) and is left 9,950', () => {
    const r = engine.margin(group(), market(), policy('backstop'));
    const [m, s1, s2] = r.accounts;
    expect(s2).toMatchObject({ equity: 200, equityMm: 200, im: 400, mm: 200, status: 'margin_call', backstopUsd: 50, cashUsd: 50 });
    expect(m).toMatchObject({ equity: 9_950, equityIm: 9_950, status: 'healthy', backstopUsd: -50 });
    expect(s1.backstopUsd).toBeUndefined();
    const g = r.subaccounts!.masters[0];
    expect(g.backstop).toEqual({ freeUsd: 10_000, coveredUsd: 50, uncoveredUsd: 0, covers: [{ account: 's2', usd: 50 }] });
    expect(g.combined).toMatchObject({ equity: 12_150, im: 1_300, status: 'margin_call' });
    expect(r.totals.byStatus).toMatchObject({ healthy: 2, margin_call: 1, liquidatable: 0 });
    expectValidReport(r);
    expectValidReport(engine.margin(group(), market(), { ...policy('cross'), breakdown: true }));
  });

  it('backstop: a shortfall of an exact number of cents whose sum rounds below MM is covered a cent more, so the cover restores MM', () => {
    // BTC at 98,400: s2 long 0.5 from 100,000 on 400 USDC: equity for MM 400 − 800 = −400, MM 49,200·0.4% = 196.80;
    // the shortfall 596.80 added to −400 gives 196.79999999999995, a rounding short of 196.80: 596.81 is paid
    const book = {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 3_000 }] },
        { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 400 }] },
      ],
    };
    expect(-400 + 596.8 < 196.8).toBe(true);
    for (const engine of engines) {
      const r = engine.margin(book, market({ btc: 98_400 }), policy('backstop'));
      const s2 = r.accounts[1];
      expect([s2.mm, s2.backstopUsd, s2.status]).toEqual([196.8, 596.81, 'margin_call']);
      expect(s2.equityMm).toBeGreaterThanOrEqual(s2.mm);
      // a liquidation pays the same cover and closes nothing of s2
      const plan = engine.liquidate(book, market({ btc: 98_400 }), policy('backstop'));
      expect(plan.accounts.filter((a) => a.id === 's2')).toEqual([]);
    }
  });

  it('backstop: covers go smallest shortfall first, the last one partly, and what is left is liquidated', () => {
    // s3: short 0.5 on 100 USDC: shortfall 100. The master has 120 free: s2 gets its 50, s3 the remaining 70 less the
    // cent a cover of all of F is trimmed by (the master keeps a surplus beyond its figures' rounding: backstop.ts)
    const s3 = { id: 's3', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100 }] };
    const r = engine.margin(group(120, [s3]), market(), policy('backstop'));
    expect(r.subaccounts!.masters[0].backstop).toEqual({ freeUsd: 120, coveredUsd: 119.99, uncoveredUsd: 150 - 119.99, covers: [{ account: 's2', usd: 50 }, { account: 's3', usd: 69.99 }] });
    expect(r.accounts.map((a) => [a.id, a.equity, a.status])).toEqual([
      ['m', 120 - 119.99, 'healthy'], ['s1', 2_000, 'healthy'], ['s2', 200, 'margin_call'], ['s3', 100 + 69.99, 'liquidatable'],
    ]);
  });

  it('backstop figures equal a fresh run of the book with the covers paid as cash', () => {
    for (const method of ['cross', 'portfolio', 'var'] as const) {
      const r = engine.margin(group(), market(), { method, ...policy('backstop') });
      const covers = new Map(r.accounts.map((a) => [a.id, a.backstopUsd ?? 0]));
      const paid = group();
      for (const a of paid.accounts as { id: string; cashUsd?: number }[]) if (covers.get(a.id)) a.cashUsd = covers.get(a.id);
      const fresh = engine.margin(paid, market(), { method });
      fresh.accounts.forEach((f, i) => {
        const b = r.accounts[i];
        expect(b.status).toBe(f.status);
        expect(b.im).toBe(f.im); // cash is charged by no method
        expect(b.mm).toBe(f.mm);
        expect(b.equityMm).toBeCloseTo(f.equityMm, 9);
      });
    }
  });
});

describe('subaccount methods and errors', () => {
  const engine = engines[0];

  it('margins each account by its own method', () => {
    const book = group();
    (book.accounts[1] as { method?: string }).method = 'portfolio';
    const r = engine.margin(book, market());
    const alone = engine.margin({ instruments: INSTRUMENTS, accounts: [{ ...book.accounts[1], master: undefined }] }, market(), { method: 'portfolio' }).accounts[0];
    expect(r.accounts[1]).toMatchObject({ id: 's1', method: 'portfolio', im: alone.im, mm: alone.mm, equityIm: alone.equityIm });
    expect(r.accounts[2].im).toBe(400); // s2 still cross, the run's method
    expect(r.method).toBe('cross');
  });

  it('rejects unknown, self, nested and circular masters with the path of the master field', () => {
    const accounts = [
      { id: 'a', collateral: [{ asset: 'USDC', amount: 1 }], master: 'nobody' },
      { id: 'b', collateral: [{ asset: 'USDC', amount: 1 }], master: 'b' },
      { id: 'c', collateral: [{ asset: 'USDC', amount: 1 }] },
      { id: 'd', collateral: [{ asset: 'USDC', amount: 1 }], master: 'c' },
      { id: 'e', collateral: [{ asset: 'USDC', amount: 1 }], master: 'd' },
      { id: 'f', collateral: [{ asset: 'USDC', amount: 1 }], master: 'g' },
      { id: 'g', collateral: [{ asset: 'USDC', amount: 1 }], master: 'f' },
      // a subaccount of "b", which names itself: b's problem is said once, at b (h did nothing wrong)
      { id: 'h', collateral: [{ asset: 'USDC', amount: 1 }], master: 'b' },
    ];
    expect(problemLines(() => engine.margin({ instruments: INSTRUMENTS, accounts }, market()))).toEqual([
      'accounts[0].master: unknown master "nobody": no account of the book has that id',
      'accounts[1].master: account "b" is its own master',
      'accounts[4].master: master "d" is itself a subaccount (of "c"): subaccounts nest one level deep',
      'accounts[5].master: circular masters: f → g → f',
      'accounts[6].master: circular masters: g → f → g',
    ]);
  });

  it('rejects a method the engine does not have, and methods a policy cannot use', () => {
    const book = group();
    (book.accounts[1] as { method?: string }).method = 'spam';
    expectOneProblem(() => engine.margin(book, market()), 'accounts[1].method', /unknown method "spam" \(did you mean "span"\?\); expected isolated, cross, portfolio, var/);
    (book.accounts[1] as { method?: string }).method = 'isolated';
    expectOneProblem(() => engine.margin(book, market(), policy('backstop')), 'accounts[1].method', /cannot use isolated margin under the backstop policy/);
    expect(engine.margin(book, market(), policy('independent')).accounts[1].method).toBe('isolated');
    (book.accounts[0] as { method?: string }).method = 'isolated';
    (book.accounts[1] as { method?: string }).method = undefined;
    expectOneProblem(() => engine.margin(book, market(), policy('cross')), 'accounts[0].method', /pools its subaccounts \(policy cross\), which isolated margin cannot do/);
    // nor a backstop master: its free collateral counts what its positions hold for themselves
    expectOneProblem(() => engine.margin(book, market(), policy('backstop')), 'accounts[0].method', /master "m" cannot use isolated margin under the backstop policy: its covers are paid from its free collateral/);
    expectOneProblem(() => engine.margin(group(), market(), policy('pooled')), 'params.subaccounts.policy', /expected "independent", "cross" or "backstop", got "pooled"/);
    // an unknown run method is the options' problem, once (not one per account of a book with masters)
    for (const call of [() => engine.margin(group(), market(), { method: 'foo' } as never), () => engine.liquidate(group(), market(), { method: 'foo' } as never)]) {
      expectOneProblem(call, 'options.method', /unknown method "foo"/);
    }
  });
});

describe.each(engines.map((e) => [e.backend, e] as const))('liquidation under each policy (%s)', (_name, engine) => {
  const liquidated = (book: object, p: string) => engine.liquidate(book, market(), policy(p)).accounts.map((a) => a.id);

  it('independent liquidates s2 alone (150 < MM 200)', () => {
    expect(liquidated(group(), 'independent')).toEqual(['s2']);
  });

  it('cross liquidates nothing while the pool is healthy, and the pool, as the master, when it is not', () => {
    expect(liquidated(group(), 'cross')).toEqual([]);
    // master 10 USDC, s1 with no collateral: the pool has 10 + 0 + 150 = 160 USDC against MM 200
    const thin = group(10);
    (thin.accounts[1] as { collateral: unknown[] }).collateral = [];
    expect(liquidated(thin, 'cross')).toEqual(['m']);
  });

  it('backstop liquidates only what the master could not cover', () => {
    expect(liquidated(group(), 'backstop')).toEqual([]);
    const s3 = { id: 's3', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100 }] };
    expect(liquidated(group(120, [s3]), 'backstop')).toEqual(['s3']); // s2 covered in full, s3 short 30 after its 70
    // the covers moved cash in no step of the plan: the report names them (the session's layout holds them)
    const plan = engine.liquidate(group(120, [s3]), market(), policy('backstop'));
    expect(plan.warnings).toContainEqual({ path: 'params.subaccounts.policy', message: 'backstop: masters paid 2 covers of 119.99 USD into their subaccounts before the liquidation (s2 50.00, s3 69.99): cash moved master → subaccount, in no step of the plan' });
    expect(engine.liquidate(group(), market(), policy('independent')).warnings).toBeUndefined();
  });

  it('refuses to liquidate a book whose accounts need different methods', () => {
    const book = group();
    (book.accounts[1] as { method?: string }).method = 'portfolio';
    expectOneProblem(() => engine.liquidate(book, market()), 'accounts[1].method', /liquidation runs one method over the book \(cross\); this account's is portfolio/);
    // under cross, a subaccount's own method does not matter: the pool is margined by the master's
    expect(engine.liquidate(book, market(), policy('cross')).accounts).toEqual([]);
  });
});

describe('stress under each policy', () => {
  const engine = engines[0];
  // BTC −5%: s1 (long 1) loses 5,000 on 2,000 USDC, s2 (short 0.5) gains 2,500
  const shock = { spot: { BTC: -0.05 } };

  it('stresses pools as one account under cross, each account under independent', () => {
    const alone = engine.stress(group(), market(), shock, { method: 'cross' });
    expect(alone.cascades[0].metrics.accountsLiquidated).toBe(1); // s1 (s2 gains and is above MM: 150 + 2,500 > 200)
    const pooled = engine.stress(group(), market(), shock, { method: 'cross', ...policy('cross') });
    expect(pooled.cascades[0].metrics.accountsLiquidated).toBe(0); // the pool: 12,150 − 2,500 against MM ≈ 200
  });

  it('refuses the backstop policy', () => {
    expectOneProblem(() => engine.stress(group(), market(), shock, { method: 'cross', ...policy('backstop') }), 'params.subaccounts.policy', /stress does not model the backstop policy/);
  });

  it('refuses isolated margin on the pools, as margin does, at each master (and under all)', () => {
    for (const method of ['isolated', 'all']) {
      expectOneProblem(() => engine.stress(group(), market(), shock, { method, ...policy('cross') }), 'accounts[0]', /a master pools its subaccounts \(policy cross\), which isolated margin cannot do/);
    }
    // many masters: one cause, said once with the masters it holds for (it had been a sentence per master, cut at 100)
    const many = generateSample({ accounts: 400, seed: 2, accountsPerMaster: 4 });
    expectOneProblem(() => engine.stress(many.book, many.market, shock, { method: 'isolated', ...policy('cross') }), 'accounts[0]', /a master pools its subaccounts .*; 100 masters: accounts\[0\], accounts\[4\], accounts\[8\], … and 97 more$/);
    // the same book under the independent policy: each account alone, isolated runs
    expect(engine.stress(group(), market(), shock, { method: 'isolated', ...policy('independent') }).cascades).toHaveLength(1);
  });

  it('pools a book once: the same pooled book for every stress of it (a sharded stress asks twice)', () => {
    const book = validateBook(group());
    const pooled = stressBook(book, policy('cross'), BUILT_IN_REGISTRY);
    expect(pooled).not.toBe(book);
    expect(pooled.accounts.map((a) => a.id)).toEqual(['m']);
    expect(stressBook(book, policy('cross'), BUILT_IN_REGISTRY)).toBe(pooled);
    expect(stressBook(book, policy('independent'), BUILT_IN_REGISTRY)).toBe(book);
  });
});

describe('compareMethods on a book with subaccounts', () => {
  it('gives every account every method, whatever its own', () => {
    const book = group();
    (book.accounts[1] as { method?: string }).method = 'portfolio';
    const c = engines[0].compareMethods(book, market(), { methods: ['cross', 'portfolio'] });
    const s1 = c.accounts.find((a) => a.id === 's1')!;
    expect(s1.im.cross).toBe(900); // by hand above: the account's own method (portfolio) does not replace cross here
  });
});

describe('pooling under size tiers', () => {
  it('can cost IM: two longs of 0.5 BTC-PERP (400 each) pool into one of 1 (900, the second bracket)', () => {
    const book = {
      instruments: INSTRUMENTS,
      accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
        { id: 'a', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 'b', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] },
      ],
    };
    const m = engines[0].margin(book, market(), policy('cross')).subaccounts!.masters[0];
    expect(m.standalone.im).toBe(800);
    expect(m.combined.im).toBe(900);
    expect(m.imFreed).toBe(-100);
  });
});
