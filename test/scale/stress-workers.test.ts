/**
 * Monte Carlo stress split by path, and the reverse search's probes, across worker threads (src/scale/sharded-book.ts,
 * the workers' PathRunner in src/scale/tasks.ts): the report of one thread, byte for byte, for 1, 2 and 3 workers;
 * each worker lays the book out once for all of its jobs; progress counts every path and the shock's own cascade,
 * ending at its total; a transport without probe jobs leaves the search on this thread.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { validateInputs } from '../../src/model/validate.js';
import type { ValidatedBook, ValidatedMarket } from '../../src/model/types.js';
import { generateSample } from '../../src/sample/generate.js';
import { PATH_JOBS_PER_WORKER } from '../../src/scale/sharded-book.js';
import { REVERSE_EVALUATIONS } from '../../src/stress/stress.js';
import type { ShardTransport } from '../../src/scale/transport.js';
import { firstDifference, withoutWorkers } from '../support/bits.js';
import { expectSameProblems } from '../support/problems.js';

let book: ValidatedBook;
let market: ValidatedMarket;

beforeAll(() => {
  const sample = generateSample({ accounts: 90, seed: 11 });
  ({ book, market } = validateInputs(sample.book, sample.market));
});

describe.each(['wasm', 'js'] as const)('Monte Carlo paths on 1, 2 and 3 worker threads (%s)', (backend) => {
  const pooled: Engine[] = [];
  let single: Engine;
  beforeAll(async () => {
    single = await createEngine({ backend });
    for (const workers of [2, 3]) pooled.push(await createEngine({ backend, workers }));
  });
  afterAll(async () => {
    await Promise.all(pooled.map((e) => e.close()));
  });

  // 13 paths: no worker count divides them, and 2 × 8 or 3 × 8 jobs leave some jobs one path and some none
  const options = { method: 'cross', paths: 13, seed: 5, horizonDays: 2 };
  const shock = { spot: { BTC: -0.12, ETH: -0.15 } };

  test('the same report, byte for byte, whatever the worker count', async () => {
    const one = single.stress(book, market, shock, options);
    const bytes = JSON.stringify(one);
    expect(one.monteCarlo?.[0].paths).toBe(13);
    for (const engine of pooled) {
      const sharded = await engine.openShardedBook(book);
      try {
        const report = await sharded.stress(market, shock, options);
        expect(firstDifference(report, one), `${engine.workers} workers`).toBeNull();
        expect(JSON.stringify(report)).toBe(bytes);
      } finally {
        await sharded.release();
      }
    }
  });

  test('progress counts the shock cascade and all 13 paths, never backwards, ending at its total', async () => {
    const engine = pooled[1];
    const sharded = await engine.openShardedBook(book);
    const seen: [number, number][] = [];
    try {
      await sharded.stress(market, shock, { ...options, onProgress: (done, total) => seen.push([done, total]) });
    } finally {
      await sharded.release();
    }
    const last = seen[seen.length - 1];
    expect(last).toEqual([1 + 13, 1 + 13]); // the shock's cascade on this thread, then every path
    expect(seen.filter(([done, total]) => done >= total)).toHaveLength(1); // a job ending before this thread's cascade reported too
    for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    // the paths arrive job by job: more than one report after the shock's cascade (3 workers × PATH_JOBS_PER_WORKER jobs over 13 paths)
    expect(seen.length).toBeGreaterThan(2);
    expect(PATH_JOBS_PER_WORKER * engine.workers).toBeGreaterThan(13);
  });

  test('progress with a reverse search ends at its total, on one thread and on the workers (a search needing fewer cascades than counted stopped short)', async () => {
    const opts = { method: 'cross', reverse: { thresholdUsd: 20_000 }, paths: 3, params: { stress: { maxRounds: 6 } } };
    const ends = (seen: [number, number][]) => {
      for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
      return seen[seen.length - 1];
    };
    const own: [number, number][] = [];
    const one = single.stress(book, market, shock, { ...opts, onProgress: (done, total) => own.push([done, total]) });
    expect(one.reverse?.[0].evaluations).toBeLessThan(REVERSE_EVALUATIONS); // the case this guards
    expect(ends(own)).toEqual([1 + REVERSE_EVALUATIONS + 3, 1 + REVERSE_EVALUATIONS + 3]);
    const sharded = await pooled[1].openShardedBook(book);
    const seen: [number, number][] = [];
    try {
      await sharded.stress(market, shock, { ...opts, onProgress: (done, total) => seen.push([done, total]) });
    } finally {
      await sharded.release();
    }
    expect(ends(seen)).toEqual([1 + REVERSE_EVALUATIONS + 3, 1 + REVERSE_EVALUATIONS + 3]);
  });

  test('a search needing more cascades than counted grows the total: done reaches it once, at the end, on one thread and on the workers', async () => {
    const opts = { method: 'cross', reverse: { thresholdUsd: 100_000 }, paths: 3, params: { stress: { maxRounds: 6 } } };
    const own: [number, number][] = [];
    const one = single.stress(book, market, shock, { ...opts, onProgress: (done, total) => own.push([done, total]) });
    const probes = one.reverse![0].evaluations;
    expect(probes).toBeGreaterThan(REVERSE_EVALUATIONS); // the case this guards
    // the shock's cascade, every cascade the search ran (its path's, and on the workers those run beside them), the paths
    const least = 1 + probes + 3;
    const sharded = await pooled[0].openShardedBook(book);
    const seen: [number, number][] = [];
    try {
      await sharded.stress(market, shock, { ...opts, onProgress: (done, total) => seen.push([done, total]) });
    } finally {
      await sharded.release();
    }
    for (const told of [own, seen]) {
      const [done, total] = told[told.length - 1];
      expect([done >= least, done === total]).toEqual([true, true]);
      expect(told.filter(([done, total]) => done >= total)).toHaveLength(1);
      for (let k = 1; k < told.length; k++) expect(told[k][0]).toBeGreaterThanOrEqual(told[k - 1][0]);
    }
    // one thread: a report per cascade, then the search's end gives back the unit it held open
    expect(own.filter(([done], k) => k === 0 || done > own[k - 1][0])).toHaveLength(own.length - 1);
  });

  test('a reverse search with its probes on the workers: the report of one thread, byte for byte', async () => {
    const reverse = { method: 'cross', reverse: { thresholdUsd: 20_000 }, params: { stress: { maxRounds: 6 } } };
    const one = single.stress(book, market, shock, reverse);
    expect(one.reverse?.[0].scale).toBeGreaterThan(0); // a search that scanned and bisected
    expect(one.reverse?.[0].evaluations).toBeGreaterThan(10);
    for (const engine of pooled) {
      const sharded = await engine.openShardedBook(book);
      try {
        expect(firstDifference(await sharded.stress(market, shock, reverse), one), `${engine.workers} workers`).toBeNull();
      } finally {
        await sharded.release();
      }
    }
  });

  test.each(['cross', 'isolated'])('USD, USDC-linear and coin-margined accounts, isolated allocations, %s: paths and probes on the workers as on one thread', async (method) => {
    // (masters and per-account methods: the next test)
    const sample = generateSample({ accounts: 50, seed: 6, coinAccounts: 6 });
    const b = sample.book as { instruments: unknown[]; accounts: { id: string; marginCurrency?: string; positions?: { isolatedMargin?: number; entryPrice: number; quantity: number }[]; collateral?: unknown[] }[] };
    // accounts margined in USDC holding a USDC-settled perp (a USDC-linear contract), and positions with their own allocation
    b.instruments.push({ id: 'ETH-USDC-PERP', kind: 'perpetual', underlying: 'ETH', multiplier: 1, settlement: 'USDC' });
    const eth = sample.market.assets.ETH.price;
    for (let k = 0; k < 5; k++) {
      const quantity = (k % 2 ? -1 : 1) * (4 + 3 * k);
      b.accounts.push({ id: `usdc-${k}`, marginCurrency: 'USDC', positions: [{ instrument: 'ETH-USDC-PERP', quantity, entryPrice: eth } as never], collateral: [{ asset: 'USDC', amount: Math.abs(quantity) * eth * (0.03 + 0.04 * k) }] });
    }
    for (const [k, account] of b.accounts.entries()) {
      const p = account.positions?.[0];
      if (k % 4 === 1 && p && account.marginCurrency === undefined) p.isolatedMargin = Math.abs(p.quantity * p.entryPrice) * 0.05;
    }
    const opts = { method, params: { stress: { maxRounds: 6 } }, paths: 5, seed: 3, reverse: true };
    const one = single.stress(sample.book, sample.market, shock, opts);
    const sharded = await pooled[0].openShardedBook(sample.book);
    try {
      expect(firstDifference(await sharded.stress(sample.market, shock, opts), one)).toBeNull();
    } finally {
      await sharded.release();
    }
  });

  test('masters with their subaccounts and accounts of their own method, opened for stress: paths and probes on the workers as on one thread; margin on the workers as on one thread', async () => {
    const sample = generateSample({ accounts: 48, seed: 13, accountsPerMaster: 4, coinAccounts: 4 });
    for (const [k, account] of (sample.book as { accounts: { master?: string; method?: string }[] }).accounts.entries()) {
      if (k % 7 === 3 && account.master === undefined) account.method = 'isolated'; // a top-level account of its own method
    }
    // the groups pooled (the stress acts on the pooled book: dropping the masters changes this report)
    const opts = { method: 'cross', params: { stress: { maxRounds: 6 }, subaccounts: { policy: 'cross' } }, paths: 5, seed: 3, reverse: true };
    const one = single.stress(sample.book, sample.market, shock, opts);
    const unpooled = structuredClone(sample.book) as { accounts: { master?: string }[] };
    for (const account of unpooled.accounts) delete account.master;
    expect(firstDifference(single.stress(unpooled, sample.market, shock, opts), one)).not.toBeNull();
    const sharded = await pooled[0].openShardedBook(sample.book, undefined, { layOut: 'first-margin' });
    try {
      expect(firstDifference(await sharded.stress(sample.market, shock, opts), one)).toBeNull();
      // the first margin lays the shards out: each group whole in its master's shard, the single-process report
      const margin = { method: 'cross', params: { subaccounts: { policy: 'independent' } } };
      expect(firstDifference(withoutWorkers(await sharded.margin(sample.market, margin)), single.margin(sample.book, sample.market, margin))).toBeNull();
      // an isolated master cannot pool under cross: refused with the book's paths (not a shard's), as in one process
      const pooledMargin = { method: 'cross', params: { subaccounts: { policy: 'cross' } } };
      await expectSameProblems(() => single.margin(sample.book, sample.market, pooledMargin), sharded.margin(sample.market, pooledMargin));
    } finally {
      await sharded.release();
    }
    // opened to lay its shards out at once, the same report
    const laidOut = await pooled[0].openShardedBook(sample.book);
    expect(firstDifference(withoutWorkers(await laidOut.margin(sample.market, { method: 'cross' })), single.margin(sample.book, sample.market, { method: 'cross' }))).toBeNull();
    await laidOut.release();
  });

  test('a transport with Monte Carlo jobs and no probe jobs: its paths on the workers, the search on this thread, the same report', async () => {
    const inner = pooled[0].shardTransport;
    let probed = false;
    const pathsOnly: ShardTransport = {
      name: inner.name, get shards() { return inner.shards; }, parts: inner.parts, exchangesTables: inner.exchangesTables,
      load: (id, shards) => inner.load(id, shards), run: (tasks, onOutcome) => inner.run(tasks, onOutcome), unload: (id) => inner.unload(id),
      runStressPaths: (whole, jobs, onJob) => {
        probed = true;
        return inner.runStressPaths!(whole, jobs, onJob);
      },
      health: () => inner.health(), close: async () => {}, // the pool is the engine's, closed after the file
    };
    const opts = { method: 'cross', paths: 4, seed: 8, reverse: { thresholdUsd: 20_000 }, params: { stress: { maxRounds: 6 } } };
    const sharded = await pooled[0].openShardedBook(book, pathsOnly);
    try {
      expect(firstDifference(await sharded.stress(market, shock, opts), single.stress(book, market, shock, opts))).toBeNull();
      expect(probed).toBe(true);
    } finally {
      await sharded.release();
    }
  });

  test('a shock that freezes a location: its paths on the workers count nothing held there, as on one thread', async () => {
    const params = { locations: { horizonHours: 1, at: { arbitrum: { haircut: 0.02, delayHours: 0.5 } } } };
    const sample = generateSample({ accounts: 40, seed: 4 });
    const located = sample.book as unknown as { accounts: { collateral?: { asset: string; amount: number; location?: string }[] }[] };
    for (const [k, account] of located.accounts.entries()) if (k % 3 === 0) for (const c of account.collateral ?? []) c.location = 'arbitrum';
    const frozen = { spot: { BTC: -0.05 }, freezeLocations: ['arbitrum'] };
    const opts = { method: 'cross', params, paths: 5, seed: 2 };
    const one = single.stress(located, sample.market, frozen, opts);
    // freezing arbitrum (its collateral arrives within the horizon: it counts, haircut 2%, until frozen) changes the paths
    const unfrozen = single.stress(located, sample.market, { spot: { BTC: -0.05 } }, opts);
    expect(firstDifference(one.monteCarlo, unfrozen.monteCarlo)).not.toBeNull();
    const sharded = await pooled[0].openShardedBook(located);
    try {
      expect(firstDifference(await sharded.stress(sample.market, frozen, opts), one)).toBeNull();
    } finally {
      await sharded.release();
    }
  });
});
