/**
 * Collateral allocation to a subaccount that owes the asset sent (src/subaccounts/allocate-master.ts weightsOf): the
 * coin it receives first cancels its debt, which counts at the liability weight (1.05 for BTC's MM), then is a balance
 * at the haircut weight. By hand, BTC at 80,000, default rules (BTC: 5 % IM and 2.5 % MM haircut, liability weights
 * 1.1 / 1.05; USDC counts whole):
 * - m (master): 0.01 BTC, 800 USD at the index, 760 for IM, 780 for MM: F = 760, each USD sent (0.01/760 BTC) brings
 *   w = 780/760 as a balance, 84,000 × 0.01/760 = 840/760 while it cancels a debt (0.001 BTC: the first 76 USD);
 * - owes: 500 USDC, owes 0.001 BTC (−84 for MM), long 1 BTC-USD-PERP: equity for MM 416, MM 350;
 * - plain: 200 USDC, long 1 BTC-USD-PERP: equity for MM 200, MM 350.
 * Maximin: both end at the same health, sending all 760: 200 + w·xB = 416 + 84 + w·(xA − 76) and xA + xB = 760 give
 * w·(xB − xA) = 222, so w·xB = (780 + 222)/2 = 501 and the health is 701/350 (one weight w for both had claimed 698/350,
 * and the debtor re-margined at another figure).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';

const instruments = [{ id: 'BTC-USD-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }];
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 80_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-USD-PERP': 80_000 }, correlation: { assets: ['BTC', 'USDC'], matrix: [[1, 0], [0, 1]] },
};
const perp = [{ instrument: 'BTC-USD-PERP', quantity: 1, entryPrice: 80_000 }];

/** The book with the transfers made as their amounts say. */
function withTransfers(book: { accounts: { id: string; collateral?: { asset: string; amount: number }[] }[] }, transfers: readonly { account: string; source: string; amount?: number }[]) {
  const moved = structuredClone(book);
  for (const t of transfers) {
    for (const [id, sign] of [[t.account, 1], ['m', -1]] as const) {
      const account = moved.accounts.find((a) => a.id === id)!;
      const collateral = (account.collateral ??= []);
      const balance = collateral.find((c) => c.asset === t.source);
      if (balance) balance.amount += sign * t.amount!;
      else collateral.push({ asset: t.source, amount: sign * t.amount! });
    }
  }
  return moved;
}

describe('collateral allocation to a subaccount that owes the asset sent', () => {
  it('counts the debt cancelled at its liability weight: the health claimed is the one re-margined', async () => {
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'BTC', amount: 0.01 }] },
      { id: 'owes', master: 'm', collateral: [{ asset: 'USDC', amount: 500 }, { asset: 'BTC', amount: -0.001 }], positions: perp },
      { id: 'plain', master: 'm', collateral: [{ asset: 'USDC', amount: 200 }], positions: perp },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, market, 'm', { method: 'cross' });
      const owes = a.problem.accounts.find((x) => x.id === 'owes')!;
      expect([owes.equityMm, owes.mm]).toEqual([expect.closeTo(416, 9), expect.closeTo(350, 9)]);
      expect(owes.weights?.BTC?.map((s) => [s.usd, s.weight])).toEqual([[expect.closeTo(76, 9), expect.closeTo(840 / 760, 12)], [Infinity, expect.closeTo(780 / 760, 12)]]);
      expect(a.minHealthAfter).toBeCloseTo(701 / 350, 7);
      const xA = a.transfers.find((t) => t.account === 'owes')!.usd, xB = a.transfers.find((t) => t.account === 'plain')!.usd;
      expect(xA + xB).toBeCloseTo(760, 6);
      expect((780 / 760) * xB).toBeCloseTo(501, 6);
      const fresh = engine.margin(withTransfers(book, a.transfers), market, { method: 'cross' }).accounts;
      for (const h of a.health) expect(fresh.find((x) => x.id === h.account)!.health, h.account).toBeCloseTo(h.after, 9);
    } finally {
      await engine.close();
    }
  });

  it('lifts a bankrupt debtor to 0 with the coin that cancels its debt, not a little more', async () => {
    // lifted: 80 USDC against 0.001 BTC owed (−84 for MM), no position: equity for MM −4, MM 0. It is sent the BTC
    // whose cancelled debt brings 4 (84,000 USD per BTC): 4/84,000 = 1/21,000 BTC, 3.619 USD for IM (at the master's
    // weight 780/760 it had been sent 4·760/780 USD, 0.0000513 BTC, and lifted to +0.31)
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'BTC', amount: 0.01 }] },
      { id: 'lifted', master: 'm', collateral: [{ asset: 'USDC', amount: 80 }, { asset: 'BTC', amount: -0.001 }] },
      { id: 'plain', master: 'm', collateral: [{ asset: 'USDC', amount: 200 }], positions: perp },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, market, 'm', { method: 'cross' });
      const lift = a.transfers.find((t) => t.account === 'lifted')!;
      expect(lift.amount).toBeCloseTo(1 / 21_000, 14);
      expect(lift.usd).toBeCloseTo((4 * 760) / 840, 9);
      expect(a.health.find((h) => h.account === 'lifted')!.after).toBe(Infinity);
      const fresh = engine.margin(withTransfers(book, a.transfers), market, { method: 'cross' }).accounts;
      const after = fresh.find((x) => x.id === 'lifted')!;
      expect(after.equityMm).toBeCloseTo(0, 9);
      expect(after.status).not.toBe('bankrupt');
      // plain takes the rest of the 760: (200 + w·(760 − 3.619))/350
      expect(a.health.find((h) => h.account === 'plain')!.after).toBeCloseTo((200 + (780 / 760) * (760 - (4 * 760) / 840)) / 350, 7);
    } finally {
      await engine.close();
    }
  });
});

describe('a lift is made of transfers a venue can make', () => {
  it('a debtor owing 0.001 BTC beside a master with cash, USDC and BTC is sent the BTC alone (1e-10 USDC and 1.2e-15 USD had come beside it)', async () => {
    const book = { instruments, accounts: [
      { id: 'm', cashUsd: 1_000, collateral: [{ asset: 'USDC', amount: 500 }, { asset: 'BTC', amount: 0.05 }] },
      { id: 'u', master: 'm', positions: [{ instrument: 'BTC-USD-PERP', quantity: 0.2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100 }] },
      { id: 'debtor', master: 'm', collateral: [{ asset: 'BTC', amount: -0.001 }] },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, market, 'm', { method: 'cross' });
      const lift = a.transfers.filter((t) => t.account === 'debtor');
      expect(lift.map((t) => t.source)).toEqual(['BTC']);
      expect(lift[0].amount).toBeCloseTo(0.001, 14);
      // its own transfer made and re-margined from scratch: the debt cancelled, not an ulp below 0
      const after = engine.margin(withTransfers(book, lift), market, { method: 'cross' }).accounts.find((x) => x.id === 'debtor')!;
      expect(after.equityMm).toBeGreaterThanOrEqual(0);
      expect(after.status).not.toBe('bankrupt');
    } finally {
      await engine.close();
    }
  });
});

describe('a lifted deficit re-margins at or above 0, never an ulp below', () => {
  it.each([0.0137, 1 / 21_000, 1.3, 0.001, 0.0009999999999999998])('a subaccount owing %s BTC with no position: lifted, then re-margined from scratch, is not bankrupt', async (owed) => {
    // a little USDC beside the debt, so the lift is part of the debt; the master holds BTC enough for any of them
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'BTC', amount: 3 }, { asset: 'USDC', amount: 1_000 }] },
      { id: 'owes', master: 'm', collateral: [{ asset: 'USDC', amount: 1 }, { asset: 'BTC', amount: -owed }] },
      { id: 'plain', master: 'm', collateral: [{ asset: 'USDC', amount: 200 }], positions: perp },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, market, 'm', { method: 'cross' });
      expect(a.health.find((h) => h.account === 'owes')!.after).toBe(Infinity);
      const after = engine.margin(withTransfers(book, a.transfers), market, { method: 'cross' }).accounts.find((x) => x.id === 'owes')!;
      expect(after.equityMm).toBeGreaterThanOrEqual(0);
      expect(after.status).not.toBe('bankrupt');
    } finally {
      await engine.close();
    }
  });

  it('a cash debt of 666.67 lifted with the master\'s USDC: the amount sent covers it, the re-margin reads ≥ 0', async () => {
    const book = { instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 5_000_000 }] },
      { id: 'owes', master: 'm', cashUsd: -666.6666666666666 },
      { id: 'plain', master: 'm', collateral: [{ asset: 'USDC', amount: 200 }], positions: perp },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, market, 'm', { method: 'cross' });
      const after = engine.margin(withTransfers(book as never, a.transfers), market, { method: 'cross' }).accounts.find((x) => x.id === 'owes')!;
      expect(after.equityMm).toBeGreaterThanOrEqual(0);
      expect(after.status).not.toBe('bankrupt');
    } finally {
      await engine.close();
    }
  });
});

describe('what allocation refuses', () => {
  it('an unknown master at `master`; a group with an account the method cannot margin, naming it', async () => {
    const engine = await createEngine({ backend: 'js' });
    try {
      await expect(engine.allocateCollateral({ instruments, accounts: [{ id: 'm', collateral: [{ asset: 'USDC', amount: 1 }] }] }, market, 'nobody', { method: 'cross' }))
        .rejects.toMatchObject({ problems: [{ path: 'master', message: expect.stringMatching(/^no account "nobody" in the book/) }] });
      // a BTC-margined subaccount under var, which margins USD accounts only: status error
      const book = { instruments: [...instruments, { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }], accounts: [
        { id: 'm', collateral: [{ asset: 'USDC', amount: 1_000 }] },
        { id: 'usd', master: 'm', collateral: [{ asset: 'USDC', amount: 200 }], positions: perp },
        { id: 'coin', master: 'm', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 100, entryPrice: 80_000 }] },
      ] };
      const coinMarket = { ...market, marks: { ...market.marks, 'BTC-PERPETUAL': 80_000 } };
      // the refusal says why the method could not margin it (its row's error), not "(see error)" with no error shown
      await expect(engine.allocateCollateral(book, coinMarket, 'm', { method: 'var' })).rejects.toMatchObject({ problems: [{ path: 'master', message: expect.stringMatching(/^subaccount "coin" could not be margined under var \(status error: margined in BTC: the var method margins accounts in USD only/) }] });
    } finally {
      await engine.close();
    }
  });
});

describe('the master stays at IM and MM under a method that nets its collateral', () => {
  it.each(['portfolio', 'var'])('%s: a master whose BTC hedges its short gives only what keeps it ≥ IM and ≥ MM re-margined (it had been left liquidatable)', async (method) => {
    const sample = { book: JSON.parse(readFileSync('data/sample/book.json', 'utf8')), market: JSON.parse(readFileSync('data/sample/market.json', 'utf8')) };
    const mark = sample.market.marks['BTC-PERP'], eth = sample.market.marks['ETH-PERP'];
    const book = { instruments: sample.book.instruments, accounts: [
      { id: 'm', collateral: [{ asset: 'BTC', amount: 1 }, { asset: 'USDC', amount: 2_000 }], positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: mark }] },
      { id: 's1', master: 'm', collateral: [{ asset: 'USDC', amount: 100 }], positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: eth }] },
      { id: 's2', master: 'm', collateral: [{ asset: 'USDC', amount: 100 }], positions: [{ instrument: 'ETH-PERP', quantity: -10, entryPrice: eth }] },
    ] };
    const engine = await createEngine({ backend: 'js' });
    try {
      const a = await engine.allocateCollateral(book, sample.market, 'm', { method });
      expect(a.transfers.length).toBeGreaterThan(0);
      const fresh = engine.margin(withTransfers(book, a.transfers), sample.market, { method }).accounts.find((x) => x.id === 'm')!;
      expect(fresh.equityIm).toBeGreaterThanOrEqual(fresh.im * (1 - 1e-9));
      expect(fresh.equityMm).toBeGreaterThanOrEqual(fresh.mm * (1 - 1e-9));
      // every transfer accepted by a live session, in order (the master's IM is checked at each)
      const live = engine.live(book, sample.market, { method });
      try {
        for (const t of a.transfers) expect(live.transfer({ from: 'm', to: t.account, asset: t.source, amount: t.amount! }).accepted, `${t.account} ${t.source}`).toBe(true);
      } finally {
        live.release();
      }
    } finally {
      await engine.close();
    }
  });
});
