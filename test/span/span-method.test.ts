/**
 * The span method beyond its conformance cases: every backend gives the same bits on a generated book (with the
 * profile's spreads and minimums actually at work), its parameters fail closed with paths, and the profile is pinned.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, InputError } from '../../src/index.js';
import { validateSpanParams } from '../../src/methods/span/validate.js';
import { SPAN_PROFILE } from '../../src/profiles/span.js';
import { allEngines } from '../support/engines.js';
import { expectConforms, expectValidReport, SCHEMAS } from '../support/schemas.js';
import { book, market } from '../support/margin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const problemLines = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error('expected an InputError');
};

describe('span method', () => {
  it('gives the same report bits on JS, WASM scalar and WASM SIMD, spreads and minimums included', () => {
    const sample = generateSample({ accounts: 600, seed: 11 });
    const reports = engines.map((e) => e.margin(sample.book, sample.market, { profile: 'span', breakdown: true }));
    const json = reports.map((r) => JSON.stringify(r.accounts));
    expect(json[1]).toBe(json[0]);
    expect(json[2]).toBe(json[0]);
    // the generated book exercises every part of the algorithm
    const rows = reports[0].accounts.filter((a) => a.span);
    const commodities = rows.flatMap((a) => a.span!.commodities);
    expect(commodities.some((c) => c.intraCharge > 0)).toBe(true);
    expect(commodities.some((c) => c.interCredit > 0)).toBe(true);
    expect(commodities.some((c) => c.shortOptionMinimum > c.scanRisk && c.requirement === c.shortOptionMinimum)).toBe(true);
    expectValidReport(JSON.parse(JSON.stringify(reports[0])));
    for (const a of rows) {
      expect(a.mm).toBe(a.span!.maintenance);
      expect(a.im).toBe(a.span!.initial);
      let sum = 0;
      for (const c of a.span!.commodities) sum += c.requirement;
      expect(a.span!.maintenance).toBe(sum);
    }
  });

  it('scanning-based spreads and month scan ranges: the same bits on every backend, and requirement = Σ commodities', () => {
    const sample = generateSample({ accounts: 600, seed: 11 });
    const span = {
      commodities: { BTC: { monthScanRanges: [{ upToDays: 31, priceScanRange: 9_000 }, { upToDays: null, priceScanRange: 12_000 }], extremeMove: 3, extremeCover: 0.33 } },
      scanSpreads: [{ creditRate: 0.6, legs: [{ commodity: 'BTC', side: 'A', deltaPerSpread: 1 }, { commodity: 'ETH', side: 'B', deltaPerSpread: 30 }] }],
    };
    const reports = engines.map((e) => e.margin(sample.book, sample.market, { profile: 'span', params: { span }, breakdown: true }));
    const json = reports.map((r) => JSON.stringify(r.accounts));
    expect(json[1]).toBe(json[0]);
    expect(json[2]).toBe(json[0]);
    const rows = reports[0].accounts.filter((a) => a.span);
    expect(rows.some((a) => a.span!.spreads.some((x) => x.kind === 'scan' && x.amount > 0))).toBe(true);
    expectValidReport(JSON.parse(JSON.stringify(reports[0])));
    for (const a of rows) {
      let sum = 0;
      for (const c of a.span!.commodities) sum += c.requirement;
      expect(a.span!.maintenance).toBe(sum);
      expect(Number.isFinite(a.mm)).toBe(true);
    }
  });

  it('explains a commodity scanned by month with the ranges of the months held, the widest as its scan range', () => {
    // long 1 future of 28 days (month ≤ 31 days: 8,000), short 1 of 181 days (12,000): the up move's worst loss is
    // 12,000 − 8,000 = 4,000; the commodity's own 10% range (10,000) scans nothing and is not reported
    const book = {
      instruments: [
        { id: 'BTC-F1', kind: 'future', underlying: 'BTC', multiplier: 1, expiry: '2026-12-18T08:00:00Z' },
        { id: 'BTC-F6', kind: 'future', underlying: 'BTC', multiplier: 1, expiry: '2027-05-20T08:00:00Z' },
      ],
      accounts: [
        { id: 'spread', cashUsd: 10_000, positions: [{ instrument: 'BTC-F1', quantity: 1, entryPrice: 100_000 }, { instrument: 'BTC-F6', quantity: -1, entryPrice: 100_000 }] },
        { id: 'far', cashUsd: 10_000, positions: [{ instrument: 'BTC-F6', quantity: 1, entryPrice: 100_000 }] },
      ],
    };
    const market = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 } }, marks: { 'BTC-F1': 100_000, 'BTC-F6': 100_000 } };
    const params = { span: { commodities: { BTC: { monthScanRanges: [{ upToDays: 31, priceScanRange: 8_000 }, { upToDays: null, priceScanRange: 12_000 }] } } } };
    for (const e of engines) {
      const [spread, far] = e.margin(book, market, { profile: 'span', params, breakdown: true }).accounts.map((a) => a.span!.commodities[0]);
      expect(spread.scanRisk).toBe(4_000);
      expect([spread.priceScanRange, spread.monthScanRanges]).toEqual([12_000, [{ upToDays: 31, priceScanRange: 8_000 }, { upToDays: null, priceScanRange: 12_000 }]]);
      expect([far.priceScanRange, far.monthScanRanges]).toEqual([12_000, [{ upToDays: null, priceScanRange: 12_000 }]]);
    }
    // one range per commodity: no month list
    const plain = engines[0].margin(book, market, { profile: 'span', breakdown: true }).accounts[0].span!.commodities[0];
    expect([plain.priceScanRange, plain.monthScanRanges]).toEqual([10_000, undefined]);
  });

  it('rejects bad parameters, each with its path', () => {
    expect(problemLines(() => validateSpanParams({
      initialToMaintenance: 0.9, deltaWights: [],
      deltaWeights: [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2],
      commodities: {
        BTC: { priceScanRate: 0.5, volScanRange: 1, tiers: [{ upToDays: 30 }, { upToDays: 20 }], intraSpreads: [{ chargePerSpread: 10, legs: [{ tier: 1, side: 'A', deltaPerSpread: 1 }, { tier: 4, side: 'B', deltaPerSpread: 1 }] }] },
        ETH: { intraSpreads: [{ chargePerSpread: -1, legs: [{ tier: 1, side: 'A', deltaPerSpread: 0 }] }] },
      },
      interSpreads: [{ creditRate: 1.5, legs: [{ commodity: 'BTC', side: 'C', deltaPerSpread: 1 }, { commodity: 'default', side: 'B', deltaPerSpread: 1 }] }],
    }))).toEqual([
      'params.span.deltaWights: unknown field (did you mean "deltaWeights"?)',
      'params.span.initialToMaintenance: 0.9 is below 1',
      'params.span.deltaWeights: the weights must sum to 1 (they are probabilities), got 1.4',
      'params.span.commodities.BTC.priceScanRate: 0.5 is not below 0.5',
      'params.span.commodities.BTC.volScanRange: 1 is not below 1',
      'params.span.commodities.BTC.tiers[1].upToDays: the last tier must be open (upToDays: null), so that every expiry has a tier',
      'params.span.commodities.BTC.tiers[1].upToDays: tiers must ascend: 20 is not above 30',
      'params.span.commodities.BTC.intraSpreads[0].legs[1].tier: tier 4 does not exist: the commodity has 1 tier',
      'params.span.commodities.ETH.intraSpreads[0].chargePerSpread: -1 is below 0',
      'params.span.commodities.ETH.intraSpreads[0].legs[0].deltaPerSpread: 0 is not above 0',
      'params.span.interSpreads[0].creditRate: 1.5 is above 1',
      'params.span.interSpreads[0].legs[0].side: expected "A" or "B", got "C"',
      'params.span.interSpreads[0].legs[1].commodity: expected an asset symbol, got "default"',
    ]);
  });

  it('rejects bad month scan ranges, extreme scenarios and scanning-based spreads, each with its path', () => {
    expect(problemLines(() => validateSpanParams({
      commodities: {
        BTC: { monthScanRanges: [{ upToDays: 90, priceScanRange: 0 }, { upToDays: 30, priceScanRange: 5 }], extremeCover: 1.2 },
        ETH: { priceScanRate: 0.4, extremeMove: 3 },
        SOL: { monthScanRanges: [{ upToDays: null, priceScanRange: 5 }, { upToDays: null, priceScanRange: 6, days: 1 }] },
      },
      scanSpreads: [{ creditRate: 0, legs: [{ commodity: 'BTC', side: 'A', deltaPerSpread: 1 }] }],
    }))).toEqual([
      'params.span.commodities.BTC.extremeCover: 1.2 is above 1',
      'params.span.commodities.BTC.monthScanRanges[0].priceScanRange: 0 is not above 0',
      'params.span.commodities.ETH.extremeMove: extremeMove 3 × priceScanRate 0.4 is not below 1: the extreme scenarios would take the price to zero or below',
      'params.span.commodities.SOL.monthScanRanges[1].days: unknown field (expected upToDays or priceScanRange)',
      'params.span.scanSpreads[0].creditRate: 0 is not above 0',
      'params.span.scanSpreads[0].legs: a spread needs at least one leg on side A and one on side B',
    ]);
    expect(problemLines(() => validateSpanParams({ commodities: { BTC: { monthScanRanges: [{ upToDays: 90, priceScanRange: 1 }, { upToDays: 30, priceScanRange: 5 }] } } }))).toEqual([
      'params.span.commodities.BTC.monthScanRanges[1].upToDays: the last month range must be open (upToDays: null), so that every expiry has a month range',
      'params.span.commodities.BTC.monthScanRanges[1].upToDays: month ranges must ascend: 30 is not above 90',
    ]);
    // a month's USD range checked against the price with the commodity's extreme move (3 × 40,000 ≥ 100,000)
    const b = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }] });
    expect(problemLines(() => engines[0].margin(b, market(), { method: 'span', params: { span: { commodities: { BTC: { extremeMove: 3, monthScanRanges: [{ upToDays: null, priceScanRange: 40_000 }] } } } } })))
      .toEqual(['params.span.commodities.BTC.monthScanRanges[0].priceScanRange: 40000 USD is at least the BTC price (100000) / 3: the extreme scenarios (−3 × the scan range) would take the price to zero or below']);
  });

  it('merges a commodity over default field by field; an unknown profile field fails with its path through engine.margin', () => {
    const p = validateSpanParams({ commodities: { default: { volScanRange: 0.4 }, SOL: { shortOptionMinimum: 3 } } });
    expect(p.commodities.SOL).toMatchObject({ volScanRange: 0.4, shortOptionMinimum: 3, priceScanRate: 0.1, priceScanRange: null });
    expect(problemLines(() => engines[0].margin(book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }] }), market(), { profile: 'span', params: { span: { commodities: { BTC: { priceScanRnge: 1 } } } } })))
      .toEqual(['params.span.commodities.BTC.priceScanRnge: unknown field (did you mean "priceScanRange"?)']);
  });

  it('refuses a USD price scan range whose extreme move (−2×) would take the price to zero, naming the parameter', () => {
    const b = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 1 }] });
    expect(problemLines(() => engines[0].margin(b, market(), { method: 'span', params: { span: { commodities: { BTC: { priceScanRange: 50_000 } } } } })))
      .toEqual(['params.span.commodities.BTC.priceScanRange: 50000 USD is at least the BTC price (100000) / 2: the extreme scenarios (−2 × the scan range) would take the price to zero or below']);
    // just inside: 2 × 49,999 < 100,000, and the long perpetual loses the full scan range
    expect(engines[0].margin(b, market(), { method: 'span', params: { span: { commodities: { BTC: { priceScanRange: 49_999 } } } } }).accounts[0].mm).toBe(49_999);
  });

  it('the published params schema takes the profile\'s span section and refuses a misspelt field', () => {
    expectConforms('params', SPAN_PROFILE.params);
    expect(SCHEMAS.params({ span: { commodities: { BTC: { priceScanRnge: 1 } } } })).toBe(false);
    expect(SCHEMAS.params({ span: { interSpreads: [{ creditRate: 0.5, legs: [{ commodity: 'BTC', side: 'C', deltaPerSpread: 1 }] }] } })).toBe(false);
  });

  it('the profile is pinned: its validated span parameters are these numbers, whatever the defaults become', () => {
    const tiers = [{ upToDays: 31 }, { upToDays: 92 }, { upToDays: null }];
    const spreads = (a: number, b: number, c: number) => [[1, 2, a], [1, 3, b], [2, 3, c]].map(([x, y, charge]) => ({
      chargePerSpread: charge, legs: [{ tier: x, side: 'A', deltaPerSpread: 1 }, { tier: y, side: 'B', deltaPerSpread: 1 }],
    }));
    const extremes = { monthScanRanges: [], extremeMove: 2, extremeCover: 0.35 };
    const p = validateSpanParams(SPAN_PROFILE.params.span);
    expect({ ...p, commodities: { ...p.commodities } }).toEqual({
      initialToMaintenance: 1.1,
      lookAheadDays: 1,
      deltaWeights: [0.0062, 0.0606, 0.2417, 0.383, 0.2417, 0.0606, 0.0062],
      commodities: {
        default: { priceScanRange: null, priceScanRate: 0.15, volScanRange: 0.3, shortOptionMinimum: 0, tiers: [{ upToDays: null }], intraSpreads: [], ...extremes },
        BTC: { priceScanRange: null, priceScanRate: 0.1, volScanRange: 0.25, shortOptionMinimum: 500, tiers, intraSpreads: spreads(400, 800, 600), ...extremes },
        ETH: { priceScanRange: null, priceScanRate: 0.12, volScanRange: 0.3, shortOptionMinimum: 20, tiers, intraSpreads: spreads(20, 40, 30), ...extremes },
      },
      interSpreads: [{ creditRate: 0.5, legs: [{ commodity: 'BTC', side: 'A', deltaPerSpread: 1 }, { commodity: 'ETH', side: 'B', deltaPerSpread: 30 }] }],
      scanSpreads: [],
    });
  });
});
