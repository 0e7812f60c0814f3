/**
 * Values that used to pass quietly, or fail in Node's words, each now one line naming the option and its value with
 * the documented exit code (docs/cli.md, "Exit codes and messages"): an --out the file system will not take, a --host
 * that is no address, a --port in use, an empty --status, --paths 0, a params file holding `null`, and --seed or
 * --horizon-days without --paths (ignored, they passed for a Monte Carlo run that never ran).
 */
import { lookup } from 'node:dns/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marginCore, SAMPLE } from './support/cli.js';
import { scratchDir } from './support/scratch-dir.js';

const dir = scratchDir('mc-fail-closed-');

/** Exit 2 with commander's one line for the option and value, then the pointer at --help. */
function expectUsageError(run: { code: number; stdout: string; stderr: string }, command: string, option: string, value: string): string {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^error: option '${option} <\\w+>' argument '${value.replace(/\./g, '\\.')}' is invalid\\. `));
  expect(lines.slice(1)).toEqual([`(margin-core ${command} --help shows its options)`]);
  return lines[0];
}

describe('--out that the file system will not take', () => {
  // /proc exists but takes no new files: the temporary file beside /proc/version fails with ENOENT (as root; another
  // user is refused earlier, permission denied)
  it.runIf(existsSync('/proc/version'))('says it cannot write there, not that /proc does not exist (exit 1)', async () => {
    const { code, stdout, stderr } = await marginCore('margin', '--sample', '--format', 'csv', '--out', '/proc/version');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toContain('--out: cannot write /proc/version: ');
    expect(stderr).not.toContain('does not exist');
  });
});

describe('serve --host and --port', () => {
  it('a --host that is no IPv4 address is a bad option value (exit 2), said before any work', async () => {
    expect(expectUsageError(await marginCore('serve', '--sample', '--port', '0', '--host', '999.1.1.1'), 'serve', '--host', '999.1.1.1')).toMatch(/not an IP address/);
  });

  it('a --host name no resolver knows is a bad option value (exit 2)', async (context) => {
    // .invalid never resolves (RFC 6761); a machine without a resolver says EAI_AGAIN instead, not the name's fault
    const code = await lookup('nosuch.invalid').then(() => 'found', (error: NodeJS.ErrnoException) => error.code);
    if (code !== 'ENOTFOUND') context.skip();
    expect(expectUsageError(await marginCore('serve', '--sample', '--port', '0', '--host', 'nosuch.invalid'), 'serve', '--host', 'nosuch.invalid')).toMatch(/no address has this name/);
  });

  it('a --params file a live session refuses (the backstop policy) is named, at its own path, as live-shard names it', async () => {
    const params = join(dir, 'backstop-params.json');
    writeFileSync(params, JSON.stringify({ subaccounts: { policy: 'backstop' } }));
    const { code, stdout, stderr } = await marginCore('serve', '--book', 'data/examples/subaccounts-book.json', '--market', 'data/examples/market.json', '--no-auth', '--port', '0', '--params', params);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toMatch(/^margin-core: invalid input in .*backstop-params\.json \(1 problem\):\n {2}params\.subaccounts\.policy: a live session margins every account alone/);
  });

  it('a book problem a live session finds (after the files were read) names the --book file, as a params one names its file', async () => {
    const book = join(dir, 'located-isolated-book.json'), params = join(dir, 'located-params.json');
    writeFileSync(book, JSON.stringify({ instruments: [], accounts: [{ id: 'a', collateral: [{ asset: 'BTC', amount: 1, location: 'arbitrum' }] }] }));
    writeFileSync(params, JSON.stringify({ locations: { horizonHours: 1, at: { arbitrum: { haircut: 0.02, delayHours: 0.5 } } } }));
    const { code, stderr } = await marginCore('serve', '--book', book, '--market', 'data/examples/market.json', '--no-auth', '--port', '0', '--params', params, '--method', 'isolated');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^margin-core: invalid input in .*located-isolated-book\.json \(1 problem\):\n {2}accounts\[0\]\.collateral\[0\]\.location: isolated margin cannot value collateral by location/);
  });

  describe('a --port already in use', () => {
    let busy: Server;
    let port: number;
    beforeAll(async () => {
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      port = (busy.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

    it('fails the run (exit 1) in one line naming --port and the value, not listen EADDRINUSE', async () => {
      const { code, stdout, stderr } = await marginCore('serve', '--sample', '--no-auth', '--port', String(port));
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toBe(`margin-core: --port ${port}: the port is in use on 127.0.0.1; give another with --port N (0: any free port)\n`);
    });
  });
});

describe('selections that would select nothing', () => {
  it('margin --status "" is a usage error listing the statuses, not 0 accounts "(status )"', async () => {
    const line = expectUsageError(await marginCore('margin', '--sample', '--status', ''), 'margin', '--status', '');
    expect(line).toContain('healthy, margin_call, liquidatable, bankrupt, error');
    // a comma alone names no status either
    expectUsageError(await marginCore('margin', '--sample', '--status', ','), 'margin', '--status', ',');
  });

  it.each(['0', '-2', '1.5', '1000001', '1e9'])('stress --paths %s is a usage error (1 to 1,000,000 paths; leave it out for none)', async (paths) => {
    // above the most one call takes it had been exit 1, an input error at options.paths
    expect(expectUsageError(await marginCore('stress', '--sample', '--paths', paths), 'stress', '--paths', paths)).toContain('from 1 to 1,000,000');
  });

  it('stress without --shock, on a market the default shock does not fit: the error says the default was used', async () => {
    const market = JSON.parse(readFileSync(join(SAMPLE, 'market.json'), 'utf8'));
    delete market.assets.ETH;
    market.correlation = undefined;
    const book = JSON.parse(readFileSync(join(SAMPLE, 'book.json'), 'utf8'));
    book.accounts = book.accounts.filter((a: { positions: { instrument: string }[]; collateral?: { asset: string }[] }) => a.positions.every((p) => p.instrument.startsWith('BTC')) && (a.collateral ?? []).every((c) => c.asset !== 'ETH'));
    book.instruments = book.instruments.filter((i: { underlying: string }) => i.underlying === 'BTC');
    const files = { book: join(dir, 'btc-book.json'), market: join(dir, 'btc-market.json') };
    writeFileSync(files.book, JSON.stringify(book));
    writeFileSync(files.market, JSON.stringify(market));
    const run = await marginCore('stress', '--book', files.book, '--market', files.market);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--shock: not given: the bundled shock crash-path was used (give --shock with a shock of this market\'s assets)');
    expect(run.stderr).toMatch(/shock\.path\[0\]\.prices\.ETH, .*: unknown asset/);
  });
});

describe('options that do not go together', () => {
  it.each([
    [['--seed', '5', '--horizon-days', '3'], 'error: --seed and --horizon-days set up the Monte Carlo stress: give --paths N too, or leave them out'],
    [['--seed', '5'], 'error: --seed sets up the Monte Carlo stress: give --paths N too, or leave --seed out'],
    [['--horizon-days', '3'], 'error: --horizon-days sets up the Monte Carlo stress: give --paths N too, or leave --horizon-days out'],
  ])('stress %j without --paths is a usage error naming them (they would change nothing)', async (args, line) => {
    const run = await marginCore('stress', '--sample', ...args);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`${line}\n(margin-core stress --help shows its options)\n`);
  });

  it.each([
    [['--days', '400'], 'error: --days makes the synthetic history: with --history it changes nothing; leave --days out'],
    [['--days', '400', '--seed', '7'], 'error: --days and --seed make the synthetic history: with --history they change nothing; leave them out'],
  ])('backtest --history with %j is a usage error (they make the synthetic history), said before any file is read', async (args, line) => {
    const run = await marginCore('backtest', '--sample', '--history', join(dir, 'no-such-history.csv'), ...args);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toBe(`${line}\n(margin-core backtest --help shows its options)\n`);
  });

  it('stress --workers 2 without --paths or --reverse is a usage error (its threads would have nothing to run); --workers 1 is the default', async () => {
    const run = await marginCore('stress', '--sample', '--workers', '2');
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toBe("error: --workers 2 runs the Monte Carlo paths and the reverse search's probes on threads (the shock's cascade runs on this one): give --paths N or --reverse too, or leave --workers out\n(margin-core stress --help shows its options)\n");
    const one = await marginCore('stress', '--sample', '--workers', '1', '--format', 'json');
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout).cascades.length).toBeGreaterThan(0);
  });

  it('stress --threshold without --reverse is a usage error (it would start a reverse test not asked for)', async () => {
    const run = await marginCore('stress', '--sample', '--threshold', '1000000');
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(run.stderr).toBe("error: --threshold sets the reverse stress test's bad debt: give --reverse too, or leave --threshold out\n(margin-core stress --help shows its options)\n");
  });
});

describe('a params file holding null', () => {
  const file = join(dir, 'null.json');
  beforeAll(() => writeFileSync(file, 'null\n'));

  it.each([
    ['margin', '--sample'],
    ['stress', '--sample'],
    ['backtest', '--sample', '--days', '300'],
  ])('%s: refused like any params that are not an object (exit 1), not taken as the defaults', async (command, ...args) => {
    const { code, stdout, stderr } = await marginCore(command, ...args, '--params', file);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(/\n {2}params: expected an object .*, got null\n$/);
  });
});
