/**
 * The collateral allocation LP against hand solutions (water-filling: raise the lowest health first).
 */
import loadHighs from 'highs';
import { describe, expect, it } from 'vitest';
import { allocateCollateral } from '../../src/subaccounts/allocate.js';

const highs = await loadHighs();

describe('collateral allocation (maximin health)', () => {
  it('water-fills one source: C to A’s health, then both to B’s', () => {
    // A: 100/100 = 1, B: 300/200 = 1.5, C: 50/100 = 0.5; 150 USD free.
    // C to 1 costs 50; A and C from 1 to 1.5 cost 50 + 50: all 150 spent, every health 1.5. B receives nothing.
    const r = allocateCollateral(highs, {
      accounts: [{ id: 'A', equityMm: 100, mm: 100 }, { id: 'B', equityMm: 300, mm: 200 }, { id: 'C', equityMm: 50, mm: 100 }],
      sources: [{ id: 'home', usd: 1_000, weight: 1 }],
      freeUsd: 150,
    });
    expect(r.minHealthBefore).toBe(0.5);
    expect(r.minHealthAfter).toBeCloseTo(1.5, 7);
    expect(r.usedUsd).toBeCloseTo(150, 6);
    const got = Object.fromEntries(r.transfers.map((t) => [t.account, t.usd]));
    expect(got.A).toBeCloseTo(50, 6);
    expect(got.C).toBeCloseTo(100, 6);
    expect(got.B ?? 0).toBeCloseTo(0, 6);
  });

  it('prefers the location that delivers more equity for MM per USD, within the free collateral', () => {
    // home 50 USD at weight 1, arbitrum 200 USD at weight 0.5; free 150. C (50 on MM 100) gets home's 50 (→ 100) and
    // arbitrum's remaining 100 (→ +50): 150 / 100 = health 1.5. With no free cap: 50 + 200·0.5 = 150 more: health 2.
    const accounts = [{ id: 'C', equityMm: 50, mm: 100 }];
    const sources = [{ id: 'home', usd: 50, weight: 1 }, { id: 'arbitrum', usd: 200, weight: 0.5 }];
    const capped = allocateCollateral(highs, { accounts, sources, freeUsd: 150 });
    expect(capped.minHealthAfter).toBeCloseTo(1.5, 7);
    expect(capped.transfers.map((t) => [t.source, Math.round(t.usd * 1e6) / 1e6])).toEqual([['home', 50], ['arbitrum', 100]]);
    expect(allocateCollateral(highs, { accounts, sources, freeUsd: Infinity }).minHealthAfter).toBeCloseTo(2, 7);
  });

  it('gives the same answer at any scale of the amounts (HiGHS moved nothing once they reached ~1e11 USD)', () => {
    // one account 28,625,000 on MM 14,996,106,950 (health 0.0019), one source of 237,605,250,000 USD at weight
    // 1.12498619: the whole free collateral moved, health (28,625,000 + 1.12498619·2.376e11) / 1.4996e10 = 17.8267
    const problem = (scale: number) => ({
      accounts: [{ id: 'u', equityMm: 28_625_000 * scale, mm: 14_996_106_950 * scale }],
      sources: [{ id: 'BTC', usd: 237_605_250_000 * scale, weight: 1.1249861903303904 }],
      freeUsd: 237_605_250_000 * scale,
    });
    const byHand = (28_625_000 + 1.1249861903303904 * 237_605_250_000 * (1 - 1e-12)) / 14_996_106_950;
    for (const scale of [1e-6, 1e-3, 1, 1e3]) {
      const r = allocateCollateral(highs, problem(scale));
      expect(r.minHealthAfter, String(scale)).toBeCloseTo(byHand, 6);
      expect(r.usedUsd / (237_605_250_000 * scale)).toBeCloseTo(1, 9);
    }
  });

  it('moves nothing that cannot help: late collateral under exclude-mm (weight 0), no free collateral, no MM', () => {
    const accounts = [{ id: 'C', equityMm: 50, mm: 100 }, { id: 'D', equityMm: 10, mm: 0 }];
    const late = allocateCollateral(highs, { accounts, sources: [{ id: 'ethereum', usd: 1_000, weight: 0 }], freeUsd: 1_000 });
    expect(late.transfers).toEqual([]);
    expect(late.minHealthAfter).toBe(0.5);
    expect(late.health[1]).toEqual({ account: 'D', before: Infinity, after: Infinity });
    expect(allocateCollateral(highs, { accounts, sources: [{ id: 'home', usd: 10, weight: 1 }], freeUsd: 0 }).transfers).toEqual([]);
  });

  it('lifts a deficit from the sources the programme chooses: not from a coin only another account can hold', () => {
    // K holds only BTC (a coin-margined account): E 0, MM 100; D owes 100 (no MM). The master's BTC, 100, and cash, 150,
    // at weight 1, F 200. The most equity per USD is a tie, and BTC comes first: a lift from it left K nothing (health
    // 0); the programme lifts D with the cash and sends K the BTC: health 1
    const r = allocateCollateral(highs, {
      accounts: [{ id: 'K', equityMm: 0, mm: 100, receives: 'BTC' }, { id: 'D', equityMm: -100, mm: 0 }],
      sources: [{ id: 'coin', usd: 100, weight: 1, asset: 'BTC' }, { id: 'cash', usd: 150, weight: 1, asset: 'USD' }],
      freeUsd: 200.5,
    });
    expect(r.transfers.filter((t) => t.account === 'D').map((t) => t.source)).toEqual(['cash']);
    expect(r.health).toEqual([{ account: 'K', before: 0, after: expect.closeTo(1, 9) }, { account: 'D', before: -Infinity, after: Infinity }]);
    expect(r.minHealthAfter).toBeCloseTo(1, 9);
  });

  it('lifts a deficit without MM (health −∞) to 0 (a rounding of its size above) first, then water-fills the rest', () => {
    // D: −40 on MM 0 (bankrupt: health −∞); C: 50 on MM 100. Free 150 at weight 1: D takes 40 (→ 0, health +∞: the lift
    // aims 1e-12 of its size above, 40 + 41e-12, so that no re-margin reads it an ulp below), and
    // C the other 110 (→ 160 / 100 = 1.6). With home's 20 at weight 1 and arbitrum at 0.5: D needs 40 of equity and C
    // gains what the rest of F brings, 45 either way (home to D and 90 of arbitrum to C, or home to C and 50 of
    // arbitrum): (50 + 45) / 100 = 0.95.
    const accounts = [{ id: 'C', equityMm: 50, mm: 100 }, { id: 'D', equityMm: -40, mm: 0 }];
    const r = allocateCollateral(highs, { accounts, sources: [{ id: 'home', usd: 1_000, weight: 1 }], freeUsd: 150 });
    expect(r.minHealthBefore).toBe(-Infinity);
    expect(r.transfers.find((t) => t.account === 'D')).toEqual({ account: 'D', source: 'home', usd: expect.closeTo(40 + 41e-12, 13) });
    expect(r.health[1]).toEqual({ account: 'D', before: -Infinity, after: Infinity });
    expect(r.minHealthAfter).toBeCloseTo(1.6, 7);
    expect(r.usedUsd).toBeCloseTo(150, 6);
    const split = allocateCollateral(highs, { accounts, sources: [{ id: 'home', usd: 20, weight: 1 }, { id: 'arbitrum', usd: 1_000, weight: 0.5 }], freeUsd: 150 });
    // (home's 20 to C and 80 of arbitrum to D is as good: C gains 20 + 25 either way; D is lifted to 0 and a rounding)
    const weight = { home: 1, arbitrum: 0.5 } as Record<string, number>;
    const liftedBy = split.transfers.filter((t) => t.account === 'D').reduce((sum, t) => sum + weight[t.source] * t.usd, 0);
    expect(liftedBy).toBeGreaterThanOrEqual(40);
    expect(liftedBy).toBeCloseTo(40, 9);
    expect(split.health[1].after).toBe(Infinity);
    expect(split.usedUsd).toBeLessThanOrEqual(150);
    expect(split.minHealthAfter).toBeCloseTo(0.95, 7);
    // not enough to lift it: its health is −∞ whatever moves, and C is allocated as if alone (all 30 of F: 0.8)
    const short = allocateCollateral(highs, { accounts: [...accounts, { id: 'E', equityMm: -1_000, mm: 0 }], sources: [{ id: 'home', usd: 1_000, weight: 1 }], freeUsd: 30 });
    expect(short.transfers.map((t) => t.account)).toEqual(['C']);
    expect(short.health.map((h) => h.after)).toEqual([expect.closeTo(0.8, 7), -Infinity, -Infinity]);
    expect(short.minHealthAfter).toBe(-Infinity);
  });

  it('matches brute force on random small cases (one source: the water level solves Σ max(0, t·MM − E) = F)', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    for (let k = 0; k < 20; k++) {
      const accounts = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, i) => ({ id: `a${i}`, equityMm: Math.round(rnd() * 1_000), mm: 1 + Math.round(rnd() * 500) }));
      const free = Math.round(rnd() * 2_000);
      // bisection on the water level t: spend(t) = Σ max(0, t·MM − E) is increasing
      const spend = (t: number) => accounts.reduce((s, a) => s + Math.max(0, t * a.mm - a.equityMm), 0);
      let lo = Math.min(...accounts.map((a) => a.equityMm / a.mm));
      let hi = lo + free / Math.min(...accounts.map((a) => a.mm)) + 1; // spend(hi) > free
      for (let j = 0; j < 200; j++) {
        const mid = (lo + hi) / 2;
        if (spend(mid) <= free) lo = mid;
        else hi = mid;
      }
      const r = allocateCollateral(highs, { accounts, sources: [{ id: 'home', usd: 1e9, weight: 1 }], freeUsd: free });
      expect(r.minHealthAfter).toBeCloseTo(lo, 6);
    }
  });

  it('rejects inputs that are not finite or negative', () => {
    expect(() => allocateCollateral(highs, { accounts: [{ id: 'A', equityMm: NaN, mm: 1 }], sources: [], freeUsd: 1 })).toThrow(RangeError);
    expect(() => allocateCollateral(highs, { accounts: [], sources: [{ id: 's', usd: -1, weight: 1 }], freeUsd: 1 })).toThrow(/usd must be a finite number ≥ 0/);
    expect(() => allocateCollateral(highs, { accounts: [], sources: [], freeUsd: -1 })).toThrow(/freeUsd/);
  });
});

describe('engine.allocateCollateral on a master group', async () => {
  const { createEngine } = await import('../../src/index.js');
  const { INSTRUMENTS, market } = await import('../support/margin-books.js');
  const engine = await createEngine({ backend: 'js' });
  const book = {
    instruments: INSTRUMENTS,
    accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }, { asset: 'BTC', amount: 0.01, location: 'ethereum' }] },
      { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] },
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
    ],
  };
  const params = { locations: { horizonHours: 1, at: { ethereum: { haircut: 0, delayHours: 2 } } } };

  it("never moves more of a source than the master holds: the solver's round-off (10.000000000003638 of 10 USDC) is cut to the balance", async () => {
    // 1 BTC and 10 USDC: every source is spent whole, the USDC by the LP's second stage to a round-off above 10
    const rich = { ...book, accounts: [{ id: 'm', collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: 10 }] }, ...book.accounts.slice(1)] };
    const r = await engine.allocateCollateral(rich, market(), 'm', { method: 'cross' });
    for (const source of r.problem.sources) {
      const moved = r.transfers.filter((t) => t.source === source.id);
      expect(moved.length, source.id).toBeGreaterThan(0);
      expect(moved.reduce((sum, t) => sum + t.amount!, 0), source.id).toBeLessThanOrEqual(source.amount!);
      expect(moved.reduce((sum, t) => sum + t.usd, 0), source.id).toBeLessThanOrEqual(source.usd);
    }
  });

  it('splits the USDC between the subaccounts to one health, and leaves the late BTC where it is', async () => {
    // s1: 300 on MM 450 (health 0.667), s2: 150 on MM 200 (0.75). Free: 1,000 USDC + 0.01 BTC · 100,000 · 95% = 1,950,
    // but the BTC on ethereum arrives after the horizon: weight 0 for MM. The 1,000 USDC lifts both to t with
    // (450t − 300) + (200t − 150) = 1,000: t = 1,450 / 650 = 29/13; s1 gets 450·29/13 − 300 = 703.85, s2 296.15.
    const r = await engine.allocateCollateral(book, market(), 'm', { params });
    expect(r.problem.freeUsd).toBeCloseTo(1_950, 9);
    expect(r.problem.sources).toEqual([{ id: 'USDC', usd: 1_000, weight: 1, asset: 'USDC', amount: 1_000 }, { id: 'BTC@ethereum', usd: 950, weight: 0, asset: 'BTC', amount: 0.01 }]);
    expect(r.minHealthBefore).toBeCloseTo(300 / 450, 12);
    expect(r.minHealthAfter).toBeCloseTo(29 / 13, 7);
    const got = Object.fromEntries(r.transfers.map((t) => [t.account, t.usd]));
    expect(got.s1).toBeCloseTo(450 * 29 / 13 - 300, 5);
    expect(got.s2).toBeCloseTo(200 * 29 / 13 - 150, 5);
    expect(r.transfers.every((t) => t.source === 'USDC')).toBe(true);
  });

  it('lifts a subaccount with no position and a deficit (bankrupt, health −∞) to 0: re-margined with the transfers, it is healthy', async () => {
    // s3: −50 USDC, no position (MM 0). Of the 1,000 USDC (the late BTC brings no MM), 50 lift s3 to 0; s1 and s2 share
    // 950: (450t − 300) + (200t − 150) = 950, t = 1,400 / 650 = 28/13.
    const withDeficit = { ...book, accounts: [...book.accounts, { id: 's3', master: 'm', collateral: [{ asset: 'USDC', amount: -50 }] }] };
    const r = await engine.allocateCollateral(withDeficit, market(), 'm', { params });
    expect(r.health.find((h) => h.account === 's3')).toEqual({ account: 's3', before: -Infinity, after: Infinity, planned: Infinity });
    // 50 and a rounding of its size (its 50 USDC owed) above: 50 + 51e-12
    expect(r.transfers.find((t) => t.account === 's3')).toEqual({ account: 's3', source: 'USDC', usd: expect.closeTo(50 + 51e-12, 13), amount: expect.closeTo(50 + 51e-12, 13) });
    expect(r.minHealthAfter).toBeCloseTo(28 / 13, 7);
    // the transfers made: every subaccount as the allocation says
    const moved = structuredClone(withDeficit);
    for (const t of r.transfers) {
      for (const [id, sign] of [[t.account, 1], ['m', -1]] as const) moved.accounts.find((a) => a.id === id)!.collateral!.find((c) => c.asset === 'USDC')!.amount += sign * t.amount!;
    }
    const after = engine.margin(moved, market(), { params });
    for (const h of r.health) expect(after.accounts.find((a) => a.id === h.account)!.health, h.account).toBeCloseTo(h.after, 9);
    expect(after.accounts.find((a) => a.id === 's3')!.status).not.toBe('bankrupt');
  });

  it('rejects a master without subaccounts and an unknown account', async () => {
    await expect(engine.allocateCollateral(book, market(), 's1', { params })).rejects.toThrow(/"s1" has no subaccounts \(it is a subaccount of "m": allocate from that master\)/);
    await expect(engine.allocateCollateral(book, market(), 'nobody', { params })).rejects.toThrow(/no account "nobody"/);
  });

  it('checks a subaccounts section as every call does, though the subaccounts are margined alone whatever it says', async () => {
    const bad = (section: unknown) => engine.allocateCollateral(book, market(), 'm', { params: { ...(params as object), subaccounts: section } });
    await expect(bad({ policy: 'x' })).rejects.toThrow(/params\.subaccounts\.policy: expected "independent", "cross" or "backstop", got "x"/);
    await expect(bad({ polcy: 'cross' })).rejects.toThrow(/params\.subaccounts\.polcy: unknown field \(did you mean "policy"\?\)/);
    await expect(bad({ policy: 'cross' })).resolves.toMatchObject({ master: 'm' });
  });
});

describe('the master\'s free collateral, as a transfer checks it', () => {
  it('moves no more than F (940.0000000000002 of 940 had left its last transfer refused an ulp below IM)', async () => {
    const { createEngine } = await import('../../src/index.js');
    const engine = await createEngine({ backend: 'js' });
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } }, marks: { 'BTC-PERP': 95_000, 'ETH-PERP': 3_000 } };
    const instruments = [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }, { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH' }];
    const params = { linear: { BTC: [{ imRate: 0.01, mmRate: 0.005 }], ETH: [{ imRate: 0.02, mmRate: 0.01 }] } };
    // m: IM 60 on 1,000 USDC, F = 940; hand water level t = (400 + 100 + 50 + 940) / (475 + 237.5 + 60) = 1,490 / 772.5
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }], positions: [{ instrument: 'ETH-PERP', quantity: 1, entryPrice: 3_000 }] },
      { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_400 }] },
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 90_000 }], collateral: [{ asset: 'USDC', amount: 2_600 }] },
      { id: 's3', master: 'm', positions: [{ instrument: 'ETH-PERP', quantity: -2, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 50 }] },
    ] };
    const a = await engine.allocateCollateral(book, market, 'm', { params });
    expect(a.usedUsd).toBeLessThanOrEqual(a.problem.freeUsd);
    expect(a.minHealthAfter).toBeCloseTo(1_490 / 772.5, 9);
    const live = engine.live(book, market, { method: 'cross', params });
    try {
      for (const t of a.transfers) expect(live.transfer({ from: 'm', to: t.account, asset: t.source, amount: t.amount! }).accepted, t.account).toBe(true);
    } finally {
      live.release();
    }
  });
});
