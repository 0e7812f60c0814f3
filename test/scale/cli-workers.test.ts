/**
 * `--workers N` on the CLI's stress command (the built CLI, as a user runs it): Monte Carlo paths split across worker
 * threads, and a reverse search's probes, give the bytes one thread gives, for a book with subaccount groups too; bad
 * counts are usage errors (exit 2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

const BOOK = join(SAMPLE, 'book.json'), MARKET = join(SAMPLE, 'market.json');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mc-workers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--workers', () => {
  test('stress: Monte Carlo paths split across two threads, the same json', async () => {
    const args = ['stress', '--book', BOOK, '--market', MARKET, '--shock', 'btc-crash', '--paths', '6', '--seed', '3', '--format', 'json'];
    const one = await marginCore(...args);
    const two = await marginCore(...args, '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });

  test('stress --reverse: the search\'s probes on two threads, the same json', async () => {
    const args = ['stress', '--book', BOOK, '--market', MARKET, '--shock', 'btc-crash', '--reverse', '--threshold', '100000', '--format', 'json'];
    const one = await marginCore(...args);
    const two = await marginCore(...args, '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(JSON.parse(one.stdout).reverse[0].evaluations).toBeGreaterThan(10); // a scan and a bisection
    expect(two.stdout).toBe(one.stdout);
  });

  test.each(['0', '2.5', 'two', '257'])('--workers %s is a usage error (exit 2) naming the range', async (n) => {
    const r = await marginCore('stress', '--book', BOOK, '--market', MARKET, '--shock', 'btc-crash', '--paths', '4', '--workers', n);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected a whole number from 1 to 256');
  });

  test('margin has no --workers (a one-shot run pays more to ship the shards than it saves): a usage error', async () => {
    const r = await marginCore('margin', '--book', BOOK, '--market', MARKET, '--workers', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--workers'");
  });

  test('a book with subaccount groups, pooled under the cross policy: paths and probes on two threads, the same json', async () => {
    const book = { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC', multiplier: 1 }], accounts: [
      { id: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 90000 }], collateral: [{ asset: 'USDC', amount: 3000 }] },
      { id: 's', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 90000 }], collateral: [{ asset: 'USDC', amount: 2000 }] },
      { id: 't', positions: [{ instrument: 'BTC-PERP', quantity: -1, entryPrice: 88000 }], collateral: [{ asset: 'USDC', amount: 9000 }] },
    ] };
    const path = join(dir, 'groups.json'), params = join(dir, 'pooled.json');
    await writeFile(path, JSON.stringify(book));
    await writeFile(params, JSON.stringify({ subaccounts: { policy: 'cross' } }));
    const args = ['stress', '--book', path, '--market', MARKET, '--params', params, '--shock', 'btc-crash', '--paths', '4', '--reverse', '--format', 'json'];
    const one = await marginCore(...args);
    const two = await marginCore(...args, '--workers', '2');
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(one.stdout).monteCarlo[0].paths).toBe(4);
  });
});
