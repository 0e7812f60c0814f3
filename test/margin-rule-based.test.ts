import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, InputError } from '../src/index.js';
import { book, market } from './support/margin-books.js';
import { problemLines } from './support/problems.js';

let engine: Engine;
let jsEngine: Engine;
beforeAll(async () => {
  engine = await createEngine();
  jsEngine = await createEngine({ backend: 'js' });
});

const cross = (b: unknown, m = market()) => engine.margin(b, m, { method: 'cross', breakdown: true });
const one = (b: unknown, m = market()) => cross(b, m).accounts[0];

describe('linear instruments: tiered brackets applied marginally', () => {
  test('a long perpetual: IM, MM, mark-to-market and equity', () => {
    // BTC brackets (defaults): 0.8%/0.4% up to 50,000 of notional, then 1%/0.5% up to 600,000.
    // 2 BTC at 100,000 = 200,000 notional: IM = 50,000·0.008 + 150,000·0.01 = 400 + 1,500 = 1,900;
    // MM = 50,000·0.004 + 150,000·0.005 = 200 + 750 = 950. P&L = 2·(100,000 − 95,000) = 10,000.
    const a = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] }));
    expect(a.im).toBeCloseTo(1_900, 9);
    expect(a.mm).toBeCloseTo(950, 9);
    expect(a.equity).toBeCloseTo(15_000, 9);
    expect(a.positions![0].markToMarket).toBeCloseTo(10_000, 9);
    expect(a.grossNotional).toBeCloseTo(200_000, 9);
    expect(a.efficiency).toBeCloseTo(200_000 / 1_900, 9);
    expect(a.status).toBe('healthy');
  });

  test('a short loses on a rise exactly as a long gains', () => {
    const long = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] }), market({ btc: 104_000 }));
    const short = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] }), market({ btc: 104_000 }));
    expect(long.equity - 10_000).toBeCloseTo(4_000, 9);
    expect(short.equity - 10_000).toBeCloseTo(-4_000, 9);
    expect(long.im).toBeCloseTo(short.im, 12);
  });

  test('the requirement is continuous across a bracket boundary and rises faster above it', () => {
    // 0.5 BTC at 100,000 = 50,000 notional, exactly the first boundary: IM = 50,000·0.008 = 400.
    const at = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e6 }] }));
    const above = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 0.5001, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e6 }] }));
    expect(at.im).toBeCloseTo(400, 9);
    expect(above.im).toBeCloseTo(400 + 10 * 0.01, 9); // 10 USD of notional in the 1% bracket
  });
});

describe('options: Deribit-style short-option margin, long options need their premium', () => {
  // A short option's mark is a loss in equity already, so its requirement is the rate alone: Deribit's MM = c + mark
  // tested against its margin balance = equity − options value (docs/coin-margined.md) is the same excess, the mark
  // counted once (issue 49: it was subtracted in equity and added again in the requirement).
  test('an out-of-the-money short call: IM = max(0.15 − OTM/S, 0.10)·S, MM = 0.075·S; its mark is in equity', () => {
    // S = 100,000, K = 110,000: OTM = 10,000, 0.15 − 0.10 = 0.05 < floor 0.10 → IM = 10,000. MM = 7,500.
    // Mark-to-market −1,234; equity 20,000 − 1,234 = 18,766. Deribit: margin balance 20,000, MM 7,500 + 1,234 = 8,734:
    // excess 11,266 either way.
    const a = one(book({ positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 1_000 }], collateral: [{ asset: 'USDC', amount: 20_000 }] }));
    expect(a.positions![0].im).toBeCloseTo(10_000, 9);
    expect(a.positions![0].mm).toBeCloseTo(7_500, 9);
    expect(a.positions![0].markToMarket).toBeCloseTo(-1_234, 9);
    expect(a.equity).toBeCloseTo(18_766, 9);
    expect(a.excessOverMm).toBeCloseTo(20_000 - (7_500 + 1_234), 9);
  });

  test('an in-the-money short put pays the full base rate: 0.15·S per unit', () => {
    // Put K = 110,000 with S = 100,000 is in the money: OTM = 0 → rate 0.15. Two contracts:
    // IM = 0.15·100,000·2 = 30,000; MM = 0.075·100,000·2 = 15,000 (the mark 10,500 < S: max(c, c·mark/S) = c).
    const a = one(book({ positions: [{ instrument: 'BTC-110000-P', quantity: -2, entryPrice: 10_000 }], collateral: [{ asset: 'USDC', amount: 100_000 }] }));
    expect(a.im).toBeCloseTo(30_000, 9);
    expect(a.mm).toBeCloseTo(15_000, 9);
    expect(a.equity).toBeCloseTo(100_000 - 21_000, 9);
  });

  test('a long option requires exactly its mark value, so its value supports nothing else', () => {
    const a = one(book({ positions: [{ instrument: 'BTC-90000-P', quantity: 3, entryPrice: 700 }], collateral: [{ asset: 'USDC', amount: 100 }] }));
    expect(a.im).toBeCloseTo(2_400, 9);
    expect(a.mm).toBeCloseTo(2_400, 9);
    expect(a.equity).toBeCloseTo(2_500, 9);
    expect(a.status).toBe('healthy');
  });

  test('options without a quoted mark are valued by the Greeks kernel', async () => {
    const m = market();
    delete (m.marks as Record<string, number>)['BTC-110000-C'];
    const a = one(book({ positions: [{ instrument: 'BTC-110000-C', quantity: 1, entryPrice: 1_000 }], collateral: [{ asset: 'USDC', amount: 1 }] }), m);
    const expiryYears = (Date.parse('2026-12-25T08:00:00Z') - Date.parse('2026-11-20T08:00:00Z')) / (365 * 86_400_000);
    const model = engine.greeks({
      isCall: Uint8Array.of(1), spot: Float64Array.of(100_000), strike: Float64Array.of(110_000), expiryYears: Float64Array.of(expiryYears),
      vol: Float64Array.of(0.5), rate: Float64Array.of(0.04), carry: Float64Array.of(0.04),
    }).price[0];
    expect(a.im).toBe(model);
  });
});

describe('collateral: tiered haircuts, liability weights, IM vs MM', () => {
  test('a covered call: the BTC balance, after its haircut, covers the short call', () => {
    // 1 BTC = 100,000; IM haircut 5% → 95,000, MM haircut 2.5% → 97,500. Equity 100,000 − 1,234 = 98,766.
    const a = one(book({ positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 1_234 }], collateral: [{ asset: 'BTC', amount: 1 }] }));
    expect(a.collateral![0]).toMatchObject({ asset: 'BTC', amount: 1, value: 100_000 });
    expect(a.collateral![0].imValue).toBeCloseTo(95_000, 9);
    expect(a.collateral![0].mmValue).toBeCloseTo(97_500, 9);
    expect(a.equity).toBeCloseTo(98_766, 9);
    expect(a.equityIm).toBeCloseTo(93_766, 9);
    expect(a.equityMm).toBeCloseTo(96_266, 9);
    expect(a.status).toBe('healthy');
  });

  test('haircut brackets apply marginally: continuous at the boundary, bigger haircut above it', () => {
    // 50 BTC = 5,000,000 (the first boundary): 5,000,000·0.95 = 4,750,000.
    // 60 BTC = 6,000,000: 4,750,000 + 1,000,000·0.90 = 5,650,000.
    const at = one(book({ collateral: [{ asset: 'BTC', amount: 50 }] }));
    const above = one(book({ collateral: [{ asset: 'BTC', amount: 60 }] }));
    const justAbove = one(book({ collateral: [{ asset: 'BTC', amount: 50.00001 }] }));
    expect(at.equityIm).toBeCloseTo(4_750_000, 6);
    expect(above.equityIm).toBeCloseTo(5_650_000, 6);
    expect(justAbove.equityIm - at.equityIm).toBeCloseTo(1 * 0.9, 6); // 1 USD more value, 10% haircut
  });

  test('borrowed balances count at their liability weight', () => {
    // −1 BTC = −100,000: IM weight 1.1 → −110,000, MM weight 1.05 → −105,000; USDT weight 1.
    const a = one(book({ collateral: [{ asset: 'BTC', amount: -1 }, { asset: 'USDC', amount: 200_000 }, { asset: 'USDT', amount: -1_000 }] }));
    expect(a.equity).toBeCloseTo(99_000, 9);
    expect(a.equityIm).toBeCloseTo(200_000 - 110_000 - 1_000, 9);
    expect(a.equityMm).toBeCloseTo(200_000 - 105_000 - 1_000, 9);
  });
});

describe('status at exact thresholds (IM 1,900 and MM 950 from 2 BTC of perpetual, no P&L)', () => {
  const withCollateral = (usdc: number) =>
    one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }));
  test('E = IM is healthy; a cent less is a margin call', () => {
    expect(withCollateral(1_900).status).toBe('healthy');
    expect(withCollateral(1_899.99).status).toBe('margin_call');
  });
  test('E = MM is still a margin call; a cent less is liquidatable', () => {
    expect(withCollateral(950).status).toBe('margin_call');
    expect(withCollateral(949.99).status).toBe('liquidatable');
  });
  test('E = 0 is liquidatable; below zero is bankrupt', () => {
    expect(withCollateral(0).status).toBe('liquidatable');
    expect(withCollateral(-0.01).status).toBe('bankrupt');
  });
  test('health = equityMm / mm, and Infinity without positions', () => {
    expect(withCollateral(1_900).health).toBeCloseTo(2, 12);
    expect(one(book({ collateral: [{ asset: 'USDC', amount: 5 }] })).health).toBe(Infinity);
  });
});

describe('health and efficiency without a requirement (issue 21.2, 21.3)', () => {
  test('health with MM = 0 is the signed limit: +∞ when equityMm ≥ 0, −∞ below; null in JSON', () => {
    const rich = one(book({ collateral: [{ asset: 'USDC', amount: 5 }] }));
    const zero = one(book({ collateral: [{ asset: 'USDC', amount: 0 }] })); // equityMm = 0 exactly: ≥ 0
    // Borrow 1 BTC (−100,000; MM liability weight 1.05 → −105,000) against 104,000 USDC:
    // equity 4,000 ≥ 0, equityMm = 104,000 − 105,000 = −1,000 < MM = 0 → liquidatable, health −∞.
    const under = one(book({ collateral: [{ asset: 'BTC', amount: -1 }, { asset: 'USDC', amount: 104_000 }] }));
    expect([rich.mm, zero.mm, under.mm]).toEqual([0, 0, 0]);
    expect(rich.health).toBe(Infinity);
    expect(zero.health).toBe(Infinity);
    expect(under.equityMm).toBeCloseTo(-1_000, 9);
    expect(under.health).toBe(-Infinity);
    expect(under.status).toBe('liquidatable');
    expect(JSON.parse(JSON.stringify(under)).health).toBeNull();
  });

  test('efficiency is not applicable at IM = 0 (Infinity, null in JSON); the total counts only accounts with IM > 0', () => {
    // ETH perpetuals at a zero rate: 10 ETH-PERP = 30,000 of notional with IM 0. The BTC account is the
    // threshold book above: 200,000 of notional for IM 1,900. Collateral-only: no notional, no IM.
    const params = { linear: { ETH: [{ imRate: 0, mmRate: 0 }] } };
    const b = book(
      { positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] },
      { positions: [{ instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] },
      { collateral: [{ asset: 'USDC', amount: 5_000 }] },
    );
    const r = engine.margin(b, market(), { method: 'cross', params });
    const [btc, eth, cash] = r.accounts;
    expect(eth.im).toBe(0);
    expect(eth.grossNotional).toBe(30_000);
    expect(eth.efficiency).toBe(Infinity);
    expect(cash.efficiency).toBe(Infinity);
    expect(JSON.parse(JSON.stringify(cash)).efficiency).toBeNull();
    expect(r.totals.grossNotional).toBe(230_000); // every account's notional still counts here
    expect(r.totals.im).toBeCloseTo(1_900, 9);
    expect(r.totals.efficiency).toBe(btc.grossNotional / btc.im); // 200,000 / 1,900, not 230,000 / 1,900
    // with no account requiring anything, the total is not applicable either
    expect(engine.margin(book({ collateral: [{ asset: 'USDC', amount: 1 }] }), market()).totals.efficiency).toBe(Infinity);
  });
});

describe('isolated versus cross', () => {
  // A winning long (explicit 2,000 allocated) and a losing short (explicit 100 allocated):
  // short 10 ETH from 2,800 at 3,000 loses 2,000, so its isolated equity is 100 − 2,000 < 0.
  // (Two instruments: rows on one instrument would be netted into one position.)
  const positions = [
    { instrument: 'BTC-PERP', quantity: 1, entryPrice: 90_000, isolatedMargin: 2_000 },
    { instrument: 'ETH-PERP', quantity: -10, entryPrice: 2_800, isolatedMargin: 100 },
  ];
  const b = book({ positions, collateral: [{ asset: 'USDC', amount: 2_100 }] });

  test('isolated: one position’s loss never reaches another’s collateral', () => {
    const a = engine.margin(b, market(), { method: 'isolated', breakdown: true }).accounts[0];
    expect(a.positions![0].allocated).toBe(2_000);
    expect(a.positions![0].status).toBe('healthy'); // 2,000 + 10,000 of profit
    expect(a.positions![1].status).toBe('bankrupt'); // 100 − 2,000
    expect(a.status).toBe('bankrupt'); // the worst position's
  });

  test("isolated: the liquidation price is where the first position reaches its own MM, not the pooled account's", () => {
    // Flat BTC rates (IM 10%, MM 5%). Short 1 BTC-PERP with 6,000 allocated, long 1 BTC future with 20,000, from
    // 100,000 each, on 30,000 USDC (the rest of the account holds 4,000 and owes nothing). At a BTC price P:
    //   the short: 6,000 + (100,000 − P) = 0.05·P at P = 106,000 / 1.05 = 100,952.38…;
    //   the long: 20,000 + (P − 100,000) = 0.05·P at P = 80,000 / 0.95 = 84,210.52…
    // Pooled, the P&L nets to 0 and 30,000 = 0.1·P only at 300,000: the price a cross explain shows.
    const future = { id: 'BTC-DEC', kind: 'future', underlying: 'BTC', expiry: '2026-12-25T08:00:00Z' };
    const iso = { ...book(), instruments: [...book().instruments, future] };
    iso.accounts = [{
      id: 'iso',
      positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000, isolatedMargin: 6_000 }, { instrument: 'BTC-DEC', quantity: 1, entryPrice: 100_000, isolatedMargin: 20_000 }],
      collateral: [{ asset: 'USDC', amount: 30_000 }],
    }];
    const at = (btc: number) => { const m = market({ btc }); return { ...m, marks: { ...m.marks, 'BTC-DEC': btc } }; };
    const params = { linear: { BTC: [{ imRate: 0.1, mmRate: 0.05 }] } };
    for (const e of [engine, jsEngine]) {
      const margin = (btc: number, method: string) => e.margin(iso, at(btc), { method, params, breakdown: true }).accounts[0];
      const price = margin(100_000, 'isolated').liquidationPrice!;
      expect(price.above).toBeCloseTo(106_000 / 1.05, 6);
      expect(price.below).toBeCloseTo(80_000 / 0.95, 6);
      expect(margin(100_000, 'cross').liquidationPrice!.above).toBeCloseTo(300_000, 6);
      // the account's status turns where the price says, on each side
      expect(margin(price.above! * (1 - 1e-9), 'isolated').status).toBe('margin_call');
      expect(margin(price.above! * (1 + 1e-9), 'isolated').status).toBe('liquidatable');
      expect(margin(price.below! * (1 + 1e-9), 'isolated').status).toBe('margin_call');
      expect(margin(price.below! * (1 - 1e-9), 'isolated').status).toBe('liquidatable');
    }
  });

  test('cross: the same book pools collateral and P&L and is healthy', () => {
    const a = engine.margin(b, market(), { method: 'cross' }).accounts[0];
    expect(a.equity).toBeCloseTo(2_100 + 10_000 - 2_000, 9);
    expect(a.status).toBe('healthy');
  });

  test('without explicit allocations, collateral is shared pro rata to initial margin', () => {
    // BTC perp IM 900 (1 BTC: 50,000·0.008 + 50,000·0.01); ETH perp: 10 ETH = 30,000 in ETH's first
    // bracket (1%) → 300. Pool 4,000 USDC → 4,000·900/1,200 = 3,000 and 4,000·300/1,200 = 1,000.
    const auto = book({
      positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }, { instrument: 'ETH-PERP', quantity: 10, entryPrice: 3_000 }],
      collateral: [{ asset: 'USDC', amount: 4_000 }],
    });
    const a = engine.margin(auto, market(), { method: 'isolated', breakdown: true }).accounts[0];
    expect(a.positions![0].im).toBeCloseTo(900, 9);
    expect(a.positions![1].im).toBeCloseTo(300, 9);
    expect(a.positions![0].allocated).toBeCloseTo(3_000, 9);
    expect(a.positions![1].allocated).toBeCloseTo(1_000, 9);
  });
});

describe('liquidation price of a single-underlying account', () => {
  test('a long perpetual against USDC liquidates where equity meets maintenance margin', () => {
    // 1 BTC long from 100,000 with 10,000 USDC: E(P) = 10,000 + (P − 100,000) = P − 90,000;
    // MM(P) = 50,000·0.004 + (P − 50,000)·0.005 = 0.005·P − 50 for 50,000 ≤ P ≤ 600,000.
    // E = MM → 0.995·P = 89,950 → P = 90,402.01…
    const a = one(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 10_000 }] }));
    expect(a.liquidationPrice!.underlying).toBe('BTC');
    expect(a.liquidationPrice!.below).toBeCloseTo(89_950 / 0.995, 4);
    expect(a.liquidationPrice!.above).toBeNull();
  });
});

describe('parameters', () => {
  test('user rules replace the defaults for their asset', () => {
    const b = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1e5 }] });
    const a = engine.margin(b, market(), { params: { linear: { BTC: [{ imRate: 0.1, mmRate: 0.05 }] } } }).accounts[0];
    expect(a.im).toBeCloseTo(10_000, 9);
    expect(a.mm).toBeCloseTo(5_000, 9);
  });

  test('bad parameters are rejected with their paths', () => {
    const b = book({ collateral: [{ asset: 'USDC', amount: 1 }] });
    const bad = {
      linear: {
        BTC: [{ upTo: 600_000, imRate: 0.01, mmRate: 0.005 }, { upTo: 50_000, imRate: 0.02, mmRate: 0.01 }, { imRate: 0.05, mmRate: 0.06 }],
        ETH: Array.from({ length: 17 }, (_, j) => ({ upTo: j < 16 ? (j + 1) * 1000 : null, imRate: 0.1, mmRate: 0.05 })),
      },
      collateral: { ETH: { brackets: [{ imHaircut: -0.1, mmHaircut: 0 }], liabilityWeightIm: 0.9 } },
      options: { default: { imBase: 0.15, imFloor: 0.1 } },
      margins: {},
    };
    try {
      engine.margin(b, market(), { params: bad });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      const messages = (error as InputError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(messages).toEqual(expect.arrayContaining([
        'params.margins: unknown field (expected linear, options, collateral, linearSize, portfolio, var, span, derive, deribit, liquidation, stress, dynamic, locations or subaccounts)',
        'params.linear.BTC[1].upTo: brackets out of order (50000 after 600000)',
        'params.linear.ETH: 17 brackets; at most 16 are supported',
        'params.linear.BTC[2].mmRate: maintenance rate 0.06 exceeds the initial rate 0.05',
        'params.collateral.ETH.brackets[0].imHaircut: negative haircut (-0.1)',
        'params.collateral.ETH.liabilityWeightIm: a liability weight must be at least 1, got 0.9',
        'params.options.default.mmRate: missing: a rate is needed (a rule is given whole)',
      ]));
    }
  });

  test('a misspelt field of an options rule is one problem, not three: the fields it misses are said missing, not "not a finite number"', () => {
    const lines = (options: unknown, lenient = false) => problemLines(() => engine.margin(book({ collateral: [{ asset: 'USDC', amount: 1 }] }), market(), { params: { options }, lenient }));
    expect(lines({ default: { imFlor: 0.1 } })).toEqual([
      'params.options.default.imFlor: unknown field (did you mean "imFloor"?)',
      'params.options.default.imBase: missing: a rate is needed (a rule is given whole)',
      'params.options.default.mmRate: missing: a rate is needed (a rule is given whole)',
    ]);
    // under lenient the misspelling is a warning: the field it misses is still a problem
    expect(lines({ default: { imBase: 0.15, imFlor: 0.1, mmRate: 0.075 } }, true)).toEqual(['params.options.default.imFloor: missing: a rate is needed (a rule is given whole)']);
  });

  test('an unknown collateral asset in the book is rejected with its path', () => {
    const b = book({ collateral: [{ asset: 'DOGE', amount: 5 }] });
    expect(() => engine.margin(b, market())).toThrow(/accounts\[0\]\.collateral\[0\]\.asset: unknown asset "DOGE"/);
  });
});
