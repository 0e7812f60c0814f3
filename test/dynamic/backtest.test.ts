/**
 * The day-by-day backtest (src/backtest/backtest.ts) against an independent re-computation of its documented
 * procedure on a one-perp book, where every figure has a closed form: cross IM = 900·max(1, σ̂/0.6) (BTC brackets
 * 0.8% to 50,000 then 1%), portfolio IM = 100,000·3·σ̂·√(1/365) + 500, the loss 100,000·(1 − c[d+1]/c[d]), the EWMA
 * recursion, the APC buffer and the circuit breaker as their docs state them. Then parity across backends on a
 * generated book, and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, generateSample } from '../../src/index.js';
import { DEFAULT_SYNTHETIC_ASSET, syntheticHistory } from '../../src/dynamic/synthetic-history.js';
import { allEngines } from '../support/engines.js';
import { book, market } from '../support/margin-books.js';
import { coinBook, coinMarket } from '../support/coin-books.js';
import { syntheticHistoryFor } from '../../src/dynamic/synthetic-history.js';
import { validateMarket } from '../../src/model/validate.js';
import { expectOneProblem, problemLines } from '../support/problems.js';
import { backtestTextLines } from '../../src/report/backtest-text.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const DAYS = 120, WARMUP = 40;
/** Quiet days of ±0.3%, a crash of −6%, −4% on days 70–71, a jump of +5% on day 95. */
function btcCloses(): number[] {
  const c = [100_000];
  for (let t = 1; t < DAYS; t++) {
    const r = t === 70 ? -0.06 : t === 71 ? -0.04 : t === 95 ? 0.05 : 0.003 * Math.sin(t * 1.7) + 0.001 * Math.cos(t * 0.3);
    c.push(c[t - 1] * (1 + r));
  }
  return c;
}
const closes = btcCloses();
const day = (t: number) => new Date(Date.UTC(2025, 0, 1) + t * 86_400_000).toISOString().replace('.000', '');
const history = { assets: { BTC: closes.map((close, t) => ({ t: day(t), close })), ETH: closes.map((_, t) => ({ t: day(t), close: 3_000 })) } };
const longPerp = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });

/**
 * The documented procedure, written out for one account holding one BTC perp: `imOf(σ̂, m)` the requirement at the
 * forecast σ̂ with the breaker's multiplier m applied to it after its floor.
 */
function expected(imOf: (volAnnual: number, stepUp: number) => number, staticIm: number, mmRate: number) {
  const r = closes.slice(1).map((c, t) => Math.log(c / closes[t]));
  const v = [r.slice(0, 30).reduce((s, x) => s + x * x, 0) / 30];
  for (let t = 1; t <= r.length; t++) v.push(0.94 * v[t - 1] + 0.06 * r[t - 1] ** 2);
  // breaker: 1-day move vs trip 1·mmRate, release 0.5·mmRate, step-up 1.5
  const mult: number[] = [1];
  let active = false;
  for (let t = 1; t < DAYS; t++) {
    const m = Math.abs(closes[t] / closes[t - 1] - 1);
    if (!active && m > mmRate) active = true;
    else if (active && m < 0.5 * mmRate) active = false;
    mult.push(active ? 1.5 : 1);
  }
  const raw: number[] = [], loss: number[] = [], apc: number[] = [];
  for (let d = WARMUP; d < DAYS - 1; d++) {
    raw.push(imOf(Math.sqrt(v[d] * 365), mult[d]));
    loss.push(100_000 * (1 - closes[d + 1] / closes[d]));
  }
  raw.forEach((x, i) => {
    const rising = i >= 5 && x > raw[i - 5] * 1.1;
    apc.push(rising && i > 0 ? Math.max(x, Math.min(1.25 * x, apc[i - 1])) : 1.25 * x);
  });
  const breaches = (m: (i: number) => number) => loss.filter((l, i) => l > m(i)).length;
  return { raw, apc, static: breaches(() => staticIm), dynamic: breaches((i) => raw[i]), apcBreaches: breaches((i) => apc[i]), active: mult.slice(WARMUP, DAYS - 1).filter((m) => m > 1).length };
}

describe('backtest of one perp, against the documented procedure', () => {
  it('cross: rates × max(1, σ̂/0.6), breaches of the next day\'s loss, the APC buffer, the breaker', () => {
    const report = engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { ruleBased: { baseVolAnnual: { default: 0.05 } } } } });
    const want = expected((vol, m) => 900 * Math.max(1, vol / 0.05) * m, 900, 0.004);
    expect(report.dates.length).toBe(DAYS - 1 - WARMUP);
    expect(report.accounts).toBe(1);
    const dyn = report.series.dynamic.totalMargin;
    want.raw.forEach((x, i) => expect(dyn[i]).toBeCloseTo(x, 7));
    want.apc.forEach((x, i) => expect(report.series.apc.totalMargin[i]).toBeCloseTo(x, 7));
    expect(report.series.static.coverage.breaches).toBe(want.static);
    expect(report.series.dynamic.coverage.breaches).toBe(want.dynamic);
    expect(report.series.apc.coverage.breaches).toBe(want.apcBreaches);
    expect(report.circuitBreaker.activeDays.BTC).toBe(want.active);
    expect(report.circuitBreaker.mmRate.BTC).toBe(0.004);
    // the crash days breach the static 900 (a 6% fall loses 6,000)
    expect(want.static).toBeGreaterThanOrEqual(2);
  });

  it('cross, a calm asset: the floor holds IM at the static 900, and the breaker steps it up to 1,350 on its active days', () => {
    // σ̂ stays far below the default base vol 0.6, so max(1, σ̂/0.6) = 1 every day (issue 36 item 9: the step-up used to
    // multiply σ̂ before that floor and never showed)
    const report = engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP });
    const want = expected((_vol, m) => 900 * m, 900, 0.004);
    want.raw.forEach((x, i) => expect(report.series.dynamic.totalMargin[i]).toBeCloseTo(x, 7));
    expect(want.active).toBeGreaterThan(0);
    expect(report.circuitBreaker.activeDays.BTC).toBe(want.active);
    expect(Array.from(report.series.dynamic.totalMargin).filter((x) => Math.abs(x - 1_350) < 1e-6).length).toBe(want.active);
  });

  it('a breaker tripped in the warm-up: the text says so beside its days stepped up (no trip among the margin days)', () => {
    // moves of ±0.3% between the release (0.5 × 0.4% = 0.2%) and the trip (0.4%): the −6% of day 20 trips the breaker,
    // and nothing releases it, so every margin day is stepped up with no trip among them
    const c = [100_000];
    for (let t = 1; t < DAYS; t++) c.push(c[t - 1] * (1 + (t === 20 ? -0.06 : t % 2 ? 0.003 : -0.003)));
    const calm = { assets: { BTC: c.map((close, t) => ({ t: day(t), close })), ETH: c.map((_, t) => ({ t: day(t), close: 3_000 })) } };
    const report = engine.backtest(longPerp, market(), calm, { method: 'cross', warmupDays: WARMUP });
    const marginDays = DAYS - WARMUP - 1;
    expect(report.circuitBreaker.events).toEqual([]);
    expect(report.circuitBreaker.activeDays.BTC).toBe(marginDays);
    const line = [...backtestTextLines(report, 'test')].find((l) => l.startsWith('circuit breaker'));
    expect(line).toBe(`circuit breaker: 0 trips; days stepped up: BTC ${marginDays} (BTC tripped in the warm-up days, still stepped up when the margin days began)`);
  });

  it('a breaker tripped in the warm-up, released and tripped again: the text counts both events and lists them by date', () => {
    // ±0.3% (between the release at 0.2% and the trip at 0.4%) keeps it tripped from day 20's −6%; ±0.1% on day 60
    // releases it; day 70's −6% trips it again
    const c = [100_000];
    for (let t = 1; t < DAYS; t++) c.push(c[t - 1] * (1 + (t === 20 || t === 70 ? -0.06 : (t >= 60 && t < 65 ? 0.001 : 0.003) * (t % 2 ? 1 : -1))));
    const history = { assets: { BTC: c.map((close, t) => ({ t: day(t), close })), ETH: c.map((_, t) => ({ t: day(t), close: 3_000 })) } };
    const report = engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP });
    expect(report.circuitBreaker.events.map((e) => e.kind)).toEqual(['release', 'trip']);
    const lines = [...backtestTextLines(report, 'test')];
    const at = lines.findIndex((l) => l.startsWith('circuit breaker'));
    const active = report.circuitBreaker.activeDays.BTC;
    expect(lines[at]).toBe(`circuit breaker: 1 trip, 1 release; days stepped up: BTC ${active} (BTC tripped in the warm-up days, still stepped up when the margin days began)`);
    const [release, trip] = report.circuitBreaker.events;
    expect(lines.slice(at + 1, at + 3)).toEqual([
      `  ${release.date} BTC released: moved ${(release.move * 100).toFixed(2)}%`,
      `  ${trip.date} BTC tripped: moved -6.00% (MM rate 0.40%)`,
    ]);
  });

  it('an hourly history (8,760 periods a year): its closes named by timestamp, its text in periods, not days', () => {
    const hour = (t: number) => new Date(Date.UTC(2025, 0, 1) + t * 3_600_000).toISOString().replace('.000', '');
    const c = btcCloses();
    const hourly = { assets: { BTC: c.map((close, t) => ({ t: hour(t), close })), ETH: c.map((_, t) => ({ t: hour(t), close: 3_000 })) } };
    const report = engine.backtest(longPerp, market(), hourly, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { periodsPerYear: 8_760 } } });
    expect(report.periodsPerYear).toBe(8_760);
    expect(report.dates[0]).toBe(hour(WARMUP));
    expect(new Set(report.dates).size).toBe(report.dates.length); // no two closes share a name
    const text = [...backtestTextLines(report, 'test')].join('\n');
    expect(text).toContain(`× ${report.dates.length} margin periods (`);
    expect(text).toContain('loss over 1 period;');
    expect(text).toContain('max 1-period rise');
    expect(text).toContain('account-periods bound by');
    expect(text).not.toMatch(/\bdays?\b/);
  });

  it('portfolio: spot range 3·σ̂·√(1/365), static 16%', () => {
    const report = engine.backtest(longPerp, market(), history, { warmupDays: WARMUP, circuitBreaker: true });
    // breaker's MM rate: mmFactor 0.8 × spot range 0.16
    const want = expected((vol, m) => 100_000 * Math.min(0.99, Math.max(1e-4, 3 * vol * Math.sqrt(1 / 365)) * m) + 500, 16_500, 0.8 * 0.16);
    want.raw.forEach((x, i) => expect(report.series.dynamic.totalMargin[i]).toBeCloseTo(x, 6));
    expect(report.series.static.totalMargin.every((x) => Math.abs(x - 16_500) < 1e-6)).toBe(true);
    expect(report.series.static.coverage.breaches).toBe(0);
    expect(report.series.dynamic.coverage.breaches).toBe(want.dynamic);
    expect(report.series.apc.coverage.breaches).toBe(want.apcBreaches);
    expect(report.series.dynamic.coverage.breaches).toBeGreaterThan(0); // the quiet days set σ̂ low before the crash
    expect(report.series.static.procyclicality.peakToTrough).toBe(1);
    expect(report.series.dynamic.procyclicality.peakToTrough).toBeGreaterThan(2);
  });
});

describe('a book with masters under the cross subaccount policy', () => {
  // m: 50,000 USDC; s1 long 1 BTC-PERP; s2 short 0.5, both at 100,000: the pool is long 0.5 BTC (static cross IM
  // 50,000·0.8% = 400) where the accounts alone hold 900 + 400 = 1,300; the pool's loss is 50,000·(1 − c[d+1]/c[d])
  const group = {
    ...book(),
    accounts: [
      { id: 'm', collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [] },
      { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [] },
    ],
  };
  it('is backtested pooled: one account under the master\'s id, the pool\'s IM and loss', () => {
    const alone = engine.backtest(group, market(), history, { method: 'cross', warmupDays: WARMUP, detail: true });
    expect(alone.accounts).toBe(2);
    expect(alone.series.static.totalMargin[0]).toBe(1_300);
    const pooled = engine.backtest(group, market(), history, { method: 'cross', warmupDays: WARMUP, detail: true, params: { subaccounts: { policy: 'cross' } } });
    expect(pooled.accounts).toBe(1);
    expect(pooled.detail!.accountIds).toEqual(['m']);
    expect(pooled.series.static.totalMargin[0]).toBe(400);
    const d = WARMUP + 30;
    expect(pooled.detail!.loss[30]).toBeCloseTo(50_000 * (1 - closes[d + 1] / closes[d]), 8);
  });

  it('a pool whose members net to flat has no loss to backtest, and the refusal says the pool nets (its members hold positions)', () => {
    const flat = { ...group, accounts: [group.accounts[0], group.accounts[1], { ...group.accounts[2], positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 100_000 }] }] };
    expect(engine.backtest(flat, market(), history, { method: 'cross', warmupDays: WARMUP }).accounts).toBe(2);
    expect(problemLines(() => engine.backtest(flat, market(), history, { method: 'cross', warmupDays: WARMUP, params: { subaccounts: { policy: 'cross' } } }))).toEqual([
      'book.accounts: no account holds a net position (a pool of subaccounts under params.subaccounts.policy "cross" counts as one account): there is no loss to backtest',
    ]);
  });
});

describe('coverage tests on non-overlapping windows (issue 36 item 10)', () => {
  it('with a 2-day horizon, Kupiec and Christoffersen count every other day: the windows [d, d + 2] do not overlap', () => {
    const h = 2;
    const report = engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { horizonDays: h } } });
    // static IM 900 every day; the loss over the next 2 days: 100,000·(1 − c[d + 2]/c[d])
    const days = DAYS - h - WARMUP;
    const breach = Array.from({ length: days }, (_, i) => 100_000 * (1 - closes[WARMUP + i + h] / closes[WARMUP + i]) > 900);
    const sampled = breach.filter((_, i) => i % h === 0);
    const t = { n00: 0, n01: 0, n10: 0, n11: 0 };
    for (let k = 1; k < sampled.length; k++) {
      const key = `n${sampled[k - 1] ? 1 : 0}${sampled[k] ? 1 : 0}` as keyof typeof t;
      t[key]++;
    }
    const c = report.series.static.coverage;
    expect([c.days, c.breaches]).toEqual([sampled.length, sampled.filter(Boolean).length]);
    expect(c.christoffersen.transitions).toEqual(t);
    // the crash of days 70–71 breaches overlapping windows that share it; counted once per window
    expect(breach.filter(Boolean).length).toBeGreaterThan(c.breaches);
    // the per-day series still lists every day
    expect(report.series.static.breaches.length).toBe(days);
    expect(Array.from(report.series.static.breaches).filter((b) => b > 0).length).toBe(breach.filter(Boolean).length);
  });
});

describe('backtest on a generated book', () => {
  it('gives the same bits on every backend, and on a second run', async () => {
    const sample = generateSample({ accounts: 120, seed: 3 });
    const assets = Object.entries(sample.market.assets).filter(([, a]) => a.vol > 0).map(([symbol, a]) => ({ symbol, price: a.price, ...DEFAULT_SYNTHETIC_ASSET }));
    const prices = syntheticHistory({ assets, days: 330, seed: 9 });
    const fingerprint = (e: Engine) => {
      const r = e.backtest(sample.book, sample.market, prices, { method: 'portfolio', params: { dynamic: { apc: { tool: 'stressed-weight' } } } });
      return JSON.stringify([...Object.values(r.series).map((s) => [Array.from(s.totalMargin), s.coverage]), r.apc.bindings]);
    };
    const prints = (await allEngines()).map(fingerprint);
    expect(prints[1]).toBe(prints[0]);
    expect(prints[2]).toBe(prints[0]);
    expect(fingerprint(engine)).toBe(prints[0]);
  });
});

describe('every account kind, every asset the history has', () => {
  it('moves an asset of market vol 0 by its closes (its loss is no silent zero), without a forecast for it', () => {
    // an imported market without option quotes has BTC vol 0: the perp's loss is still 100,000·(1 − c[d+1]/c[d])
    const quiet = market();
    quiet.assets.BTC.vol = 0;
    const report = engine.backtest(longPerp, quiet, history, { method: 'cross', warmupDays: WARMUP, detail: true });
    const d = WARMUP + 30; // the −4% of day 71
    expect(report.detail!.loss[30]).toBeCloseTo(100_000 * (1 - closes[d + 1] / closes[d]), 8);
    expect(report.detail!.loss[30]).toBeCloseTo(4_000, 6);
    expect(Object.keys(report.volAnnual)).toEqual(['ETH']); // forecast as before: the assets of vol > 0
    expect(report.series.static.coverage.breaches).toBeGreaterThanOrEqual(2); // the crash days breach the static 900
  });

  it('totals a coin-margined account\'s IM in USD, at its coin\'s index, beside a USD account\'s', () => {
    // the same two accounts margined by engine.margin: the USD one's IM in USD, the BTC one's in BTC (its usd view ×100,000)
    const mixed = coinBook(
      { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    );
    const rows = engine.margin(mixed, coinMarket(), { method: 'cross' }).accounts;
    const [usdIm, btcIm] = [rows[0].im, rows[1].im];
    expect(btcIm).toBeLessThan(1); // in BTC
    const report = engine.backtest(mixed, coinMarket(), history, { method: 'cross', warmupDays: WARMUP });
    expect(report.series.static.totalMargin[0]).toBe(usdIm + btcIm * 100_000);
  });

  it('leaves out and names a coin account a USD-only method sets aside (var), testing the USD account alone', () => {
    // engine.margin under var sets the BTC account aside (status error): the backtest has no var figure of it to test
    const mixed = coinBook(
      { id: 'usd', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] },
      { id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] },
    );
    const rows = engine.margin(mixed, coinMarket(), { method: 'var' }).accounts;
    expect(rows[1].status).toBe('error');
    const report = engine.backtest(mixed, coinMarket(), history, { method: 'var', warmupDays: WARMUP, detail: true });
    expect(report.accounts).toBe(1);
    expect(report.detail!.accountIds).toEqual(['usd']);
    expect(report.notTested).toEqual([{ id: 'btc', reason: rows[1].error }]);
    expect(report.series.static.totalMargin[0]).toBe(rows[0].im); // the USD account's var IM alone
    expect([...backtestTextLines(report, 'the test history')][1]).toMatch(/^not tested: 1 account holding positions var cannot margin \(btc: margined in BTC/);
    // nothing left to test: refused, saying why
    const coinOnly = coinBook({ id: 'btc', marginCurrency: 'BTC', positions: [{ instrument: 'BTC-PERPETUAL', quantity: -1_000, entryPrice: 100_000 }], collateral: [{ asset: 'BTC', amount: 1 }] });
    expectOneProblem(() => engine.backtest(coinOnly, coinMarket(), history, { method: 'var', warmupDays: WARMUP }), 'book.accounts', /no account var margins holds a position: 1 holding positions is not margined by var \(btc: margined in BTC/);
  });

  it('refuses a forecast outside params.dynamic.volAnnual\'s domain at the asset and day, and a synthetic history of a market with no vol', () => {
    // 95% crashes on days 60 and 61: after the first the EWMA forecast is at least √(0.06·(ln 0.05)²·365) ≈ 14 a year
    const wild = closes.map((c, t) => (t >= 60 ? c * 0.05 : c) * (t >= 61 ? 0.05 : 1));
    const crashed = { assets: { BTC: wild.map((close, t) => ({ t: day(t), close })), ETH: history.assets.ETH } };
    expectOneProblem(() => engine.backtest(longPerp, market(), crashed, { method: 'cross', warmupDays: WARMUP }), 'history.assets.BTC', /forecast at the close of 2025-03-0\d is [\d.]+ a year, above 10/);
    const still = market();
    still.assets.BTC.vol = 0;
    still.assets.ETH.vol = 0;
    expectOneProblem(() => syntheticHistoryFor(validateMarket(still), { days: 300, seed: 1 }), 'market.assets', /no asset has a vol > 0/);
  });
});

describe('backtest input', () => {
  it('names what is wrong', () => {
    expectOneProblem(() => engine.backtest(longPerp, market(), { assets: { BTC: history.assets.BTC } }, { warmupDays: WARMUP }), 'history.assets', /"ETH"/);
    // @ts-expect-error a method name that is no method is a compile error too
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { method: 'spam', warmupDays: WARMUP }), 'options.method', /isolated, cross, portfolio, var/);
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { warmupDays: 100 }), 'history', /at least 30/);
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { warmupDays: 10 }), 'options.warmupDays', /too short/);
    // no masters: nothing said of pools
    expectOneProblem(() => engine.backtest(book({ collateral: [{ asset: 'USDC', amount: 1 }] }), market(), history, { warmupDays: WARMUP }), 'book.accounts', /^no account holds a net position: there is no loss to backtest$/);
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { warmupDays: WARMUP, params: { dynamic: { horizonDays: 1.5 } } }), 'params.dynamic.horizonDays', /whole days/);
    // a warm-up refused is not read as the default 250 by the history's check (its message quoted 250 days)
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { warmupDays: 0 }), 'options.warmupDays', /^0 is below 1$/);
  });

  it('refuses what it sets itself rather than drop it: a dynamic volAnnual, a methods list without its method', () => {
    // both had been accepted and the results were the same as without them
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { volAnnual: { BTC: 0.5 } } } }), 'params.dynamic.volAnnual', /forecasts the vols itself/);
    expectOneProblem(() => engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { methods: ['var'] } } }), 'params.dynamic.methods', /options\.method \(cross\), which the list leaves out/);
    expect(engine.backtest(longPerp, market(), history, { method: 'cross', warmupDays: WARMUP, params: { dynamic: { methods: ['cross'] } } }).method).toBe('cross');
  });
});
