/**
 * The service agrees with the library over everything a venue holds: a service on a live session of a venue book (USD,
 * USDC-linear and coin-margined accounts, masters and subaccounts: test/support/venue-book.ts) is driven over real
 * sockets by random sequences of ticks, fills and deposits (fast-check, the suite's fixed seed; fewer runs than the
 * live property, test/live/every-venue.test.ts); after every step
 * - GET /report is `engine.margin` on the live book and market (every row, the totals, the masters' roll-up), coin
 *   rows with their `marginCurrency` and USD view (reports copied in slices of 5 rows: coin rows fall in later slices);
 * - GET /accounts pages through the same rows;
 * - GET /metrics states the report's totals in its units: accounts by status (count), IM and MM in USD, where a coin
 *   account's IM counts at its coin's index price: Σ row.im × (USD per unit of its margin currency), summed here
 *   from the rows.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, type MarginMethodName } from '../../src/index.js';
import type { LiveSession } from '../../src/live/live-session.js';
import type { AccountMargin, MarginReport } from '../../src/margin/report.js';
import { startService } from '../../src/service/server.js';
import { firstDifference } from '../support/bits.js';
import { allEngines } from '../support/engines.js';
import { propertyRuns } from '../support/property-runs.js';
import { mulberry32 } from '../support/random.js';
import { freshReport, venueBook, venueFills, venueMarket, venueTick, venueTransfer } from '../support/venue-book.js';
import { AUTH, call, samples, TOKEN } from './helpers.js';

const VARIANTS: { name: string; method: MarginMethodName; params?: unknown }[] = [
  { name: 'cross', method: 'cross' },
  { name: 'portfolio', method: 'portfolio' },
  { name: 'var monte-carlo', method: 'var', params: { var: { model: 'monte-carlo', scenarios: 200, seed: 5 } } },
  { name: 'deribit', method: 'deribit' },
];

const KINDS = ['tick price', 'tick vol', 'tick marks', 'tick all', 'fills', 'deposit'] as const;

/** Σ over rows not in status error of `figure` in USD: a coin row's at its USD view's price. */
function usdSum(rows: readonly AccountMargin[], figure: 'im' | 'mm'): number {
  let sum = 0;
  for (const r of rows) if (r.status !== 'error') sum += r[figure] * (r.usd?.price ?? 1);
  return sum;
}

async function request(live: LiveSession, url: string, kind: (typeof KINDS)[number], rnd: () => number): Promise<void> {
  const body = kind === 'fills' ? { fills: venueFills(live, rnd) }
    : kind === 'deposit' ? { transfers: [venueTransfer(live, rnd)] }
    : venueTick(live, kind === 'tick price' ? 'price' : kind === 'tick vol' ? 'vol' : kind === 'tick marks' ? 'marks' : 'all', rnd);
  const path = kind === 'fills' ? '/fills' : kind === 'deposit' ? '/transfers' : '/tick';
  const res = await call(url, 'POST', path, body);
  // a refused update (an overdrawn withdrawal) is a 400 that changes nothing
  expect([200, 400], JSON.stringify(res.json)).toContain(res.status);
}

async function expectAgreement(engine: Engine, live: LiveSession, url: string, variant: (typeof VARIANTS)[number], where: string): Promise<void> {
  const fresh: MarginReport = freshReport(engine, live, variant.method, variant.params);
  const report = (await call(url, 'GET', '/report')).json as MarginReport;
  expect(firstDifference(report, JSON.parse(JSON.stringify(fresh))), `${where}: GET /report`).toBeNull();
  const page = (await call(url, 'GET', '/accounts?limit=500')).json as { accounts: AccountMargin[] };
  expect(firstDifference(page.accounts, JSON.parse(JSON.stringify(fresh.accounts))), `${where}: GET /accounts`).toBeNull();
  const m = samples(await (await fetch(`${url}/metrics`, { headers: AUTH })).text());
  for (const [status, count] of Object.entries(fresh.totals.byStatus)) expect(m.get(`margincore_accounts{status="${status}"}`), `${where}: ${status}`).toBe(count);
  expect(m.get('margincore_initial_margin_usd'), `${where}: IM`).toBe(fresh.totals.im);
  expect(m.get('margincore_maintenance_margin_usd'), `${where}: MM`).toBe(fresh.totals.mm);
  // the unit: USD, coin rows converted (summed here in another order: equal to rounding)
  expect(fresh.totals.im).toBeCloseTo(usdSum(fresh.accounts, 'im'), 4);
  expect(fresh.totals.mm).toBeCloseTo(usdSum(fresh.accounts, 'mm'), 4);
}

describe('the service agrees with engine.margin over every kind of account', () => {
  let engines: Engine[];
  beforeAll(async () => {
    engines = await allEngines();
  });

  it('the sample after a vol tick of BTC (issue 49): the BTC accounts in BTC with their USD view, the totals in USD', async () => {
    const book = JSON.parse(readFileSync('data/sample/book.json', 'utf8'));
    const market = JSON.parse(readFileSync('data/sample/market.json', 'utf8'));
    for (const engine of engines) {
      const live = engine.live(book, market, { method: 'cross' });
      const service = await startService(live, { port: 0, token: TOKEN, reportSliceRows: 100 });
      try {
        expect((await call(service.url, 'POST', '/tick', { assets: { BTC: { vol: 0.5 } } })).status).toBe(200);
        await expectAgreement(engine, live, service.url, VARIANTS[0], `${engine.backend} sample`);
        const report = (await call(service.url, 'GET', '/report')).json as MarginReport;
        const coin = report.accounts.find((r) => r.id === 'btc-margined-000300')!;
        expect(coin.marginCurrency).toBe('BTC');
        expect(coin.usd!.price).toBe(88_034.5);
        expect(coin.im).toBeGreaterThan(0);
      } finally {
        await service.close();
        live.release();
      }
    }
  });

  for (const variant of VARIANTS) {
    it(`${variant.name}: /report, /accounts and /metrics after every step`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.array(fc.record({ kind: fc.constantFrom(...KINDS), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }) }), { minLength: 4, maxLength: 6 }),
          async (bookSeed, steps) => {
            for (const engine of engines) {
              const live = engine.live(venueBook(mulberry32(bookSeed)), venueMarket(), { method: variant.method, params: variant.params } as never);
              const service = await startService(live, { port: 0, token: TOKEN, reportSliceRows: 5 });
              try {
                await expectAgreement(engine, live, service.url, variant, `${engine.backend} opening`);
                for (const [k, { kind, seed }] of steps.entries()) {
                  await request(live, service.url, kind, mulberry32(seed));
                  await expectAgreement(engine, live, service.url, variant, `${engine.backend} step ${k} (${kind})`);
                }
              } finally {
                await service.close();
                live.release();
              }
            }
          },
        ),
        propertyRuns(1),
      );
    });
  }
});
